"""Degradations: the low-resolution, compressed images the restoration networks really see.

Jin et al.'s point is that an SR network behind a codec must be trained on
*decoded* low-resolution images, not on clean bicubic ones: the artifacts of
the codec are part of its input. A training pair is made exactly as a
pipeline makes it::

    HR (uint8) ─► pad to a multiple of s ─► bicubic ↓s (Pillow, antialiased) ─► LR clean
                                            (or a learned downscaler, frozen)
                                                          ─► codec.encode(q) ─► bytes ─► codec.decode ─► LR decoded

The codec is a real one from the registry (jpeg, webp, avif, ...), with a
fixed quality or a quality drawn per image from a range. Networks get
``LR decoded`` as input; the target is ``HR`` for SR and ``LR clean`` for
artifact removal at low resolution (Jin's first step).

:class:`DegradedSampler` draws random HR crops with the learned-codec
engineer's :class:`srcodec.data.patches.PatchSampler` and degrades each one.
The image/tensor and resampling helpers live in :mod:`srcodec.io.tensors`
and :mod:`srcodec.io.resample` (re-exported here for the trainers).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import torch

from srcodec.io.image import to_rgb
from srcodec.io.resample import bicubic_down, bicubic_up, pad_to_multiple  # noqa: F401  (re-exported)
from srcodec.io.tensors import batch_to_images, image_to_tensor, images_to_batch, tensor_to_image  # noqa: F401


def codec_roundtrip(image: np.ndarray, codec: str, quality: float) -> tuple[np.ndarray, int]:
    """Encode with a real codec of the registry and decode: (decoded image, file bytes)."""
    from srcodec.codecs import get_codec

    c = get_codec(codec)
    data = c.encode(image, quality)
    return c.decode_like(data, image), len(data)


@dataclass
class Degradation:
    """bicubic ↓ ``scale`` then ``codec`` at ``quality`` (a number, or a (low, high) range drawn per image).

    ``codec=None`` leaves the clean LR image (plain bicubic SR).
    """

    scale: int = 2
    codec: str | None = "jpeg"
    quality: float | tuple[float, float] = 75
    #: a learned downscaler (``srcodec.pre.downscaler``, frozen) used instead of bicubic ↓, as in ``tun2023-x<s>``
    downscaler: torch.nn.Module | None = None

    def check(self) -> Degradation:
        """Fail early, with a one-line error, on an unknown or unavailable codec or a bad quality."""
        if self.codec is not None:
            from srcodec.codecs import get_codec

            c = get_codec(self.codec)
            for q in (self.quality if isinstance(self.quality, (tuple, list)) else (self.quality,)):
                c.check_quality(q)
        return self

    def draw_quality(self, rng: np.random.Generator) -> float:
        if isinstance(self.quality, (tuple, list)):
            lo, hi = self.quality
            return float(rng.integers(int(lo), int(hi) + 1)) if float(lo).is_integer() and float(hi).is_integer() \
                else float(rng.uniform(lo, hi))
        return float(self.quality)

    def downscale(self, rgb: np.ndarray) -> np.ndarray:
        """HR RGB uint8 -> LR uint8: bicubic, or the learned downscaler (rounded to 8 bits, as a pipeline sends it)."""
        from srcodec.pre.shrink import shrink

        return shrink(rgb, self.scale, self.downscaler)

    def __call__(self, hr: np.ndarray, rng: np.random.Generator | None = None) -> tuple[np.ndarray, np.ndarray, int]:
        """(LR clean, LR decoded, bytes of the coded LR) for one uint8 HR image."""
        rng = rng if rng is not None else np.random.default_rng()
        lr = self.downscale(to_rgb(hr))
        if self.codec is None:
            return lr, lr, lr.size
        decoded, nbytes = codec_roundtrip(lr, self.codec, self.draw_quality(rng))
        return lr, decoded, nbytes

    def batch(self, hr: torch.Tensor, rng: np.random.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """(LR clean, LR decoded) tensors for a batch of HR tensors in [0, 1]."""
        clean, decoded = [], []
        for im in batch_to_images(hr):
            c, d, _ = self(im, rng)
            clean.append(c)
            decoded.append(d)
        return images_to_batch(clean), images_to_batch(decoded)


class DegradedSampler:
    """Random HR crops (:class:`PatchSampler`) and their degraded LR versions, made on the fly."""

    def __init__(self, dirs: list[str | os.PathLike], crop: int, degradation: Degradation, *, seed: int = 0,
                 sampler=None):
        if crop % degradation.scale:
            raise ValueError(f"crop {crop} is not a multiple of the scale {degradation.scale}")
        if sampler is None:
            from srcodec.data.patches import PatchSampler

            sampler = PatchSampler(dirs, crop, seed=seed)
        self.patches = sampler
        self.degradation = degradation
        self.rng = np.random.default_rng(seed + 17)

    def batch(self, size: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(HR, LR clean, LR decoded), each N x 3 x h x w in [0, 1]."""
        hr = self.patches.batch(size)
        clean, decoded = self.degradation.batch(hr, self.rng)
        return hr, clean, decoded

    def state(self) -> dict:
        return {"patches": self.patches.state(), "rng": self.rng.bit_generator.state}

    def load_state(self, state: dict) -> None:
        self.patches.load_state(state["patches"])
        self.rng.bit_generator.state = state["rng"]
