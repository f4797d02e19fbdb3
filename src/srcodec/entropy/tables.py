"""Integer probability tables: the only thing the range coder ever sees.

A table codes the integers ``-radius .. radius`` plus one escape symbol for
anything outside (the value then follows in a bypass code, see
:mod:`srcodec.entropy.coder`). Probabilities are integer counts summing to
``2**PRECISION``, every symbol at least 1, so coding is exact and identical on
every machine once the counts are fixed.
"""

from __future__ import annotations

import math

import numpy as np

PRECISION = 16
TOTAL = 1 << PRECISION


def counts_from_pmf(pmf: np.ndarray, tail: float) -> np.ndarray:
    """Integer counts for ``pmf`` (the ``2r+1`` in-range symbols) and ``tail`` (the escape).

    Each symbol gets at least 1; the rounding residue goes to the most likely symbol.
    """
    p = np.concatenate([np.asarray(pmf, dtype=np.float64), [max(float(tail), 0.0)]])
    p = np.clip(p, 0.0, None)
    p = p / p.sum()
    n = p.size
    counts = np.floor(p * (TOTAL - n)).astype(np.int64) + 1
    counts[int(np.argmax(p))] += TOTAL - int(counts.sum())
    assert counts.min() >= 1 and counts.sum() == TOTAL
    return counts


def pack_tables(tables: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Ragged list of count vectors -> (flat int32 counts, int32 offsets of length n+1)."""
    offsets = np.zeros(len(tables) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([t.size for t in tables])
    return np.concatenate(tables).astype(np.int32), offsets.astype(np.int32)


def unpack_tables(flat: np.ndarray, offsets: np.ndarray) -> list[np.ndarray]:
    flat = np.asarray(flat, dtype=np.int64)
    offsets = np.asarray(offsets, dtype=np.int64)
    return [flat[offsets[i]:offsets[i + 1]] for i in range(offsets.size - 1)]


def gaussian_counts(scale: float, tail_sigmas: float = 7.0, max_radius: int = 4095) -> np.ndarray:
    """Counts for a zero-mean Gaussian of ``scale`` integrated over unit bins."""
    radius = int(min(max(math.ceil(tail_sigmas * scale), 1), max_radius))
    k = np.arange(-radius, radius + 1, dtype=np.float64)
    upper = np.array([0.5 * math.erfc(-(v + 0.5) / (scale * math.sqrt(2))) for v in k])
    lower = np.array([0.5 * math.erfc(-(v - 0.5) / (scale * math.sqrt(2))) for v in k])
    pmf = upper - lower
    tail = 2 * 0.5 * math.erfc((radius + 0.5) / (scale * math.sqrt(2)))
    return counts_from_pmf(pmf, tail)


def bits_of(counts: np.ndarray) -> np.ndarray:
    """The ideal code length of each symbol of a table, in bits."""
    return PRECISION - np.log2(counts.astype(np.float64))
