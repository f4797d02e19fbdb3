"""Baselines: bicubic ↓s -> standard codec -> bicubic ↑s, no networks, no weights;
and :class:`BicubicEDSRPipeline`, bicubic ↓s -> codec -> EDSR ×s, the base of
the "SR only" baselines (``sr-jpeg-x<s>``, ``upenik-decoded-x<s>``).

The reference every learned pre/post-stage has to beat: the same resolution
change and the same codec, with a fixed filter on both sides (Pillow's
antialiased bicubic). Registered for every standard codec and s = 2, 4 as
``bicubic-<codec>-x<s>`` (``bicubic-jpeg-x2``, ``bicubic-avif-x4``, ...).
"""

from __future__ import annotations

import numpy as np

from srcodec.io.resample import bicubic_up
from srcodec.pre.shrink import shrink
from srcodec.pipelines.base import Pipeline

STANDARD = ("jpeg", "webp", "avif", "jpeg2000", "jxl", "heif")


class BicubicPipeline(Pipeline):
    """Fixed bicubic resampling around a codec."""

    pre_label = "bicubic ↓"
    post_label = "bicubic ↑"
    paper = "baseline: bicubic resampling around a standard codec"

    def pre(self, rgb: np.ndarray) -> np.ndarray:
        return shrink(rgb, self.scale)

    def post(self, lr: np.ndarray) -> np.ndarray:
        return bicubic_up(lr, self.scale)


class BicubicEDSRPipeline(Pipeline):
    """Bicubic ↓s, a codec, then one EDSR ×s on the decoded LR image (weights: stage ``sr``)."""

    stages = ("sr",)
    stage_archs = {"sr": ("edsr",)}

    def pre(self, rgb: np.ndarray) -> np.ndarray:
        return shrink(rgb, self.scale)

    def post(self, lr: np.ndarray) -> np.ndarray:
        return self.run_nets(lr, self.nets["sr"])
