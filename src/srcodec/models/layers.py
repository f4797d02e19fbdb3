"""Compact building blocks shared by the learned models.

- :class:`GDN`: simplified generalized divisive normalization,
  ``x / (beta + gamma |x|)`` (Johnston et al. 2019, "Computationally efficient
  neural image compression"), and its inverse ``x * (beta + gamma |x|)``;
  cheaper than Balle's square/sqrt form and as good in practice.
- :class:`Pointwise`: 1x1 convolutions as matrix products (thread-count invariant).
- :class:`SubpixelConv`: the decoder's fast, equivalent form of :func:`up`.
- :func:`down` / :func:`up`: 5x5 convolutions with stride 2 and their transposes.
- :class:`GainUnits`: per-quality, per-channel gain and inverse-gain vectors
  (Cui et al. 2021, "Asymmetric gained deep image compression with continuous
  rate adaptation"), interpolated geometrically for fractional qualities.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class GDN(nn.Module):
    """Simplified (inverse) GDN with non-negative parameters kept as squares."""

    def __init__(self, channels: int, inverse: bool = False):
        super().__init__()
        self.inverse = inverse
        self.beta = nn.Parameter(torch.ones(channels))
        self.gamma = nn.Parameter(torch.sqrt(0.1 * torch.eye(channels) + 1e-4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        beta = self.beta * self.beta + 1e-6
        gamma = self.gamma * self.gamma
        if self.training:  # the 1x1 convolution trains faster; coding needs the exact form
            norm = F.conv2d(torch.abs(x), gamma[:, :, None, None], beta)
        else:
            norm = pointwise(torch.abs(x), gamma, beta)
        return x * norm if self.inverse else x / norm


def pointwise(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
    """A 1x1 convolution computed as a matrix product.

    PyTorch's CPU 1x1 convolution gives results that differ in the last bits
    with the thread count; the matrix product does not, and the decoder must
    compute exactly what the encoder computed (scale indices, means, pixels)
    whatever the thread count. (Training keeps the faster convolution: modules
    in training mode use it.)
    """
    b, c, h, w = x.shape
    out = torch.matmul(weight, x.reshape(b, c, h * w))
    if bias is not None:
        out = out + bias[:, None]
    return out.reshape(b, weight.shape[0], h, w)


class Pointwise(nn.Conv2d):
    """``nn.Conv2d(cin, cout, 1)`` with the same parameters, computed by :func:`pointwise`."""

    def __init__(self, cin: int, cout: int):
        super().__init__(cin, cout, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training:  # faster to train; the same function
            return super().forward(x)
        return pointwise(x, self.weight[:, :, 0, 0], self.bias)


def down(cin: int, cout: int, k: int = 5) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, k, stride=2, padding=k // 2)


def up(cin: int, cout: int, k: int = 5) -> nn.ConvTranspose2d:
    return nn.ConvTranspose2d(cin, cout, k, stride=2, padding=k // 2, output_padding=1)


def analysis(n: int, m: int) -> nn.Sequential:
    """Image (3 ch) -> latent (m ch) at 1/16 resolution."""
    return nn.Sequential(down(3, n), GDN(n), down(n, n), GDN(n), down(n, n), GDN(n), down(n, m))


def synthesis(n: int, m: int) -> nn.Sequential:
    """Latent (m ch) -> image (3 ch) at 16x the resolution."""
    net = nn.Sequential(up(m, n), GDN(n, True), up(n, n), GDN(n, True), up(n, n), GDN(n, True), up(n, 3))
    nn.init.constant_(net[-1].bias, 0.5)  # start from mid-grey, not black
    return net


class SubpixelConv(nn.Module):
    """A stride-2 5x5 transposed convolution rewritten as a 3x3 convolution + pixel shuffle.

    Output pixel ``2a + r`` of ``ConvTranspose2d(k=5, s=2, p=2, output_padding=1)``
    only sees inputs ``a - 1 .. a + 1`` through taps ``k = 4, 2, 0`` (r = 0) or
    ``k = -, 3, 1`` (r = 1); gathering those taps per output phase gives an
    ordinary 3x3 convolution with 4x the output channels. Same function (up to
    float rounding), about twice as fast on CPU; used by the decoder only.
    """

    TAPS = {0: {0: 4, 1: 2, 2: 0}, 1: {1: 3, 2: 1}}  # phase r -> {3x3 index j: 5x5 tap k}

    def __init__(self, deconv: nn.ConvTranspose2d):
        super().__init__()
        w = deconv.weight.detach()
        cin, cout = w.shape[:2]
        packed = w.new_zeros(cout, 2, 2, cin, 3, 3)
        for ry, ytaps in self.TAPS.items():
            for rx, xtaps in self.TAPS.items():
                for jy, ky in ytaps.items():
                    for jx, kx in xtaps.items():
                        packed[:, ry, rx, :, jy, jx] = w[:, :, ky, kx].t()
        self.weight = nn.Parameter(packed.reshape(cout * 4, cin, 3, 3), requires_grad=False)
        self.bias = nn.Parameter(deconv.bias.detach().repeat_interleave(4), requires_grad=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.pixel_shuffle(F.conv2d(x, self.weight, self.bias, padding=1), 2)


def fast_synthesis(g_s: nn.Sequential) -> nn.Sequential:
    """A copy of ``g_s`` for decoding, its stride-2 transposed convolutions as :class:`SubpixelConv`."""
    layers = []
    for layer in g_s:
        ok = isinstance(layer, nn.ConvTranspose2d) and layer.kernel_size == (5, 5) and layer.stride == (2, 2) \
            and layer.padding == (2, 2) and layer.output_padding == (1, 1)
        layers.append(SubpixelConv(layer) if ok else layer)
    return nn.Sequential(*layers)


class GainUnits(nn.Module):
    """``levels`` gain vectors of ``channels`` entries each, indexed by a real quality.

    Quality ``q`` in ``[0, levels-1]`` (model scale) picks the gain geometrically
    between levels ``floor(q)`` and ``ceil(q)``. Stored as log-gains, so the
    interpolation is linear in the parameters.
    """

    def __init__(self, levels: int, channels: int, span: float = 2.5):
        super().__init__()
        init = torch.linspace(-span, 0.0, levels)[:, None].repeat(1, channels)
        self.log_gain = nn.Parameter(init.clone())
        self.log_inverse = nn.Parameter(-init.clone())

    @property
    def levels(self) -> int:
        return self.log_gain.shape[0]

    def _pick(self, table: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
        q = q.to(table.dtype).clamp(0, self.levels - 1)
        lo = q.floor().long().clamp(max=self.levels - 2) if self.levels > 1 else q.floor().long()
        t = (q - lo.to(q.dtype))[:, None]
        hi = (lo + 1).clamp(max=self.levels - 1)
        return torch.exp(table[lo] * (1 - t) + table[hi] * t)[:, :, None, None]

    def gain(self, q: torch.Tensor) -> torch.Tensor:
        return self._pick(self.log_gain, q)

    @torch.no_grad()
    def extend_from(self, trained: "GainUnits") -> None:
        """Take ``trained``'s levels as this table's top levels; the extra levels below continue the
        log-step between ``trained``'s two lowest (how a model gets lower qualities than it was trained for)."""
        below = self.levels - trained.levels
        for mine, theirs in ((self.log_gain, trained.log_gain), (self.log_inverse, trained.log_inverse)):
            mine[below:] = theirs
            for k in range(1, below + 1):
                mine[below - k] = theirs[0] - k * (theirs[1] - theirs[0])

    def inverse(self, q: torch.Tensor) -> torch.Tensor:
        return self._pick(self.log_inverse, q)
