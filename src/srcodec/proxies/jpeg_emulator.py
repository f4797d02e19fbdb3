"""JPEG-Net: a small CNN trained to imitate a real JPEG encode + decode (Nagasaki et al.'s
learned JPEG emulator), a differentiable stand-in for JPEG when training a pre-filter.

Data flow (x in [0, 1], any size; ``q`` = JPEG quality; ``s`` = libjpeg's table scale at q)::

    x ─┬─► pad to 16 (replicate) ─► (x - 0.5) / s ⊕ plane(q) ─► conv 8x8 stride 8 ─► ReLU      (one vector per 8x8 block,
       │                                                        ─► [conv3x3 + ReLU] x n          on JPEG's own block grid)
       │                                                        ─► conv1x1 (zero-init) ─► PixelShuffle(8) ─► × s ─► r
       └───────────────────────────────────────────────────────────────────────────────────(x + r)─► crop ─► x̂ ≈ JPEG(x, q)

Why this shape: what JPEG does to an image is a per-block function of the
block's transform coefficients (quantization), with chroma shared over 2x2
blocks. A stride-8 convolution aligned with JPEG's grid is a learned block
transform; the 3x3 layers at block resolution see the neighbouring blocks
(4:2:0 chroma, smoothing across block edges); the sub-pixel layer maps each
block's features back to its 64 pixels. Dividing the input by the table
scale and multiplying the correction by it puts every quality in the same
units: the rounding error of a coefficient is ``step x f(coefficient / step)``
and every step is the table scale times a fixed Annex K entry. The quality
plane (:func:`~srcodec.codecs.jpeg_tables.quality_plane`) covers what that
misses (tables clamped to 1..255). The correction starts at zero, so an
untrained JPEG-Net is the identity.

Unlike :mod:`srcodec.proxies.jpeg_diff` (exact, with straight-through
rounding) this is an approximation with a smooth gradient; it is trained on
the real libjpeg decode (``srcodec train jpegnet``) and then frozen behind
Modify-Net (``srcodec train prefilter --proxy jpegnet``).

Presets: ``jpegnet`` (128 channels, 6 block layers) and ``jpegnet-compact``
(64 channels, 3 block layers).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from srcodec.archs import register_arch
from srcodec.codecs.jpeg_tables import quality_plane, table_scale

BLOCK = 8
MCU = 16


@register_arch("jpegnet",
               jpegnet=dict(channels=128, n_layers=6),
               jpegnet_compact=dict(channels=64, n_layers=3))
class JPEGNet(nn.Module):
    """x, JPEG quality -> an estimate of the real JPEG decode of x at that quality."""

    def __init__(self, channels: int = 128, n_layers: int = 6, in_channels: int = 3):
        super().__init__()
        layers: list[nn.Module] = [nn.Conv2d(in_channels + 1, channels, BLOCK, stride=BLOCK), nn.ReLU(inplace=True)]
        for _ in range(n_layers):
            layers += [nn.Conv2d(channels, channels, 3, padding=1), nn.ReLU(inplace=True)]
        out = nn.Conv2d(channels, in_channels * BLOCK * BLOCK, 1)
        nn.init.zeros_(out.weight)
        nn.init.zeros_(out.bias)
        self.body = nn.Sequential(*layers, out, nn.PixelShuffle(BLOCK))

    def forward(self, x: torch.Tensor, quality) -> torch.Tensor:
        h, w = x.shape[-2:]
        ph, pw = (-h) % MCU, (-w) % MCU
        xp = F.pad(x, (0, pw, 0, ph), mode="replicate") if (ph or pw) else x
        qs = torch.as_tensor(quality, dtype=torch.float64).reshape(-1).tolist()
        step = torch.tensor([table_scale(round(q)) for q in qs], dtype=x.dtype, device=x.device)
        step = (step.expand(x.shape[0]) if step.numel() == 1 else step)[:, None, None, None]
        inp = torch.cat([(xp - 0.5) / step, quality_plane(xp, quality)], dim=1)
        return (xp + self.body(inp) * step)[..., :h, :w]
