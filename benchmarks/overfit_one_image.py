#!/usr/bin/env python3
"""The overfitted codec (``overfit``, Cool-chic / C3 family) on one Kodak image: its encode time, its decode
time and its BD-rate against ``vvc``, ``vvc-restored`` and Cool-chic 5.0.1's file of the same image (issue 29).

``overfit`` is fitted at each λ of Cool-chic 5.0.1's published results (``--lambdas``), so both codecs' points
are made at the same rate-distortion trade-off; ``vvc`` and ``vvc-restored`` run their default sweeps on the
same image. Every file is written, decoded and measured (bpp from its bytes, RGB PSNR). The fit's loss every
``CURVE_EVERY`` steps is kept with each row: the learning curve of the section's figure.

Rows are kept in ``benchmarks/results/overfit-one-image.json`` (keyed by the codecs' settings), so an
interrupted run resumes and a rerun measures nothing.

    python benchmarks/overfit_one_image.py [--image kodim23.png] [--steps 1000[,4000]] [--lambdas L,...] [--doc PATH]

A run with other ``--steps`` or ``--lambdas`` adds its rows to the kept ones; the section shows every kept row.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from srcodec.bench.analysis import cached_rows, keep_rows
from srcodec.bench.anchors import bd_cell, coolchic_per_image
from srcodec.bench.render import generated, save_figure, table
from srcodec.bench.sections import write_section

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "results.md"
KEPT = ROOT / "benchmarks" / "results" / "overfit-one-image.json"
CURVE_EVERY = 25
ANCHORS = ("vvc", "vvc-restored:adapt=1")


def coolchic_points(image: str) -> list[dict]:
    """Cool-chic 5.0.1's published files of ``image`` (:func:`srcodec.bench.anchors.coolchic_per_image`)."""
    return [c for c in coolchic_per_image() if c["image"] == image]


def measure_one(codec, img, quality: float, progress=None) -> dict:
    """One file of ``codec`` at ``quality``: bytes, bpp, PSNR, encode and decode seconds."""
    from srcodec.metrics import psnr

    t0 = time.perf_counter()
    data = codec.encode(img, quality, progress=progress) if progress else codec.encode(img, quality)
    encode_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    out = codec.decode_like(data, img)
    decode_s = time.perf_counter() - t0
    h, w = img.shape[:2]
    return {"quality": quality, "bytes": len(data), "bpp": 8 * len(data) / (h * w), "psnr": psnr(img, out),
            "encode_s": encode_s, "decode_s": decode_s}


def measure(image: str, overfit_specs: list[str], lambdas: list[float], rows: dict, save) -> dict:
    import torch

    from srcodec.codecs import get_codec
    from srcodec.codecs.overfit import quality_of
    from srcodec.data import data_dir
    from srcodec.io.image import load_image

    torch.set_num_threads(2)
    img = load_image(data_dir("kodak") / image)
    plan = [(spec, q) for spec in ANCHORS for q in get_codec(spec).sweep]
    plan += [(spec, quality_of(lm)) for spec in overfit_specs for lm in lambdas]
    for spec, q in plan:
        key = f"{spec}|{q:.6g}"
        if key in rows:
            continue
        codec = get_codec(spec)
        curve: list[list[float]] = []

        def progress(step, steps, loss):
            if step % CURVE_EVERY == 0 or step == steps:
                curve.append([step, loss])
        row = measure_one(codec, img, q, progress if spec.startswith("overfit") else None)
        if curve:
            row["curve"] = curve
        rows[key] = {"codec": spec, **row}
        save(rows)
        print(f"{image} {spec} q={q:.4g}: {row['bytes']} bytes, {row['bpp']:.4f} bpp, {row['psnr']:.3f} dB, "
              f"encode {row['encode_s']:.1f} s, decode {row['decode_s']:.2f} s", flush=True)
    return rows


def _curve(name: str, points: list[dict]):
    from srcodec.bench.bdrate import Curve

    return Curve(name, {"bpp": [p["bpp"] for p in points], "psnr-rgb": [p["psnr"] for p in points]})


def render(image: str, rows: dict, command: str, doc: Path) -> str:
    from srcodec.codecs import get_codec
    from srcodec.codecs.overfit import lambda_of

    by_codec: dict[str, list[dict]] = {}
    for r in rows.values():
        by_codec.setdefault(r["codec"], []).append(r)
    for pts in by_codec.values():
        pts.sort(key=lambda r: r["bpp"])
    overfits = sorted((s for s in by_codec if s.startswith("overfit")),
                      key=lambda s: max(st for r in by_codec[s] for st, _ in r["curve"]))
    cc = {round(c["lmbda"], 6): c for c in coolchic_points(image)}
    curves = {"Cool-chic 5.0.1": _curve("coolchic", list(cc.values())), **{s: _curve(s, p) for s, p in by_codec.items()}}

    def bd(anchor, test):
        return bd_cell(curves[anchor], curves[test], "psnr-rgb")

    def lambdas_of(spec):
        return {f"{lambda_of(r['quality']):.4g}" for r in by_codec[spec]}

    def median(spec, field):
        return statistics.median(r[field] for r in by_codec[spec])

    anchors = [*(f"`{s}`" for s in ANCHORS), "Cool-chic 5.0.1"]
    bd_rows = [[f"`{s}`", f"{len(by_codec[s])}", f"{median(s, 'encode_s'):.0f}", f"{median(s, 'decode_s'):.2f}",
                *(bd(a.strip("`"), s) for a in anchors)] for s in overfits]
    bd_rows += [[f"`{s}`", f"{len(by_codec[s])}", f"{median(s, 'encode_s'):.1f}", f"{median(s, 'decode_s'):.2f}",
                 *(bd(a.strip("`"), s) if a.strip("`") != s else "" for a in anchors)] for s in ANCHORS]
    points = []
    for s in overfits:
        for r in sorted(by_codec[s], key=lambda r: r["quality"]):
            lam = lambda_of(r["quality"])
            c = cc.get(round(lam, 6))
            loss = 1000 * (10 ** (-r["psnr"] / 10) + lam * r["bpp"])  # the fit's objective, of the real file
            points.append([f"`{s}`", f"{lam:.4g}", f"{r['bytes']:,}", f"{r['bpp']:.4f}", f"{r['psnr']:.3f}",
                           f"{loss:.3f}", f"{c['bpp']:.4f}" if c else "", f"{c['psnr']:.3f}" if c else "",
                           f"{c['loss']:.3f}" if c else "", f"{r['encode_s']:.0f}", f"{r['decode_s']:.2f}"])
    figure = save_figure(_figure([r for s in overfits for r in by_codec[s]]), doc, "overfit-one-image-curve.png")
    lines = [generated(command), "", f"## The overfitted codec on one image ({image})", "",
             f"Written by [`benchmarks/overfit_one_image.py`](../benchmarks/overfit_one_image.py) (`{command}`). "
             "`overfit` ([`srcodec/codecs/overfit.py`](../src/srcodec/codecs/overfit.py)) fits a Cool-chic-style "
             "decoder and its latent grids to the image (`steps` of Adam) at each λ of Cool-chic 5.0.1's "
             "published results; the file holds the decoder's quantized weights and the grids, range-coded. "
             "The anchors run their default sweeps on the same image. bpp from each file's bytes; RGB PSNR; "
             "times on 2 torch threads, this machine. The section shows every row the script keeps for this image: "
             "runs with other `--steps` or `--lambdas` add theirs" + "".join(
                 f"; `{s}`'s come from `python benchmarks/overfit_one_image.py --steps {get_codec(s).opts['steps']} "
                 f"--lambdas {','.join(sorted(lambdas_of(s)))}`" for s in overfits if s != "overfit") + ".", "",
             "BD-rate (PSNR-RGB) of each row against each column (negative: fewer bits than the column):", "",
             *table(["codec", "points", "encode s (median)", "decode s (median)", *anchors], bd_rows),
             "", "Each λ against Cool-chic 5.0.1's file of the same image:", "",
             *table(["codec", "λ", "bytes", "bpp", "PSNR (dB)", "loss ×1000", "Cool-chic bpp", "Cool-chic PSNR (dB)",
                     "Cool-chic loss ×1000", "encode s", "decode s"], points), "",
             "The loss is what both codecs minimise, MSE (RGB, 0..1) + λ·bpp, ×1000: ours from the file's bytes "
             "and its decoded PSNR, Cool-chic's as published.", "",
             f"![the fit's loss (MSE + λ·bpp, ×1000) by step, one line per file]({figure})"]
    return "\n".join(lines) + "\n"


def _figure(rows: list[dict]):
    from matplotlib.figure import Figure

    from srcodec.codecs.overfit import lambda_of

    fig = Figure(figsize=(6, 4))
    ax = fig.subplots()
    for r in sorted(rows, key=lambda r: r["quality"]):
        steps, losses = zip(*r["curve"])
        ax.plot(steps, [1000 * v for v in losses], label=f"λ {lambda_of(r['quality']):.4g}, {steps[-1]:,} steps")
    ax.set_yscale("log")
    ax.set_xlabel("fitting step")
    ax.set_ylabel("loss x 1000 (MSE + λ bpp, training estimate)")
    ax.legend()
    ax.grid(True, alpha=0.3)
    return fig


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--image", default="kodim23.png", help="the Kodak image (default: kodim23.png)")
    ap.add_argument("--steps", default="1000", help="comma-separated fitting steps of overfit, one file per λ "
                    "for each (default: 1000)")
    ap.add_argument("--lambdas", default="", help="comma-separated λ (default: Cool-chic 5.0.1's)")
    ap.add_argument("--doc", type=Path, default=DOC)
    args = ap.parse_args()
    from srcodec.codecs import get_codec

    from srcodec.codecs.overfit import LAMBDA_HIGH, LAMBDA_LOW
    from srcodec.errors import SrcodecError

    try:
        lambdas = ([float(v) for v in args.lambdas.split(",")] if args.lambdas
                   else [c["lmbda"] for c in coolchic_points(args.image)])
        specs = [get_codec("overfit", steps=int(v)).spec for v in args.steps.split(",")]
    except (ValueError, SrcodecError) as exc:
        print(f"error: --steps takes whole numbers and --lambdas numbers, separated by commas ({exc})", file=sys.stderr)
        return 2
    if not lambdas or not all(LAMBDA_HIGH <= lm <= LAMBDA_LOW for lm in lambdas):
        print(f"error: no Cool-chic 5.0.1 results for {args.image}, or a λ outside {LAMBDA_HIGH:g}..{LAMBDA_LOW:g}",
              file=sys.stderr)
        return 2
    # the key holds the default overfit's settings: rows of other step counts are told apart by their spec
    key = {"image": args.image, "settings": {s: get_codec(s).settings() for s in (*ANCHORS, "overfit")}}
    rows = measure(args.image, specs, lambdas, cached_rows(KEPT, key), lambda r: keep_rows(KEPT, key, r))
    command = "python benchmarks/overfit_one_image.py" + (f" --image {args.image}" if args.image != "kodim23.png" else "") \
        + (f" --steps {args.steps}" if args.steps != "1000" else "") + (f" --lambdas {args.lambdas}" if args.lambdas else "")
    write_section(args.doc, "overfit_one_image", render(args.image, rows, command, args.doc))
    print(args.doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
