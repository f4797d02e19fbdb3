"""What one encode and one decode of each codec cost on a CPU, per megapixel: a measured table.

``auto`` budgets its search with it: a candidate whose predicted time for this image does not fit the
effort's budget is left out before any work (``srcodec.pipelines.auto``). The table is
``costs.json`` beside this module, written by ``python benchmarks/codec_costs.py`` (its command and
machine are in the file); a codec missing from it is predicted from its nearest measured relative
(the same name, other options) or, failing that, not budgeted (always tried).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TABLE = Path(__file__).resolve().parent / "costs.json"


@dataclass(frozen=True)
class Cost:
    """Predicted seconds of one encode and one decode, and peak MB, of an image of ``megapixels``."""

    encode_s: float
    decode_s: float
    peak_mb: float


@lru_cache(maxsize=1)
def _file() -> dict:
    """The table file, read once per process (empty when missing or unreadable)."""
    try:
        return json.loads(TABLE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _table() -> dict:
    return _file().get("costs", {})


def row(spec: str) -> dict | None:
    """The measured row of codec ``spec``, or of a measured spec with the same codec name; None if none."""
    table = _table()
    if spec in table:
        return table[spec]
    name = spec.split(":", 1)[0]
    near = [k for k in table if k.split(":", 1)[0] == name]
    return table[near[0]] if near else None


def predict(spec: str, megapixels: float) -> Cost | None:
    """The cost of one encode and one decode of a ``megapixels`` image with ``spec``, or None (not measured)."""
    r = row(spec)
    if r is None:
        return None
    return Cost(r["encode_s_fixed"] + r["encode_s_per_mp"] * megapixels,
                r["decode_s_fixed"] + r["decode_s_per_mp"] * megapixels,
                r["peak_mb_fixed"] + r["peak_mb_per_mp"] * megapixels)


def guess(spec: str, metric: str, target: float) -> float | None:
    """The quality at which ``spec`` typically reaches ``target`` in ``metric`` (the table's ``priors``: a line
    through the medians that ``python benchmarks/codec_costs.py --priors`` measured on training images), where a
    search can start; None when not measured."""
    line = _file().get("priors", {}).get(spec, {}).get(metric)
    return None if line is None else line[0] + line[1] * target


def budgeted_specs() -> list[str]:
    """The specs the table should hold: every candidate ``auto`` budgets, their stand-ins and the metric."""
    from srcodec.codecs.base import get_codec
    from srcodec.pipelines.auto import BUDGETED

    lighter = [spec for name in BUDGETED for spec in get_codec(name).lighter()]  # auto's settings per size
    return list(dict.fromkeys([*BUDGETED, *lighter, "vvc:preset=faster", "metric:ssimulacra2"]))
