"""The ×s pipelines' pre-stage, shared by serving and training: what a ×s pipeline gives its codec.

A pipeline's :meth:`~srcodec.pipelines.base.Pipeline.pre` calls :func:`shrink`, and so do the degradations of
on-the-fly training (:class:`srcodec.data.degrade.Degradation`) and the decoded pools (:mod:`srcodec.train.pool`):
the networks train on exactly the images the pipelines send.
"""

from __future__ import annotations

import numpy as np


def shrink(rgb: np.ndarray, scale: int, down=None) -> np.ndarray:
    """HR RGB uint8 -> the ↓``scale`` image a pipeline codes (uint8): bicubic (Pillow, antialiased), or the
    learned downscaler ``down`` (:mod:`srcodec.pre.downscaler`, frozen, in tiles), after padding the sides to
    multiples of ``scale``."""
    from srcodec.io.resample import bicubic_down, pad_to_multiple

    if down is None:
        return bicubic_down(rgb, scale)
    from srcodec.tiling import run_chain

    return run_chain(pad_to_multiple(rgb, scale), down)
