#!/usr/bin/env python3
"""How a fast VVenC preset stands in for the default one in ``auto``'s searches: the offsets it uses.

``auto`` searches each VVC candidate's quality with ``vvc:preset=faster`` (0.72 s against
medium's 12.28 s per encode in benchmarks/results/anchor-settings.md) and then encodes at medium once or twice (:mod:`srcodec.targets`, ``encode_probed``).
Its first medium encode starts from the probe's quality shifted by a prior offset: medium's
PSNR / MS-SSIM / SSIMULACRA2 / VMAF gain over the probe at the same QP, and its byte ratio. This script measures those
offsets on training images (never a test set) and prints them; the priors in
``srcodec.codecs.vvc.PROBE_OFFSETS`` are rounded from its output (on the conservative side).

Usage: python benchmarks/probe_offsets.py [--images 4] [--pipelines vvc-restored,vvc-x2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from srcodec.data import data_dir

ROOT = Path(__file__).resolve().parents[1]
TRAIN = data_dir("train/bsds500")


def main() -> int:
    from srcodec.codecs import get_codec
    from srcodec.io.image import load_image
    from srcodec.targets import METRICS, measure

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", type=int, default=4)
    ap.add_argument("--pipelines", default="vvc-restored,vvc-x2")
    ap.add_argument("--qualities", default="21,26,31,36")
    args = ap.parse_args()
    every = sorted(TRAIN.rglob("*.jpg"))
    files = every[:: max(1, len(every) // args.images)][: args.images]
    for name in args.pipelines.split(","):
        codec = get_codec(name)
        probe, _ = codec.probe()
        gains = {m: [] for m in METRICS}
        ratio = []
        for f in files:
            img = load_image(f)
            for q in (float(v) for v in args.qualities.split(",")):
                real, fast = codec.encode(img, q), probe.encode(img, q)
                a, b = codec.decode_like(real, img), codec.decode_like(fast, img)
                for m in METRICS:
                    gains[m].append(measure(img, a, m) - measure(img, b, m))
                ratio.append(len(real) / len(fast))
        for label, xs in [(f"{m} gain", gains[m]) for m in METRICS] + [("byte ratio", ratio)]:
            qs = statistics.quantiles(xs, n=4)
            print(f"{name}: {label}: median {statistics.median(xs):.4f}, quartiles {qs[0]:.4f}..{qs[2]:.4f} "
                  f"(n={len(xs)}, {len(files)} training images)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
