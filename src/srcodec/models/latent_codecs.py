"""Composable latent codecs: each one entropy-models and codes one latent.

Every piece has the same three faces:

- ``forward(y, params) -> (y_hat, {name: likelihoods})`` for training and
  evaluation (noise for the rate in training, straight-through rounding for
  ``y_hat``, see :mod:`srcodec.entropy.quantize`);
- ``compress(y, params) -> (streams, y_hat, est_bits)``;
- ``decompress(streams, params, shape) -> y_hat``, which repeats exactly the
  computations ``compress`` made, so both sides see the same integers.

``params`` is what a parent hands down (nothing for a factorized latent, the
hyper-synthesis output for conditional ones). Pieces:

- :class:`FactorizedLatent` -- learned per-channel density, no side information;
- :class:`GaussianLatent` -- Gaussian given scales (and optionally means);
- :class:`CheckerboardLatent` -- Gaussian whose mean/scale come from the hyper
  features plus a checkerboard spatial context (He et al. 2021): anchors are
  coded from the hyperprior alone, non-anchors also from their anchor neighbours,
  so decoding is two parallel passes;
- :class:`HyperLatent` -- a hyper-analysis/-synthesis pair around a factorized
  hyper-latent ``z`` and any conditional latent codec for ``y``.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from srcodec.entropy import coder
from srcodec.entropy.coder import SymbolDecoder, SymbolEncoder
from srcodec.entropy.factorized import FactorizedDensity
from srcodec.entropy.gaussian import GaussianConditional
from srcodec.entropy.quantize import noisy, ste_round, symbols
from srcodec.entropy.tables import pack_tables, unpack_tables
from srcodec.models.layers import Pointwise


def _bits(likelihood: torch.Tensor) -> float:
    return float(-torch.log2(likelihood.double()).sum())


class StoredTables(nn.Module):
    """Integer CDF tables kept as buffers (saved with the weights), made into coder models once."""

    def set_table_buffers(self, counts: torch.Tensor, offsets: torch.Tensor) -> None:
        self.register_buffer("table_counts", counts)
        self.register_buffer("table_offsets", offsets)
        self._tables = None

    def tables(self):
        if self._tables is None:
            self._tables = coder.tables(unpack_tables(self.table_counts.numpy(), self.table_offsets.numpy()))
        return self._tables

    def _load_from_state_dict(self, *args, **kwargs):
        self._tables = None
        super()._load_from_state_dict(*args, **kwargs)


class FactorizedLatent(StoredTables):
    """A latent coded with a learned per-channel density and stored integer tables."""

    def __init__(self, channels: int, radius: int = 64, name: str = "z"):
        super().__init__()
        self.radius = radius
        self.name = name
        self.density = FactorizedDensity(channels)
        width = 2 * radius + 2
        self.set_table_buffers(torch.ones(channels * width, dtype=torch.int32),
                               torch.arange(channels + 1, dtype=torch.int32) * width)

    def update_tables(self) -> None:
        """Freeze the learned density into integer tables (run once before export)."""
        flat, offsets = pack_tables(self.density.integer_tables(self.radius))
        self.table_counts.copy_(torch.from_numpy(flat))
        self.table_offsets.copy_(torch.from_numpy(offsets))
        self._tables = None

    def forward(self, y, params=None):
        lik = self.density.likelihood(noisy(y) if self.training else torch.round(y))
        return ste_round(y), {self.name: lik}

    def _indices(self, shape) -> np.ndarray:
        b, c, h, w = shape
        return np.broadcast_to(np.arange(c)[None, :, None, None], shape)

    def compress(self, y, params=None):
        q = symbols(y)
        enc = SymbolEncoder()
        enc.encode(q.numpy(), self._indices(q.shape), self.tables())
        y_hat = q.to(y.dtype)
        est = _bits(self.density.likelihood(y_hat))
        return [enc.finish()], y_hat, est

    def decompress(self, streams, params, shape):
        dec = SymbolDecoder(streams[0])
        q = dec.decode(self._indices(shape), self.tables())
        dec.finish()
        return torch.from_numpy(q.reshape(shape)).to(torch.float32)


class GaussianLatent(StoredTables):
    """A latent that is Gaussian given ``params``: scales, or (scales, means) when ``means``."""

    def __init__(self, means: bool):
        super().__init__()
        self.means = means
        self.gaussian = GaussianConditional()
        flat, offsets = pack_tables(self.gaussian.integer_tables())
        self.set_table_buffers(torch.from_numpy(flat), torch.from_numpy(offsets))

    def split(self, params):
        if self.means:
            scales, means = params.chunk(2, dim=1)
            return scales, means
        return params, None

    def forward(self, y, params):
        scales, means = self.split(params)
        if self.training:
            lik = self.gaussian.likelihood(noisy(y), scales, means)
        else:
            lik = self.gaussian.likelihood(ste_round(y, means), scales, means)
        return ste_round(y, means), {"y": lik}

    def compress(self, y, params):
        scales, means = self.split(params)
        q = symbols(y, means)
        y_hat = q.to(y.dtype) + (0 if means is None else means)
        enc = SymbolEncoder()
        enc.encode(q.numpy(), self.gaussian.scale_index(scales).numpy(), self.tables())
        est = _bits(self.gaussian.likelihood(y_hat, scales, means))
        return [enc.finish()], y_hat, est

    def decompress(self, streams, params, shape):
        scales, means = self.split(params)
        dec = SymbolDecoder(streams[0])
        q = dec.decode(self.gaussian.scale_index(scales).numpy(), self.tables())
        dec.finish()
        y_hat = torch.from_numpy(q.reshape(shape)).to(torch.float32)
        return y_hat if means is None else y_hat + means


def checkerboard_mask(h: int, w: int) -> torch.Tensor:
    """1.0 at anchors ((i + j) even), 0.0 at non-anchors; shape (1, 1, h, w)."""
    i = torch.arange(h)[:, None]
    j = torch.arange(w)[None, :]
    return ((i + j) % 2 == 0).to(torch.float32)[None, None]


class CheckerboardContext(nn.Conv2d):
    """A 5x5 convolution that only sees anchor neighbours of a non-anchor position."""

    def __init__(self, channels_in: int, channels_out: int, k: int = 5):
        super().__init__(channels_in, channels_out, k, padding=k // 2)
        mask = torch.zeros(1, 1, k, k)
        for a in range(k):
            for b in range(k):
                mask[0, 0, a, b] = float((a + b) % 2 == 1)
        self.register_buffer("mask", mask, persistent=False)

    def forward(self, x):
        return F.conv2d(x, self.weight * self.mask, self.bias, padding=self.padding)


class CheckerboardLatent(nn.Module):
    """Mean-scale Gaussian latent with hyper features + checkerboard context."""

    def __init__(self, m: int, hyper_channels: int):
        super().__init__()
        self.context = CheckerboardContext(m, m)
        c = hyper_channels + m
        self.entropy_parameters = nn.Sequential(
            Pointwise(c, 2 * m), nn.LeakyReLU(inplace=True),
            Pointwise(2 * m, 2 * m), nn.LeakyReLU(inplace=True),
            Pointwise(2 * m, 2 * m),
        )
        self.gaussian = GaussianLatent(means=True)

    def _params(self, hyper, ctx):
        scales, means = self.entropy_parameters(torch.cat([hyper, ctx], dim=1)).chunk(2, dim=1)
        return scales, means

    def _anchor_params(self, hyper):
        b, _, h, w = hyper.shape
        return self._params(hyper, hyper.new_zeros(b, self.context.in_channels, h, w))

    def forward(self, y, hyper):
        mask = checkerboard_mask(*y.shape[2:]).to(y)
        s_a, m_a = self._anchor_params(hyper)
        anchors = ste_round(y, m_a) * mask
        s_n, m_n = self._params(hyper, self.context(anchors))
        scales = s_a * mask + s_n * (1 - mask)
        means = m_a * mask + m_n * (1 - mask)
        if self.training:
            lik = self.gaussian.gaussian.likelihood(noisy(y), scales, means)
        else:
            lik = self.gaussian.gaussian.likelihood(ste_round(y, means), scales, means)
        return ste_round(y, means), {"y": lik}

    def compress(self, y, hyper):
        # each full-size intermediate is dropped as soon as it is used (an 8K image's latent is 66 MB a copy)
        g = self.gaussian.gaussian
        tables = self.gaussian.tables()
        sel = checkerboard_mask(*y.shape[2:]).bool().expand_as(y)
        enc = SymbolEncoder()
        s_a, m_a = self._anchor_params(hyper)
        q_a = symbols(y, m_a)
        q_sel, s_sel = q_a[sel], s_a[sel]
        enc.encode(q_sel.numpy(), g.scale_index(s_sel).numpy(), tables)
        est = _bits(g.likelihood(q_sel.to(y.dtype), s_sel))  # the symbol is y_hat - mean
        anchors = (q_a.to(y.dtype) + m_a) * sel
        del q_a, s_a, m_a, q_sel, s_sel
        s_n, m_n = self._params(hyper, self.context(anchors))
        q_n = symbols(y, m_n)
        q_sel, s_sel = q_n[~sel], s_n[~sel]
        enc.encode(q_sel.numpy(), g.scale_index(s_sel).numpy(), tables)
        est += _bits(g.likelihood(q_sel.to(y.dtype), s_sel))
        del s_n, q_sel, s_sel
        y_hat = torch.where(sel, anchors, q_n.to(y.dtype) + m_n)
        return [enc.finish()], y_hat, est

    def decompress(self, streams, hyper, shape):
        g = self.gaussian.gaussian
        tables = self.gaussian.tables()
        sel = checkerboard_mask(*shape[2:]).bool().expand(shape)
        dec = SymbolDecoder(streams[0])
        s_a, m_a = self._anchor_params(hyper)
        q = torch.zeros(shape, dtype=torch.float32)
        q[sel] = torch.from_numpy(dec.decode(g.scale_index(s_a)[sel].numpy(), tables)).to(torch.float32)
        anchors = (q + m_a) * sel
        s_n, m_n = self._params(hyper, self.context(anchors))
        q[~sel] = torch.from_numpy(dec.decode(g.scale_index(s_n)[~sel].numpy(), tables)).to(torch.float32)
        dec.finish()
        return torch.where(sel, anchors, q + m_n)


class HyperLatent(nn.Module):
    """``y`` coded conditionally on a factorized hyper-latent ``z = h_a(y)``.

    ``h_a`` sees ``|y|`` when the conditional codec predicts scales only (Balle
    2018) and ``y`` otherwise (Minnen 2018). Two streams: z, then y.
    """

    def __init__(self, h_a: nn.Module, h_s: nn.Module, z_channels: int, y_codec: nn.Module, abs_input: bool):
        super().__init__()
        self.h_a = h_a
        self.h_s = h_s
        self.z = FactorizedLatent(z_channels)
        self.y = y_codec
        self.abs_input = abs_input

    def _za(self, y):
        return self.h_a(torch.abs(y) if self.abs_input else y)

    def forward(self, y, params=None):
        z_hat, lz = self.z(self._za(y))
        y_hat, ly = self.y(y, self.h_s(z_hat))
        return y_hat, {**lz, **ly}

    def compress(self, y, params=None):
        z_streams, z_hat, est_z = self.z.compress(self._za(y))
        y_streams, y_hat, est_y = self.y.compress(y, self.h_s(z_hat))
        return z_streams + y_streams, y_hat, est_z + est_y

    def decompress(self, streams, params, shape):
        b, c, h, w = shape
        zs = (b, self.z.density.channels, math.ceil(h / 4), math.ceil(w / 4))
        z_hat = self.z.decompress(streams[:1], None, zs)
        return self.y.decompress(streams[1:], self.h_s(z_hat), shape)
