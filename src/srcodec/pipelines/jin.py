"""Jin et al.: super-resolution of compressed low-resolution images.

::

    HR ─► bicubic ↓s ─► codec (JPEG / AVIF) ─► decoded LR ─► DnCNN (artifact removal) ─► EDSR ×s ─► HR'

The two networks are trained in three steps (``srcodec train car``, then
``srcodec train sr --car-weights ...``, then ``srcodec train sr --init ... --joint``;
see :mod:`srcodec.train.restore`): the artifact remover alone
(decoded LR -> clean bicubic LR), then EDSR on the artifact remover's output,
then both end to end. All of it on LR images that really went through the
codec (:mod:`srcodec.data.degrade`). At s = 1 there is no resampling and EDSR
runs without its upsampler, as a second restoration stage.

Pipelines: ``jin-jpeg-x2``, ``jin-jpeg-x4``, ``jin-avif-x1``, ``jin-avif-x2`` (trained over a
range of qualities), and ``jin-jpeg-x2-q10`` (Jin et al.'s setting: its networks tuned for JPEG
Q10; any quality is accepted, Q10 is the one it is made for).
Weights: ``srcodec/weights/<name>.safetensors`` with stages ``car`` and ``sr``.

The baseline Jin et al. compare against, "SR without CAR": ``sr-jpeg-x2`` and
``sr-jpeg-x4`` (bicubic ↓s → JPEG → EDSR ×s, one stage ``sr``), with an EDSR
trained on *clean* bicubic LR (``srcodec train sr --codec none``), as a plain
super-resolution network would be. It shows what the codec's artifacts do to
an SR network that never saw them.
"""

from __future__ import annotations

import numpy as np

from srcodec.pre.shrink import shrink
from srcodec.pipelines.base import Pipeline
from srcodec.pipelines.bicubic import BicubicEDSRPipeline


class JinPipeline(Pipeline):
    paper = "Jin et al.: bicubic ↓, codec, DnCNN artifact removal on the decoded LR, EDSR ↑"
    stages = ("car", "sr")
    stage_archs = {"car": ("dncnn",), "sr": ("edsr",)}

    def pre(self, rgb: np.ndarray) -> np.ndarray:
        return shrink(rgb, self.scale)

    def post(self, lr: np.ndarray) -> np.ndarray:
        return self.run_nets(lr, self.nets["car"], self.nets["sr"])


class SRNoCARPipeline(BicubicEDSRPipeline):
    """Jin et al.'s "SR without CAR" baseline: EDSR trained on clean LR, applied to the decoded LR as it is."""

    paper = "baseline (Jin et al.'s SR without CAR): bicubic ↓, JPEG, EDSR ↑ trained on clean bicubic LR"
