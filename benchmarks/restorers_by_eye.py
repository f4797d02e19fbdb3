#!/usr/bin/env python3
"""The restorers judged by eye: each shipped restored pipeline against its own codec in PSNR, MS-SSIM,
SSIMULACRA2 and VMAF, on the same files.

Runs, from the repository root, the bench of ``benchmarks/kodak_restored.py`` (the same codecs and
qualities, so its run folder ``runs/kodak-restored`` is reused and resumed)::

    srcodec bench ../shared/datasets/kodak --codecs <restored pipelines>,<their codecs> \\
        --out runs/kodak-restored --jobs 2 --qualities 13 18 23 28 33 37

then writes the section ``restorers_by_eye`` of docs/results.md: the BD-rate of each pipeline against
its codec in each metric (negative: the network makes the same files better, i.e. fewer bits for the same
score). The restorers were trained for L1/L2 (PSNR); a restorer that gains PSNR but loses SSIMULACRA2
smooths what the eye wants kept, and ``auto`` does not choose it for a perceptual target (it measures).

A quick check: ``--limit K`` (the first K images, in ``runs/restorers-by-eye-firstK``) and ``--pairs``
(a subset, e.g. ``jpeg-restored,avif-restored``, whose codecs are fast).

Usage: python benchmarks/restorers_by_eye.py [--skip-bench] [--jobs N] [--limit K] [--pairs A,B] [--doc PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from catalogue import section
from srcodec.bench.anchors import bd_cell as bd
from srcodec.bench.runner import run_curves
from srcodec.bench.render import generated
from srcodec.bench.sections import bench_then_write, restored_pairs, write_section

ROOT = Path(__file__).resolve().parents[1]
BENCH = section("restorers_by_eye").bench  # the same bench as kodak_restored: benchmarks/catalogue.py
RUN, QUALITIES = BENCH.run, BENCH.qualities
#: each restored pipeline installed here -> the codec it restores
PAIRS = restored_pairs(BENCH.codecs)
DOC = ROOT / "docs" / "results.md"
SECTION = "restorers_by_eye"
METRICS = (("psnr-rgb", "PSNR"), ("ms-ssim-rgb", "MS-SSIM"), ("ssimulacra2", "SSIMULACRA2"), ("vmaf", "VMAF"))


def run_folder(limit: int | None, pairs: dict) -> str:
    if limit is None and pairs == PAIRS:
        return RUN  # the same bench as kodak_restored.py: one run serves both
    return "runs/restorers-by-eye" + (f"-first{limit}" if limit else "") + ("" if pairs == PAIRS else "-" + "-".join(pairs))


def bench_command(jobs: int, limit: int | None, pairs: dict) -> list[str]:
    return BENCH.command(jobs, ROOT, codecs=[*pairs, *dict.fromkeys(pairs.values())], out=run_folder(limit, pairs),
                         limit=limit)


def write_doc(jobs: int, limit: int | None, pairs: dict, doc: Path) -> None:
    run = ROOT / run_folder(limit, pairs)
    settings = json.loads((run / "settings.json").read_text(encoding="utf-8"))
    curves = {c.name: c for c in run_curves(run)}
    n = len(settings["images"])
    cmd = " ".join(bench_command(jobs, limit, pairs))
    lines = [generated("python benchmarks/restorers_by_eye.py" + (f" --limit {limit}" if limit else "")
                       + (f" --pairs {','.join(pairs)}" if pairs != PAIRS else "")), "",
             "## The restorers judged by eye", "",
             "Written by [`benchmarks/restorers_by_eye.py`](../benchmarks/restorers_by_eye.py), which runs", "",
             f"    {cmd}", "",
             f"Kodak, {n} images. BD-rate of each restored pipeline against its own codec on the same files "
             "(the pipeline's `.srz` holds the codec's file; only the network differs), in each metric; negative: "
             "the network's output needs fewer bits for the same score. SSIMULACRA2: srcodec's implementation of "
             "libjxl's reference; VMAF: libvmaf `vmaf_v0.6.1` on BT.709 limited-range YUV.", "",
             "| pipeline | its codec | " + " | ".join(f"BD-rate {label}" for _, label in METRICS) + " |",
             "|---|---|" + "---|" * len(METRICS)]
    for name, codec in pairs.items():
        if name in curves and codec in curves:
            lines.append(f"| `{name}` | `{codec}` | "
                         + " | ".join(bd(curves[codec], curves[name], m) for m, _ in METRICS) + " |")
    lines += ["", "The restorers were trained on L1/L2 losses, i.e. for PSNR. Where a pipeline gains PSNR but its "
              "SSIMULACRA2 or VMAF BD-rate is positive, the network smooths detail the eye misses; `auto` measures "
              "every candidate's real file in the target's metric, so it does not choose such a pipeline for a "
              "perceptual target. What would make them win by eye: a perceptual term in the loss (e.g. an "
              "SSIMULACRA2-like multi-scale SSIM and edge-loss term in XYB, or MS-SSIM plus a small adversarial or "
              "texture term), trained on the decoded pools that exist (`srcodec train`, `train/pool.py`).", ""]
    write_section(doc, SECTION, "\n".join(lines))
    print("\n".join(lines))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-bench", action="store_true")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--limit", type=int, help="only the first K Kodak images (a quick check, its own run folder)")
    ap.add_argument("--pairs", help="a subset of the restored pipelines, comma-separated")
    ap.add_argument("--doc", type=Path, default=DOC)
    args = ap.parse_args()
    pairs = PAIRS if not args.pairs else {p: PAIRS[p] for p in args.pairs.split(",") if p in PAIRS}
    if not pairs:
        print(f"restorers_by_eye: none of {args.pairs} is installed here (have: {', '.join(PAIRS)})", file=sys.stderr)
        return 2
    return bench_then_write(SECTION, bench_command(args.jobs, args.limit, pairs), ROOT,
                            lambda: write_doc(args.jobs, args.limit, pairs, args.doc), args.skip_bench)


if __name__ == "__main__":
    sys.exit(main())
