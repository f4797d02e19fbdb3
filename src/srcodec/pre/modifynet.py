"""Modify-Net: the pre-filter of Nagasaki et al., a CNN that edits an image so that a stock
JPEG encoder codes it better (the decoder is any plain JPEG decoder).

Data flow (x in [0, 1], any size; ``q`` = the JPEG quality the image will be coded at)::

    x ─┬─► -0.5 ─┬─► conv3x3 + ReLU ─► [conv3x3 + ReLU] x (depth-2) ─► conv3x3 (zero-init) ─► r ─┐
       │  plane(q) ┘                                                                            │
       └───────────────────────────────────────────────────────────────────────────────(x + r)──┴─► x' ─► JPEG(q)

VDSR's shape (Kim et al. 2016: a plain stack of 3x3 conv + ReLU and one
global residual), as Nagasaki et al. build Modify-Net. Ours: the JPEG quality
enters as one more input plane (``log2`` of libjpeg's table scale, see
:func:`srcodec.proxies.jpeg_diff.quality_plane`), so one network serves every
quality -- the best edit before a coarse quantizer is not the best before a
fine one; and the last layer starts at zero, so an untrained Modify-Net is
the identity and the pipeline starts out as plain JPEG.

Presets: ``modifynet`` (20 layers, 64 channels, VDSR's size) and
``modifynet-compact`` (8 layers, 32 channels, for CPU use).
"""

from __future__ import annotations

import torch
from torch import nn

from srcodec.archs import register_arch
from srcodec.codecs.jpeg_tables import quality_plane


@register_arch("modifynet",
               modifynet=dict(depth=20, channels=64),
               modifynet_compact=dict(depth=8, channels=32))
class ModifyNet(nn.Module):
    """x, JPEG quality -> x + r: a residual edit of the image, made for the coming JPEG encoder."""

    def __init__(self, depth: int = 20, channels: int = 64, in_channels: int = 3, quality_input: bool = True):
        super().__init__()
        if depth < 2:
            raise ValueError("Modify-Net needs at least 2 layers")
        self.quality_input = quality_input
        first = nn.Conv2d(in_channels + int(quality_input), channels, 3, padding=1)
        layers: list[nn.Module] = [first, nn.ReLU(inplace=True)]
        for _ in range(depth - 2):
            layers += [nn.Conv2d(channels, channels, 3, padding=1), nn.ReLU(inplace=True)]
        layers.append(nn.Conv2d(channels, in_channels, 3, padding=1))
        nn.init.zeros_(layers[-1].weight)  # starts as the identity: plain JPEG
        nn.init.zeros_(layers[-1].bias)
        self.body = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor, quality=None) -> torch.Tensor:
        inp = x - 0.5
        if self.quality_input:
            if quality is None:
                raise ValueError("this Modify-Net takes the JPEG quality: call it as net(x, quality)")
            inp = torch.cat([inp, quality_plane(x, quality)], dim=1)
        return x + self.body(inp)
