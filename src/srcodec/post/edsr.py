"""EDSR: Enhanced Deep Residual Networks for Single Image Super-Resolution (Lim et al., CVPRW 2017).

Data flow (x in [0, 1], LR; ``s`` = scale)::

    x ─► -0.5 ─► head conv3x3 ─┬─► [ResBlock] x n ─► conv3x3 ─(+)─► upsampler ─► tail conv3x3 ─► +0.5 ─► y (s·H × s·W)
                               └──────────────────────────────┘
    ResBlock:  f ─► conv ─► ReLU ─► conv ─► × res_scale ─(+ f)─►      (no batch norm)
    upsampler: s = 2, 3: conv (C → s²C) + PixelShuffle(s);  s = 4: twice ×2;  s = 1: nothing

The points of the paper kept here: no batch normalisation in the residual
blocks, residual scaling (0.1) so wide/deep variants train stably, and a
sub-pixel (PixelShuffle) upsampler at the end so all blocks run at low
resolution. Scale 1 turns EDSR into a plain restoration network (codec output
-> cleaner image, same size). Instead of subtracting the DIV2K mean RGB, the
input is centred at 0.5.

Option ``bicubic_skip`` (ours, not the paper's): add the bicubic enlargement
of the input to the output, so the network only learns the detail bicubic
misses and starts from a usable image -- it makes short CPU trainings converge
much sooner.

Presets: ``edsr-baseline`` (16 blocks, 64 channels, as in the paper) and
``edsr-compact`` (8 blocks, 32 channels, with the bicubic skip; about 8x
cheaper, for CPU use).
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import nn

from srcodec.archs import register_arch


class ResBlock(nn.Module):
    """conv-ReLU-conv, scaled, plus the input; no batch normalisation."""

    def __init__(self, channels: int, res_scale: float):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(channels, channels, 3, padding=1), nn.ReLU(inplace=True),
                                  nn.Conv2d(channels, channels, 3, padding=1))
        self.res_scale = res_scale

    def forward(self, x):
        return x + self.body(x) * self.res_scale


class SubPixelUpsampler(nn.Sequential):
    """Enlarge by ``scale`` (1, 2, 3, 4, 8): conv to scale² channels, then PixelShuffle."""

    def __init__(self, channels: int, scale: int):
        layers: list[nn.Module] = []
        if scale in (2, 4, 8):
            for _ in range({2: 1, 4: 2, 8: 3}[scale]):
                layers += [nn.Conv2d(channels, 4 * channels, 3, padding=1), nn.PixelShuffle(2)]
        elif scale == 3:
            layers += [nn.Conv2d(channels, 9 * channels, 3, padding=1), nn.PixelShuffle(3)]
        elif scale != 1:
            raise ValueError(f"EDSR supports scales 1, 2, 3, 4 and 8, not {scale}")
        super().__init__(*layers)


@register_arch("edsr",
               edsr_baseline=dict(n_blocks=16, channels=64, res_scale=0.1),
               edsr_compact=dict(n_blocks=8, channels=32, res_scale=0.1, bicubic_skip=True))
class EDSR(nn.Module):
    """EDSR super-resolution (or, at scale 1, restoration) network."""

    def __init__(self, scale: int = 2, n_blocks: int = 16, channels: int = 64, res_scale: float = 0.1,
                 in_channels: int = 3, bicubic_skip: bool = False):
        super().__init__()
        self.scale = scale
        self.bicubic_skip = bicubic_skip
        self.head = nn.Conv2d(in_channels, channels, 3, padding=1)
        self.body = nn.Sequential(*[ResBlock(channels, res_scale) for _ in range(n_blocks)],
                                  nn.Conv2d(channels, channels, 3, padding=1))
        self.upsample = SubPixelUpsampler(channels, scale)
        self.tail = nn.Conv2d(channels, in_channels, 3, padding=1)
        if bicubic_skip:  # start as plain bicubic enlargement
            nn.init.zeros_(self.tail.weight)
            nn.init.zeros_(self.tail.bias)

    def forward(self, x):
        f = self.head(x - 0.5)
        f = f + self.body(f)
        y = self.tail(self.upsample(f))
        if self.bicubic_skip:
            base = x if self.scale == 1 else F.interpolate(x, scale_factor=self.scale, mode="bicubic", align_corners=False)
            return y + base
        return y + 0.5
