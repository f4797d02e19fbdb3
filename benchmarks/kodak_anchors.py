#!/usr/bin/env python3
"""Regenerate the anchors section of docs/results.md: the standard codecs on Kodak.

Runs, from the repository root::

    srcodec bench ../shared/datasets/kodak --codecs jpeg,jpegli,webp,avif,avif:speed=6:tune=default,jpeg2000,\\
        jxl,heif,heif:preset=default:tune=default,vvc --out runs/kodak-anchors --jobs 2

(which resumes when runs/kodak-anchors already holds rows), then writes its
section of docs/results.md (between ``<!-- begin kodak_anchors -->`` and
``<!-- end kodak_anchors -->``; the other sections of the page are left as they
are, see srcodec.bench.sections) and docs/img/kodak_anchors_{psnr,msssim}.png
from the JSON files of that run and the published curves in
../shared/reference/kodak/. Every number in the section comes from those files.

Usage: python benchmarks/kodak_anchors.py [--skip-bench] [--fresh] [--jobs N] [--doc PATH] [--limit K]
(``--fresh`` measures every row again, e.g. after a codec's settings changed.)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from catalogue import section
from srcodec.bench.anchors import REFERENCE as PUBLISHED
from srcodec.bench import bdrate, plots
from srcodec.bench.analysis import span
from srcodec.bench.anchors import anchor_cells, bd_cell as bd
from srcodec.bench.runner import run_curves
from srcodec.bench.render import generated, save_figure, versions_table
from srcodec.bench.sections import bench_then_write, write_section

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = PUBLISHED  # the published curves that ship with the package
#: every standard codec at its PSNR-best default settings, plus one row each at the library's own
#: defaults (AVIF: Pillow's speed 6 without tune=psnr; HEIF: libheif's preset and tune) to show the gap
BENCH = section("kodak_anchors").bench  # its codecs and run folder, declared in benchmarks/catalogue.py
RUN = BENCH.run
DOC = ROOT / "docs" / "results.md"
SECTION = "kodak_anchors"
#: published curves drawn in the plots (dashed)
PLOT_REFS = ("vtm.json", "bpg_444_x265_ycbcr.json", "av1.json", "compressai-bmshj2018-hyperprior_mse_cpu.json",
             "compressai-mbt2018_mse_cpu.json", "compressai-cheng2020-anchor_mse_cpu.json")
METRICS = ("psnr-rgb", "ms-ssim-rgb")


def run_folder(limit: int | None = None) -> str:
    """The run folder: ``runs/kodak-anchors``, or its own for a quick check on the first ``limit`` images."""
    return RUN if limit is None else f"{RUN}-first{limit}"


def bench_command(jobs: int, limit: int | None = None) -> list[str]:
    return BENCH.command(jobs, ROOT, out=run_folder(limit), limit=limit)


def fmt(value, digits: int) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def write_doc(jobs: int, doc: Path = DOC, limit: int | None = None) -> None:
    run = ROOT / run_folder(limit)
    settings = json.loads((run / "settings.json").read_text(encoding="utf-8"))
    ours = run_curves(run)
    by_name = {c.name: c for c in ours}
    vvc = by_name["vvc"]
    vtm = bdrate.load_curve(REFERENCE / "vtm.json")
    refs = [bdrate.load_curve(p) for p in sorted(REFERENCE.glob("*.json"))]
    plot_refs = [bdrate.load_curve(REFERENCE / name) for name in PLOT_REFS]
    n_images = len(settings["images"])

    title = f"Kodak ({n_images} images): standard codecs, published curves dashed"
    images = {metric: save_figure(plots.rd_figure(ours, metric, plot_refs, title), doc,
                                  f"kodak_anchors_{plots.PLOTS[metric][0]}.png") for metric in plots.plotted_metrics(ours)}

    cmd = " ".join(bench_command(jobs, limit))
    versions = settings.get("versions", {})
    lines = [
        generated("python benchmarks/kodak_anchors.py"),
        "",
        "Written by [`benchmarks/kodak_anchors.py`](../benchmarks/kodak_anchors.py), which runs",
        "",
        f"    {cmd}",
        "",
        f"and builds this section from the JSON files of `{RUN}/` and the published curves in "
        "`../shared/reference/kodak/` (CompressAI's results). Every number below comes from those files; "
        "run the script again to regenerate it (a finished run is reused: `srcodec bench` resumes). "
        f"`srcodec report {RUN}` makes the HTML report of the same run, with side-by-side crops.",
        "",
        f"Kodak: {n_images} images. Per image: bpp from the size of the real file, PSNR over RGB "
        "and MS-SSIM over RGB; the curves average each quality point over the images, as CompressAI does. "
        "BD-rate: Bjøntegaard delta rate, piecewise cubic (PCHIP) interpolation of log-rate over quality "
        "(JVET common test conditions), MS-SSIM in dB; negative means fewer bits for the same quality.",
        "",
        "## Standard codecs on Kodak",
        "",
        "Each codec at its PSNR-best settings (the defaults of `srcodec`; the choice is measured by "
        "`python benchmarks/anchor_settings.py`, [results](../benchmarks/results/anchor-settings.md)), and two "
        "rows at the libraries' own settings, marked *library default*: AVIF without `tune=psnr` at Pillow's "
        "speed 6, HEIF at libheif's preset and tuning. Encode and decode times are means per image and point, "
        f"measured with `--jobs {jobs}` on the 2-core machine named below while other work may have run (so they "
        "rank the codecs; `benchmarks/decode_speed.py` times decoding alone).",
        "",
        "| codec | spec | points | bpp | PSNR (dB) | BD-rate PSNR vs VTM (ref.) | BD-rate PSNR vs VTM 12.1 rerun "
        "| BD-rate PSNR vs Cool-chic 5.0.1 | BD-rate PSNR vs `vvc` "
        "| BD-rate MS-SSIM vs VTM (ref.) | BD-rate MS-SSIM vs `vvc` | SSIMULACRA2 | BD-rate SSIMULACRA2 vs `vvc` "
        "| BD-rate VMAF vs `vvc` | encode s | decode s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c in ours:
        res = c.results
        note = " (*library default*)" if "default" in c.name else ""
        enc = sum(res["encoding_time"]) / len(res["encoding_time"])
        dec = sum(res["decoding_time"]) / len(res["decoding_time"])
        lines.append(f"| {c.label}{note} | `{c.name}` | {len(res['bpp'])} | {span(res['bpp'])} | {span(res['psnr-rgb'])} | "
                     f"{bd(vtm, c, 'psnr-rgb')} | {' | '.join(anchor_cells(c, 'psnr-rgb', ('vtm-rerun', 'coolchic')))} | "
                     f"{bd(vvc, c, 'psnr-rgb')} | "
                     f"{bd(vtm, c, 'ms-ssim-rgb')} | {bd(vvc, c, 'ms-ssim-rgb')} | {span(res.get('ssimulacra2', []))} | "
                     f"{bd(vvc, c, 'ssimulacra2')} | {bd(vvc, c, 'vmaf')} | {enc:.2f} | {dec:.3f} |")
    lines += ["", "SSIMULACRA2: srcodec's implementation of libjxl's reference (90 visually lossless, 70 high, "
              "50 medium); VMAF: libvmaf's `vmaf_v0.6.1` on BT.709 limited-range YUV (`srcodec.metrics`). The "
              "published curves have neither.", ""]
    lines += [f"![{plots.PLOTS[m][1]} over bpp on Kodak]({path})" + "\n" for m, path in images.items()]

    j2k = settings["codecs"].get("jpeg2000", {}).get("settings", {})
    if "jpeg2000" in settings["codecs"] and not j2k.get("mct"):
        lines += ["Note: the JPEG 2000 anchor is coded without the multi-component (RGB to YCbCr) transform "
                  "(Pillow's default, `mct` not set), which costs it much of its efficiency; compare the "
                  "published JPEG2000 curve below.", ""]

    lines += ["## Published curves, through the same BD-rate code", "",
              "| curve | points | bpp | BD-rate PSNR vs our `vvc` | BD-rate PSNR vs VTM | BD-rate PSNR vs VTM 12.1 rerun "
              "| BD-rate PSNR vs Cool-chic 5.0.1 | BD-rate MS-SSIM vs our `vvc` | BD-rate MS-SSIM vs VTM |",
              "|---|---|---|---|---|---|---|---|---|"]
    for r in refs:
        lines.append(f"| {r.label} (`{Path(r.source).name}`) | {len(r.results['bpp'])} | {span(r.results['bpp'])} | "
                     f"{bd(vvc, r, 'psnr-rgb')} | {bd(vtm, r, 'psnr-rgb')} | "
                     f"{' | '.join(anchor_cells(r, 'psnr-rgb', ('vtm-rerun', 'coolchic')))} | "
                     f"{bd(vvc, r, 'ms-ssim-rgb')} | {bd(vtm, r, 'ms-ssim-rgb')} |")
    lines += ["", "n/a: the curve has no such metric, or no quality range in common with the anchor.", ""]

    lines += ["## Points", "", "Averages over the images at each quality of the codec's sweep "
              f"(`{RUN}/<codec>.json`, CompressAI's layout).", ""]
    for c in ours:
        cs = settings["codecs"][c.name]
        res = c.results
        lines += [f"### {c.label}", "", f"`{c.name}`, settings `{json.dumps(cs['settings'], sort_keys=True)}`; "
                  f"quality: {cs['quality_help']}.", "",
                  "| quality | bpp | PSNR (dB) | PSNR-Y (dB) | SSIM | MS-SSIM | SSIMULACRA2 | VMAF |",
                  "|---|---|---|---|---|---|---|---|"]
        s2, vm = res.get("ssimulacra2") or [None] * len(res["bpp"]), res.get("vmaf") or [None] * len(res["bpp"])
        for i, b in enumerate(res["bpp"]):
            lines.append(f"| {res['quality'][i]:g} | {b:.3f} | {fmt(res['psnr-rgb'][i], 2)} | "
                         f"{fmt(res['psnr-y'][i], 2)} | {fmt(res['ssim-rgb'][i], 4)} | {fmt(res['ms-ssim-rgb'][i], 4)} | "
                         f"{fmt(s2[i], 2)} | {fmt(vm[i], 2)} |")
        lines.append("")
    if settings.get("skipped"):
        lines += ["Skipped (unavailable on the machine that ran it): "
                  + ", ".join(f"`{k}` ({v})" for k, v in settings["skipped"].items()), ""]
    lines += ["## Versions", "", *versions_table(versions)]
    lines.append("")
    write_section(doc, SECTION, "\n".join(lines))
    print(doc)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-bench", action="store_true", help="only rewrite the page from an existing run")
    parser.add_argument("--fresh", action="store_true", help="measure every row again (after a settings change)")
    parser.add_argument("--jobs", type=int, default=2, help="parallel processes for the bench (default 2)")
    parser.add_argument("--doc", type=Path, default=DOC, help="the page whose section is rewritten (default: %(default)s)")
    parser.add_argument("--limit", type=int, help="only the first K images, in a run folder of their own (a quick check)")
    args = parser.parse_args()
    return bench_then_write("kodak_anchors", [*bench_command(args.jobs, args.limit), *(["--fresh"] if args.fresh else [])],
                            ROOT, lambda: write_doc(args.jobs, args.doc, args.limit), args.skip_bench)


if __name__ == "__main__":
    sys.exit(main())
