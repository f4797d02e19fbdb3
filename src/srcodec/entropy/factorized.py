"""A learned, factorized (per-channel) density for hyper-latents.

The density of channel ``c`` is the derivative of a learned monotone CDF
``sigmoid(f_c(x))``, with ``f_c`` a small chain of softplus-positive matrices,
biases and tanh gates (Balle et al. 2018, "Variational image compression with a
scale hyperprior", appendix 6.1). The likelihood of a (noisy or rounded) value
is the CDF's increase over the unit bin around it.

For coding, :meth:`FactorizedDensity.integer_tables` evaluates the CDF once on
the integers ``-radius..radius`` and turns it into integer counts; those tables
are stored with the weights, so the decoder never recomputes a float CDF.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from srcodec.entropy.tables import counts_from_pmf

LIKELIHOOD_FLOOR = 1e-9


class FactorizedDensity(nn.Module):
    """Per-channel learned CDF over a tensor of shape (B, C, H, W)."""

    def __init__(self, channels: int, filters: tuple[int, ...] = (3, 3, 3), init_scale: float = 10.0):
        super().__init__()
        self.channels = channels
        dims = (1, *filters, 1)
        scale = init_scale ** (1.0 / (len(dims) - 1))
        self.matrices = nn.ParameterList()
        self.biases = nn.ParameterList()
        self.factors = nn.ParameterList()
        for i in range(len(dims) - 1):
            init = float(np.log(np.expm1(1.0 / scale / dims[i + 1])))
            self.matrices.append(nn.Parameter(torch.full((channels, dims[i + 1], dims[i]), init)))
            self.biases.append(nn.Parameter(torch.empty(channels, dims[i + 1], 1).uniform_(-0.5, 0.5)))
            if i < len(dims) - 2:
                self.factors.append(nn.Parameter(torch.zeros(channels, dims[i + 1], 1)))

    def logits_cdf(self, x: torch.Tensor) -> torch.Tensor:
        """``f_c(x)`` for x of shape (C, 1, K): the CDF is ``sigmoid`` of it."""
        for i, (m, b) in enumerate(zip(self.matrices, self.biases)):
            x = torch.matmul(F.softplus(m), x) + b
            if i < len(self.factors):
                x = x + torch.tanh(self.factors[i]) * torch.tanh(x)
        return x

    def likelihood(self, x: torch.Tensor) -> torch.Tensor:
        """P(bin around x) for every element of x (B, C, H, W)."""
        b, c, h, w = x.shape
        v = x.permute(1, 0, 2, 3).reshape(c, 1, -1)
        lower = self.logits_cdf(v - 0.5)
        upper = self.logits_cdf(v + 0.5)
        # evaluate on the side of the median where the sigmoid is not saturated
        sign = -torch.sign(lower + upper).detach()
        lik = torch.abs(torch.sigmoid(sign * upper) - torch.sigmoid(sign * lower))
        lik = lik.clamp_min(LIKELIHOOD_FLOOR)
        return lik.reshape(c, b, h, w).permute(1, 0, 2, 3)

    @torch.no_grad()
    def integer_tables(self, radius: int) -> list[np.ndarray]:
        """One count table per channel over ``-radius..radius`` (+ escape)."""
        k = torch.arange(-radius, radius + 2, dtype=torch.float32) - 0.5  # bin edges
        edges = k.view(1, 1, -1).expand(self.channels, 1, -1)
        cdf = torch.sigmoid(self.logits_cdf(edges)).squeeze(1).double().numpy()
        tables = []
        for c in range(self.channels):
            pmf = np.diff(cdf[c])
            tail = cdf[c, 0] + (1.0 - cdf[c, -1])
            tables.append(counts_from_pmf(pmf, tail))
        return tables
