#!/usr/bin/env python3
"""``vvc-restored`` against ``vvc`` on a second data set that nothing is trained on: Set14 (issue 29).

Runs, from the repository root, the bench declared in ``benchmarks/catalogue.py``::

    srcodec bench ../shared/datasets/set14 --codecs vvc-restored,vvc --qualities 18 23 28 33 37 \
        --out runs/set14-vvc-restored --jobs 2 --anchor vvc

(resumable; ``vvc``'s rows come from the same encodes as ``vvc-restored``'s), keeps the curves in
``benchmarks/results/set14-vvc-restored/`` and writes the section between ``<!-- begin set14_vvc_restored -->`` and
``<!-- end set14_vvc_restored -->``: BD-rates of ``vvc-restored`` against ``vvc`` in RGB PSNR, MS-SSIM, SSIMULACRA2
and VMAF, decode times, the points. No published curve exists on Set14 (Cool-chic 5.0.1 and the VTM rerun give
Kodak only).

Usage: python benchmarks/set14_vvc_restored.py [--skip-bench] [--jobs N] [--doc PATH]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from catalogue import section
from srcodec.bench.anchors import bd_cell as bd
from srcodec.bench.render import generated, points_table, table
from srcodec.bench.runner import run_curves
from srcodec.bench.sections import keep_curves, section_main, write_section

ROOT = Path(__file__).resolve().parents[1]
BENCH = section("set14_vvc_restored").bench
KEEP = ROOT / "benchmarks" / "results" / "set14-vvc-restored"
DOC = ROOT / "docs" / "results.md"
METRICS = (("psnr-rgb", "PSNR"), ("ms-ssim-rgb", "MS-SSIM"), ("ssimulacra2", "SSIMULACRA2"), ("vmaf", "VMAF"))


def bench_command(jobs: int) -> list[str]:
    return BENCH.command(jobs, ROOT)


def write_doc(jobs: int, doc: Path) -> None:
    run = ROOT / BENCH.run
    settings = json.loads((run / "settings.json").read_text(encoding="utf-8"))
    curves = {c.name: c for c in run_curves(run)}
    keep_curves(run, KEEP, list(curves))
    vvc = curves["vvc"]
    rows = [[f"`{c.name}`", f"{min(c.results['bpp']):.3f}–{max(c.results['bpp']):.3f}",
             *(bd(vvc, c, m) for m, _ in METRICS),
             f"{sum(c.results['decoding_time']) / len(c.results['decoding_time']):.2f}"] for c in curves.values()]
    lines = [generated("python benchmarks/set14_vvc_restored.py"), "", "## A second data set: Set14", "",
             "Written by [`benchmarks/set14_vvc_restored.py`](../benchmarks/set14_vvc_restored.py), which runs", "",
             f"    {' '.join(bench_command(jobs))}", "",
             f"Set14, {len(settings['images'])} images, nothing trained on them (the restorer's pool is "
             "`../shared/datasets/train/`); the same QPs as the Kodak section; `vvc`'s rows are its own `.266` files "
             "taken out of `vvc-restored`'s `.srz` files (greyscale images: `vvc`'s own encode). BD-rates against "
             "`vvc` of this run (no published curve exists on Set14); decode times are the bench's (two rows at a "
             "time, one torch thread each).", "",
             *table(["curve", "bpp", *(f"BD-rate {n} vs `vvc`" for _, n in METRICS), "decode s"], rows), "",
             "Points (mean over the images):", "", *points_table(curves), ""]
    write_section(doc, "set14_vvc_restored", "\n".join(lines))
    print(doc)


def main() -> int:
    return section_main("set14_vvc_restored", DOC, ROOT, bench_command, write_doc)


if __name__ == "__main__":
    sys.exit(main())
