"""The quality a JPEG file was made at, read back from its quantization tables.

IJG libjpeg (and libjpeg-turbo, Pillow, most cameras' software) scale the two example tables of the
standard (ITU-T T.81, Annex K) by ``q < 50: 5000 / q; else 200 - 2q`` percent, rounded and clipped to
1..255 (integer arithmetic). :func:`jpeg_quality` finds the quality in 1..100 whose scaled tables are closest to the
file's (exact for IJG-made files; the nearest match for other encoders, with the mean absolute
table error so a caller can tell). A restorer reads this as its quality input. Written by hand:
Pillow exposes the tables (``Image.quantization``) but not the quality.
"""

from __future__ import annotations

import io

import numpy as np

#: T.81 Annex K, tables K.1 (luminance) and K.2 (chrominance), in natural (row-major) order
LUMA = np.array([16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
                 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
                 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99], np.float64)
CHROMA = np.array([17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99,
                   47, 66, 99, 99, 99, 99, 99, 99] + [99] * 32, np.float64)


def ijg_table(base: np.ndarray, quality: int) -> np.ndarray:
    """libjpeg's ``jpeg_quality_scaling`` and ``jpeg_add_quant_table``, in its integer arithmetic."""
    scale = 5000 // quality if quality < 50 else 200 - 2 * quality
    return np.clip((base.astype(np.int64) * scale + 50) // 100, 1, 255).astype(np.float64)


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
        err = np.abs(ijg_table(LUMA, q) - tables[0]).mean()
        if 1 in tables:
            err = (err + np.abs(ijg_table(CHROMA, q) - tables[1]).mean()) / 2
        if best is None or err < best[1]:
            best = (float(q), float(err))
    return best
