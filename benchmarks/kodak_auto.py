#!/usr/bin/env python3
"""Regenerate the ``auto`` sections of docs/results.md: the best file per image, against each candidate.

On every K-th Kodak image (``--every K``, default 4) and at each target, ``auto`` at effort E against each of
its candidates, every file through ``srcodec bench --targets`` (:mod:`srcodec.bench.runner`): each row is the
file ``srcodec compress --codec NAME --target-<metric> X`` writes, decoded and measured; ``auto``'s rows keep
its report (what it chose, what it left early, each candidate's search time). The targets (``--targets``):

- ``--metric psnr`` (default): PSNR targets 27..35 dB;
- ``--metric ms-ssim``: MS-SSIM targets 0.92..0.99;
- ``--metric ssimulacra2``: SSIMULACRA2 targets 50..90 (auto's ``-q`` levels 2, 3.5, 5, 6.5, 8).

``--formats web`` (or a subset, ``jpeg+avif``) runs ``auto:formats=...`` instead: the smallest plain
file among the standard formats, against each format's own search (its own section, ``..._formats``, and
``..._formats_max`` at effort 3).

The run (``runs/kodak-auto/<section>``, kept in ``benchmarks/results/kodak-auto/<section>``, rows and settings)
goes in two passes: ``auto`` first, on 2 torch threads (its time is the section's); then its candidates, which
the bench measures only where a row is missing -- where auto's search of a candidate was that candidate's own
(its search step is the candidate's default, effort 3), the candidate's row is taken from auto's report
(bytes, quality, the value reached: :func:`rows_from_reports`). ``srcodec bench`` resumes and measures again
the rows of a codec whose settings changed (auto's include its candidates'). After the bench, the floor of any
search (one encode of the chosen candidate at the chosen quality, and its decode) is timed for each of auto's
files (``floors.json``). The section: auto's curve and each candidate's at the targets it reaches on every image,
auto's BD-rate (in the run's metric) against each, file-by-file sizes, how often each was chosen, auto's time.

Usage: python benchmarks/kodak_auto.py [--metric psnr|ms-ssim|ssimulacra2] [--targets X,Y,...] [--every K]
                                      [--limit N] [--effort E] [--formats web] [--skip-bench] [--doc PATH]
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
from srcodec.bench.render import generated, save_figure
from srcodec.bench.sections import Bench, keep_curves, write_section
from srcodec.io.files import write_atomic

ROOT = Path(__file__).resolve().parents[1]
RUNS = "runs/kodak-auto"
KEPT = ROOT / "benchmarks" / "results" / "kodak-auto"
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


def section_name(metric: str, formats: str, effort: int) -> str:
    """The section (and run folder) of a run: at effort max each format runs at both its settings."""
    return METRICS[metric]["section"] + (("_formats" + ("_max" if effort >= 3 else "")) if formats else "")


def auto_spec(effort: int, formats: str) -> str:
    from srcodec.codecs import get_codec

    return get_codec(f"auto:effort={effort}" + (f":formats={formats}" if formats else "")).spec


def bench_of(metric: str, points: list[float], effort: int, formats: str, every: int) -> Bench:
    """The section's bench: auto and its candidates for ``metric``, to each target, on 2 torch threads."""
    from srcodec.codecs import get_codec

    spec = auto_spec(effort, formats)
    return Bench((spec, *get_codec(spec).candidates(metric)), f"{RUNS}/{section_name(metric, formats, effort)}",
                 targets=(metric, tuple(points)), every=every, threads=2)


def rows_from_reports(out: Path, spec: str, metric: str) -> int:
    """Each candidate's row taken from auto's reports in the run folder ``out`` where auto's search of it was
    the candidate's own (not left early, at the candidate's default search step): bytes, quality and the value
    reached (the other metrics are not measured); how many rows were added."""
    from srcodec.bench.runner import RowStore
    from srcodec.codecs import get_codec
    from srcodec.search import default_step

    store = RowStore(out)
    auto = get_codec(spec)
    own = {}
    added = 0
    for row in list(store.rows.values()):
        if row["codec"] != spec or "report" not in row:
            continue
        report = row["report"]
        bpp_per_byte = row["bpp"] / row["bytes"]  # 8 / pixels of this image
        for name, size, q, value, _ in report["rows"]:
            if name not in own:
                own[name] = auto.search_step(get_codec(name)) == default_step(get_codec(name))
            key = (row["image"], name, row["target"])
            if own[name] and name not in report["outdone"] and key not in store.rows:
                store.add({"image": row["image"], "codec": name, "quality": q, "target": row["target"], "bytes": size,
                           "bpp": size * bpp_per_byte, **{f: math.nan for f in ("psnr", "psnr_y", "ssim", "ms_ssim",
                                                                                 "ssimulacra2", "vmaf", "decode_s")},
                           METRICS[metric]["field"]: value, "encode_s": report["seconds"].get(name, math.nan),
                           "worker": row["worker"], "chosen": ""})
                added += 1
    if added:
        store.flush()
    return added


def floor_key(row: dict) -> str:
    """The key of one of auto's files in ``floors.json``: image, target, the candidate chosen and its quality (a
    file measured again with another result is timed again)."""
    from srcodec.bench.runner import quality_key

    return f"{row['image']}|{row['target']}|{row['chosen']}|{quality_key(row['quality'])}"


def time_floors(out: Path, spec: str) -> dict:
    """The floor of any search for each of auto's files (``floors.json``, ``{floor_key: seconds}``): one
    encode of the chosen candidate at the chosen quality and its decode, on 2 torch threads."""
    import torch

    from srcodec.codecs import get_codec
    from srcodec.io.image import load_image

    torch.set_num_threads(2)
    path = out / "floors.json"
    floors = json.loads(path.read_text()) if path.exists() else {}
    images = json.loads((out / "settings.json").read_text())["images"]
    loaded: dict[str, object] = {}  # the rows come sorted by image: one image in memory at a time
    for row in json.loads((out / "rows.json").read_text()):
        if row["codec"] != spec or floor_key(row) in floors:
            continue
        key = floor_key(row)
        if row["image"] not in loaded:
            loaded = {row["image"]: load_image(images[row["image"]])}
        img, codec = loaded[row["image"]], get_codec(row["chosen"])
        t0 = time.perf_counter()
        codec.decode_like(codec.encode(img, row["quality"]), img)
        floors[key] = time.perf_counter() - t0
        write_atomic(path, json.dumps(floors, indent=1, sort_keys=True).encode())
    return floors


def section_rows(out: Path, codecs: tuple[str, ...], metric: str) -> list[dict]:
    """One record per file of auto's (``codecs[0]``) for an image and a target, with each candidate's (the other
    ``codecs``) own file for the same target."""
    from srcodec.bench.runner import split_target

    spec = codecs[0]
    rows = [r for r in json.loads((out / "rows.json").read_text()) if r["codec"] in codecs]
    floors = json.loads((out / "floors.json").read_text()) if (out / "floors.json").exists() else {}
    field = METRICS[metric]["field"]
    by_point: dict[tuple, list] = {}
    for r in rows:
        by_point.setdefault((r["image"], r["target"]), []).append(r)
    records = []
    for r in rows:
        if r["codec"] != spec:
            continue
        report = r.get("report") or {}
        candidates = []
        for c in by_point[(r["image"], r["target"])]:
            if c["codec"] == spec:
                continue
            cand = {"name": c["codec"], "bytes": c["bytes"], "bpp": c["bpp"], "quality": c["quality"],
                    field: c[field], "chosen": c["codec"] == r["chosen"],
                    "seconds": report.get("seconds", {}).get(c["codec"]),
                    "left_early": c["codec"] in report.get("outdone", ())}
            candidates.append(cand)
        record = {"image": r["image"], "target": split_target(r["target"])[1], "bytes": r["bytes"],
                  "bpp": r["bpp"], "psnr": r["psnr"], "ms_ssim": r["ms_ssim"], "encode_s": r["encode_s"],
                  "candidates": candidates}
        if r["ssimulacra2"] is not None:  # rows from before SSIMULACRA2 was measured lack it
            record["ssimulacra2"] = r["ssimulacra2"]
        if floor_key(r) in floors:
            record["floor_s"] = floors[floor_key(r)]
        if "real_encodes" in report:
            record["real_encodes"] = report["real_encodes"]
        records.append(record)
    return sorted(records, key=lambda x: (x["image"], x["target"]))


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

    who = f"auto:formats={formats}" if formats else "auto"
    fig = save_figure(plots.rd_figure(list(cs.values()), m["curve"], [],
                                      f"Kodak ({len(images)} images): {who} and its candidates"), doc, m["figure"])
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
        generated(f"python benchmarks/kodak_auto.py {args}"), "",
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
              f"![{m['name']} over bpp, auto]({fig})", "",
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
    from srcodec.bench.sections import run_bench

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--every", type=int, default=4, help="every K-th Kodak image (default: %(default)s)")
    ap.add_argument("--metric", choices=sorted(METRICS), default="psnr", help="what the targets are in")
    ap.add_argument("--targets", help="targets in the metric (default: psnr 27..35, ms-ssim 0.92..0.99, "
                                      "ssimulacra2 50..90)")
    ap.add_argument("--limit", type=int, help="only the first N of those images (a quick check, not kept)")
    ap.add_argument("--formats", default="", help="run auto:formats=... (web, or e.g. jpeg+avif)")
    ap.add_argument("--effort", type=int, default=None, help="auto's effort (default: auto's default)")
    ap.add_argument("--skip-bench", action="store_true", help="only rewrite the section from the kept run")
    ap.add_argument("--doc", type=Path, default=DOC)
    args = ap.parse_args()
    from srcodec.codecs import codec_class

    effort = args.effort or next(o.default for o in codec_class("auto").options if o.name == "effort")
    points = [float(v) for v in (args.targets or METRICS[args.metric]["targets"]).split(",")]
    bench = bench_of(args.metric, points, effort, args.formats, args.every)
    name = section_name(args.metric, args.formats, effort)
    out, kept = ROOT / bench.run, KEPT / name
    if args.limit:
        out = out.with_name(f"{out.name}-first{args.limit}")
    if args.limit is None and not (out / "rows.json").exists() and (kept / "rows.json").exists():
        keep_curves(kept, out, ["rows", "floors"])  # a fresh clone: start from the kept run
    spec = bench.codecs[0]
    folder = os.path.relpath(out, ROOT)
    for codecs in ([spec], bench.codecs):  # auto first; its report gives the candidates' rows it can
        code, _ = run_bench("kodak_auto", bench.command(1, ROOT, codecs=codecs, out=folder, limit=args.limit), ROOT,
                            folder, skip_bench=args.skip_bench)
        if code:
            return code
        if not args.skip_bench and codecs == [spec]:
            added = rows_from_reports(out, spec, args.metric)
            print(f"kodak_auto: {added} candidate rows from auto's reports", file=sys.stderr)
    if not args.skip_bench:
        time_floors(out, spec)
        if args.limit is None:
            keep_curves(out, kept, ["rows", "floors"])
    rows = section_rows(out, bench.codecs, args.metric)
    write_doc(rows, points, effort, args.every, args.doc, args.metric, args.formats, args.limit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
