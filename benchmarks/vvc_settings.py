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
    from srcodec.io.files import write_atomic
    from srcodec.metrics import psnr

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--name", default="chroma", help="the table's name: benchmarks/results/vvc-settings-NAME.md")
    ap.add_argument("--specs", default=CHROMA, help="codec specs, comma-separated; the first is the reference")
    ap.add_argument("--images", type=int, default=8)
    ap.add_argument("--qualities", default="21,26,31,36", help="63 - QP (default: QP 42, 37, 32, 27)")
    args = ap.parse_args()
    every = find_images([TRAIN])
    files = every[:: max(1, len(every) // args.images)][: args.images]
    images = [load_training_image(f) for f in files]
    images = [im[: im.shape[0] // 2 * 2, : im.shape[1] // 2 * 2] for im in images]
    qualities = [float(v) for v in args.qualities.split(",")]
    curves, seconds = {}, {}
    for spec in args.specs.split(","):
        codec = get_codec(spec)
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
    text = "\n".join(lines) + "\n"
    print(text)
    write_atomic(RESULTS / f"vvc-settings-{args.name}.md", text.encode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
