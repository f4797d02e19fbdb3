"""The decoder of the overfitted codec (``overfit``): latent grids to an image, and the context model
that codes the grids. Its weights are fitted to one image and travel in that image's file.

The family is Cool-chic / C3 (Ladune et al. 2023, Kim et al. 2024): no training set, a few hundred
parameters per image. What is here, and how it differs from Cool-chic 5:

- ``LEVELS`` latent grids, one channel each, grid ``l`` at ``1 / 2**l`` of the image's size;
- upsampling: bicubic, fixed (Cool-chic learns it);
- synthesis: a 1x1 layer to ``hidden`` features, ReLU, a 1x1 layer to RGB, then two 3x3 layers as a
  residual (narrower than Cool-chic 5's, whose synthesis has more and wider layers);
- entropy model: a Gaussian whose mean and scale a small per-pixel network predicts from what the
  decoder already has: the 3x3 neighbours of the coarser grid (upsampled) and, for the second half of
  a checkerboard, the four anchors around it. Cool-chic's context is causal in raster order, which
  needs a sequential decoder in a compiled language; coarse-to-fine and the checkerboard let the
  decoder run a grid in two vectorised passes.

Both sides walk the grids with :func:`walk`, so the encoder's symbols and the decoder's means and
scales come from the same operations on the same tensors.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from srcodec.entropy.gaussian import SCALE_MAX, SCALE_MIN

LEVELS = 6
#: inputs of the context network: 9 coarser neighbours, 4 anchors, the pass, one-hot level
CONTEXT_INPUTS = 9 + 4 + 1 + LEVELS


def grid_sizes(height: int, width: int) -> list[tuple[int, int]]:
    """The size of each latent grid, finest first."""
    return [(-(-height // 2 ** l), -(-width // 2 ** l)) for l in range(LEVELS)]


def anchors(h: int, w: int) -> torch.Tensor:
    """The checkerboard's first half, (h * w,) of bools in raster order: the positions of the first pass."""
    i = torch.arange(h)[:, None]
    j = torch.arange(w)[None, :]
    return ((i + j) % 2 == 0).ravel()


class OverfitDecoder(nn.Module):
    """Synthesis and context network of one image (:mod:`srcodec.models.overfit`).

    The 1x1 layers are linear layers over the pixels (``(pixels, channels)``): the same arithmetic as
    1x1 convolutions, faster to train on a CPU at these widths, and matrix products give the same bits
    whatever the thread count (``tests/test_overfit_codec.py`` decodes with 1 and 2 threads).
    """

    def __init__(self, hidden: int = 16, context_hidden: int = 16):
        super().__init__()
        self.hidden, self.context_hidden = hidden, context_hidden
        self.synthesis_in = nn.Linear(LEVELS, hidden)
        self.synthesis_out = nn.Linear(hidden, 3)
        self.refine1 = nn.Conv2d(3, 3, 3, padding=1, padding_mode="replicate")
        self.refine2 = nn.Conv2d(3, 3, 3, padding=1, padding_mode="replicate")
        self.context = nn.Sequential(
            nn.Linear(CONTEXT_INPUTS, context_hidden), nn.ReLU(),
            nn.Linear(context_hidden, context_hidden), nn.ReLU(),
            nn.Linear(context_hidden, 2))
        with torch.no_grad():  # start from grey, and from a unit scale: a fit moves from there
            self.synthesis_out.bias.fill_(0.5)
            self.refine2.weight.zero_()
            self.refine2.bias.zero_()
            self.context[-1].weight.mul_(0.1)
            self.context[-1].bias.zero_()

    def synthesis(self, grids: list[torch.Tensor], height: int, width: int) -> torch.Tensor:
        """RGB in 0..1 (not clamped), (1, 3, height, width), from the decoded grids (each (1, 1, h, w))."""
        up = torch.cat([g if g.shape[-2:] == (height, width) else
                        F.interpolate(g, size=(height, width), mode="bicubic", align_corners=False) for g in grids], 1)
        s = self.synthesis_out(F.relu(self.synthesis_in(up.flatten(2)[0].T)))
        s = s.T.reshape(1, 3, height, width)
        return s + self.refine2(F.relu(self.refine1(s)))

    def mean_scale(self, level: int, second: bool, coarser: torch.Tensor | None, known: torch.Tensor,
                   at: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean and scale of grid ``level`` at the raster positions ``at`` (indices), for the first pass
        (``second`` False: only ``coarser`` is known) or the second (``known``: the grid so far, (1, 1, h, w),
        zero off the anchors)."""
        h, w = known.shape[-2:]
        if coarser is None:
            near = torch.zeros(at.numel(), 9)
        else:
            up = F.interpolate(coarser, size=(h, w), mode="bilinear", align_corners=False)
            near = F.unfold(F.pad(up, (1, 1, 1, 1), mode="replicate"), 3)[0].T[at]
        if second:
            p = F.pad(known, (1, 1, 1, 1))
            side = torch.cat([p[..., :-2, 1:-1], p[..., 2:, 1:-1], p[..., 1:-1, :-2], p[..., 1:-1, 2:]], 1)
            side = side.flatten(2)[0].T[at]
        else:
            side = torch.zeros(at.numel(), 4)
        flags = torch.zeros(at.numel(), 1 + LEVELS)
        flags[:, 0] = float(second)
        flags[:, 1 + level] = 1.0
        out = self.context(torch.cat([near, side, flags], 1))
        return out[:, 0], torch.exp(out[:, 1]).clamp(SCALE_MIN, SCALE_MAX)


def walk(decoder: OverfitDecoder, sizes: list[tuple[int, int]], take):
    """Go over the grids coarse to fine, each in two checkerboard passes, in the decoder's order.

    ``take(level, mean, scale, at)`` returns the grid's values at the raster positions ``at`` (a vector,
    with the means and scales there): the encoder quantizes its latents, the decoder decodes symbols.
    Returns the decoded grids, finest first, each (1, 1, h, w).
    """
    grids: list[torch.Tensor | None] = [None] * len(sizes)
    for level in reversed(range(len(sizes))):
        h, w = sizes[level]
        first = anchors(h, w)
        passes = (first.nonzero()[:, 0], (~first).nonzero()[:, 0])
        coarser = grids[level + 1] if level + 1 < len(sizes) else None
        flat = torch.zeros(h * w)
        for second, at in enumerate(passes):
            mean, scale = decoder.mean_scale(level, bool(second), coarser, flat.view(1, 1, h, w), at)
            flat = flat.index_put((at,), take(level, mean, scale, at))
        grids[level] = flat.view(1, 1, h, w)
    return grids
