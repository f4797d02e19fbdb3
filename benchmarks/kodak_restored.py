#!/usr/bin/env python3
"""Regenerate the restored-pipelines section of docs/results.md: codec + learned restorer on Kodak.

Runs, from the repository root::

    srcodec bench ../shared/datasets/kodak --codecs vvc-restored --out runs/kodak-restored --jobs 2

(resumable), then writes its section of docs/results.md (between ``<!-- begin kodak_restored -->``
and ``<!-- end kodak_restored -->``) and docs/img/kodak_restored_{psnr,msssim}.png: the BD-rates
(PSNR and MS-SSIM) of each restored pipeline against its own codec (the curve of the anchors run,
``runs/kodak-anchors/<codec>.json`` from ``benchmarks/kodak_anchors.py``, whose settings must be those
of the pipeline's inner codec: the pipeline's file is that codec's file, byte for byte, plus the ~80-byte
``.srz`` header, so the two curves compare the same bitstreams with and without the network) and against
the published VTM curve;
the Tun et al. headline (PSNR at no more than 19,778 bytes per Kodak image on average: the best
single quality whose mean file size fits); and the decode time per image from the bench rows.

Usage: python benchmarks/kodak_restored.py [--skip-bench] [--jobs N] [--doc PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from srcodec.bench import bdrate, plots
from srcodec.bench.runner import run_curves
from srcodec.bench.sections import bench_then_write, write_section
from srcodec.io.files import write_atomic

ROOT = Path(__file__).resolve().parents[1]
DATASET = "../shared/datasets/kodak"
REFERENCE = ROOT.parent / "shared" / "reference" / "kodak"
RUN = "runs/kodak-restored"
ANCHORS = "runs/kodak-anchors"
DOC = ROOT / "docs" / "results.md"
SECTION = "kodak_restored"
IMG = ROOT / "docs" / "img"
#: restored pipeline -> the codec it restores (both run in the same bench)
PAIRS = {"vvc-restored": "vvc"}
TUN_BYTES = 19778
TUN_PSNR = 33.10


def bench_command(jobs: int) -> list[str]:
    return ["srcodec", "bench", DATASET, "--codecs", ",".join(PAIRS), "--out", RUN, "--jobs", str(jobs)]


def codec_curves() -> dict:
    """The restored pipelines' own codecs, from the anchors run (checked: same settings as the pipelines' inner)."""
    from srcodec.codecs import get_codec

    anchors = json.loads((ROOT / ANCHORS / "settings.json").read_text(encoding="utf-8"))
    out = {}
    for name, codec in PAIRS.items():
        inner = get_codec(name).settings()["inner_settings"]
        have = anchors["codecs"].get(codec, {}).get("settings")
        if have != json.loads(json.dumps(inner)):
            raise SystemExit(f"kodak_restored: {ANCHORS} has {codec} with settings {have}, {name} codes with {inner}; "
                             "run python benchmarks/kodak_anchors.py first")
        out[codec] = bdrate.load_curve(ROOT / ANCHORS / f"{codec}.json")
    return out


def bd(anchor, test, metric: str) -> str:
    try:
        return bdrate.format_percent(bdrate.bd_rate(anchor, test, metric)).replace(" ", "\u00a0")
    except bdrate.BDRateError:
        return "n/a"


def headline(rows: list[dict], codec: str) -> dict | None:
    """The best quality of ``codec`` whose mean file size over the images is at most TUN_BYTES."""
    by_q: dict[float, list[dict]] = {}
    for r in rows:
        if r["codec"] == codec:
            by_q.setdefault(float(r["quality"]), []).append(r)
    best = None
    for q, rs in sorted(by_q.items()):
        mean_bytes = sum(r["bytes"] for r in rs) / len(rs)
        if mean_bytes <= TUN_BYTES:
            best = {"quality": q, "bytes": mean_bytes, "psnr": sum(r["psnr"] for r in rs) / len(rs),
                    "bpp": sum(r["bpp"] for r in rs) / len(rs), "images": len(rs)}
    return best


def decode_times(name: str, images: int = 6, threads: int = 2, repeat: int = 3) -> dict:
    """Decode time of ``name`` on the first Kodak images, one decode at a time with ``threads`` torch
    threads, fastest of ``repeat`` per image (the encode, at the middle of its sweep, is not timed);
    cached in runs/kodak-restored/decode-<name>.json, keyed by the codec's settings."""
    import statistics
    import time

    import torch

    from srcodec.codecs import get_codec
    from srcodec.io.image import load_image

    codec = get_codec(name)
    q = codec.sweep[len(codec.sweep) // 2]
    key = json.dumps({"settings": codec.settings(), "q": q, "images": images, "threads": threads}, sort_keys=True,
                     default=str)
    cache = ROOT / RUN / f"decode-{name}.json"
    if cache.exists():
        old = json.loads(cache.read_text())
        if old.get("key") == key:
            return old
    torch.set_num_threads(threads)
    times = []
    for path in sorted((ROOT.parent / "shared" / "datasets" / "kodak").glob("*.png"))[:images]:
        data = codec.encode(load_image(path), q)
        best = None
        for _ in range(repeat):
            t0 = time.perf_counter()
            codec.decode(data)
            dt = time.perf_counter() - t0
            best = dt if best is None else min(best, dt)
        times.append(best)
    out = {"key": key, "quality": q, "threads": threads, "images": images, "median_s": statistics.median(times),
           "max_s": max(times)}
    write_atomic(cache, json.dumps(out, indent=2).encode())
    return out


def write_doc(jobs: int, doc: Path = DOC) -> None:
    run = ROOT / RUN
    settings = json.loads((run / "settings.json").read_text(encoding="utf-8"))
    rows = json.loads((run / "rows.json").read_text(encoding="utf-8"))
    rows += json.loads((ROOT / ANCHORS / "rows.json").read_text(encoding="utf-8"))
    curves = {c.name: c for c in run_curves(run)}
    curves.update(codec_curves())
    vtm = bdrate.load_curve(REFERENCE / "vtm.json")
    n_images = len(settings["images"])
    IMG.mkdir(parents=True, exist_ok=True)
    images = {}
    title = f"Kodak ({n_images} images): codec + restorer, VTM dashed"
    for metric, (suffix, _) in plots.PLOTS.items():
        path = IMG / f"kodak_restored_{suffix}.png"
        write_atomic(path, plots.figure_bytes(plots.rd_figure(list(curves.values()), metric, [vtm], title), "png"))
        images[metric] = Path(os.path.relpath(path, doc.parent)).as_posix()

    lines = [
        "<!-- Generated by `python benchmarks/kodak_restored.py`; do not edit by hand. -->", "",
        "Written by [`benchmarks/kodak_restored.py`](../benchmarks/kodak_restored.py), which runs", "",
        f"    {' '.join(bench_command(jobs))}", "",
        f"and builds this section from `{RUN}/`, the codecs' curves of `{ANCHORS}/` (the anchors section) and the "
        f"published VTM curve. Kodak, {n_images} images; bpp from "
        "the real files (the restored pipelines' `.srz` is the codec's own file plus an ~80-byte header); "
        "PSNR and MS-SSIM over RGB; BD-rate by PCHIP over the common quality range.", "",
        "| pipeline | its codec | points | bpp | BD-rate PSNR vs its codec | BD-rate PSNR vs VTM (ref.) | "
        "BD-rate MS-SSIM vs its codec | BD-rate MS-SSIM vs VTM (ref.) | decode s (bench rows) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, codec in PAIRS.items():
        if name not in curves:
            continue
        c, base = curves[name], curves[codec]
        res = c.results
        dec = sum(res["decoding_time"]) / len(res["decoding_time"])
        lines.append(f"| `{name}` | `{codec}` | {len(res['bpp'])} | {min(res['bpp']):.3f}–{max(res['bpp']):.3f} | "
                     f"{bd(base, c, 'psnr-rgb')} | {bd(vtm, c, 'psnr-rgb')} | {bd(base, c, 'ms-ssim-rgb')} | "
                     f"{bd(vtm, c, 'ms-ssim-rgb')} | {dec:.2f} |")
    for codec in dict.fromkeys(PAIRS.values()):
        res = curves[codec].results
        lines.append(f"| `{codec}` alone | – | {len(res['bpp'])} | {min(res['bpp']):.3f}–{max(res['bpp']):.3f} | – | "
                     f"{bd(vtm, curves[codec], 'psnr-rgb')} | – | {bd(vtm, curves[codec], 'ms-ssim-rgb')} | "
                     f"{sum(res['decoding_time']) / len(res['decoding_time']):.2f} |")
    lines += ["", "Decode times in the table are the bench's (one torch thread per row, two rows at a time). One decode "
              "at a time with 2 torch threads, fastest of 3 per image, on the first 6 Kodak images (the codec "
              "included, target ≤ 1 s per image):", "", "| pipeline | quality | median s | slowest s |", "|---|---|---|---|"]
    for name in PAIRS:
        t = decode_times(name)
        lines.append(f"| `{name}` | {t['quality']:g} | {t['median_s']:.3f} | {t['max_s']:.3f} |")
    lines += ["",
              "### Tun et al.'s headline, honestly", "",
              f"Tun et al. 2023 report {TUN_PSNR:.2f} dB at {TUN_BYTES:,} bytes per Kodak image. Below: the best single "
              f"quality of each codec whose mean real file size over the {n_images} images is at most {TUN_BYTES:,} bytes, "
              "and its mean PSNR.", "",
              "| codec | quality | mean bytes | mean bpp | mean PSNR (dB) | beats 33.10 dB? |", "|---|---|---|---|---|---|"]
    for name in [*PAIRS, *dict.fromkeys(PAIRS.values())]:
        h = headline(rows, name)
        if h is None:
            lines.append(f"| `{name}` | – | – | – | – | no point fits |")
            continue
        lines.append(f"| `{name}` | {h['quality']:g} | {h['bytes']:,.0f} | {h['bpp']:.3f} | {h['psnr']:.2f} | "
                     f"{'yes' if h['psnr'] > TUN_PSNR else 'no'} |")
    lines += ["", f"![PSNR over bpp, restored pipelines]({images['psnr-rgb']})", "",
              f"![MS-SSIM over bpp, restored pipelines]({images['ms-ssim-rgb']})", "",
              "Points:", "", "| codec | quality | bpp | PSNR (dB) | MS-SSIM |", "|---|---|---|---|---|"]
    for name, c in curves.items():
        r = c.results
        for i, q in enumerate(r["quality"]):
            lines.append(f"| `{name}` | {q:g} | {r['bpp'][i]:.4f} | {r['psnr-rgb'][i]:.3f} | {r['ms-ssim-rgb'][i]:.4f} |")
    lines.append("")
    write_section(doc, SECTION, "\n".join(lines))
    print(doc)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-bench", action="store_true")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--doc", type=Path, default=DOC)
    args = ap.parse_args()
    return bench_then_write("kodak_restored", bench_command(args.jobs), ROOT, lambda: write_doc(args.jobs, args.doc),
                            args.skip_bench)


if __name__ == "__main__":
    sys.exit(main())
