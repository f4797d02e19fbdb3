"""RecCNN: the reconstruction network of Jiang et al., "An End-to-End Compression
Framework Based on Convolutional Neural Networks" (IEEE TCSVT 2017).

Data flow (d = the decoded compact image, already bicubic-upscaled by 2 to full size)::

    d ─┬─► conv3x3+ReLU ─► [conv3x3 ─► BN ─► ReLU] x (depth-2) ─► conv3x3 ─► r ─(+)─► y
       └───────────────────────────────────────────────────────────────────────┘

Twenty layers of 64 channels in the paper; residual learning, so the network
adds back the detail that ComCNN's halving and the codec removed. The bicubic
upscaling is done by :func:`upscale_bicubic` before the network (in training and
in the pipeline alike), so RecCNN keeps the input's size.

Presets: ``reccnn`` (20 layers, 64 channels) and ``reccnn-compact`` (10 layers, 32).
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import nn

from srcodec.archs import register_arch
from srcodec.post.dncnn import conv_bn_relu_stack


def upscale_bicubic(x, scale: int = 2):
    """Bicubic enlargement of a tensor batch by ``scale`` (the RecCNN input), clamped to [0, 1]."""
    return F.interpolate(x, scale_factor=scale, mode="bicubic", align_corners=False).clamp(0.0, 1.0)


@register_arch("reccnn",
               reccnn=dict(depth=20, channels=64),
               reccnn_compact=dict(depth=10, channels=32))
class RecCNN(nn.Module):
    """Residual reconstruction network on the upscaled decoded compact image."""

    def __init__(self, depth: int = 20, channels: int = 64, in_channels: int = 3):
        super().__init__()
        self.body = conv_bn_relu_stack(depth, channels, in_channels)

    def forward(self, x):
        return x + self.body(x)
