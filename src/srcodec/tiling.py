"""The one tiler: a network (or a chain) run on a large picture tile by tile, each tile read with context around
it that the network's receptive field never crosses, so that the memory is that of one tile and the result is
that of one pass over the whole picture (up to float rounding: a tile's convolutions may sum in another order).

Used by the pipelines' network chains (:meth:`srcodec.pipelines.base.Pipeline.run_nets`), the restorer
(:func:`srcodec.post.restorer.restore`) and the learned codec's transforms
(:meth:`srcodec.models.base.LearnedModel.analyse` / ``synthesise``). Each says its tile size and context; the
size ratio of output to input (×4 SR, ÷2 downscaler, ×16 synthesis) is read off the first tile.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction

import numpy as np


@dataclass(frozen=True)
class Tile:
    """One tile of an h x w grid: the rows and columns it owns (``y0:y1``, ``x0:x1``) and those it reads, with
    context (``ya:yb``, ``xa:xb``)."""

    y0: int
    y1: int
    x0: int
    x1: int
    ya: int
    yb: int
    xa: int
    xb: int


def tiles(h: int, w: int, tile: int, margin: int) -> Iterator[Tile]:
    """The tiles of ``tile`` x ``tile`` covering an h x w grid, row by row, each with ``margin`` of context
    (cut at the picture's edges)."""
    for y0 in range(0, h, tile):
        for x0 in range(0, w, tile):
            y1, x1 = min(y0 + tile, h), min(x0 + tile, w)
            yield Tile(y0, y1, x0, x1, max(0, y0 - margin), min(h, y1 + margin), max(0, x0 - margin),
                       min(w, x1 + margin))


def _window(array, y: int, x: int, ny: int, nx: int, layout: str):
    return array[y:y + ny, x:x + nx] if layout == "hwc" else array[..., y:y + ny, x:x + nx]


def run_tiled(h: int, w: int, run: Callable[[Tile], object], *, tile: int, margin: int, layout: str = "hwc"):
    """``run(t)`` (the result of the region ``t.ya:t.yb``, ``t.xa:t.xb``) over an h x w picture in tiles, each
    tile's own part of its result written into one output, which is returned; a picture of at most ``tile`` x
    ``tile`` is one call (its result as it is). ``layout``: where the results' rows and columns are, "hwc" (a
    numpy image) or "chw" (the last two axes: a torch batch)."""
    if h * w <= tile * tile:
        return run(Tile(0, h, 0, w, 0, h, 0, w))
    out, ratio = None, None
    for t in tiles(h, w, tile, margin):
        part = run(t)
        if out is None:
            rows = part.shape[0] if layout == "hwc" else part.shape[-2]
            ratio = Fraction(rows, t.yb - t.ya)
            shape = list(part.shape)
            shape[0 if layout == "hwc" else -2] = int(h * ratio)
            shape[1 if layout == "hwc" else -1] = int(w * ratio)
            out = np.empty(shape, part.dtype) if isinstance(part, np.ndarray) else part.new_empty(shape)
        oy, ox = int((t.y0 - t.ya) * ratio), int((t.x0 - t.xa) * ratio)
        ty, tx = int(t.y0 * ratio), int(t.x0 * ratio)
        ny, nx = int(t.y1 * ratio) - ty, int(t.x1 * ratio) - tx
        _window(out, ty, tx, ny, nx, layout)[...] = _window(part, oy, ox, ny, nx, layout)
    return out


#: network chains on images run in tiles of this many input pixels a side above it, with this context
CHAIN_TILE = 512
CHAIN_MARGIN = 64


def run_chain(image: np.ndarray, *nets, tile: int = CHAIN_TILE, margin: int = CHAIN_MARGIN) -> np.ndarray:
    """Networks applied one after the other (in float, no rounding between) to a uint8 image, on the device of
    the first that has parameters, in tiles above ``tile`` x ``tile`` input pixels.

    ``margin`` is more than the receptive fields of the shipped chains (DnCNN + EDSR see under 50); tile and
    margin are multiples of 4, so a chain that shrinks (a downscaler ÷2, ÷4) stays aligned."""
    import torch

    from srcodec.io.tensors import image_to_tensor, tensor_to_image

    device = next((p.device for n in nets if isinstance(n, torch.nn.Module) for p in n.parameters()),
                  torch.device("cpu"))

    def chain(t: Tile) -> np.ndarray:
        x = image_to_tensor(image[t.ya:t.yb, t.xa:t.xb]).to(device)
        for net in nets:
            x = net(x)
        return tensor_to_image(x)

    with torch.inference_mode():
        return run_tiled(*image.shape[:2], chain, tile=tile, margin=margin)


__all__ = ["CHAIN_MARGIN", "CHAIN_TILE", "Tile", "run_chain", "run_tiled", "tiles"]
