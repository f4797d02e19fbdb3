"""The published Kodak curves every section compares against, and the one BD-rate table cell.

The curves ship with the package (``bench/reference/kodak/``, their origin and licence in its
``NOTICE.md``). Four of them are *anchors*, named in every "vs ..." column:

==============  =====================================================================================
``vtm``         CompressAI's published ``vtm.json`` (2020). Users re-running the same command with VTM
                9.1, 12.1 and 17.0 get the same bpp and a lower PSNR, so it reads better than VTM does.
``vtm-rerun``   VTM 12.1 through CompressAI's own ``bench vtm``, rerun by a user: the VTM users get.
``coolchic``    Cool-chic 5.0.1 (overfitted per image, a CPU decoder), its per-λ means over Kodak.
``elic``        ELIC's paper points (a learned codec that needs a GPU to be fast).
==============  =====================================================================================

``python benchmarks/kodak_vs_anchors.py`` writes the table of every kept srcodec curve against each.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from srcodec.bench import bdrate

#: where the published curves ship
REFERENCE = Path(__file__).resolve().parent / "reference" / "kodak"

#: anchor key -> (file under REFERENCE, the label of its column)
ANCHORS = {
    "vtm": ("vtm.json", "VTM (`vtm.json`, published)"),
    "vtm-rerun": ("vtm-12.1-rerun.json", "VTM 12.1 rerun"),
    "coolchic": ("coolchic-5.0.1.json", "Cool-chic 5.0.1"),
    "elic": ("paper-elic2022_mse.json", "ELIC (paper)"),
}


@dataclass(frozen=True)
class PublishedPoint:
    """One operating point a paper reports on Kodak (mean bytes per image, its bpp, PSNR and SSIM)."""

    bytes: int
    bpp: float
    psnr: float
    ssim: float


#: Tun et al. 2023's headline point (their Table III, quoted in issue 4): what the tun2023, restored and learned
#: sections compare with
TUN2023 = PublishedPoint(bytes=19_778, bpp=0.40, psnr=33.10, ssim=0.9219)


def reference(name: str) -> bdrate.Curve:
    """A published curve by file stem (``vtm``, ``av1``, ...) or anchor key (``vtm-rerun``, ``coolchic``)."""
    file = ANCHORS[name][0] if name in ANCHORS else f"{name}.json"
    curve = bdrate.load_curve(REFERENCE / file)
    if name in ANCHORS:
        curve.label = ANCHORS[name][1]
    return curve


def coolchic_per_image() -> list[dict]:
    """Cool-chic 5.0.1's published files, one per Kodak image and λ (``coolchic-5.0.1-per-image.tsv``):
    ``{lmbda, image, pixels, bpp, bytes, psnr, loss}``; ``bytes`` is its bpp × pixels / 8 rounded down, ``loss``
    its MSE + λ·bpp × 1000 as published."""
    with (REFERENCE / "coolchic-5.0.1-per-image.tsv").open(newline="") as fh:
        return [{"lmbda": float(r["lmbda"]), "image": f"{r['seq_name']}.png", "pixels": int(r["n_pixels"]),
                 "bpp": float(r["rate_bpp"]), "bytes": int(float(r["rate_bpp"]) * int(r["n_pixels"]) / 8),
                 "psnr": float(r["psnr_db"]), "loss": float(r["loss"])}
                for r in csv.DictReader(fh, delimiter="\t")]


def anchors() -> dict[str, bdrate.Curve]:
    """Every anchor's curve, keyed as in :data:`ANCHORS`."""
    return {name: reference(name) for name in ANCHORS}


def bd_value(anchor: bdrate.Curve | None, test: bdrate.Curve, metric: str) -> tuple[float | None, str]:
    """(BD-rate of ``test`` against ``anchor`` in %, or None) and the reason when there is none."""
    if anchor is None:
        return None, "not run"
    try:
        return bdrate.bd_rate(anchor, test, metric), ""
    except bdrate.BDRateError as exc:
        return None, str(exc)


def percent_cell(value: float | None) -> str:
    """A BD-rate as a table cell: ``+1.8 %`` (no line break inside), or ``n/a``."""
    return "n/a" if value is None else bdrate.format_percent(value).replace(" ", "\u00a0")


def bd_cell(anchor: bdrate.Curve | None, test: bdrate.Curve, metric: str) -> str:
    """The table cell of ``test``'s BD-rate against ``anchor`` on ``metric`` (``n/a`` when there is none)."""
    return percent_cell(bd_value(anchor, test, metric)[0])


def anchor_cells(test: bdrate.Curve, metric: str = "psnr-rgb", names: tuple[str, ...] = tuple(ANCHORS)) -> list[str]:
    """``test``'s BD-rate cell against each anchor of ``names``, in that order."""
    return [bd_cell(reference(n), test, metric) for n in names]
