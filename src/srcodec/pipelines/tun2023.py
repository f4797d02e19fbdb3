"""Tun et al. (2023): learned downscaling, learned compression, learned super-resolution.

::

    HR ─► learned downscaler ↓s ─► learned codec ("learned", .srz) ─► EDSR ×s ─► HR'

Tun et al. put Sun & Chen's content-adaptive resampler in front of a learned
codec and train it jointly with the upscaler. Here the downscaler is the
bicubic-plus-learned-residual network of :mod:`srcodec.pre.downscaler` (see
its docstring for why), trained jointly with EDSR through a differentiable
codec proxy (``srcodec train resampler``).

Pipelines: ``tun2023-x2``, ``tun2023-x4``. Weights: stages ``down`` and ``sr``.
"""

from __future__ import annotations

import numpy as np

from srcodec.pipelines.base import Pipeline


class TunPipeline(Pipeline):
    paper = "Tun et al. 2023: learned downscaler (after Sun & Chen 2020) → learned codec → EDSR"
    inner = "learned"
    stages = ("down", "sr")
    stage_archs = {"down": ("downscaler",), "sr": ("edsr",)}

    def check_nets(self, nets) -> None:
        super().check_nets(nets)
        from srcodec.errors import InputError

        if nets["down"].scale != self.scale:
            raise InputError(f"{self.weights_path()}: its downscaler divides by {nets['down'].scale}, {self.name} needs {self.scale}")

    def pre(self, rgb: np.ndarray) -> np.ndarray:
        from srcodec.pre.shrink import shrink

        return shrink(rgb, self.scale, self.nets["down"])

    def post(self, lr: np.ndarray) -> np.ndarray:
        return self.run_nets(lr, self.nets["sr"])
