"""Quantization as training and inference see it.

Training uses the additive-uniform-noise proxy for the rate term and feeds the
synthesis the straight-through rounded latent, ``round(y - mu) + mu`` with the
gradient of the identity (Minnen & Singh 2020, "Channel-wise autoregressive
entropy models"); inference rounds ``y - mu`` for real. ``mu`` is 0 where a
model predicts no mean.
"""

from __future__ import annotations

import torch


def noisy(x: torch.Tensor) -> torch.Tensor:
    """``x + u`` with ``u ~ U(-1/2, 1/2)``: the differentiable stand-in for rounding in the rate."""
    return x + torch.empty_like(x).uniform_(-0.5, 0.5)


def ste_round(x: torch.Tensor, means: torch.Tensor | None = None) -> torch.Tensor:
    """``round(x - means) + means`` in the forward pass, identity in the backward pass."""
    if means is None:
        return x + (torch.round(x) - x).detach()
    r = torch.round(x - means) + means
    return x + (r - x).detach()


def symbols(x: torch.Tensor, means: torch.Tensor | None = None) -> torch.Tensor:
    """The integers the coder sees: ``round(x - means)`` as int64."""
    return torch.round(x if means is None else x - means).to(torch.int64)
