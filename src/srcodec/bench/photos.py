"""Photo-sized test images: mosaics of the training pool's photographs (never of a test set).

A 12-megapixel photo is what people compress; the test sets are 0.4 megapixels. :func:`mosaic` tiles the
training images at their own resolution (no scaling) into a ``w`` × ``h`` picture, photographs everywhere
and no flat areas, the same picture every time (the images in name order).
"""

from __future__ import annotations

import numpy as np

from srcodec.data import data_dir

__all__ = ["data_dir", "mosaic"]


def mosaic(w: int, h: int, folder: str = "train/bsds500") -> np.ndarray:
    """A ``h`` × ``w`` RGB mosaic of the images of ``folder`` (under the data sets), each at its own size."""
    from srcodec.io.image import load_image, to_rgb

    paths = sorted(p for p in data_dir(folder).iterdir() if p.is_file())
    if not paths:
        raise FileNotFoundError(f"{data_dir(folder)}: no images")
    out = np.empty((h, w, 3), np.uint8)
    k, y = 0, 0
    while y < h:
        x, row_h = 0, None
        while x < w:
            tile = to_rgb(load_image(paths[k % len(paths)]))
            k += 1
            row_h = row_h or tile.shape[0]
            th, tw = min(row_h, tile.shape[0], h - y), min(tile.shape[1], w - x)
            out[y:y + th, x:x + tw] = tile[:th, :tw]
            if th < min(row_h, h - y):  # a shorter image: repeat its last row to the row's height
                out[y + th:y + min(row_h, h - y), x:x + tw] = tile[th - 1:th, :tw]
            x += tw
        y += min(row_h, h - y)
    return out
