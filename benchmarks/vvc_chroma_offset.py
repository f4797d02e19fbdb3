#!/usr/bin/env python3
"""Which chroma QP offset makes VVenC best for RGB PSNR: the evidence behind ``vvc``'s default.

VVenC's rate-distortion choices weigh luma against chroma as video coding does (PSNR over Y, Cb, Cr
6:1:1); RGB PSNR, srcodec's metric, weighs chroma more (each RGB channel carries Cb or Cr errors
at 0.5-3 times their power with the BT.601 matrix). A negative QP offset on both chroma planes
(VVenC's ``CbQpOffset``/``CrQpOffset``, passed through ``-vvenc-params``) buys chroma quality for a
few more bits. This script codes training images (never a test set: every N-th ImageNet sample,
↓2 as every training image is) at four QPs with each offset, at one preset, and prints the BD-rate
(RGB PSNR, PCHIP) of each offset against offset 0; the table goes to
``benchmarks/results/vvc-chroma-offset.md``::

    python benchmarks/vvc_chroma_offset.py [--images 8] [--offsets 0,-2,-4,-6,-8] [--preset medium]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRAIN = ROOT.parent / "shared" / "datasets" / "train" / "imagenet-samples"
OUT = ROOT / "benchmarks" / "results" / "vvc-chroma-offset.md"


def main() -> int:
    from srcodec.bench.bdrate import Curve, bd_rate
    from srcodec.codecs import get_codec
    from srcodec.data.patches import find_images, load_training_image
    from srcodec.io.files import write_atomic
    from srcodec.metrics import psnr

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", type=int, default=8)
    ap.add_argument("--offsets", default="0,-2,-4,-6,-8")
    ap.add_argument("--preset", default="medium")
    ap.add_argument("--qualities", default="21,26,31,36", help="63 - QP (default: QP 42, 37, 32, 27)")
    args = ap.parse_args()
    every = find_images([TRAIN])
    files = every[:: max(1, len(every) // args.images)][: args.images]
    images = [load_training_image(f) for f in files]
    images = [im[: im.shape[0] // 2 * 2, : im.shape[1] // 2 * 2] for im in images]
    qualities = [float(v) for v in args.qualities.split(",")]
    curves, seconds = {}, {}
    for off in (int(v) for v in args.offsets.split(",")):
        codec = get_codec(f"vvc:preset={args.preset}:chroma_qp_offset={off}")
        bpp, quality = [], []
        t0 = time.perf_counter()
        for q in qualities:
            bits = db = 0.0
            for img in images:
                data = codec.encode(img, q)
                bits += 8 * len(data) / (img.shape[0] * img.shape[1])
                db += psnr(img, codec.decode(data))
            bpp.append(bits / len(images))
            quality.append(db / len(images))
        seconds[off] = (time.perf_counter() - t0) / (len(images) * len(qualities))
        curves[off] = Curve(f"offset {off}", {"bpp": bpp, "psnr-rgb": quality})
        print(f"offset {off:+d}: bpp {' '.join(f'{b:.3f}' for b in bpp)}  PSNR {' '.join(f'{d:.2f}' for d in quality)}",
              flush=True)
    ref = next(iter(curves))
    lines = ["<!-- Written by `python benchmarks/vvc_chroma_offset.py"
             + (f" {' '.join(sys.argv[1:])}" if sys.argv[1:] else "") + "`; do not edit by hand. -->", "",
             f"VVenC preset {args.preset}, QP {', '.join(str(63 - int(q)) for q in qualities)}, on {len(images)} training "
             f"images (every {max(1, len(every) // args.images)}th ImageNet sample, ↓2): BD-rate (RGB PSNR, PCHIP) of each "
             f"chroma QP offset (Cb and Cr) against offset {ref}, mean RGB PSNR at each QP and encode seconds per image "
             "and point.", "",
             "| chroma QP offset | BD-rate vs " + str(ref) + " | PSNR per QP (dB) | bpp per QP | encode s |",
             "|---|---|---|---|---|"]
    for off, c in curves.items():
        value = bd_rate(curves[ref], c)
        lines.append(f"| {off:+d} | {value:+.2f} % | {' / '.join(f'{d:.2f}' for d in c.results['psnr-rgb'])} | "
                     f"{' / '.join(f'{b:.3f}' for b in c.results['bpp'])} | {seconds[off]:.2f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    write_atomic(OUT, text.encode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
