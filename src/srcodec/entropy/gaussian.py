"""A Gaussian conditional with a fixed, log-spaced scale table.

In training, the likelihood of ``y`` given a predicted mean ``mu`` and scale
``sigma`` is the Gaussian mass of the unit bin around ``y - mu``. For coding,
``sigma`` is replaced by the index of the nearest table scale in the log
domain (:meth:`GaussianConditional.scale_index`; nearest rather than the next
larger one costs about a quarter of the bits lost to the table), and each
table scale has a
precomputed integer table: what the coder sees depends only on integers
(the symbols ``round(y - mu)`` and the scale indices).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from srcodec.entropy.tables import gaussian_counts

SCALE_MIN = 0.11
SCALE_MAX = 256.0
SCALE_LEVELS = 64
LIKELIHOOD_FLOOR = 1e-9


def default_scale_table() -> np.ndarray:
    return np.exp(np.linspace(math.log(SCALE_MIN), math.log(SCALE_MAX), SCALE_LEVELS))


def _std_normal_cdf(x: torch.Tensor) -> torch.Tensor:
    return 0.5 * torch.erfc(-x * (2 ** -0.5))


class GaussianConditional(nn.Module):
    """Likelihoods and coding indices for a conditionally Gaussian latent."""

    def __init__(self, scale_table: np.ndarray | None = None):
        super().__init__()
        table = default_scale_table() if scale_table is None else np.asarray(scale_table, dtype=np.float64)
        self.register_buffer("scale_table", torch.tensor(table, dtype=torch.float32), persistent=False)
        # geometric midpoints between neighbouring scales: the decision boundaries of scale_index
        self.register_buffer("scale_bounds", torch.tensor(np.sqrt(table[1:] * table[:-1]), dtype=torch.float32), persistent=False)

    def likelihood(self, y: torch.Tensor, scales: torch.Tensor, means: torch.Tensor | None = None) -> torch.Tensor:
        """P(unit bin around ``y``) under N(means, scales), for noisy or rounded y."""
        v = y if means is None else y - means
        s = scales.clamp_min(SCALE_MIN)
        v = torch.abs(v)
        upper = _std_normal_cdf((0.5 - v) / s)
        lower = _std_normal_cdf((-0.5 - v) / s)
        return (upper - lower).clamp_min(LIKELIHOOD_FLOOR)

    def scale_index(self, scales: torch.Tensor) -> torch.Tensor:
        """Index of the table scale nearest to ``scales`` in log (clamped to the table)."""
        return torch.searchsorted(self.scale_bounds, scales.contiguous())

    def integer_tables(self) -> list[np.ndarray]:
        return [gaussian_counts(float(s)) for s in self.scale_table.double().numpy()]
