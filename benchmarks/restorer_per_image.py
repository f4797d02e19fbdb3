#!/usr/bin/env python3
"""Where a restorer's gain comes from: per image, the RGB and luma PSNR of the plain decode and of the
restored one, from the same file.

For each image of the data sets given, codes it once with a ×1 restored pipeline (``vvc-restored`` by
default) at one quality, decodes that file plainly (the codec's own decode, ``decode_plain``) and with
the network, and prints bpp, RGB PSNR of both, the gain in RGB PSNR and the gain in luma PSNR (BT.601
Y). A gain in RGB PSNR without one in Y is a gain in colour (chroma reconstruction), not in detail.
With ``--out FILE`` the table is written there too::

    python benchmarks/restorer_per_image.py ../shared/datasets/set14 ../shared/datasets/kodak \\
        [--pipeline vvc-restored] [--quality 31] [--out benchmarks/results/vvc-restored-per-image.md]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path


def main() -> int:
    import torch

    from srcodec.bench.runner import find_images
    from srcodec.codecs import get_codec
    from srcodec.io.files import write_atomic
    from srcodec.io.image import load_image
    from srcodec.metrics import psnr, psnr_y

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("datasets", nargs="+")
    ap.add_argument("--pipeline", default="vvc-restored")
    ap.add_argument("--quality", type=float, default=31.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    pipe = get_codec(args.pipeline)
    if not hasattr(pipe, "decode_plain") or pipe.wrapped_codec() is None:
        raise SystemExit(f"restorer_per_image: {args.pipeline} is not a x1 restored pipeline")
    lines = [f"<!-- Written by `python benchmarks/restorer_per_image.py {' '.join(sys.argv[1:])}`; do not edit by hand. -->",
             "", f"`{args.pipeline}` at quality {args.quality:g} ({pipe.settings().get('inner_settings', {})}): the same "
             "file decoded plainly and with the network; colour images only.", "",
             "| data set | image | bpp | plain PSNR (dB) | restored PSNR (dB) | gain RGB (dB) | gain Y (dB) |",
             "|---|---|---|---|---|---|---|"]
    for dataset in args.datasets:
        gains, gains_y = [], []
        for path in find_images(dataset):
            img = load_image(path)
            if img.shape[2] != 3:
                continue
            data = pipe.encode(img, args.quality)
            plain, restored = pipe.decode_plain(data), pipe.decode(data)
            g, gy = psnr(img, restored) - psnr(img, plain), psnr_y(img, restored) - psnr_y(img, plain)
            gains.append(g)
            gains_y.append(gy)
            row = (f"| {Path(dataset).name} | {path.name} | {8 * len(data) / (img.shape[0] * img.shape[1]):.3f} | "
                   f"{psnr(img, plain):.2f} | {psnr(img, restored):.2f} | {g:+.3f} | {gy:+.3f} |")
            lines.append(row)
            print(row, flush=True)
        if gains:
            row = (f"| {Path(dataset).name} | **mean of {len(gains)}** | | | | **{statistics.mean(gains):+.3f}** | "
                   f"**{statistics.mean(gains_y):+.3f}** |")
            lines.append(row)
            print(row, flush=True)
    if args.out:
        write_atomic(args.out, ("\n".join(lines) + "\n").encode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
