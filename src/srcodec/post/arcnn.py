"""ARCNN (Dong et al., ICCV 2015) and ARCNN + ASPP (a student report following Jiang et al.).

ARCNN, four convolutions, no skip (x = decoded image in [0, 1]; it starts as
the identity, see :meth:`ARCNN._start_as_identity`)::

    x ─► conv9x9 (64) + PReLU ─► conv7x7 (32) + PReLU ─► conv1x1 (16) + PReLU ─► conv5x5 (3) ─► y
         feature extraction      feature enhancement      mapping                reconstruction

ARCNN + ASPP: the feature-enhancement layer becomes an atrous spatial pyramid
(parallel 3x3 convolutions with dilations 1, 2, 4, 8 -- several receptive
fields at the cost of one -- concatenated and fused by a 1x1 convolution), and
a global residual connection makes the network predict only the correction::

    x ─┬─► conv9x9 + PReLU ─► ASPP{d=1,2,4,8} ─► 1x1 fuse + PReLU ─► conv1x1 + PReLU ─► conv5x5 ─(+)─► y
       └──────────────────────────────────────────────────────────────────────────────────────┘

The JPEG blocking grid is 8 pixels (16 for chroma); dilations up to 8 let one
layer see across block edges, which plain 7x7 enhancement cannot.
"""

from __future__ import annotations

import torch
from torch import nn

from srcodec.archs import register_arch


@register_arch("arcnn", arcnn=dict())
class ARCNN(nn.Module):
    """The original four-layer artifact-reduction CNN."""

    def __init__(self, in_channels: int = 3, residual: bool = False):
        super().__init__()
        self.residual = residual
        self.body = nn.Sequential(
            nn.Conv2d(in_channels, 64, 9, padding=4), nn.PReLU(64),
            nn.Conv2d(64, 32, 7, padding=3), nn.PReLU(32),
            nn.Conv2d(32, 16, 1), nn.PReLU(16),
            nn.Conv2d(16, in_channels, 5, padding=2),
        )

        if not residual:
            self._start_as_identity(in_channels)

    @torch.no_grad()
    def _start_as_identity(self, c: int) -> None:
        """Make the untrained network return its input (ours, not Dong et al.'s Gaussian start).

        Pixels are non-negative and PReLU passes positives unchanged, so a
        centre tap carries each colour channel through the first ``c`` channels
        of every layer; the other channels keep their random start but feed
        nothing into that path. Training then starts from the codec's quality
        instead of from a blur, which is what makes short CPU trainings useful.
        """
        convs = [m for m in self.body if isinstance(m, nn.Conv2d)]
        for i, conv in enumerate(convs):
            k = conv.kernel_size[0] // 2
            last = i == len(convs) - 1
            conv.weight[:c].zero_()
            conv.bias[:c].zero_()
            if last:
                conv.weight.zero_()
                conv.bias.zero_()
            for ch in range(c):
                conv.weight[ch, ch, k, k] = 1.0

    def forward(self, x):
        y = self.body(x)
        return x + y if self.residual else y


class ASPP(nn.Module):
    """Atrous spatial pyramid pooling: parallel dilated 3x3 convolutions, concatenated, fused by 1x1."""

    def __init__(self, in_ch: int, branch_ch: int, out_ch: int, dilations=(1, 2, 4, 8)):
        super().__init__()
        self.branches = nn.ModuleList(nn.Conv2d(in_ch, branch_ch, 3, padding=d, dilation=d) for d in dilations)
        self.act = nn.PReLU(branch_ch * len(dilations))
        self.fuse = nn.Conv2d(branch_ch * len(dilations), out_ch, 1)
        self.out_act = nn.PReLU(out_ch)

    def forward(self, x):
        y = self.act(torch.cat([b(x) for b in self.branches], dim=1))
        return self.out_act(self.fuse(y))


@register_arch("arcnn-aspp", arcnn_aspp=dict())
class ARCNNASPP(nn.Module):
    """ARCNN whose enhancement layer is an ASPP, with a global residual connection."""

    def __init__(self, in_channels: int = 3, branch_channels: int = 16, dilations: tuple = (1, 2, 4, 8)):
        super().__init__()
        self.extract = nn.Sequential(nn.Conv2d(in_channels, 64, 9, padding=4), nn.PReLU(64))
        self.aspp = ASPP(64, branch_channels, 32, tuple(dilations))
        self.map = nn.Sequential(nn.Conv2d(32, 16, 1), nn.PReLU(16))
        self.reconstruct = nn.Conv2d(16, in_channels, 5, padding=2)
        nn.init.zeros_(self.reconstruct.weight)  # starts as the identity: output = decoded input
        nn.init.zeros_(self.reconstruct.bias)

    def forward(self, x):
        return x + self.reconstruct(self.map(self.aspp(self.extract(x))))
