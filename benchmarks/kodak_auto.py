#!/usr/bin/env python3
"""Regenerate the ``auto`` sections of docs/results.md: the best file per image, against each candidate.

For each Kodak image (``--every K``: every K-th image, default 4, i.e. 6 images) and each target, runs
``auto`` at effort E through the API, then decodes the file it wrote as a user would
(``srcodec.decompress``) and measures it. The targets (``--targets``, defaults per metric), each
``srcodec compress --codec auto --target-<metric> X`` (``AutoCodec(effort=E).encode_for_quality``):

- ``--metric psnr`` (default): PSNR targets 27..35 dB;
- ``--metric ms-ssim``: MS-SSIM targets 0.92..0.99;
- ``--metric ssimulacra2``: SSIMULACRA2 targets 50..90 (auto's ``-q`` levels 2, 3.5, 5, 6.5, 8).

``--formats web`` (or a subset, ``jpeg+avif``) runs ``auto:formats=...`` instead: the smallest plain
file among the standard formats, against each format's own search (its own section, ``..._formats``).

Every candidate's own file for the same target -- exactly what ``--codec <candidate> --target-<metric> X``
writes -- is made afterwards by that candidate's own full search (not counted in
auto's time; at effort 3 and with ``--formats``, auto's report holds it already, and only the candidates
auto left early are searched again), so each candidate's curve comes from the same images and targets:

- the ``auto`` curve (mean bpp from the real files, mean RGB PSNR and MS-SSIM of their decodes per target);
- each candidate's curve at the same targets (the targets it reaches on every image), and auto's BD-rate
  (in the run's metric) against each; where a candidate cannot reach a target on every image, auto's file
  size against the candidate's own, file by file, where it made one;
- how often each candidate was chosen, per target;
- auto's encode time per image (the whole search, every candidate) at this effort, on this machine, and
  the floor of any search (one real encode of the chosen candidate and its decode).

A candidate's own file is reused from an earlier run whose settings for that candidate (encoder, weights)
and whose effort (its search step) were the same: a rerun after a change to auto's own search measures
auto again, not its candidates. Rows are cached in ``runs/kodak-auto/rows.json`` (and kept in ``benchmarks/results/kodak-auto.json``) (keyed by
image, metric, target, and the settings of auto and of each candidate: encoder settings, weights), so the
script resumes. Writes the section between ``<!-- begin kodak_auto -->`` and ``<!-- end kodak_auto -->``
(``kodak_auto_msssim`` for ``--metric ms-ssim``) and docs/img/kodak_auto_psnr.png (``..._msssim.png``).

Usage: python benchmarks/kodak_auto.py [--metric psnr|ms-ssim|ssimulacra2] [--targets X,Y,...] [--every K]
                                      [--limit N] [--effort E] [--formats web] [--doc PATH]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
from collections import Counter
import sys
import time
from pathlib import Path

from srcodec.bench import bdrate, plots
from srcodec.bench.anchors import bd_cell
from srcodec.bench.sections import write_section
from srcodec.io.files import write_atomic

ROOT = Path(__file__).resolve().parents[1]
KODAK = ROOT.parent / "shared" / "datasets" / "kodak"
RUN = ROOT / "runs" / "kodak-auto"
DOC = ROOT / "docs" / "results.md"
#: per metric: its section, its figure, the row field and bdrate metric of its values, what a target is
METRICS = {
    "psnr": {"section": "kodak_auto", "figure": "kodak_auto_psnr.png", "field": "psnr", "curve": "psnr-rgb",
             "unit": "dB", "name": "PSNR", "targets": "27,29,31,33,35"},
    "ms-ssim": {"section": "kodak_auto_msssim", "figure": "kodak_auto_msssim.png", "field": "ms_ssim",
                "curve": "ms-ssim-rgb", "unit": "", "name": "MS-SSIM", "targets": "0.92,0.94,0.96,0.97,0.98,0.99"},
    "ssimulacra2": {"section": "kodak_auto_ssimulacra2", "figure": "kodak_auto_ssimulacra2.png",
                    "field": "ssimulacra2", "curve": "ssimulacra2", "unit": "", "name": "SSIMULACRA2",
                    "targets": "50,60,70,80,90"},
}


def row_point(row: dict) -> float:
    """The target of a row."""
    return row["target"]


def measure_all(files: list[Path], points: list[float], effort: int, metric: str = "psnr",
                formats: str = "") -> list[dict]:
    import torch

    from srcodec.api import decompress
    from srcodec.codecs import get_codec
    from srcodec.errors import SrcodecError
    from srcodec.io.image import load_image
    from srcodec.metrics import ms_ssim, psnr, ssimulacra2
    from srcodec.targets import Target, encode_for_quality

    torch.set_num_threads(2)
    codec = get_codec(f"auto:effort={effort}" + (f":formats={formats}" if formats else ""))
    full = effort >= 3 or bool(formats)  # auto's own report holds each candidate's full search
    # rows are reused only when auto and every candidate (encoder settings, weights) are as they are now
    settings = json.dumps({**codec.settings(), "candidate_settings": {n: get_codec(n).settings()
                                                                      for n in codec.candidates(metric)}},
                          sort_keys=True, default=str)
    cache_path = RUN / "rows.json"
    cache = json.loads(cache_path.read_text()) if cache_path.exists() else []
    have = {(r["image"], r.get("metric", "psnr"), row_point(r), r["settings"]): r for r in cache}
    mine = json.loads(settings)
    rows = []
    for f in files:
        img = load_image(f)
        h, w = img.shape[:2]
        for point in points:
            key = (f.name, metric, point, settings)
            if key in have:
                rows.append(have[key])
                continue
            # what `--target-<metric> X` asks of auto
            target = point
            t0 = time.perf_counter()
            found = codec.encode_to(img, Target(metric=metric, value=target))
            seconds = time.perf_counter() - t0
            data = found.data
            report = [tuple(r) for r in found.report.rows]
            times = found.report.seconds
            outdone = found.report.outdone
            real_encodes = found.report.real_encodes
            redo = outdone
            if not full:  # auto searched on fast stand-ins: every candidate's own file by its own full search
                chosen_name = next(n for n, _, _, _, c in report if c)
                report, redo = [], codec.candidates(metric)
            # each candidate's PSNR too, in an MS-SSIM run (for its plots in the other metric)
            psnr_of, known = {}, own_files(cache, f.name, metric, point, mine) if not full else {}
            for name in redo:  # the candidate's own file for this target: what --codec NAME --target-... writes
                if name in known:  # made by an earlier run with this candidate's settings (or out of its reach)
                    if known[name] is not None:
                        report.append((name, known[name]["bytes"], known[name]["quality"],
                                       known[name][METRICS[metric]["field"]], name == chosen_name))
                        if "psnr" in known[name]:
                            psnr_of[name] = known[name]["psnr"]
                    continue
                c = get_codec(name)
                try:
                    d, q, v = encode_for_quality(c, img, target, metric, tolerance=codec.search_step(c))
                except SrcodecError:  # it cannot reach the target on this image at all: no point of its curve
                    continue
                if metric != "psnr":
                    psnr_of[name] = psnr(img, c.decode_like(d, img))
                report.append((name, len(d), q, v, not full and name == chosen_name))
            out = decompress(data)
            # the floor of any search: one encode of the chosen candidate at the chosen quality, and its decode
            chosen_row = found.report.chosen
            chosen_codec = get_codec(chosen_row.candidate)
            t1 = time.perf_counter()
            chosen_codec.decode_like(chosen_codec.encode(img, chosen_row.quality), img)
            floor = time.perf_counter() - t1
            candidates = []
            for n, b, q, v, c in report:
                cand = {"name": n, "bytes": b, "bpp": 8 * b / (h * w), "quality": q, METRICS[metric]["field"]: v,
                        "chosen": c, "seconds": times.get(n), "left_early": n in outdone}
                if n in psnr_of:
                    cand["psnr"] = psnr_of[n]
                candidates.append(cand)
            row = {"image": f.name, "metric": metric, "target": target, "settings": settings,
                   "bytes": len(data), "bpp": 8 * len(data) / (h * w), "psnr": psnr(img, out), "ms_ssim": ms_ssim(img, out),
                   "ssimulacra2": ssimulacra2(img, out), "format": _format_of(data),
                   "encode_s": seconds, "floor_s": floor, "candidates": candidates, "real_encodes": real_encodes}
            rows.append(row)
            cache.append(row)
            have[key] = row
            RUN.mkdir(parents=True, exist_ok=True)
            write_atomic(cache_path, json.dumps(cache, indent=1).encode())
            chosen = next(c["name"] for c in row["candidates"] if c["chosen"])
            print(f"{f.name} {metric} {target:g}: {chosen} {len(data)} bytes, {row['psnr']:.2f} dB, "
                  f"MS-SSIM {row['ms_ssim']:.4f}, SSIMULACRA2 {row['ssimulacra2']:.2f}, {seconds:.1f} s", flush=True)
    return rows


def _format_of(data: bytes) -> str:
    from srcodec.api import identify

    return identify(data)


def own_files(cache: list[dict], image: str, metric: str, point: float, mine: dict) -> dict[str, dict | None]:
    """Each candidate's own file for this image and target as an earlier run (effort 1-2: every candidate
    searched by its own full search) measured it, where that candidate's settings (encoder, weights) and its
    search step (auto's effort) were as they are now: its row of that run, or None where it could not reach
    the target. A rerun after a change to auto's own search measures auto again, not its candidates."""
    found = {}
    for r in cache:
        if r["image"] != image or r.get("metric", "psnr") != metric or row_point(r) != point:
            continue
        theirs = json.loads(r["settings"])
        if theirs.get("effort") != mine.get("effort") or theirs.get("effort", 3) >= 3:
            continue
        for name, cand_settings in theirs["candidate_settings"].items():
            if mine["candidate_settings"].get(name) == cand_settings and name not in found:
                found[name] = next(({k: v for k, v in c.items() if k not in ("chosen", "seconds", "left_early")}
                                    for c in r["candidates"] if c["name"] == name), None)
    return found


def curves(rows: list[dict], points: list[float], metric: str = "psnr") -> dict[str, bdrate.Curve]:
    """Mean bpp / quality per target: auto's, and each candidate's where it reached every image's target."""
    field, key = METRICS[metric]["field"], METRICS[metric]["curve"]
    out = {"auto": {"quality": [], "bpp": [], "psnr-rgb": [], "ms-ssim-rgb": [], "ssimulacra2": []}}
    names = sorted({c["name"] for r in rows for c in r["candidates"]})
    per = {n: {"quality": [], "bpp": [], key: []} for n in names}
    for point in points:
        rs = [r for r in rows if row_point(r) == point]
        out["auto"]["quality"].append(point)
        out["auto"]["bpp"].append(statistics.mean(r["bpp"] for r in rs))
        out["auto"]["psnr-rgb"].append(statistics.mean(r["psnr"] for r in rs))
        out["auto"]["ms-ssim-rgb"].append(statistics.mean(r["ms_ssim"] for r in rs))
        out["auto"]["ssimulacra2"].append(statistics.mean(r["ssimulacra2"] for r in rs) if all(
            "ssimulacra2" in r for r in rs) else None)
        for n in names:
            cs = [c for r in rs for c in r["candidates"] if c["name"] == n]
            if len(cs) == len(rs):  # a target a candidate cannot reach on some image is no point of its curve
                per[n]["quality"].append(point)
                per[n]["bpp"].append(statistics.mean(c["bpp"] for c in cs))
                per[n][key].append(statistics.mean(c[field] for c in cs))
    result = {"auto": bdrate.Curve("auto", out["auto"], label="auto")}
    result.update({n: bdrate.Curve(n, r, label=f"{n} (same targets)") for n, r in per.items()})
    return result


def size_against(rows: list[dict], name: str) -> tuple[float, int] | None:
    """Auto's file size against candidate ``name``'s own file for the same target, file by file where that
    candidate made one: (geometric-mean ratio - 1 in percent, how many files); None where it made none."""
    ratios = [r["bytes"] / c["bytes"] for r in rows for c in r["candidates"] if c["name"] == name]
    if not ratios:
        return None
    return 100 * (math.exp(statistics.mean(math.log(x) for x in ratios)) - 1), len(ratios)


def write_doc(rows: list[dict], points: list[float], effort: int, every: int, doc: Path = DOC,
              metric: str = "psnr", formats: str = "", limit: int | None = None) -> None:
    m = dict(METRICS[metric])
    if formats:  # at effort max each format runs at both its settings: a section of its own
        tag = "_formats" + ("_max" if effort >= 3 else "")
        m["section"] += tag
        m["figure"] = m["figure"].replace(".png", f"{tag}.png")
    cs = curves(rows, points, metric)
    images = sorted({r["image"] for r in rows})
    names = [n for n in cs if n != "auto"]

    def bd(anchor, test):
        return bd_cell(anchor, test, m["curve"])

    img_dir = doc.parent / "img"  # docs/img next to docs/results.md
    img_dir.mkdir(parents=True, exist_ok=True)
    fig = img_dir / m["figure"]
    who = f"auto:formats={formats}" if formats else "auto"
    write_atomic(fig, plots.figure_bytes(plots.rd_figure(list(cs.values()), m["curve"], [],
                                                        f"Kodak ({len(images)} images): {who} and its candidates"), "png"))
    secs = [r["encode_s"] for r in rows]
    flag = f"--target-{metric}"
    args = (f"--metric {metric} --every {every}" + (f" --limit {limit}" if limit else "")
            + f" --targets {','.join(f'{q:g}' for q in points)} --effort {effort}"
            + (f" --formats {formats}" if formats else ""))
    asked = (f"`--codec {who} {flag} X` on {len(images)} Kodak images (every {every}th: "
             f"{', '.join(images)}), at X = {', '.join(f'{q:g}' for q in points)}, effort {effort}")
    own = f"`--codec <candidate> {flag} X`"
    point_head = f"| target {m['name']} |"
    lines = [
        f"<!-- Generated by `python benchmarks/kodak_auto.py {args}`; do not edit by hand. -->", "",
        (f"## `auto:formats={formats}`: the smallest standard file per image, {m['name']} targets" if formats
         else f"## `auto`: the best candidate per image, {m['name']} targets"), "",
        f"Written by [`benchmarks/kodak_auto.py`](../benchmarks/kodak_auto.py) (`{args}`): {asked}. Each file "
        "is decoded by `srcodec.decompress` and measured; bpp from the real files. Each candidate's curve is its "
        f"own file for the same targets (what {own} writes, by that candidate's own "
        "full search; at effort 3 from auto's report where auto made it), at the targets it reaches on every "
        "image; the last column compares file by file wherever the candidate made a file. "
        "(A subset of Kodak: no comparison with the published 24-image curves here.)", "",
        f"| curve | points | bpp | auto's BD-rate ({m['name']}) against it | auto's bytes against its file, same target "
        "(files) | chosen (of all files) | left early |",
        "|---|---|---|---|---|---|---|",
    ]
    for n in names:
        c = cs[n]
        chosen = sum(1 for r in rows for x in r["candidates"] if x["name"] == n and x["chosen"])
        rng = f"{min(c.results['bpp']):.3f}–{max(c.results['bpp']):.3f}" if c.results["bpp"] else "–"
        early = sum(1 for r in rows for x in r["candidates"] if x["name"] == n and x.get("left_early"))
        against = size_against(rows, n)
        vs = f"{against[0]:+.1f} % ({against[1]} of {len(rows)})" if against else "–"
        lines.append(f"| `{n}` | {len(c.results['bpp'])} | {rng} | {bd(c, cs['auto'])} | {vs} | {chosen} of {len(rows)} | "
                     f"{early} of {len(rows)} |")
    a = cs["auto"]
    lines.append(f"| **`auto`** | {len(a.results['bpp'])} | {min(a.results['bpp']):.3f}–{max(a.results['bpp']):.3f} "
                 "| – | – | – | – |")
    worse = [(r, x) for r in rows for x in r["candidates"] if x["bytes"] < r["bytes"]]
    lines += ["", "Files where a candidate's own file for the same target is smaller than auto's: "
              + ("; ".join(f"{r['image']} at {row_point(r):g}: `{x['name']}` {x['bytes']} bytes, auto {r['bytes']} "
                           f"({100 * (r['bytes'] / x['bytes'] - 1):+.1f} %)" for r, x in worse) if worse else "none") + "."]
    lines += ["", "Chosen per target:", "", point_head + " " + " | ".join(f"`{n}`" for n in names) + " |",
              "|---|" + "---|" * len(names)]
    for point in points:
        rs = [r for r in rows if row_point(r) == point]
        counts = [sum(1 for r in rs for x in r["candidates"] if x["name"] == n and x["chosen"]) for n in names]
        first = f"| {point:g} |"
        lines.append(first + " " + " | ".join(str(k) for k in counts) + " |")
    lines += ["", f"Encode time of `auto` at effort {effort} (the whole search, every candidate, 2 torch threads, "
              f"this machine): median {statistics.median(secs):.1f} s, mean {statistics.mean(secs):.1f} s, slowest "
              f"{max(secs):.1f} s per file (target ≤ 5 s per Kodak image)."
              + (f" The floor of any search, one encode of the chosen candidate at the chosen quality and its "
                 f"decode, timed right after: median {statistics.median(r['floor_s'] for r in rows):.1f} s; auto's "
                 f"time beyond it (its search): median {statistics.median(r['encode_s'] - r['floor_s'] for r in rows):.1f} s, "
                 f"auto's time over the floor's: median ×{statistics.median(r['encode_s'] / r['floor_s'] for r in rows):.2f}."
                 if all("floor_s" in r for r in rows) else "")
              + (" Real encodes after the stand-in searches (all candidates together): "
                 + ", ".join(f"{k} on {v} of {len(rows)} files" for k, v in sorted(Counter(
                     sum(r["real_encodes"].values()) for r in rows).items())) + "."
                 if all("real_encodes" in r for r in rows) else ""), "",
              f"![{m['name']} over bpp, auto]({Path(os.path.relpath(fig, doc.parent)).as_posix()})", "",
              "Points:", "", f"| curve | target | bpp | {m['name']}{' (' + m['unit'] + ')' if m['unit'] else ''} |",
              "|---|---|---|---|"]
    for n, c in cs.items():
        for q, b, v in zip(c.results["quality"], c.results["bpp"], c.results[m["curve"]]):
            lines.append(f"| `{n}` | {q:g} | {b:.4f} | {v:.3f} |" if metric == "psnr" else
                         f"| `{n}` | {q:g} | {b:.4f} | {v:.4f} |")
    lines.append("")
    write_section(doc, m["section"], "\n".join(lines))
    print(doc)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--every", type=int, default=4, help="every K-th Kodak image (default: %(default)s)")
    ap.add_argument("--metric", choices=sorted(METRICS), default="psnr", help="what the targets are in")
    ap.add_argument("--targets", help="targets in the metric (default: psnr 27..35, ms-ssim 0.92..0.99, "
                                      "ssimulacra2 50..90)")
    ap.add_argument("--limit", type=int, help="only the first N of those images (a quick check)")
    ap.add_argument("--formats", default="", help="run auto:formats=... (web, or e.g. jpeg+avif)")
    ap.add_argument("--effort", type=int, default=None, help="auto's effort (default: auto's default)")
    ap.add_argument("--doc", type=Path, default=DOC)
    args = ap.parse_args()
    from srcodec.codecs import codec_class

    effort = args.effort or next(o.default for o in codec_class("auto").options if o.name == "effort")
    files = sorted(KODAK.glob("*.png"))[:: args.every][: args.limit]
    if not files:
        print(f"kodak_auto: no images in {KODAK}", file=sys.stderr)
        return 2
    points = [float(v) for v in (args.targets or METRICS[args.metric]["targets"]).split(",")]
    rows = measure_all(files, points, effort, args.metric, args.formats)
    keep = ROOT / "benchmarks" / "results" / "kodak-auto.json"  # the rows of every run, kept for later comparisons
    kept = json.loads(keep.read_text()) if keep.exists() else []
    mode = lambda r: (r.get("metric", "psnr"), json.loads(r["settings"]).get("formats", ""))  # noqa: E731
    kept = [r for r in kept if mode(r) != (args.metric, args.formats)] + rows
    if args.limit is None:  # a quick check (--limit) is not kept
        write_atomic(keep, json.dumps(kept, indent=1).encode())
    write_doc(rows, points, effort, args.every, args.doc, args.metric, args.formats, args.limit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
