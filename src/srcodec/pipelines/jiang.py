"""Jiang et al.: a CNN on each side of JPEG, and artifact removal after it.

``jiang-comcnn`` -- Jiang et al., "An End-to-End Compression Framework Based on
Convolutional Neural Networks" (IEEE TCSVT 2017)::

    HR ─► ComCNN (compact image, ½ size) ─► JPEG ─► bicubic ↑2 ─► RecCNN ─► HR'

``jiang-arcnn`` / ``jiang-arcnn-aspp`` -- the student report of Jiang et al.,
artifact removal after JPEG at full resolution::

    HR ─► JPEG ─► ARCNN (Dong et al. 2015)            ─► HR'
    HR ─► JPEG ─► ARCNN + ASPP + residual connection  ─► HR'

Weights: stages ``com`` and ``rec`` (``srcodec train comcnn``), or ``car``
(``srcodec train car --arch arcnn|arcnn-aspp --scale 1``).
"""

from __future__ import annotations

import numpy as np

from srcodec.pipelines.base import Pipeline


class JiangComCNN(Pipeline):
    name = "jiang-comcnn"
    label = "Jiang et al. 2017 ComCNN/RecCNN + JPEG"
    paper = "Jiang et al. 2017 (TCSVT): ComCNN → JPEG → bicubic ↑2 → RecCNN"
    inner = "jpeg"
    scale = 2
    pre_label = "ComCNN ↓2"
    post_label = "bicubic ↑2 → RecCNN"
    stages = ("com", "rec")
    stage_archs = {"com": ("comcnn",), "rec": ("reccnn",)}

    def pre(self, rgb: np.ndarray) -> np.ndarray:
        return self.run_nets(rgb, self.nets["com"])

    def post(self, lr: np.ndarray) -> np.ndarray:
        from srcodec.post.reccnn import upscale_bicubic

        class _Up:  # the fixed enlargement, as one more stage
            def __call__(self, x):
                return upscale_bicubic(x, 2)

        return self.run_nets(lr, _Up(), self.nets["rec"])


class _JiangCAR(Pipeline):
    inner = "jpeg"
    scale = 1
    pre_label = "-"
    stages = ("car",)

    def post(self, lr: np.ndarray) -> np.ndarray:
        return self.run_nets(lr, self.nets["car"])


class JiangARCNN(_JiangCAR):
    name = "jiang-arcnn"
    label = "JPEG + ARCNN"
    paper = "Jiang et al. (student report): JPEG → ARCNN (Dong et al. 2015)"
    post_label = "ARCNN"
    stage_archs = {"car": ("arcnn",)}


class JiangARCNNASPP(_JiangCAR):
    name = "jiang-arcnn-aspp"
    label = "JPEG + ARCNN-ASPP"
    paper = "Jiang et al. (student report): JPEG → ARCNN + ASPP + residual connection"
    post_label = "ARCNN + ASPP"
    stage_archs = {"car": ("arcnn-aspp",)}
