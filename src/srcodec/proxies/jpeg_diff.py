"""A differentiable model of baseline JPEG (libjpeg's 4:2:0 path), for training.

Networks that sit *before* a JPEG encoder (ComCNN, learned downscalers) need
a gradient through the codec; the real one has none. This module redoes what
libjpeg does, in PyTorch, with the one non-differentiable step -- rounding the
quantized DCT coefficients -- replaced by a straight-through estimator::

    RGB [0,1] ─► ×255 ─► YCbCr (JFIF, full range) ─► pad to 16 (replicate) ─► Cb, Cr: 2x2 mean (4:2:0)
        ─► -128 ─► 8x8 DCT-II ─► ÷ Q(quality) ─► round (straight-through) ─► × Q ─► IDCT ─► +128
        ─► Cb, Cr: triangle ("fancy") upsampling ─► crop ─► RGB ─► clamp ─► ÷255

- The quantization tables are the Annex K tables of the JPEG standard scaled
  by quality exactly as libjpeg's ``jpeg_quality_scaling`` +
  ``jpeg_add_quant_table`` (baseline: clamped to 1..255), the tables Pillow
  writes; :func:`quant_tables` returns them as integers.
- libjpeg-turbo's decoder upsamples chroma with its "fancy" triangle filter
  (3/4 nearer sample, 1/4 farther one, in each direction). For a factor of 2
  that is exactly bilinear interpolation with half-pixel centres, which is
  what is used here. Integer DCTs and integer colour conversion in libjpeg
  make the real decode differ by about +-1 grey level: expect agreement above
  40 dB with Pillow, not equality.

:func:`rate_proxy` turns the quantized coefficients into a differentiable
estimate of the entropy-coded size: JPEG's Huffman coding spends, per nonzero
coefficient, a run/size code (a few bits) plus ``size = ceil(log2(|v|+1))``
magnitude bits. The estimate is ``sum over coefficients of nz(v) (c0 +
log2(1 + |v|))`` with a soft nonzero indicator ``nz``; it is not calibrated to
the byte, but it grows and shrinks with the real size, so it works as a rate
term in a loss.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from srcodec.codecs.jpeg_tables import (CHROMA_TABLE, LUMA_TABLE, quality_plane, quality_scaling,  # noqa: F401
                                        quant_tables, scaled_table, table_scale)
from srcodec.entropy.quantize import ste_round  # noqa: F401  (re-exported for the trainers)

def dct_matrix(n: int = 8) -> torch.Tensor:
    """Orthonormal DCT-II matrix; for n = 8 its 2-D use equals JPEG's FDCT definition."""
    k = torch.arange(n, dtype=torch.float64)[:, None]
    i = torch.arange(n, dtype=torch.float64)[None, :]
    m = torch.cos((2 * i + 1) * k * math.pi / (2 * n)) * math.sqrt(2.0 / n)
    m[0] /= math.sqrt(2.0)
    return m.float()


def cubic_round(x: torch.Tensor) -> torch.Tensor:
    """Shin & Song's smooth approximation: round(x) + (x - round(x))^3 (nonzero gradient)."""
    r = torch.round(x).detach()
    return r + (x - r) ** 3


def noise_round(x: torch.Tensor) -> torch.Tensor:
    """Rounding replaced by additive uniform noise in [-0.5, 0.5) (Ballé et al.'s training proxy).

    The error has the size of a rounding error but no relation to where ``x``
    sits in its bin, so the gradient of the distortion is that of ``x`` itself:
    it does not chase the rounding error as the straight-through one does.
    """
    return x + torch.empty_like(x).uniform_(-0.5, 0.5)


def rgb_to_ycbcr(x: torch.Tensor) -> torch.Tensor:
    """JFIF full-range YCbCr from RGB, both 0..255, NCHW."""
    r, g, b = x[:, 0], x[:, 1], x[:, 2]
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = -0.168735892 * r - 0.331264108 * g + 0.5 * b + 128.0
    cr = 0.5 * r - 0.418687589 * g - 0.081312411 * b + 128.0
    return torch.stack([y, cb, cr], dim=1)


def ycbcr_to_rgb(x: torch.Tensor) -> torch.Tensor:
    y, cb, cr = x[:, 0], x[:, 1] - 128.0, x[:, 2] - 128.0
    r = y + 1.402 * cr
    g = y - 0.344136286 * cb - 0.714136286 * cr
    b = y + 1.772 * cb
    return torch.stack([r, g, b], dim=1)


def _blocks(plane: torch.Tensor) -> torch.Tensor:
    """(N, H, W) with H, W multiples of 8 -> (N, H/8, W/8, 8, 8)."""
    n, h, w = plane.shape
    return plane.reshape(n, h // 8, 8, w // 8, 8).permute(0, 1, 3, 2, 4)


def _unblocks(blocks: torch.Tensor) -> torch.Tensor:
    n, bh, bw = blocks.shape[:3]
    return blocks.permute(0, 1, 3, 2, 4).reshape(n, bh * 8, bw * 8)


class JPEGCoefficients:
    """The quantized coefficients of one batch, per component: (N, H/8, W/8, 8, 8) each.

    ``values`` are the rounded (straight-through) quantization indices,
    ``unrounded`` the indices before rounding (for rate estimates).
    """

    def __init__(self, values: list[torch.Tensor], unrounded: list[torch.Tensor]):
        self.values = values
        self.unrounded = unrounded


def _round_fn(rounding: str):
    if rounding == "ste":
        return ste_round
    if rounding == "cubic":
        return cubic_round
    if rounding == "noise":
        return noise_round
    if rounding == "none":
        return lambda t: t
    raise ValueError(f"rounding must be 'ste', 'cubic', 'noise' or 'none', not {rounding!r}")


def jpeg_roundtrip(x: torch.Tensor, quality: int, *, rounding: str = "ste", subsample: bool = True,
                   return_coefficients: bool = False):
    """Encode and decode a batch of RGB images (NCHW, [0, 1]) as libjpeg would, differentiably.

    Returns the decoded batch (same shape, [0, 1]); with ``return_coefficients``
    also the :class:`JPEGCoefficients` (for :func:`rate_proxy`). Greyscale
    (C = 1) is coded as a single luma component.
    """
    if x.dim() != 4 or x.shape[1] not in (1, 3):
        raise ValueError(f"expected an N x 3 x H x W (or N x 1 x H x W) batch, got {tuple(x.shape)}")
    rnd = _round_fn(rounding)
    _, c, h, w = x.shape
    luma_q, chroma_q = (torch.from_numpy(t).to(x) for t in quant_tables(quality))
    d = dct_matrix().to(x)
    mcu = 16 if (c == 3 and subsample) else 8
    ph, pw = (-h) % mcu, (-w) % mcu
    img = x * 255.0
    if ph or pw:
        img = F.pad(img, (0, pw, 0, ph), mode="replicate")
    planes = [img[:, 0]] if c == 1 else list(rgb_to_ycbcr(img).unbind(1))
    decoded, values, unrounded = [], [], []
    for k, plane in enumerate(planes):
        chroma = k > 0
        if chroma and subsample:
            plane = F.avg_pool2d(plane[:, None], 2)[:, 0]
        q = chroma_q if chroma else luma_q
        coef = d @ _blocks(plane - 128.0) @ d.T
        idx = coef / q
        r = rnd(idx)
        unrounded.append(idx)
        values.append(r)
        rec = _unblocks(d.T @ (r * q) @ d) + 128.0
        if chroma and subsample:
            # libjpeg upsamples the component's real samples (ceil(H/2) x ceil(W/2)), edges replicated
            rec = rec[:, : (h + 1) // 2, : (w + 1) // 2]
            rec = F.interpolate(rec[:, None], scale_factor=2, mode="bilinear", align_corners=False)[:, 0]
        decoded.append(rec[:, :h, :w])
    out = decoded[0][:, None] if c == 1 else ycbcr_to_rgb(torch.stack(decoded, dim=1))
    out = out.clamp(0.0, 255.0) / 255.0
    if return_coefficients:
        return out, JPEGCoefficients(values, unrounded)
    return out


def rate_proxy(coefs: JPEGCoefficients, *, symbol_bits: float = 4.0, sharpness: float = 10.0) -> torch.Tensor:
    """Differentiable estimate of the coded size in bits, per image (shape (N,)).

    Each coefficient costs ``nz * (symbol_bits + log2(1 + |v|))`` where ``nz``
    is a soft "rounds to nonzero" indicator, sigmoid(sharpness (|v| - 0.5)).
    """
    total = 0.0
    for v in coefs.unrounded:
        a = v.abs()
        nz = torch.sigmoid(sharpness * (a - 0.5))
        total = total + (nz * (symbol_bits + torch.log2(1.0 + a))).flatten(1).sum(1)
    return total


class DiffJPEG(nn.Module):
    """:func:`jpeg_roundtrip` as a module; ``quality`` may be an int or a (low, high) range drawn per call."""

    def __init__(self, quality: int | tuple[int, int] = 75, rounding: str = "ste", seed: int | None = None):
        super().__init__()
        self.quality = quality
        self.rounding = rounding
        self._rng = np.random.default_rng(seed)

    def draw_quality(self) -> int:
        if isinstance(self.quality, (tuple, list)):
            lo, hi = self.quality
            return int(self._rng.integers(int(lo), int(hi) + 1))
        return int(self.quality)

    def rng_state(self) -> dict:
        return self._rng.bit_generator.state

    def set_rng_state(self, state: dict) -> None:
        self._rng.bit_generator.state = state

    def forward(self, x: torch.Tensor, quality: int | None = None):
        """Returns (decoded batch, estimated bits per image)."""
        q = self.draw_quality() if quality is None else int(quality)
        out, coefs = jpeg_roundtrip(x, q, rounding=self.rounding, return_coefficients=True)
        return out, rate_proxy(coefs)
