"""Real files vs the model's estimate, and encode/decode speed, of the learned codec.

For every image of a folder (Kodak by default) and every quality, this encodes
a real ``.srz`` file, decodes it, and records: the file size, the size of the
entropy-coded payload, the model's own estimate of that payload (the sum of
``-log2`` likelihoods of the rounded latents under the float model), PSNR, and
the wall time of ``encode`` and ``decode``. It prints one line per quality and
a summary (median encode/decode time, payload overhead vs estimate), and writes
everything as JSON.

    python benchmarks/learned_codec_stats.py --out runs/learned-stats.json

Timing is per call on the whole image (768x512 for Kodak), torch threads as
given; the first image is coded once beforehand to warm up.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np
import torch

from srcodec.codecs.learned import LearnedCodec
from srcodec.container import srz
from srcodec.io.image import load_image
from srcodec.metrics import psnr
from srcodec.data import data_dir


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(data_dir("kodak")))
    ap.add_argument("--weights", default=None, help="weights file (default: the installed ones)")
    ap.add_argument("--qualities", type=float, nargs="+", default=[1, 2, 3, 4, 5, 6, 7, 8])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--limit", type=int, default=None, help="only the first K images")
    ap.add_argument("--out", default=None, help="JSON file for all measurements")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    codec = LearnedCodec(args.weights)
    paths = sorted(Path(args.data).glob("*.png"))[: args.limit]
    images = [load_image(p) for p in paths]
    codec.decode(codec.encode(images[0], args.qualities[0]))  # warm-up

    rows = []
    for q in args.qualities:
        for path, img in zip(paths, images):
            t0 = time.perf_counter()
            data, estimate = codec.encode_estimated(img, q)
            t1 = time.perf_counter()
            out = codec.decode(data)
            t2 = time.perf_counter()
            header = srz.describe(data)
            h, w = img.shape[:2]
            rows.append({"image": path.name, "quality": q, "bytes": len(data), "bpp": 8 * len(data) / (h * w),
                         "payload_bits": 8 * header["payload_bytes"], "estimate_bits": estimate,
                         "psnr": psnr(img, out), "encode_s": t1 - t0, "decode_s": t2 - t1})

    print(f"{'q':>4} {'bpp':>7} {'PSNR':>7} {'payload/estimate':>17} {'enc s':>6} {'dec s':>6}")
    for q in args.qualities:
        r = [x for x in rows if x["quality"] == q]
        over = sum(x["payload_bits"] for x in r) / sum(x["estimate_bits"] for x in r) - 1
        print(f"{q:>4g} {np.mean([x['bpp'] for x in r]):7.4f} {np.mean([x['psnr'] for x in r]):7.2f} {100 * over:+16.2f}% "
              f"{statistics.median(x['encode_s'] for x in r):6.3f} {statistics.median(x['decode_s'] for x in r):6.3f}")
    total_over = sum(x["payload_bits"] for x in rows) / sum(x["estimate_bits"] for x in rows) - 1
    file_over = sum(8 * x["bytes"] for x in rows) / sum(x["estimate_bits"] for x in rows) - 1
    enc = statistics.median(x["encode_s"] for x in rows)
    dec = statistics.median(x["decode_s"] for x in rows)
    print(f"images={len(paths)} qualities={len(args.qualities)} threads={args.threads} settings={codec.settings()}")
    print(f"payload vs model estimate: {100 * total_over:+.3f}%   whole file (header included) vs estimate: {100 * file_over:+.3f}%")
    print(f"median encode {enc:.3f} s, median decode {dec:.3f} s per image")
    if args.out:
        Path(args.out).write_text(json.dumps({"rows": rows, "payload_overhead": total_over, "file_overhead": file_over,
                                              "median_encode_s": enc, "median_decode_s": dec, "threads": args.threads,
                                              "settings": codec.settings()}, indent=1))


if __name__ == "__main__":
    main()
