"""ComCNN: the compact-representation network of Jiang et al., "An End-to-End Compression
Framework Based on Convolutional Neural Networks" (IEEE TCSVT 2017).

Data flow (x in [0, 1], H x W; the output goes to a standard codec, e.g. JPEG)::

    x ─► conv3x3 (64) + ReLU ─► conv3x3 stride 2 (64) + BN + ReLU ─► conv3x3 (3) ─► c  (ceil(H/2) x ceil(W/2))

Three layers, the second one halves the resolution. ``c`` is a *compact
image*: the network learns what to keep so that, after the codec, RecCNN
(:mod:`srcodec.post.reccnn`) can rebuild the original. A bicubic half-size
image is added as a skip, and the last layer starts at zero, so an untrained
ComCNN is exactly bicubic downscaling and training only learns the change
(our addition; it makes the short CPU trainings of this project start from a
sensible codec input).
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import nn

from srcodec.archs import register_arch


@register_arch("comcnn", comcnn=dict(channels=64), comcnn_compact=dict(channels=32))
class ComCNN(nn.Module):
    """Three-layer encoder-side network producing a half-size compact image."""

    scale = 2

    def __init__(self, channels: int = 64, in_channels: int = 3, bicubic_skip: bool = True):
        super().__init__()
        self.bicubic_skip = bicubic_skip
        self.body = nn.Sequential(
            nn.Conv2d(in_channels, channels, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(channels, channels, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(channels),
            nn.ReLU(inplace=True),
            nn.Conv2d(channels, in_channels, 3, padding=1),
        )
        if bicubic_skip:
            nn.init.zeros_(self.body[-1].weight)
            nn.init.zeros_(self.body[-1].bias)

    def forward(self, x):
        y = self.body(x)
        if self.bicubic_skip:
            h, w = x.shape[-2:]
            if h % 2 or w % 2:  # replicate one row/column so the half size is ceil(H/2)
                x = F.pad(x, (0, w % 2, 0, h % 2), mode="replicate")
            y = y + F.interpolate(x, size=y.shape[-2:], mode="bicubic", align_corners=False, antialias=True)
        return y
