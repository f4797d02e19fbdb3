"""A learned downscaler trained jointly with its upscaler, standing in for the
content-adaptive resampler (CAR) of Sun & Chen, "Learned Image Downscaling for
Upscaling using Content Adaptive Resampler" (IEEE TIP 2020), as Tun et al. use it.

Data flow (x in [0, 1], H x W; s = 2 or 4)::

    x ─┬─► bicubic ↓s (antialiased) ───────────────────────────────────(+)─► y  (H/s x W/s)
       └─► conv3x3 + ReLU ─► conv s×s stride s + ReLU ─► [conv3x3 + ReLU] x n ─► conv3x3 (zero-init) ─┘

Why this and not CAR itself: CAR predicts, for every low-resolution pixel, a
spatially varying 13x13 kernel plus sub-pixel offsets with a deep network and
a custom resampling operator; it is slow on a CPU and needs a CUDA kernel to
train at a useful speed. Here the fixed bicubic filter does the bulk of the
work and a small CNN adds a content-dependent *correction* to it:

- the correction's last layer starts at zero, so the untrained downscaler is
  exactly antialiased bicubic: joint training starts from a good LR image and
  the LR image stays image-like (the codec in between is built for images);
- a single stride-s convolution moves to low resolution right away, so almost
  all the work runs on H/s x W/s pixels (cost ~ LR pixels, like CAR's kernels);
- it is an ordinary conv net, differentiable end to end, so the upscaler's
  (EDSR's) reconstruction error reaches it through the codec proxy.

Inputs of any size work: they are padded (replicate) to a multiple of s, so
the output is ceil(H/s) x ceil(W/s).

Presets: ``downscaler-x2`` / ``downscaler-x4`` (32 channels, 4 LR layers).
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import nn

from srcodec.archs import register_arch


def pad_to_multiple(x, m: int):
    """Replicate the last rows/columns so both sides are multiples of ``m``."""
    h, w = x.shape[-2:]
    ph, pw = (-h) % m, (-w) % m
    return F.pad(x, (0, pw, 0, ph), mode="replicate") if (ph or pw) else x


def tensor_bicubic_down(x, scale: int):
    """Antialiased bicubic downscaling by an integer factor (size ceil(H/s) x ceil(W/s))."""
    x = pad_to_multiple(x, scale)
    h, w = x.shape[-2:]
    return F.interpolate(x, size=(h // scale, w // scale), mode="bicubic", align_corners=False, antialias=True)


@register_arch("downscaler",
               downscaler_x2=dict(scale=2, channels=32, n_layers=4),
               downscaler_x4=dict(scale=4, channels=32, n_layers=4))
class LearnedDownscaler(nn.Module):
    """Bicubic downscaling plus a learned, content-dependent residual correction."""

    def __init__(self, scale: int = 2, channels: int = 32, n_layers: int = 4, in_channels: int = 3):
        super().__init__()
        self.scale = scale
        layers: list[nn.Module] = [
            nn.Conv2d(in_channels, channels, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(channels, channels, scale, stride=scale), nn.ReLU(inplace=True),
        ]
        for _ in range(n_layers):
            layers += [nn.Conv2d(channels, channels, 3, padding=1), nn.ReLU(inplace=True)]
        last = nn.Conv2d(channels, in_channels, 3, padding=1)
        nn.init.zeros_(last.weight)
        nn.init.zeros_(last.bias)
        layers.append(last)
        self.correction = nn.Sequential(*layers)

    def forward(self, x):
        x = pad_to_multiple(x, self.scale)
        return tensor_bicubic_down(x, self.scale) + self.correction(x)
