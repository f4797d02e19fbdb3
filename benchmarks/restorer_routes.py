#!/usr/bin/env python3
"""The restorer's two CPU routes, fp32 and bf16 (``srcodec.post.restorer.fast_route``): same image? how fast?

    python benchmarks/restorer_routes.py [--images 6] [--qualities 23,33] [--threads 2] [--photo 4000x3000]

Codes the first ``--images`` Kodak images with ``vvc`` at each quality, restores each decode with the shipped
``vvc-restored`` network on both routes (channels-last weights in both) and prints, per route, the time and
the RGB PSNR, and between the routes the largest difference in levels and the share of pixels that differ;
then times both routes on a ``--photo``-sized mosaic of training images (one ``vvc`` decode, restored in
tiles as ``srcodec decompress`` does). Writes ``benchmarks/results/restorer-routes.md``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

from srcodec.archs import load_stages
from srcodec.bench.photos import data_dir, mosaic
from srcodec.codecs import get_codec
from srcodec.io.files import write_atomic
from srcodec.io.image import load_image
from srcodec.metrics import psnr
from srcodec.post.restorer import decoder_planes, fast_route, restore

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "restorer-routes.md"
WEIGHTS = ROOT / "src" / "srcodec" / "weights" / "vvc-restored.safetensors"


def timed(net, planes, q, route):
    t = time.perf_counter()
    out = restore(net, planes, q, route=route)
    return out, time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", type=int, default=6)
    ap.add_argument("--qualities", default="23,33")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--photo", default="4000x3000")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    net = load_stages(WEIGHTS, only=("restorer",))["restorer"].eval()
    codec = get_codec("vvc")
    rows, diffs = [], []
    kodak = sorted(data_dir("kodak").glob("*.png"))[: args.images]
    for path in kodak:
        img = load_image(path)
        for q in (float(v) for v in args.qualities.split(",")):
            planes = decoder_planes(codec, codec.encode(img, q))
            restore(net, planes, q, route="bf16")  # warm-up: oneDNN builds its kernels on the first call
            a, ta = timed(net, planes, q, "fp32")
            b, tb = timed(net, planes, q, "bf16")
            rows.append((path.stem, q, psnr(a, img), psnr(b, img), ta, tb))
            diffs.append((np.abs(a.astype(int) - b).max(), float((a != b).mean())))
    w, h = (int(v) for v in args.photo.lower().split("x"))
    photo = mosaic(w, h)
    planes = decoder_planes(codec, codec.encode(photo, 33))
    _, photo_fp32 = timed(net, planes, 33, "fp32")
    _, photo_bf16 = timed(net, planes, 33, "bf16")
    dpsnr = [r[3] - r[2] for r in rows]
    lines = ["# The restorer's CPU routes", "",
             f"Made by `python benchmarks/restorer_routes.py --images {args.images} --qualities {args.qualities} "
             f"--threads {args.threads} --photo {args.photo}`; this CPU's default route: `{fast_route()}`; "
             f"{args.threads} torch threads.", "",
             "| image | quality | PSNR fp32 | PSNR bf16 | restore s fp32 | restore s bf16 |", "|---|---|---|---|---|---|"]
    lines += [f"| {n} | {q:g} | {pa:.3f} | {pb:.3f} | {ta:.3f} | {tb:.3f} |" for n, q, pa, pb, ta, tb in rows]
    lines += ["", f"bf16 − fp32 PSNR: mean {np.mean(dpsnr):+.4f} dB, largest |difference| {np.max(np.abs(dpsnr)):.4f} dB; "
              f"largest pixel difference {max(d[0] for d in diffs)} level(s), pixels that differ: "
              f"{100 * np.mean([d[1] for d in diffs]):.2f} % on average.",
              f"Kodak restore time: fp32 {np.median([r[4] for r in rows]):.3f} s, bf16 {np.median([r[5] for r in rows]):.3f} s "
              f"(medians; ×{np.median([r[4] for r in rows]) / np.median([r[5] for r in rows]):.1f}).",
              f"{w}×{h} mosaic of training images, tiled: fp32 {photo_fp32:.2f} s, bf16 {photo_bf16:.2f} s "
              f"(×{photo_fp32 / photo_bf16:.1f}).", ""]
    write_atomic(OUT, "\n".join(lines).encode())
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
