"""Bjontegaard delta rate (BD-rate) between rate-distortion curves.

A curve is a set of (bpp, quality) points. The BD-rate of a test curve
against an anchor is the average difference in log-rate over the quality
interval where both curves exist, as a percentage: -20 % means the test needs
a fifth fewer bits for the same quality, +79 % that it needs 79 % more.
Log-rate is interpolated piecewise-cubically over the quality (PCHIP, the
method of the JVET common test conditions), through the ``bjontegaard``
package.

Curves are read from JSON files in CompressAI's layout, which is also the
layout of the per-codec files a benchmark run writes::

    {"name": "VTM", "description": "...",
     "results": {"bpp": [...], "psnr-rgb": [...], "ms-ssim-rgb": [...]}}

MS-SSIM is compared in decibels, ``-10 * log10(1 - ms_ssim)``, as CompressAI
does; a curve that already holds ``ms-ssim-db-rgb`` (the paper points) is
used as it is. SSIMULACRA2 and VMAF (keys ``ssimulacra2``, ``vmaf``, written
by ``srcodec bench``) are compared on their own scales.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from srcodec.errors import InputError, SrcodecError
from srcodec.io.files import read_bytes

#: quality metrics a BD-rate can be computed on (keys of ``results``)
METRICS = ("psnr-rgb", "ms-ssim-rgb", "psnr-y", "ssimulacra2", "vmaf")
#: metrics a BD-rate table shows whenever its anchor holds them
PERCEPTUAL = ("ssimulacra2", "vmaf")
#: the fewest points a curve may have after cleaning
MIN_POINTS = 2


class BDRateError(SrcodecError):
    """Two curves that admit no BD-rate: too few points, or no common quality range."""


@dataclass
class Curve:
    """One rate-distortion curve: a name, a label for tables and plots, and its results."""

    name: str
    results: dict[str, list]
    label: str = ""
    description: str = ""
    source: str = ""
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.label:
            self.label = self.name

    def points(self, metric: str) -> tuple[np.ndarray, np.ndarray]:
        """(bpp, quality) of the usable points, by increasing rate; MS-SSIM in dB.

        Points with a missing, infinite or non-positive value are left out, and
        so is any point whose quality is not above that of every cheaper point
        (a curve must rise for its inverse to be interpolated).
        """
        if metric not in METRICS:
            raise BDRateError(f"unknown metric {metric!r} (known: {', '.join(METRICS)})")
        rates = self.results.get("bpp")
        if metric == "ms-ssim-rgb" and "ms-ssim-rgb" not in self.results and "ms-ssim-db-rgb" in self.results:
            values, in_db = self.results["ms-ssim-db-rgb"], True
        else:
            values, in_db = self.results.get(metric), metric != "ms-ssim-rgb"
        if rates is None or values is None:
            missing = "bpp" if rates is None else metric
            raise BDRateError(f"{self.source or self.name}: the curve has no {missing!r} values")
        if len(rates) != len(values):
            raise BDRateError(f"{self.source or self.name}: {len(rates)} bpp values but {len(values)} {metric!r} values")
        pairs = []
        for r, v in zip(rates, values):
            r, v = _number(r), _number(v)
            if r is None or v is None or r <= 0:
                continue
            if not in_db:
                if not 0 <= v < 1:
                    continue
                v = -10.0 * math.log10(1.0 - v)
            pairs.append((r, v))
        pairs.sort()
        kept: list[tuple[float, float]] = []
        for r, v in pairs:
            if not kept or v > kept[-1][1]:
                kept.append((r, v))
        if not kept:
            return np.zeros(0), np.zeros(0)
        arr = np.asarray(kept, dtype=np.float64)
        return arr[:, 0], arr[:, 1]


def _number(value) -> float | None:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def curve_from_dict(data: dict, source: str = "") -> Curve:
    """A curve from a parsed CompressAI-layout JSON object."""
    where = source or "curve"
    if not isinstance(data, dict) or not isinstance(data.get("results"), dict):
        raise InputError(f"{where}: not a rate-distortion curve (expected a JSON object with a 'results' object)")
    results = data["results"]
    if not isinstance(results.get("bpp"), list):
        raise InputError(f"{where}: not a rate-distortion curve (its 'results' have no 'bpp' list)")
    name = str(data.get("name") or Path(source).stem or "curve")
    return Curve(name=name, results=results, label=str(data.get("label") or name),
                 description=str(data.get("description") or ""), source=source,
                 extra={k: v for k, v in data.items() if k not in ("name", "label", "description", "results")})


def load_curve(path: str | os.PathLike) -> Curve:
    """Read a curve from a JSON file (a CompressAI result or a benchmark's per-codec file)."""
    p = Path(path)
    raw = read_bytes(p)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InputError(f"{p}: not a JSON file") from None
    return curve_from_dict(data, source=str(p))


def bd_rate(anchor: Curve, test: Curve, metric: str = "psnr-rgb") -> float:
    """BD-rate of ``test`` against ``anchor`` in percent (negative: ``test`` needs fewer bits)."""
    ra, da = anchor.points(metric)
    rt, dt = test.points(metric)
    for curve, rates in ((anchor, ra), (test, rt)):
        if len(rates) < MIN_POINTS:
            raise BDRateError(f"{curve.label}: {len(rates)} usable {metric} point(s), a BD-rate needs at least {MIN_POINTS}")
    lo, hi = max(da.min(), dt.min()), min(da.max(), dt.max())
    if not lo < hi:
        raise BDRateError(f"{test.label} ({dt.min():.2f}..{dt.max():.2f}) and {anchor.label} ({da.min():.2f}..{da.max():.2f}) "
                          f"do not overlap in {metric}")
    import bjontegaard

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = bjontegaard.bd_rate(ra, da, rt, dt, method="pchip", require_matching_points=False, min_overlap=0)
    value = float(value)
    if not math.isfinite(value):
        raise BDRateError(f"{test.label} vs {anchor.label}: BD-rate is not finite")
    return value


def overlap(anchor: Curve, test: Curve, metric: str = "psnr-rgb") -> float:
    """The common quality interval as a fraction of the union of both intervals (0..1)."""
    _, da = anchor.points(metric)
    _, dt = test.points(metric)
    if not len(da) or not len(dt):
        return 0.0
    union = max(da.max(), dt.max()) - min(da.min(), dt.min())
    common = min(da.max(), dt.max()) - max(da.min(), dt.min())
    return max(common, 0.0) / union if union > 0 else 0.0


def bd_table(anchor: Curve, tests: list[Curve], metrics: tuple[str, ...] | None = None) -> dict:
    """BD-rates of every test curve against the anchor, on each metric; failures kept as reasons.

    By default: PSNR and MS-SSIM, and SSIMULACRA2 and VMAF where the anchor has values of them."""
    if metrics is None:
        metrics = ("psnr-rgb", "ms-ssim-rgb") + tuple(
            m for m in PERCEPTUAL if any(_number(v) is not None for v in anchor.results.get(m) or []))
    rows = []
    for test in tests:
        bpp = [b for b in (_number(x) for x in test.results.get("bpp", [])) if b is not None]
        row = {"name": test.name, "label": test.label, "points": len(bpp),
               "bpp_min": min(bpp) if bpp else None, "bpp_max": max(bpp) if bpp else None}
        for metric in metrics:
            try:
                row[metric] = bd_rate(anchor, test, metric)
                row[f"{metric}_overlap"] = overlap(anchor, test, metric)
            except BDRateError as exc:
                row[metric] = None
                row[f"{metric}_error"] = str(exc)
        rows.append(row)
    return {"anchor": anchor.name, "anchor_label": anchor.label, "anchor_source": anchor.source,
            "method": "pchip (bjontegaard package), log-rate over quality; MS-SSIM in dB",
            "metrics": list(metrics), "rows": rows}


def format_percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.1f} %"


def table_markdown(table: dict) -> str:
    """The BD-rate table as Markdown, one row per curve."""
    metrics = table["metrics"]
    head = ["codec", "points", "bpp range"] + [f"BD-rate {m}" for m in metrics]
    lines = [f"BD-rate against **{table['anchor_label']}** (negative = fewer bits for the same quality).", "",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    notes = []
    for row in table["rows"]:
        rng = "" if row["bpp_min"] is None else f"{row['bpp_min']:.2f}–{row['bpp_max']:.2f}"
        cells = [row["label"], str(row["points"]), rng]
        for m in metrics:
            cells.append(format_percent(row.get(m)))
            if row.get(f"{m}_error"):
                notes.append(f"- {row['label']}, {m}: {row[f'{m}_error']}")
        lines.append("| " + " | ".join(cells) + " |")
    if notes:
        lines += ["", *notes]
    return "\n".join(lines) + "\n"
