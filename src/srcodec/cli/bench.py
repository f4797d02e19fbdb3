"""The benchmark commands: ``bench``, ``bdrate``, ``plot`` and ``report``.

::

    srcodec bench ../shared/datasets/kodak --codecs jpeg,webp,avif --out runs/kodak --jobs 2
    srcodec bench ../shared/datasets/kodak --codecs jpeg,webp,avif --out runs/kodak --cluster tcp://head:8786
    srcodec bdrate ../shared/reference/kodak/vtm.json runs/kodak/webp.json
    srcodec plot runs/kodak --ref ../shared/reference/kodak/vtm.json --out runs/kodak/with-vtm
    srcodec report runs/kodak -o kodak.html
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from srcodec.cli.coding import add_cluster_option
from srcodec.errors import InputError


def _codec_list(text: str) -> list[str]:
    return [n.strip() for n in text.split(",") if n.strip()]


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def cmd_bench(args: argparse.Namespace) -> int:
    from srcodec.bench.runner import parse_targets, run_benchmark

    # a terminated run saves its finished rows like an interrupted one
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        result = run_benchmark(args.dataset, _codec_list(args.codecs), args.out, qualities=args.qualities,
                               jobs=args.jobs, anchor=args.anchor, limit=args.limit, refs=args.ref or [],
                               fresh=args.fresh, progress=not args.quiet, cluster=args.cluster,
                               targets=parse_targets(args.targets) if args.targets else None, every=args.every,
                               threads=args.threads)
    finally:
        signal.signal(signal.SIGTERM, previous)
    for name, qs in result.incomplete.items():
        print(f"srcodec: warning: {name}: {'targets' if args.targets else 'qualities'} "
              f"{', '.join(f'{q:g}' for q in qs)} left out of its curve "
              "(rows missing for some images)", file=sys.stderr)
    if len(result.machines) > 1:
        print(f"srcodec: note: the rows' encode_s and decode_s were measured on {len(result.machines)} machines "
              f"({', '.join(result.machines)}; column worker): times from different machines are not comparable",
              file=sys.stderr)
    print(f"{result.out}: {len(result.images)} images x {len(result.codecs)} codecs; "
          f"{result.measured} rows measured, {result.done_before} already there"
          + (f", {len(result.failures)} failed" if result.failures else ""))
    if result.bd_table is not None:
        from srcodec.bench.bdrate import table_markdown

        print(table_markdown(result.bd_table), end="")
    return 1 if result.failures else 0


def cmd_bdrate(args: argparse.Namespace) -> int:
    from srcodec.bench.bdrate import bd_rate, load_curve

    anchor, test = load_curve(args.anchor), load_curve(args.test)
    value = bd_rate(anchor, test, args.metric)
    print(f"{value:+.2f} %" if args.quiet else
          f"BD-rate ({args.metric}) of {test.label} vs {anchor.label}: {value:+.2f} %")
    return 0


def _curves_from(sources: list[str]):
    from srcodec.bench.bdrate import load_curve
    from srcodec.bench.runner import run_curves

    curves = []
    for src in sources:
        p = Path(src)
        if p.is_dir():
            curves += run_curves(p)
        elif p.exists():
            curves.append(load_curve(p))
        else:
            raise InputError(f"{p}: no such file or folder")
    return curves


def cmd_plot(args: argparse.Namespace) -> int:
    from srcodec.bench.bdrate import load_curve
    from srcodec.bench.plots import save_plots

    curves = _curves_from(args.sources)
    refs = [load_curve(r) for r in args.ref or []]
    for path in save_plots(curves, args.out, refs=refs, title=args.title or ""):
        print(path)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from srcodec.bench.report import build_report

    path = build_report(args.run, args.output, crops=args.crops, crop_bpp=args.crop_bpp, crop_size=args.crop_size,
                        refs=args.ref or [])
    print(path)
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("bench", help="rate-distortion benchmark of codecs over a data set",
                              description="Code every image with every codec at every quality of its sweep (or to "
                                          "each value of a metric, --targets); write "
                                          "per-image rows, per-codec curves (CompressAI JSON), BD-rates and plots "
                                          "to DIR. Running it again resumes.")
    p.add_argument("dataset", metavar="DATASET", help="a folder of images, or one image")
    p.add_argument("--codecs", required=True, metavar="LIST", help="comma-separated codec names, e.g. jpeg,webp,avif")
    p.add_argument("--out", required=True, metavar="DIR", help="run folder (created; an existing one is resumed)")
    p.add_argument("--qualities", type=float, nargs="+", metavar="Q",
                   help="qualities to run for every codec instead of each codec's sweep")
    p.add_argument("--targets", metavar="METRIC:V,...",
                   help="instead of qualities: each codec's smallest file that reaches each value of a metric, as "
                        "--target-METRIC V writes it (e.g. ssimulacra2:50,70,90; psnr, ms-ssim, ssimulacra2, vmaf)")
    p.add_argument("--jobs", type=int, default=1, metavar="N", help="images coded in parallel processes (default 1)")
    p.add_argument("--threads", type=int, default=1, metavar="N",
                   help="torch threads for each row (default 1: one row per core)")
    p.add_argument("--anchor", metavar="NAME",
                   help="BD-rate anchor: one of the codecs, or a JSON curve file (default: the first codec)")
    p.add_argument("--every", type=int, default=1, metavar="K", help="every K-th image (sorted by name)")
    p.add_argument("--limit", type=int, metavar="K", help="only the first K images (of those)")
    p.add_argument("--ref", nargs="+", metavar="FILE", help="reference curves (JSON) drawn dashed in the plots")
    p.add_argument("--fresh", action="store_true", help="ignore rows already in DIR and measure everything again")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_cluster_option(p, "measure the rows")
    p.set_defaults(func=cmd_bench)

    p = subparsers.add_parser("bdrate", help="BD-rate of one rate-distortion curve against another",
                              description="Bjontegaard delta rate (PCHIP) of TEST against ANCHOR, in percent. "
                                          "Both are JSON curves: CompressAI results or srcodec bench files.")
    p.add_argument("anchor", metavar="ANCHOR.json")
    p.add_argument("test", metavar="TEST.json")
    p.add_argument("--metric", default="psnr-rgb", choices=["psnr-rgb", "ms-ssim-rgb", "psnr-y", "ssimulacra2", "vmaf"],
                   help="quality metric (MS-SSIM is compared in dB; SSIMULACRA2 and VMAF on their own scales, "
                        "from curves written by srcodec bench); default psnr-rgb")
    p.add_argument("--quiet", action="store_true", help="print only the number")
    p.set_defaults(func=cmd_bdrate)

    p = subparsers.add_parser("plot", help="PSNR-bpp and MS-SSIM-bpp plots (PNG and SVG)",
                              description="Plot the curves of run folders and/or JSON files to "
                                          "PREFIX_psnr.{png,svg} and PREFIX_msssim.{png,svg}, and PREFIX_ssimulacra2 and "
                                          "PREFIX_vmaf where the curves have those metrics.")
    p.add_argument("sources", nargs="+", metavar="DIR|JSON")
    p.add_argument("--out", required=True, metavar="PREFIX", help="output path prefix")
    p.add_argument("--ref", nargs="+", metavar="FILE", help="reference curves drawn dashed")
    p.add_argument("--title", help="plot title")
    p.set_defaults(func=cmd_plot)

    p = subparsers.add_parser("report", help="one self-contained HTML page of a benchmark run",
                              description="Plots, BD-rate table, averages, settings and side-by-side crops of a "
                                          "bench run folder, in one HTML file with every image inline.")
    p.add_argument("run", metavar="DIR", help="a folder written by srcodec bench")
    p.add_argument("-o", "--output", metavar="FILE", help="the HTML file (default DIR/report.html)")
    p.add_argument("--crops", type=int, default=3, metavar="N", help="images shown as crops (default 3)")
    p.add_argument("--crop-bpp", type=float, default=0.5, metavar="BPP",
                   help="target rate of the crops (default 0.5)")
    p.add_argument("--crop-size", type=int, default=192, metavar="PX", help="crop side in pixels (default 192)")
    p.add_argument("--ref", nargs="+", metavar="FILE", help="more reference curves for the plots")
    p.set_defaults(func=cmd_report)
