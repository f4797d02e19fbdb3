#!/usr/bin/env python3
"""``auto`` at Cool-chic 5.0.1's own byte counts, file by file on Kodak (issue 29).

For each Kodak image and each λ of Cool-chic 5.0.1's published per-image results
(:func:`srcodec.bench.anchors.coolchic_per_image`), the byte budget is Cool-chic's file for that
image (its bpp × pixels / 8, rounded down) and ``srcodec compress --codec auto --max-bytes B`` makes the best file
that fits (:class:`srcodec.targets.Target` ``max_bytes``; ``auto`` ranks its candidates by RGB PSNR). Each file is
decoded and measured like any bench row. The section: per λ, Cool-chic's and auto's mean bytes and PSNR, how many
files reach Cool-chic's PSNR, which candidate auto chose; and each file's PSNR against Cool-chic's.

Rows are kept in ``benchmarks/results/kodak-vs-coolchic.json`` (keyed by auto's settings, its candidates' included),
so an interrupted run resumes and a rerun with the same settings measures nothing.

    python benchmarks/kodak_vs_coolchic.py [--codec auto] [--every K] [--doc PATH]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from srcodec.bench.analysis import cached_rows, keep_rows
from srcodec.bench.anchors import coolchic_per_image
from srcodec.bench.render import generated, table
from srcodec.bench.sections import write_section
from srcodec.data import data_dir

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "results.md"
KEPT = ROOT / "benchmarks" / "results" / "kodak-vs-coolchic.json"


def measure(spec: str, files: list[dict], rows: dict, save) -> dict:
    """Each of ``files`` coded by ``spec`` within its byte budget, decoded and measured (the rows not yet in
    ``rows``); ``save(rows)`` after each."""
    import torch

    from srcodec.codecs import get_codec
    from srcodec.io.image import load_image
    from srcodec.metrics import psnr
    from srcodec.targets import Target

    torch.set_num_threads(2)
    codec = get_codec(spec)
    for f in files:
        key = f"{f['image']}|{f['lmbda']:g}"
        if key in rows:
            continue
        img = load_image(data_dir("kodak") / f["image"])
        t0 = time.perf_counter()
        found = codec.encode_to(img, Target(max_bytes=f["bytes"]))
        seconds = time.perf_counter() - t0
        rows[key] = {"image": f["image"], "lmbda": f["lmbda"], "budget": f["bytes"], "bytes": len(found.data),
                     "psnr": psnr(img, codec.decode_like(found.data, img)), "encode_s": seconds,
                     "chosen": found.report.chosen.candidate if found.report is not None else spec}
        save(rows)
        r = rows[key]
        print(f"{f['image']} λ={f['lmbda']:g}: {r['chosen']} {r['bytes']} of {f['bytes']} bytes, {r['psnr']:.3f} dB "
              f"(Cool-chic {f['psnr']:.3f}), {seconds:.1f} s", flush=True)
    return rows


def render(spec: str, files: list[dict], rows: dict, command: str) -> str:
    ours = {(f["image"], f["lmbda"]): rows[f"{f['image']}|{f['lmbda']:g}"] for f in files}
    lambdas = sorted({f["lmbda"] for f in files}, reverse=True)
    images = sorted({f["image"] for f in files})
    summary = []
    for lm in lambdas:
        cc = [f for f in files if f["lmbda"] == lm]
        us = [ours[(f["image"], lm)] for f in cc]
        d = statistics.mean(u["psnr"] for u in us) - statistics.mean(f["psnr"] for f in cc)
        chosen = statistics.multimode(u["chosen"] for u in us)
        summary.append([f"{lm:g}", f"{statistics.mean(f['bytes'] for f in cc):,.0f}",
                        f"{statistics.mean(f['psnr'] for f in cc):.3f}", f"{statistics.mean(u['bytes'] for u in us):,.0f}",
                        f"{100 * statistics.mean(u['bytes'] / u['budget'] for u in us):.1f} %",
                        f"{statistics.mean(u['psnr'] for u in us):.3f}", f"{d:+.3f}", "yes" if d >= 0 else "no",
                        f"{sum(u['psnr'] >= f['psnr'] for u, f in zip(us, cc))} of {len(cc)}",
                        ", ".join(f"`{c}`" for c in chosen), f"{statistics.median(u['encode_s'] for u in us):.1f}"])
    theirs = {(f["image"], f["lmbda"]): f["psnr"] for f in files}
    per_image = [[i, *(f"{ours[(i, lm)]['psnr'] - theirs[(i, lm)]:+.2f}" for lm in lambdas)] for i in images]
    all_d = [ours[(f["image"], f["lmbda"])]["psnr"] - f["psnr"] for f in files]
    lines = [generated(command), "", "## At Cool-chic 5.0.1's own bytes, file by file", "",
             f"Written by [`benchmarks/kodak_vs_coolchic.py`](../benchmarks/kodak_vs_coolchic.py) (`{command}`): for "
             f"each of {len(images)} Kodak images and each λ of Cool-chic 5.0.1's published per-image results, "
             f"`srcodec compress --codec {spec} --max-bytes B` with B the bytes of Cool-chic's file for that image "
             "(its bpp × pixels / 8); the file is decoded and its RGB PSNR measured. Cool-chic's PSNR is its "
             "published one. Target (issue 29): at every λ, a mean PSNR at least Cool-chic's.", "",
             *table(["λ", "Cool-chic bytes", "Cool-chic PSNR (dB)", f"`{spec}` bytes", "of the budget (mean)", f"`{spec}` PSNR (dB)",
                     "difference (dB)", "at least Cool-chic's?", "files at least Cool-chic's", "chosen most",
                     "encode s (median)"], summary), "",
             f"Over all {len(files)} files: mean difference {statistics.mean(all_d):+.3f} dB, median "
             f"{statistics.median(all_d):+.3f} dB; {sum(x >= 0 for x in all_d)} files at least Cool-chic's PSNR. "
             f"Encode times on 2 torch threads, this machine (each file's whole search).", "",
             "Each file's PSNR minus Cool-chic's (dB):", "",
             *table(["image", *(f"λ {lm:g}" for lm in lambdas)], per_image)]
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--codec", default="auto", help="the codec or pipeline (default: auto)")
    ap.add_argument("--every", type=int, default=1, help="every K-th Kodak image (default: all)")
    ap.add_argument("--doc", type=Path, default=DOC)
    args = ap.parse_args()
    from srcodec.codecs import get_codec

    codec = get_codec(args.codec)
    published = coolchic_per_image()
    images = sorted({f["image"] for f in published})[:: args.every]
    files = [f for f in published if f["image"] in images]
    key = {"codec": codec.spec, "settings": codec.settings()}
    kept = KEPT if args.codec == "auto" else KEPT.with_name(f"kodak-vs-coolchic-{codec.spec.replace(':', '_')}.json")
    rows = measure(codec.spec, files, cached_rows(kept, key), lambda r: keep_rows(kept, key, r))
    command = "python benchmarks/kodak_vs_coolchic.py" + (f" --codec {args.codec}" if args.codec != "auto" else "") \
        + (f" --every {args.every}" if args.every > 1 else "")
    name = "kodak_vs_coolchic" + ("" if args.codec == "auto" else "_" + codec.spec.replace(":", "_").replace("=", "_"))
    write_section(args.doc, name, render(codec.spec, files, rows, command))
    print(args.doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
