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

from srcodec.io.resample import bicubic_down
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


#: the inner codec each was trained with: its networks learnt that AVIF's artefacts (Pillow's speed 6,
#: libaom's own tuning -- the anchor before it was PSNR-tuned), so that is the AVIF they run on
INNER = {"avif": "avif:speed=6:tune=default"}


def _register(codec: str, s: int, tuned: int | None = None) -> None:
    """``jin-<codec>-x<s>`` (networks trained over a range of qualities), or ``...-q<tuned>`` (tuned for one)."""
    suffix = f"-q{tuned}" if tuned else ""
    register_pipeline(type(f"Jin_{codec}_x{s}{suffix.replace('-', '_')}", (JinPipeline,), {
        "name": f"jin-{codec}-x{s}{suffix}", "inner": INNER.get(codec, codec), "scale": s,
        "label": f"Jin et al. {codec.upper()} ×{s}" + (f", tuned at Q{tuned}" if tuned else ""),
        "pre_label": f"bicubic ↓{s}" if s > 1 else "-",
        "post_label": f"DnCNN CAR → EDSR ×{s}" + (f" (tuned for {codec.upper()} Q{tuned})" if tuned else ""),
        "train_hint": (f"srcodec train sr --codec {codec} --quality {tuned} --scale {s} --init "
                       f"runs/jin-{codec}-x{s}/weights.safetensors --joint --out runs/jin-{codec}-x{s}{suffix}")
        if tuned else _train_hint(codec, s),
    }))


for _codec, _s in (("jpeg", 2), ("jpeg", 4), ("avif", 1), ("avif", 2)):
    _register(_codec, _s)
# Jin et al.'s own setting: networks trained for one JPEG quality (Q10, the paper's Set5 figure), not a range
_register("jpeg", 2, tuned=10)


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
