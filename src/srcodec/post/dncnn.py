"""DnCNN as a compression-artifact remover (Zhang et al., IEEE TIP 2017), as Jin et al. use it.

Data flow (x = decoded image in [0, 1], any size)::

    x ─┬─► conv3x3+ReLU ─► [conv3x3 ─► BN ─► ReLU] x (depth-2) ─► conv3x3 ─► r ─┐
       └──────────────────────────────────────────────────────────────(x - r)──┴─► y

Residual learning: the network predicts the artifacts ``r`` (what the codec
added), not the clean image, and subtracts them. Batch normalisation sits in
every middle layer, as in the paper; it is what lets 17-20 plain layers train
quickly. Zhang et al. already trained DnCNN-3 for JPEG deblocking; Jin et al.
put it in front of the SR network to clean the decoded low-resolution image.
The last layer starts at zero (ours), so an untrained DnCNN passes the decoded
image through unchanged and training starts from the codec's quality instead
of from noise.

Presets: ``dncnn-17`` (17 layers, 64 channels, the paper's DnCNN-S) and
``dncnn-compact`` (10 layers, 32 channels, for CPU use).
"""

from __future__ import annotations

from torch import nn

from srcodec.archs import register_arch


def conv_bn_relu_stack(depth: int, channels: int, in_channels: int = 3) -> nn.Sequential:
    """conv+ReLU, (depth-2) x [conv, BN, ReLU], conv; the last layer starts at zero.

    The body shared by DnCNN and RecCNN (Jiang et al. build RecCNN the same way).
    """
    if depth < 3:
        raise ValueError("a conv-BN-ReLU stack needs at least 3 layers")
    layers: list[nn.Module] = [nn.Conv2d(in_channels, channels, 3, padding=1), nn.ReLU(inplace=True)]
    for _ in range(depth - 2):
        layers += [nn.Conv2d(channels, channels, 3, padding=1, bias=False), nn.BatchNorm2d(channels),
                   nn.ReLU(inplace=True)]
    layers.append(nn.Conv2d(channels, in_channels, 3, padding=1))
    body = nn.Sequential(*layers)
    nn.init.zeros_(body[-1].weight)  # starts as the identity: the residual is zero
    nn.init.zeros_(body[-1].bias)
    return body


@register_arch("dncnn",
               dncnn_17=dict(depth=17, channels=64),
               dncnn_compact=dict(depth=10, channels=32))
class DnCNN(nn.Module):
    """Residual CNN that predicts and removes the artifacts of a decoded image."""

    def __init__(self, depth: int = 17, channels: int = 64, in_channels: int = 3):
        super().__init__()
        self.body = conv_bn_relu_stack(depth, channels, in_channels)

    def forward(self, x):
        return x - self.body(x)
