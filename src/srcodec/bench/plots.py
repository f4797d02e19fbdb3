"""Rate-distortion plots: PSNR, MS-SSIM, SSIMULACRA2 and VMAF over bpp, as PNG and SVG.

Measured curves are drawn solid with markers, published reference curves
dashed. The bpp axis spans the measured curves (references are cut to it), so
the interesting range is not squeezed by a reference that reaches 4 bpp.
MS-SSIM is drawn in decibels, ``-10 * log10(1 - ms_ssim)``, like CompressAI's
plots. SSIMULACRA2 and VMAF are drawn only where some curve has them. Figures are drawn with matplotlib's Agg canvas directly, so importing
this module changes no global backend.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from srcodec.bench.bdrate import PERCEPTUAL, BDRateError, Curve
from srcodec.errors import InputError
from srcodec.io.files import write_atomic

#: metric -> (file suffix, y-axis label)
PLOTS = {
    "psnr-rgb": ("psnr", "PSNR RGB (dB)"),
    "ms-ssim-rgb": ("msssim", "MS-SSIM RGB (dB)"),
    "ssimulacra2": ("ssimulacra2", "SSIMULACRA2"),
    "vmaf": ("vmaf", "VMAF"),
}


def _points(curve: Curve, metric: str):
    try:
        return curve.points(metric)
    except BDRateError:  # a curve without this metric (e.g. a published one) is not drawn
        return [], []


def plotted_metrics(curves: list[Curve]) -> list[str]:
    """The metrics worth a plot: PSNR and MS-SSIM always, the perceptual ones where some curve has points."""
    return [m for m in PLOTS if m not in PERCEPTUAL or any(len(_points(c, m)[0]) for c in curves)]


def rd_figure(curves: list[Curve], metric: str = "psnr-rgb", refs: list[Curve] = (), title: str = "") -> Figure:
    """One rate-distortion figure of ``metric`` over bpp."""
    if metric not in PLOTS:
        raise InputError(f"cannot plot {metric!r} (known: {', '.join(PLOTS)})")
    fig = Figure(figsize=(7.5, 5.2), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    drawn = []
    for curve in curves:
        x, y = _points(curve, metric)
        if len(x):
            ax.plot(x, y, marker="o", markersize=3.5, linewidth=1.6, label=curve.label)
            drawn.append((x, y))
    xmax = max((x.max() for x, _ in drawn), default=None)
    ref_colors = colormaps["Dark2"].colors
    for i, curve in enumerate(refs):
        x, y = _points(curve, metric)
        if len(x):
            ax.plot(x, y, linestyle="--", linewidth=1.2, marker=".", markersize=3, label=f"{curve.label} (ref.)",
                    color=ref_colors[i % len(ref_colors)])
            drawn.append((x, y))
    if not drawn:
        ax.text(0.5, 0.5, f"no {metric} values", ha="center", va="center", transform=ax.transAxes)
    else:
        if xmax is None:
            xmax = max(x.max() for x, _ in drawn)
        xmax *= 1.05
        visible = [v for x, y in drawn for u, v in zip(x, y) if u <= xmax]
        ax.set_xlim(0, xmax)
        if visible:
            lo, hi = min(visible), max(visible)
            pad = 0.04 * (hi - lo) or 0.5
            ax.set_ylim(lo - pad, hi + pad)
        ax.legend(fontsize=8, loc="lower right")
    ax.set_xlabel("bits per pixel (bpp)")
    ax.set_ylabel(PLOTS[metric][1])
    ax.grid(True, alpha=0.3)
    if title:
        ax.set_title(title, fontsize=11)
    fig.tight_layout()
    return fig


def figure_bytes(fig: Figure, fmt: str) -> bytes:
    """The figure encoded as ``png`` or ``svg``."""
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
    return buf.getvalue()


def save_plots(curves: list[Curve], prefix: str | os.PathLike, refs: list[Curve] = (), title: str = "") -> list[Path]:
    """Write ``PREFIX_psnr.png/.svg``, ``PREFIX_msssim.png/.svg`` and, where the curves have them,
    ``PREFIX_ssimulacra2`` and ``PREFIX_vmaf``; returns the paths written."""
    prefix = str(prefix)
    written = []
    for metric in plotted_metrics(curves):
        suffix = PLOTS[metric][0]
        fig = rd_figure(curves, metric, refs, title)
        for fmt in ("png", "svg"):
            written.append(write_atomic(f"{prefix}_{suffix}.{fmt}", figure_bytes(fig, fmt)))
    return written
