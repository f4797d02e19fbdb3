"""``srcodec train resampler``: a learned downscaler and EDSR trained jointly (the stages of ``tun2023-x<s>``).

HR -> downscaler -> 8-bit rounding -> differentiable JPEG (``--proxy jpeg``) ->
EDSR -> HR, all straight-through; the LR image is kept near bicubic
(``--lr-weight``) and, optionally, cheap to code (``--rate-weight`` x the JPEG
rate proxy in bpp). Validation puts the real --codec in the middle. Writes
the stages ``down`` and ``sr``. See :mod:`srcodec.train.restore`.
"""

from __future__ import annotations

from srcodec.train.restore import ResamplerTask, add_codec_arguments, add_common_arguments, run_task


def add_arguments(p) -> None:
    p.add_argument("--arch", default="edsr-baseline", help="EDSR preset of the upscaler (default: %(default)s)")
    p.add_argument("--proxy", choices=("jpeg", "round"), default="jpeg",
                   help="codec stand-in during training: differentiable JPEG, or 8-bit rounding only (default: %(default)s)")
    p.add_argument("--lr-weight", type=float, default=0.05, help="weight of |down(x) - bicubic(x)| (default: %(default)s)")
    p.add_argument("--rate-weight", type=float, default=0.0, help="weight of the JPEG rate proxy in bpp (default: %(default)s)")
    add_codec_arguments(p, codec="jpeg", quality="30-90", scale=2, scales=(2, 4))
    add_common_arguments(p, crop=96, batch=16, lr=1e-4)


def run(args) -> int:
    return run_task(ResamplerTask(args))
