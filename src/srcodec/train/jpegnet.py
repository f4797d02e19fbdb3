"""``srcodec train jpegnet``: JPEG-Net, the learned JPEG emulator of Nagasaki et al.

::

    HR patch, quality q (drawn per patch) ─► JPEG-Net(x, q) ─► loss vs the real libjpeg decode of x at q

The target is the real JPEG (libjpeg through Pillow, 4:2:0, the ``jpeg``
codec's settings) of each patch. Validation on full images compares
JPEG-Net's output with the real decode (PSNR), at qualities drawn from
``--quality`` (the same ones at every validation); the "baseline" column is
the exact differentiable JPEG of :mod:`srcodec.proxies.jpeg_diff` against the
same real decode. Writes the stage ``jpegnet``, the file ``srcodec train
prefilter --proxy jpegnet --emulator`` takes. Runs on the engine of :mod:`srcodec.train.engine`.
"""

from __future__ import annotations

import numpy as np
import torch

from srcodec.archs import build_preset
import srcodec.proxies.jpeg_emulator  # noqa: F401  (registers the jpegnet architecture)
from srcodec.proxies.jpeg_diff import jpeg_roundtrip
from srcodec.data.degrade import Degradation, batch_to_images, codec_roundtrip, images_to_batch, tensor_to_image
from srcodec.errors import BadOptionError
from srcodec.train.engine import Task, run_task
from srcodec.train.options import add_common_arguments, data_dirs, parse_quality
from srcodec.train.samplers import HRSampler


class RealJPEGSampler:
    """HR patches, each with a quality drawn from the degradation's range and its real JPEG decode."""

    def __init__(self, dirs, crop: int, degradation: Degradation, seed: int):
        self.patches = HRSampler(dirs, crop, seed)
        self.degradation = degradation
        self.rng = np.random.default_rng(seed + 17)

    def batch(self, size: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(HR, real JPEG decode, quality per patch)."""
        (hr,) = self.patches.batch(size)
        qs = [self.degradation.draw_quality(self.rng) for _ in range(size)]
        real = [codec_roundtrip(im, "jpeg", q)[0] for im, q in zip(batch_to_images(hr), qs, strict=True)]
        return hr, images_to_batch(real), torch.tensor(qs)

    def state(self) -> dict:
        return {"patches": self.patches.state(), "rng": self.rng.bit_generator.state}

    def load_state(self, state: dict) -> None:
        self.patches.load_state(state["patches"])
        self.rng.bit_generator.state = state["rng"]


class JPEGNetTask(Task):
    """JPEG-Net learns to output what libjpeg decodes."""

    kind = "jpegnet"

    def __init__(self, args):
        super().__init__(args)
        if args.crop % 16:
            raise BadOptionError(f"--crop {args.crop} must be a multiple of 16 (JPEG's 4:2:0 macroblock)")
        self.degradation = Degradation(1, "jpeg", args.quality).check()
        self.nets = {"jpegnet": build_preset(args.arch)}
        self.trainable = ("jpegnet",)

    def make_sampler(self):
        return RealJPEGSampler(data_dirs(self.args), self.args.crop, self.degradation, self.seed)

    def step(self, batch) -> dict:
        hr, real, q = batch
        loss = self.loss(self.nets["jpegnet"](hr, q), real)
        loss.backward()
        return {"loss": loss.item()}

    def validate_image(self, hr, rng):
        q = self.degradation.draw_quality(rng)
        real, _ = codec_roundtrip(hr, "jpeg", q)
        x = self.tensor(hr)
        out = tensor_to_image(self.nets["jpegnet"](x, q))
        exact = tensor_to_image(jpeg_roundtrip(x, int(q), rounding="ste"))
        return out, real, exact

    def val_shave(self) -> int:
        return 0

    def info(self) -> dict:
        a = self.args
        return {"kind": self.kind, "paper": "Nagasaki et al. (JPEG-Net emulator)", "codec": "jpeg",
                "quality": a.quality, "preset": a.arch, "loss": a.loss}


def add_arguments(p) -> None:
    p.add_argument("--arch", default="jpegnet", help="JPEG-Net preset (default: %(default)s; also jpegnet-compact)")
    p.add_argument("--quality", type=parse_quality, default=parse_quality("10-90"),
                   help="JPEG quality, or a range LOW-HIGH drawn per patch (default: 10-90)")
    add_common_arguments(p, crop=96, batch=16, lr=2e-4, loss="l2")


def run(args) -> int:
    return run_task(JPEGNetTask(args))
