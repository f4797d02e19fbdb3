#!/usr/bin/env python3
"""Regenerate the ``auto`` section of docs/results.md: the best file per image, against each candidate.

For each Kodak image (``--every K``: every K-th image, default 4, i.e. 6 images) and each ``auto``
quality level (``--levels``, default 2..6: target PSNR 27..35 dB), runs ``srcodec compress --codec auto
-q LEVEL`` through the API (``AutoCodec(effort=E).encode``), then decodes the file it wrote as a user
would (``srcodec.decompress``) and measures it. Every candidate's own file for the same target --
exactly what ``--codec <candidate> --target-psnr X`` writes -- is made afterwards by that candidate's
own full search (not counted in auto's time; at effort 3, auto's report holds it already, and only the
candidates auto left early are searched again), so each candidate's curve comes from the same images
and targets:

- the ``auto`` curve (mean bpp from the real files, mean RGB PSNR and MS-SSIM of their decodes per level);
- each candidate's curve at the same targets, and auto's BD-rate (PSNR) against each;
- how often each candidate was chosen, per level;
- auto's encode time per image (the whole search, every candidate) at this effort, on this machine.

Rows are cached in ``runs/kodak-auto/rows.json`` (and kept in ``benchmarks/results/kodak-auto.json``) (keyed by image, level, and the settings of auto and of each candidate: encoder settings, weights),
so the script resumes. Writes the section between ``<!-- begin kodak_auto -->`` and
``<!-- end kodak_auto -->`` and docs/img/kodak_auto_psnr.png.

Usage: python benchmarks/kodak_auto.py [--every K] [--levels 2,3,4,5,6,7] [--effort E] [--doc PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
from collections import Counter
import sys
import time
from pathlib import Path

from srcodec.bench import bdrate, plots
from srcodec.bench.sections import write_section
from srcodec.io.files import write_atomic

ROOT = Path(__file__).resolve().parents[1]
KODAK = ROOT.parent / "shared" / "datasets" / "kodak"
RUN = ROOT / "runs" / "kodak-auto"
DOC = ROOT / "docs" / "results.md"
IMG = ROOT / "docs" / "img"
SECTION = "kodak_auto"


def measure_all(files: list[Path], levels: list[float], effort: int) -> list[dict]:
    import torch

    from srcodec.api import decompress
    from srcodec.codecs import get_codec
    from srcodec.errors import SrcodecError
    from srcodec.io.image import load_image
    from srcodec.metrics import ms_ssim, psnr
    from srcodec.pipelines.auto import level_psnr
    from srcodec.targets import encode_for_quality

    torch.set_num_threads(2)
    codec = get_codec(f"auto:effort={effort}")
    # rows are reused only when auto and every candidate (encoder settings, weights) are as they are now
    settings = json.dumps({**codec.settings(), "candidate_settings": {n: get_codec(n).settings()
                                                                      for n in codec._candidates()}},
                          sort_keys=True, default=str)
    cache_path = RUN / "rows.json"
    cache = json.loads(cache_path.read_text()) if cache_path.exists() else []
    have = {(r["image"], r["level"], r["settings"]): r for r in cache}
    rows = []
    for f in files:
        img = load_image(f)
        h, w = img.shape[:2]
        for level in levels:
            key = (f.name, level, settings)
            if key in have:
                rows.append(have[key])
                continue
            t0 = time.perf_counter()
            data = codec.encode(img, level)
            seconds = time.perf_counter() - t0
            report = list(codec.last_report)
            times = dict(codec.last_seconds)
            outdone = list(codec.last_outdone)
            real_encodes = dict(codec.last_real_encodes)
            redo = outdone
            if effort < 3:  # auto searched on fast stand-ins: every candidate's own file by its own full search
                chosen_name = next(n for n, _, _, _, c in report if c)
                report, redo = [], codec._candidates()
            for name in redo:  # the candidate's own file for this target: what --codec NAME --target-psnr X writes
                c = get_codec(name)
                try:
                    d, q, v = encode_for_quality(c, img, level_psnr(level), "psnr", tolerance=codec._step(c))
                except SrcodecError:  # it cannot reach the target on this image at all: no point of its curve
                    continue
                report.append((name, len(d), q, v, effort < 3 and name == chosen_name))
            out = decompress(data)
            # the floor of any search: one encode of the chosen candidate at the chosen quality, and its decode
            chosen_row = next(r for r in codec.last_report if r[4])
            chosen_codec = get_codec(chosen_row[0])
            t1 = time.perf_counter()
            chosen_codec.decode_like(chosen_codec.encode(img, chosen_row[2]), img)
            floor = time.perf_counter() - t1
            row = {"image": f.name, "level": level, "settings": settings, "target_psnr": level_psnr(level),
                   "bytes": len(data), "bpp": 8 * len(data) / (h * w), "psnr": psnr(img, out), "ms_ssim": ms_ssim(img, out),
                   "encode_s": seconds, "floor_s": floor,
                   "candidates": [{"name": n, "bytes": b, "bpp": 8 * b / (h * w), "quality": q, "psnr": v, "chosen": c,
                                   "seconds": times.get(n), "left_early": n in outdone} for n, b, q, v, c in report],
                   "real_encodes": real_encodes}
            rows.append(row)
            cache.append(row)
            have[key] = row
            RUN.mkdir(parents=True, exist_ok=True)
            write_atomic(cache_path, json.dumps(cache, indent=1).encode())
            chosen = next(c["name"] for c in row["candidates"] if c["chosen"])
            print(f"{f.name} level {level:g}: {chosen} {len(data)} bytes, {row['psnr']:.2f} dB, {seconds:.1f} s", flush=True)
    return rows


def curves(rows: list[dict], levels: list[float]) -> dict[str, bdrate.Curve]:
    """Mean bpp / PSNR per level: auto's, and each candidate's where it reached every image's target."""
    out = {"auto": {"quality": [], "bpp": [], "psnr-rgb": [], "ms-ssim-rgb": []}}
    names = sorted({c["name"] for r in rows for c in r["candidates"]})
    per = {n: {"quality": [], "bpp": [], "psnr-rgb": []} for n in names}
    for level in levels:
        rs = [r for r in rows if r["level"] == level]
        out["auto"]["quality"].append(level)
        out["auto"]["bpp"].append(statistics.mean(r["bpp"] for r in rs))
        out["auto"]["psnr-rgb"].append(statistics.mean(r["psnr"] for r in rs))
        out["auto"]["ms-ssim-rgb"].append(statistics.mean(r["ms_ssim"] for r in rs))
        for n in names:
            cs = [c for r in rs for c in r["candidates"] if c["name"] == n]
            if len(cs) == len(rs):  # a level a candidate cannot reach on some image is no point of its curve
                per[n]["quality"].append(level)
                per[n]["bpp"].append(statistics.mean(c["bpp"] for c in cs))
                per[n]["psnr-rgb"].append(statistics.mean(c["psnr"] for c in cs))
    result = {"auto": bdrate.Curve("auto", out["auto"], label="auto")}
    result.update({n: bdrate.Curve(n, r, label=f"{n} (same targets)") for n, r in per.items()})
    return result


def write_doc(rows: list[dict], levels: list[float], effort: int, every: int, doc: Path = DOC) -> None:
    cs = curves(rows, levels)
    images = sorted({r["image"] for r in rows})
    names = [n for n in cs if n != "auto"]

    def bd(anchor, test):
        try:
            return bdrate.format_percent(bdrate.bd_rate(anchor, test, "psnr-rgb")).replace(" ", "\u00a0")
        except bdrate.BDRateError:
            return "n/a"

    IMG.mkdir(parents=True, exist_ok=True)
    fig = IMG / "kodak_auto_psnr.png"
    write_atomic(fig, plots.figure_bytes(plots.rd_figure(list(cs.values()), "psnr-rgb", [],
                                                        f"Kodak ({len(images)} images): auto and its candidates"), "png"))
    secs = [r["encode_s"] for r in rows]
    per_image = {}
    for r in rows:
        per_image.setdefault(r["image"], []).append(r["encode_s"])
    lines = [
        "<!-- Generated by `python benchmarks/kodak_auto.py`; do not edit by hand. -->", "",
        "Written by [`benchmarks/kodak_auto.py`](../benchmarks/kodak_auto.py)"
        + (f" (`--every {every} --levels {','.join(f'{q:g}' for q in levels)} --effort {effort}`)") + ": "
        f"`--codec auto -q LEVEL` (target PSNR 25 + 2 (LEVEL − 1) dB) on {len(images)} Kodak images (every "
        f"{every}th: {', '.join(images)}), at levels {', '.join(f'{q:g}' for q in levels)}, effort {effort}. Each file "
        "is decoded by `srcodec.decompress` and measured; bpp from the real files. Each candidate's curve is its "
        "own file for the same targets (what `--codec <candidate> --target-psnr X` writes, by that candidate's own "
        "full search; at effort 3 from auto's report where auto made it). "
        "(A subset of Kodak: no comparison with the published 24-image curves here.)", "",
        "| curve | points | bpp | auto's BD-rate (PSNR) against it | chosen (of all files) | left early |",
        "|---|---|---|---|---|---|",
    ]
    for n in names:
        c = cs[n]
        chosen = sum(1 for r in rows for x in r["candidates"] if x["name"] == n and x["chosen"])
        rng = f"{min(c.results['bpp']):.3f}–{max(c.results['bpp']):.3f}" if c.results["bpp"] else "–"
        early = sum(1 for r in rows for x in r["candidates"] if x["name"] == n and x.get("left_early"))
        lines.append(f"| `{n}` | {len(c.results['bpp'])} | {rng} | {bd(c, cs['auto'])} | {chosen} of {len(rows)} | "
                     f"{early} of {len(rows)} |")
    a = cs["auto"]
    lines.append(f"| **`auto`** | {len(a.results['bpp'])} | {min(a.results['bpp']):.3f}–{max(a.results['bpp']):.3f} | – | – | – |")
    lines += ["", "Chosen per level:", "", "| level | target dB | " + " | ".join(f"`{n}`" for n in names) + " |",
              "|---|---|" + "---|" * len(names)]
    for level in levels:
        rs = [r for r in rows if r["level"] == level]
        counts = [sum(1 for r in rs for x in r["candidates"] if x["name"] == n and x["chosen"]) for n in names]
        lines.append(f"| {level:g} | {rs[0]['target_psnr']:g} | " + " | ".join(str(k) for k in counts) + " |")
    lines += ["", f"Encode time of `auto` at effort {effort} (the whole search, every candidate, 2 torch threads, "
              f"this machine): median {statistics.median(secs):.1f} s, mean {statistics.mean(secs):.1f} s, slowest "
              f"{max(secs):.1f} s per file (target ≤ 5 s per Kodak image)."
              + (f" The floor of any search, one encode of the chosen candidate at the chosen quality and its "
                 f"decode, timed right after: median {statistics.median(r['floor_s'] for r in rows):.1f} s."
                 if all("floor_s" in r for r in rows) else "")
              + (" Real encodes after the stand-in searches (all candidates together): "
                 + ", ".join(f"{k} on {v} of {len(rows)} files" for k, v in sorted(Counter(
                     sum(r["real_encodes"].values()) for r in rows).items())) + "."
                 if all("real_encodes" in r for r in rows) else ""), "",
              f"![PSNR over bpp, auto]({Path(os.path.relpath(fig, doc.parent)).as_posix()})", "",
              "Points:", "", "| curve | level | bpp | PSNR (dB) |", "|---|---|---|---|"]
    for n, c in cs.items():
        for q, b, p in zip(c.results["quality"], c.results["bpp"], c.results["psnr-rgb"]):
            lines.append(f"| `{n}` | {q:g} | {b:.4f} | {p:.3f} |")
    lines.append("")
    write_section(doc, SECTION, "\n".join(lines))
    print(doc)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--every", type=int, default=4, help="every K-th Kodak image (default: %(default)s)")
    ap.add_argument("--levels", default="2,3,4,5,6", help="auto quality levels (default: %(default)s)")
    ap.add_argument("--effort", type=int, default=None, help="auto's effort (default: auto's default)")
    ap.add_argument("--doc", type=Path, default=DOC)
    args = ap.parse_args()
    from srcodec.codecs import codec_class

    effort = args.effort or next(o.default for o in codec_class("auto").options if o.name == "effort")
    files = sorted(KODAK.glob("*.png"))[:: args.every]
    if not files:
        print(f"kodak_auto: no images in {KODAK}", file=sys.stderr)
        return 2
    levels = [float(v) for v in args.levels.split(",")]
    rows = measure_all(files, levels, effort)
    keep = ROOT / "benchmarks" / "results" / "kodak-auto.json"  # the rows, kept for later comparisons
    write_atomic(keep, json.dumps(rows, indent=1).encode())
    write_doc(rows, levels, effort, args.every, args.doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
