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

from srcodec.data.degrade import bicubic_down
from srcodec.pipelines.base import Pipeline, register_pipeline
from srcodec.pipelines.bicubic import BicubicEDSRPipeline


class JinPipeline(Pipeline):
    paper = "Jin et al.: bicubic ↓, codec, DnCNN artifact removal on the decoded LR, EDSR ↑"
    stages = ("car", "sr")
    stage_archs = {"car": ("dncnn",), "sr": ("edsr",)}

    def pre(self, rgb: np.ndarray) -> np.ndarray:
        return bicubic_down(rgb, self.scale)

    def post(self, lr: np.ndarray) -> np.ndarray:
        return self.run_nets(lr, self.nets["car"], self.nets["sr"])


def _train_hint(codec: str, s: int) -> str:
    run = f"runs/jin-{codec}-x{s}"
    return (f"srcodec train car --codec {codec} --scale {s} --out {run}-car, then train sr --car-weights "
            f"{run}-car/weights.safetensors --out {run}-sr, then train sr --init {run}-sr/weights.safetensors --joint")


for _codec, _s in (("jpeg", 2), ("jpeg", 4), ("avif", 1), ("avif", 2)):
    register_pipeline(type(f"Jin_{_codec}_x{_s}", (JinPipeline,), {
        "name": f"jin-{_codec}-x{_s}", "inner": _codec, "scale": _s,
        "label": f"Jin et al. {_codec.upper()} ×{_s}",
        "pre_label": f"bicubic ↓{_s}" if _s > 1 else "-", "post_label": f"DnCNN CAR → EDSR ×{_s}",
        "train_hint": _train_hint(_codec, _s),
    }))

# Jin et al.'s own setting: networks trained for one JPEG quality (here Q10, the paper's Set5 figure), not a range
register_pipeline(type("Jin_jpeg_x2_q10", (JinPipeline,), {
    "name": "jin-jpeg-x2-q10", "inner": "jpeg", "scale": 2,
    "label": "Jin et al. JPEG ×2, tuned at Q10",
    "pre_label": "bicubic ↓2", "post_label": "DnCNN CAR → EDSR ×2 (tuned for JPEG Q10)",
    "train_hint": "srcodec train sr --codec jpeg --quality 10 --scale 2 --init runs/jin-jpeg-x2/weights.safetensors "
                  "--joint --out runs/jin-jpeg-x2-q10",
}))


class SRNoCARPipeline(BicubicEDSRPipeline):
    """Jin et al.'s "SR without CAR" baseline: EDSR trained on clean LR, applied to the decoded LR as it is."""

    paper = "baseline (Jin et al.'s SR without CAR): bicubic ↓, JPEG, EDSR ↑ trained on clean bicubic LR"


for _s in (2, 4):
    register_pipeline(type(f"SR_jpeg_x{_s}", (SRNoCARPipeline,), {
        "name": f"sr-jpeg-x{_s}", "inner": "jpeg", "scale": _s,
        "label": f"EDSR only (no CAR) JPEG ×{_s}",
        "pre_label": f"bicubic ↓{_s}", "post_label": f"EDSR ×{_s} (clean-LR trained, no CAR)",
        "train_hint": (f"srcodec train sr --codec none --scale {_s} --out runs/sr-x{_s}, then copy "
                       f"runs/sr-x{_s}/weights.safetensors to the weights folder as sr-jpeg-x{_s}.safetensors"),
    }))
