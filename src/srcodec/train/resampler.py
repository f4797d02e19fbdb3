"""``srcodec train resampler``: a learned downscaler and EDSR trained jointly (the stages of ``tun2023-x<s>``).

HR -> downscaler -> 8-bit rounding -> differentiable JPEG (``--proxy jpeg``) ->
EDSR -> HR, all straight-through; the LR image is kept near bicubic
(``--lr-weight``) and, optionally, cheap to code (``--rate-weight`` x the JPEG
rate proxy in bpp). Validation puts the real --codec in the middle. Writes
the stages ``down`` and ``sr``. Runs on the engine of :mod:`srcodec.train.engine`.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from srcodec.archs import build_preset
from srcodec.data.degrade import Degradation, bicubic_down, bicubic_up, codec_roundtrip, tensor_to_image
from srcodec.proxies.jpeg_diff import DiffJPEG, ste_round
from srcodec.train.engine import Task, run_task
from srcodec.train.options import add_codec_arguments, add_common_arguments, check_crop, data_dirs, val_quality
from srcodec.train.samplers import HRSampler


class ResamplerTask(Task):
    """A learned downscaler and EDSR trained jointly through a differentiable codec proxy.

    loss = L(EDSR(proxy(down(HR))), HR) + lr_weight * L(down(HR), bicubic(HR)) + rate_weight * bpp_proxy

    ``--proxy jpeg``: the differentiable JPEG of :mod:`srcodec.proxies.jpeg_diff`
    at a quality drawn from ``--quality``, with its rate estimate;
    ``--proxy round``: 8-bit rounding only (straight-through), the codec left
    out. Validation runs the real ``--codec`` between the networks.
    """

    kind = "resampler"

    def __init__(self, args):
        super().__init__(args)
        s = args.scale
        check_crop(args, s)
        self.multiple = s
        self.val_degradation = Degradation(s, args.codec, val_quality(args.codec, args.quality)).check()
        self.nets = {"down": build_preset(f"downscaler-x{s}"), "sr": build_preset(args.arch, scale=s)}
        self.trainable = ("down", "sr")
        self.proxy = DiffJPEG(args.quality if isinstance(args.quality, tuple) else int(args.quality),
                              seed=args.seed) if args.proxy == "jpeg" else None

    def make_sampler(self):
        return HRSampler(data_dirs(self.args), self.args.crop, self.seed)

    def step(self, batch) -> dict:
        (hr,) = batch
        s = self.args.scale
        lr = self.nets["down"](hr)
        lr_q = ste_round(lr.clamp(0, 1) * 255.0) / 255.0
        bits = torch.zeros(hr.shape[0], device=hr.device)
        if self.proxy is not None:
            lr_q, bits = self.proxy(lr_q)
        out = self.nets["sr"](lr_q)
        rec = self.loss(out, hr)
        guide = self.loss(lr, F.interpolate(hr, scale_factor=1 / s, mode="bicubic", align_corners=False, antialias=True))
        bpp = bits.mean() / (hr.shape[-1] * hr.shape[-2])  # bits of the LR image per HR pixel
        loss = rec + self.args.lr_weight * guide + self.args.rate_weight * bpp
        loss.backward()
        return {"loss": loss.item(), "rec": rec.item(), "guide": guide.item(), "bpp_proxy": bpp.item()}

    def validate_image(self, hr, rng):
        s = self.args.scale
        lr = tensor_to_image(self.nets["down"](self.tensor(hr)))
        q = self.val_degradation.quality
        decoded, _ = codec_roundtrip(lr, self.args.codec, q)
        out = tensor_to_image(self.nets["sr"](self.tensor(decoded)))
        base, _ = codec_roundtrip(bicubic_down(hr, s), self.args.codec, q)
        return out, hr, bicubic_up(base, s)

    def info(self) -> dict:
        a = self.args
        return {"kind": self.kind, "proxy": a.proxy, "quality": a.quality, "scale": a.scale, "preset": a.arch,
                "val_codec": a.codec}


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
