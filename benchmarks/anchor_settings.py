#!/usr/bin/env python3
"""Which settings of each standard codec are best for RGB PSNR: the evidence behind the anchors' defaults.

Runs ``srcodec bench`` on 3 Kodak images (every 8th: kodim01, 09, 17) with each
codec at several settings, then prints per codec the BD-rate (PSNR, PCHIP) of every setting
against the first one listed and the mean encode / decode time per image, and writes the table
to ``benchmarks/results/anchor-settings.md``::

    python benchmarks/anchor_settings.py [--jobs N] [--only avif,heif]

The run folder is ``runs/anchor-settings/`` (resumable, like every bench run).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from srcodec.bench import bdrate
from srcodec.bench.runner import run_curves
from srcodec.data import data_dir
from srcodec.bench.render import write_page

ROOT = Path(__file__).resolve().parents[1]
KODAK = data_dir("kodak")
SUBSET = ROOT / "runs" / "kodak-every8th"
RUN = ROOT / "runs" / "anchor-settings"
OUT = ROOT / "benchmarks" / "results" / "anchor-settings.md"

#: per codec, the settings compared; the first is the reference of its BD-rates
VARIANTS = {
    "avif": ["avif:speed=6:tune=default", "avif:speed=6", "avif", "avif:speed=2"],
    "heif": ["heif:preset=default:tune=default", "heif:preset=medium", "heif:preset=slow", "heif"],
    "jxl": ["jxl:effort=7", "jxl:effort=8", "jxl"],
    "jpeg": ["jpeg", "jpeg:subsampling=444", "jpegli"],
    "vvc": ["vvc:preset=faster", "vvc:preset=fast", "vvc", "vvc:preset=slow"],
}


def make_subset() -> Path:
    SUBSET.mkdir(parents=True, exist_ok=True)
    for i in range(1, 25, 8):
        link = SUBSET / f"kodim{i:02d}.png"
        if not link.exists():
            os.symlink(KODAK / link.name, link)
    return SUBSET


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--only", default=None, help="comma-separated codec families (default: all)")
    args = ap.parse_args()
    families = args.only.split(",") if args.only else list(VARIANTS)
    subset = make_subset()
    specs = [s for f in families for s in VARIANTS[f]]
    cmd = [sys.executable, "-m", "srcodec", "bench", str(subset), "--codecs", ",".join(specs), "--out", str(RUN),
           "--jobs", str(args.jobs), "--quiet"]
    proc = subprocess.run(cmd, cwd=ROOT)
    if proc.returncode != 0:
        return proc.returncode
    curves = {c.name: c for c in run_curves(RUN)}
    lines = ["<!-- Written by `python benchmarks/anchor_settings.py`; do not edit by hand. -->", "",
             "Settings of each standard codec on 3 Kodak images (every 8th), RGB PSNR; BD-rate (PCHIP) against "
             "the first setting of its family; times are means per image and quality point, one bench process, "
             "measured while a training ran beside it on the same 2 cores (they rank the settings; an idle machine "
             "is about 2-3 times faster).", "",
             "| setting | BD-rate PSNR vs first | encode s | decode s |", "|---|---|---|---|"]
    for fam in families:
        first = curves[VARIANTS[fam][0]]
        for spec in VARIANTS[fam]:
            c = curves[spec]
            try:
                bd = f"{bdrate.bd_rate(first, c, 'psnr-rgb'):+.1f} %"
            except bdrate.BDRateError:
                bd = "n/a"
            enc = sum(c.results["encoding_time"]) / len(c.results["encoding_time"])
            dec = sum(c.results["decoding_time"]) / len(c.results["decoding_time"])
            lines.append(f"| `{spec}` | {bd} | {enc:.2f} | {dec:.3f} |")
    write_page(OUT, lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
