"""Tiny learned models for the tests: random weights, exported like the real ones."""

from __future__ import annotations

from pathlib import Path

import torch

from srcodec.models import build_model
from srcodec.models.weights import export_weights


def tiny_weights(path: Path, arch: str = "checkerboard", seed: int = 0, n: int = 8, m: int = 12) -> Path:
    torch.manual_seed(seed)
    model = build_model(arch, n, m)
    # a few steps of nothing: random weights are fine for coding tests, but move the
    # densities off their init so the tables are not trivial
    with torch.no_grad():
        for p in model.latent.parameters():
            p.add_(0.05 * torch.randn_like(p))
    model.eval()
    return export_weights(model, path, f"tiny-{arch}-{seed}")
