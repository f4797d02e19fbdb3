#!/usr/bin/env python3
"""Which VVenC settings are best for RGB PSNR, and what they cost in time: the evidence behind ``vvc``'s defaults.

Codes training images (never a test set: every N-th ImageNet sample, ↓2 as every training image is)
at four QPs with each codec spec given, and prints the BD-rate (RGB PSNR, PCHIP) of each against the
first, the mean PSNR and bpp per QP and the encode time per image and point; the table goes to
``benchmarks/results/vvc-settings-<name>.md``. Two runs made the defaults::

    python benchmarks/vvc_settings.py --name chroma   # chroma QP offsets 0, -3, -5, -6, -7, -9
    python benchmarks/vvc_settings.py --name wpp --specs vvc:wpp=0,vvc:wpp=1

- ``chroma``: VVenC's rate-distortion choices weigh luma against chroma as video coding does (PSNR over
  Y, Cb, Cr 6:1:1); RGB PSNR weighs chroma more (each RGB channel carries Cb or Cr errors at 0.5-3 times
  their power with the BT.601 matrix). A negative QP offset on both chroma planes (``CbQpOffset``,
  ``CrQpOffset``) buys chroma quality for a few more bits.
- ``wpp``: wavefront parallel processing lets VVenC's threads code CTU rows in parallel, at a small cost
  in rate.

``--per-image`` adds what choosing the setting per image would buy (issue 29: per-image encoder choices by RGB
rate-distortion cost): each image's BD-rate of each setting against the first, and, per image, the best of them
(an encoder that tried every setting at every QP and kept the best would get at most that; chosen on the same
points, an upper bound)::

    python benchmarks/vvc_settings.py --name chroma-per-image --per-image \
        --specs vvc:chroma_qp_offset=-6,vvc:chroma_qp_offset=-3,vvc:chroma_qp_offset=-5,vvc:chroma_qp_offset=-7,vvc:chroma_qp_offset=-9

Encode times are of one process with VVenC on every core; run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from srcodec.data import data_dir

ROOT = Path(__file__).resolve().parents[1]
TRAIN = data_dir("train/imagenet-samples")
RESULTS = ROOT / "benchmarks" / "results"
CHROMA = ",".join(f"vvc:chroma_qp_offset={o}" for o in (0, -3, -5, -6, -7, -9))


def main() -> int:
    from srcodec.bench.bdrate import Curve, bd_rate
    from srcodec.codecs import get_codec
    from srcodec.data.patches import find_images, load_training_image
    from srcodec.bench.render import write_page
    from srcodec.metrics import psnr

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--name", default="chroma", help="the table's name: benchmarks/results/vvc-settings-NAME.md")
    ap.add_argument("--specs", default=CHROMA, help="codec specs, comma-separated; the first is the reference")
    ap.add_argument("--images", type=int, default=8)
    ap.add_argument("--qualities", default="21,26,31,36", help="63 - QP (default: QP 42, 37, 32, 27)")
    ap.add_argument("--per-image", action="store_true", help="also each image's BD-rates, and the best setting per image")
    args = ap.parse_args()
    every = find_images([TRAIN])
    files = every[:: max(1, len(every) // args.images)][: args.images]
    images = [load_training_image(f) for f in files]
    images = [im[: im.shape[0] // 2 * 2, : im.shape[1] // 2 * 2] for im in images]
    qualities = [float(v) for v in args.qualities.split(",")]
    curves, seconds, per_image = {}, {}, {}
    for spec in args.specs.split(","):
        codec = get_codec(spec)
        bpp, quality = [], []
        mine = per_image[spec] = [{"bpp": [], "psnr-rgb": []} for _ in images]
        t0 = time.perf_counter()
        for q in qualities:
            bits = db = 0.0
            for k, img in enumerate(images):
                data = codec.encode(img, q)
                b, d = 8 * len(data) / (img.shape[0] * img.shape[1]), psnr(img, codec.decode(data))
                mine[k]["bpp"].append(b)
                mine[k]["psnr-rgb"].append(d)
                bits += b
                db += d
            bpp.append(bits / len(images))
            quality.append(db / len(images))
        seconds[spec] = (time.perf_counter() - t0) / (len(images) * len(qualities))
        curves[spec] = Curve(spec, {"bpp": bpp, "psnr-rgb": quality})
        print(f"{spec}: bpp {' '.join(f'{b:.3f}' for b in bpp)}  PSNR {' '.join(f'{d:.2f}' for d in quality)}  "
              f"{seconds[spec]:.2f} s", flush=True)
    ref = next(iter(curves))
    lines = ["<!-- Written by `python benchmarks/vvc_settings.py"
             + (f" {' '.join(sys.argv[1:])}" if sys.argv[1:] else "") + "`; do not edit by hand. -->", "",
             f"QP {', '.join(str(63 - int(q)) for q in qualities)} on {len(images)} training images (every "
             f"{max(1, len(every) // args.images)}th ImageNet sample, ↓2): BD-rate (RGB PSNR, PCHIP) of each setting "
             f"against `{ref}`, mean RGB PSNR and bpp at each QP, encode seconds per image and point (VVenC on every "
             "core, idle machine).", "",
             f"| setting | BD-rate vs `{ref}` | PSNR per QP (dB) | bpp per QP | encode s |",
             "|---|---|---|---|---|"]
    for spec, c in curves.items():
        lines.append(f"| `{spec}` | {bd_rate(curves[ref], c):+.2f} % | "
                     f"{' / '.join(f'{d:.2f}' for d in c.results['psnr-rgb'])} | "
                     f"{' / '.join(f'{b:.3f}' for b in c.results['bpp'])} | {seconds[spec]:.2f} |")
    if args.per_image:
        specs = list(curves)
        rates = {spec: [bd_rate(Curve(ref, per_image[ref][k]), Curve(spec, per_image[spec][k]))
                        for k in range(len(images))] for spec in specs}
        best = [min(specs, key=lambda spec: rates[spec][k]) for k in range(len(images))]
        lines += ["", f"Per image: BD-rate (RGB PSNR) of each setting against `{ref}` on that image, and the best "
                  "setting of each image (chosen on the same points: what a per-image choice could buy at most).", "",
                  "| image | " + " | ".join(f"`{s_}`" for s_ in specs) + " | best |", "|---|" + "---|" * (len(specs) + 1)]
        for k, f in enumerate(files):
            lines.append(f"| {f.name} | " + " | ".join(f"{rates[s_][k]:+.2f} %" for s_ in specs) + f" | `{best[k]}` |")
        mean_best = sum(rates[best[k]][k] for k in range(len(images))) / len(images)
        lines += ["", "Mean of the per-image BD-rates: " + ", ".join(
            f"`{s_}` {sum(rates[s_]) / len(images):+.2f} %" for s_ in specs)
            + f"; the best setting per image {mean_best:+.2f} %."]
    write_page(RESULTS / f"vvc-settings-{args.name}.md", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
