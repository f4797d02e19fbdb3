"""Numbers the benchmark sections compute from runs: means per quality, crossings, values at a rate, a keyed cache.

The sections of ``docs/results.md`` (``python -m benchmarks list``) are written from these; each is tested
in ``tests/test_analysis.py``.
"""

from __future__ import annotations

import json
import math
import os
import statistics
from pathlib import Path

import numpy as np

from srcodec.bench import bdrate
from srcodec.bench.runner import quality_key
from srcodec.io.files import write_atomic


def cached(path: str | os.PathLike, key: dict, compute) -> dict:
    """``compute()`` (a JSON-able dict), kept in the file ``path`` and reused while ``key`` (the settings and the
    weights it was measured with) is the same; computed again, and the file rewritten, when it differs."""
    key = json.dumps(key, sort_keys=True, default=str)
    path = Path(path)
    if path.exists():
        try:
            old = json.loads(path.read_text())
        except ValueError:
            old = {}
        if old.get("key") == key:
            return old
    out = {"key": key, **compute()}
    write_atomic(path, json.dumps(out, indent=2).encode())
    return out


def _key_text(key) -> str:
    return key if isinstance(key, str) else json.dumps(key, sort_keys=True, default=str)


def cached_rows(path: str | os.PathLike, key) -> dict:
    """The rows kept in ``path`` (:func:`keep_rows`) when they were measured under ``key``, else ``{}``: a cache
    that a long measurement fills one row at a time, so an interrupted run resumes."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data.get("rows", {}) if data.get("key") == _key_text(key) else {}


def keep_rows(path: str | os.PathLike, key, rows: dict, **extra) -> None:
    """Write ``rows`` (and ``extra`` fields) to ``path`` under ``key`` (atomically; the folder is made)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    write_atomic(Path(path), json.dumps({"key": _key_text(key), **extra, "rows": rows}, indent=1).encode())


def quality_means(rows: list[dict], codec: str, images: list[str]) -> list[dict]:
    """``[{quality, bytes, bpp, psnr, ssim, ms_ssim, decode_s, decode_median_s, n}]`` over ``images``, by quality."""
    by_q: dict[str, list[dict]] = {}
    for r in rows:
        if r["codec"] == codec and r["image"] in images:
            by_q.setdefault(quality_key(r["quality"]), []).append(r)
    out = []
    for q, rs in by_q.items():
        if len({r["image"] for r in rs}) < len(set(images)):
            continue

        def mean(key, rs=rs):
            vals = [r[key] for r in rs if r.get(key) is not None and math.isfinite(r[key])]
            return sum(vals) / len(vals) if vals else None

        dec = [r["decode_s"] for r in rs if r.get("decode_s") is not None]
        out.append({"quality": float(q), "bytes": mean("bytes"), "bpp": mean("bpp"), "psnr": mean("psnr"),
                    "ssim": mean("ssim"), "ms_ssim": mean("ms_ssim"), "decode_s": mean("decode_s"),
                    "decode_median_s": statistics.median(dec) if dec else None, "n": len(rs)})
    return sorted(out, key=lambda d: d["quality"])


def span(values, digits: int = 2) -> str:
    vals = [v for v in values if v is not None]
    return f"{min(vals):.{digits}f}–{max(vals):.{digits}f}" if vals else "–"


def msssim_db(values) -> list[float | None]:
    return [None if v is None or not 0 <= v < 1 else -10 * math.log10(1 - v) for v in values]


def crossings(test: bdrate.Curve, anchor: bdrate.Curve, metric: str = "psnr-rgb") -> dict:
    """Where ``test``'s curve crosses ``anchor``'s, both piecewise linear in log-bpp, over their common bpp range.

    Returns ``{"range": (lo, hi) or None, "low_sign": +1/-1/0, "points": [(bpp, "above below"|"below above")]}``;
    ``"above below"`` means test is above anchor below that bpp and below it above.
    """
    rt, qt = test.points(metric)
    ra, qa = anchor.points(metric)
    spans = {"test_bpp": (float(rt.min()), float(rt.max())) if len(rt) else None,
             "anchor_bpp": (float(ra.min()), float(ra.max())) if len(ra) else None}
    if len(rt) < 2 or len(ra) < 2:
        return {"range": None, "low_sign": 0, "points": [], **spans}
    lt, la = np.log(rt), np.log(ra)
    lo, hi = max(lt.min(), la.min()), min(lt.max(), la.max())
    if not lo < hi:
        return {"range": None, "low_sign": 0, "points": [], **spans}
    grid = np.unique(np.concatenate([[lo, hi], lt[(lt > lo) & (lt < hi)], la[(la > lo) & (la < hi)]]))
    diff = np.interp(grid, lt, qt) - np.interp(grid, la, qa)
    points = []
    for i in range(len(grid) - 1):
        d0, d1 = diff[i], diff[i + 1]
        if d0 == 0 and i > 0:
            continue  # counted at the end of the previous segment
        if d0 * d1 < 0 or (d1 == 0 and d0 != 0 and i + 1 < len(grid) - 1):
            x = grid[i] + (grid[i + 1] - grid[i]) * d0 / (d0 - d1)
            points.append((float(math.exp(x)), "above below" if d0 > 0 else "below above"))
    nz = diff[diff != 0]
    return {"range": (float(math.exp(lo)), float(math.exp(hi))), "low_sign": int(np.sign(nz[0])) if len(nz) else 0,
            "points": points, **spans}


def interp_at(points: list[dict], key: str, x_key: str, x: float) -> float | None:
    """``key`` at ``x_key`` = x, piecewise linear in log(x_key), inside the measured range only."""
    pts = sorted((p[x_key], p[key]) for p in points if p.get(x_key) and p.get(key) is not None)
    if len(pts) < 2 or not pts[0][0] <= x <= pts[-1][0]:
        return None
    xs, ys = zip(*pts)
    return float(np.interp(math.log(x), np.log(xs), ys))


class Run:
    """The curves and rows of a finished run folder, restricted to its images."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.settings = json.loads((folder / "settings.json").read_text(encoding="utf-8"))
        self.images = list(self.settings["images"])
        self.curves: dict[str, bdrate.Curve] = {}
        for name in self.settings["codecs"]:
            p = folder / f"{name}.json"
            if p.exists():
                c = bdrate.load_curve(p)
                if c.results.get("bpp"):
                    self.curves[name] = c
        keep = set(self.images)
        planned = {name: {quality_key(q) for q in c.get("qualities", [])} for name, c in self.settings["codecs"].items()}
        # only the rows of this run's plan: rows.json may hold more (other qualities, images, copied rows)
        self.rows = [r for r in json.loads((folder / "rows.json").read_text(encoding="utf-8"))
                     if r["image"] in keep and quality_key(r["quality"]) in planned.get(r["codec"], ())]

    def label(self, name: str) -> str:
        c = self.curves.get(name)
        return c.label if c is not None else name

    def per_quality(self, name: str) -> list[dict]:
        """Means over the run's images per quality (only qualities measured on every image), by quality."""
        return quality_means(self.rows, name, self.images)


def headline(rows: list[dict], codec: str, max_bytes: float) -> dict | None:
    """The highest quality of ``codec`` whose mean file size over the images is at most ``max_bytes``: its mean
    bytes, PSNR and bpp and the number of images; None when no quality fits."""
    by_q: dict[float, list[dict]] = {}
    for r in rows:
        if r["codec"] == codec:
            by_q.setdefault(float(r["quality"]), []).append(r)
    best = None
    for q, rs in sorted(by_q.items()):
        mean_bytes = sum(r["bytes"] for r in rs) / len(rs)
        if mean_bytes <= max_bytes:
            best = {"quality": q, "bytes": mean_bytes, "psnr": sum(r["psnr"] for r in rs) / len(rs),
                    "bpp": sum(r["bpp"] for r in rs) / len(rs), "images": len(rs)}
    return best
