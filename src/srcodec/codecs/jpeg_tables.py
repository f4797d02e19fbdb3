"""JPEG's quantization tables: how libjpeg makes them from a quality, and a file's quality read back.

IJG libjpeg (and libjpeg-turbo, Pillow, most cameras' software) scale the two example tables of the
standard (ITU-T T.81, Annex K) by ``q < 50: 5000 / q; else 200 - 2q`` percent, in integers, rounded
and clamped to 1..255 (:func:`quant_tables`). :func:`jpeg_quality` finds the quality in 1..100
whose tables are closest to a file's (exact for IJG-made files; the nearest match for other
encoders, with the mean absolute table error so a caller can tell): the quality input of a JPEG
restorer. :func:`quality_plane` is that quality as a network input (Modify-Net, JPEG-Net).
Written by hand: Pillow exposes a file's tables (``Image.quantization``) but not its quality.
"""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # only quality_plane needs torch
    import torch

#: ITU-T T.81 Annex K.1, luminance, natural (row-major) order
LUMA_TABLE = np.array([
    16, 11, 10, 16, 24, 40, 51, 61,
    12, 12, 14, 19, 26, 58, 60, 55,
    14, 13, 16, 24, 40, 57, 69, 56,
    14, 17, 22, 29, 51, 87, 80, 62,
    18, 22, 37, 56, 68, 109, 103, 77,
    24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101,
    72, 92, 95, 98, 112, 100, 103, 99,
], dtype=np.int64).reshape(8, 8)

#: ITU-T T.81 Annex K.2, chrominance
CHROMA_TABLE = np.full((8, 8), 99, dtype=np.int64)
CHROMA_TABLE[:4, :4] = np.array([
    17, 18, 24, 47,
    18, 21, 26, 66,
    24, 26, 56, 99,
    47, 66, 99, 99,
]).reshape(4, 4)


def quality_scaling(quality: int) -> int:
    """libjpeg's ``jpeg_quality_scaling``: quality 1..100 -> percentage scale factor."""
    q = min(max(int(quality), 1), 100)
    return 5000 // q if q < 50 else 200 - 2 * q


def scaled_table(base: np.ndarray, quality: int, force_baseline: bool = True) -> np.ndarray:
    """libjpeg's ``jpeg_add_quant_table``: (base * scale + 50) / 100 in integers, clamped."""
    t = (base * quality_scaling(quality) + 50) // 100
    return np.clip(t, 1, 255 if force_baseline else 32767)


def quant_tables(quality: int) -> tuple[np.ndarray, np.ndarray]:
    """The (luma, chroma) 8x8 quantization tables libjpeg uses at ``quality``."""
    return scaled_table(LUMA_TABLE, quality), scaled_table(CHROMA_TABLE, quality)


def table_scale(quality: int) -> float:
    """How much libjpeg scales the Annex K tables at ``quality``: 50 (q = 1) .. 1 (q = 50) .. 0.01 (q = 100).

    ``quality_scaling / 100``, kept at least 0.01 (at q = 100 the tables are all
    ones, as at a scale of about 0.01). The quantization step of every
    coefficient is this times its Annex K entry (before clamping to 1..255).
    """
    return max(quality_scaling(quality), 1) / 100.0


def quality_plane(x: torch.Tensor, quality) -> torch.Tensor:
    """JPEG quality as a network input: an (N, 1, H, W) plane of ``log2(table_scale(q)) / 4`` per image.

    ``quality`` is one number for the batch or one per image. The log of the
    table scale is what the quantization step (and so the artifacts) follows,
    about -1.7 (q = 100) .. 0 (q = 50) .. +1.4 (q = 1).
    """
    import torch

    qs = torch.as_tensor(quality, dtype=torch.float64).reshape(-1).tolist()
    vals = torch.tensor([math.log2(table_scale(round(q))) / 4.0 for q in qs], dtype=x.dtype, device=x.device)
    vals = vals.expand(x.shape[0]) if vals.numel() == 1 else vals
    return vals[:, None, None, None].expand(x.shape[0], 1, *x.shape[2:])


def jpeg_quality(data: bytes) -> tuple[float, float] | None:
    """(quality 1..100, mean absolute table error) of a JPEG file, or None when it is not a JPEG."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as im:
            if im.format != "JPEG":
                return None
            tables = {k: np.asarray(v, np.float64) for k, v in getattr(im, "quantization", {}).items()}
    except Exception:  # noqa: BLE001  (any unreadable file: "not a JPEG we can read")
        return None
    if 0 not in tables:
        return None
    best = None
    for q in range(1, 101):
        luma, chroma = quant_tables(q)
        err = np.abs(luma.ravel() - tables[0]).mean()
        if 1 in tables:
            err = (err + np.abs(chroma.ravel() - tables[1]).mean()) / 2
        if best is None or err < best[1]:
            best = (float(q), float(err))
    return best
