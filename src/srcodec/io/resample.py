"""Resampling and padding of canonical images (uint8, H x W x C), without torch.

Pillow's bicubic filter (antialiased when it shrinks), as every pipeline and trainer of srcodec uses it.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from srcodec.io.image import to_pil


def pad_to_multiple(image: np.ndarray, m: int) -> np.ndarray:
    """Replicate the last rows and columns so both sides are multiples of ``m``."""
    h, w = image.shape[:2]
    ph, pw = (-h) % m, (-w) % m
    if ph or pw:
        image = np.pad(image, ((0, ph), (0, pw), (0, 0)), mode="edge")
    return image


def _resize(image: np.ndarray, width: int, height: int) -> np.ndarray:
    out = np.asarray(to_pil(image).resize((width, height), Image.BICUBIC))
    return out[:, :, None] if out.ndim == 2 else out


def bicubic_down(image: np.ndarray, scale: int) -> np.ndarray:
    """Pillow bicubic (antialiased) downscaling by ``scale``; size ceil(H/s) x ceil(W/s)."""
    if scale == 1:
        return image
    image = pad_to_multiple(image, scale)
    h, w = image.shape[:2]
    return _resize(image, w // scale, h // scale)


def bicubic_up(image: np.ndarray, scale: int) -> np.ndarray:
    """Pillow bicubic upscaling by ``scale`` (the classic SR baseline)."""
    if scale == 1:
        return image
    h, w = image.shape[:2]
    return _resize(image, w * scale, h * scale)
