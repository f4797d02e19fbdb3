#!/usr/bin/env python3
"""Where a restorer's gain comes from: per image, the RGB and luma PSNR of the plain decode and of the
restored one, from the same file.

For each image of the data sets given, codes it once with a ×1 restored pipeline (``vvc-restored`` by
default) at one quality, decodes that file plainly (the codec's own decode, ``decode_plain``) and with
the network, and prints bpp, RGB PSNR of both, the gain in RGB PSNR and the gain in luma PSNR (BT.601
Y). A gain in RGB PSNR without one in Y is a gain in colour (chroma reconstruction), not in detail.
With ``--out FILE`` the table is written there too. ``--compare WEIGHTS`` adds the gain of another weights file
of the same network (a training run's ``weights.safetensors``) on the same files; ``--every K`` takes every K-th
image, ``--qualities`` several qualities. ``--adaptive`` adds content-adaptive restoration, measured: per image and
colour channel, the strength ``a`` of the network's correction (``plain + a (restored - plain)``, least squares
against the source, ``a`` in 0..2 in steps of 1/32: the three bytes ``vvc-restored:adapt=1`` carries)::

    python benchmarks/restorer_per_image.py ../shared/datasets/set14 ../shared/datasets/kodak \\
        [--pipeline vvc-restored] [--quality 31] [--out benchmarks/results/vvc-restored-per-image.md]
    python benchmarks/restorer_per_image.py ../shared/datasets/kodak --every 3 --qualities 23 33 \\
        --compare runs/vvc-restorer-fr/weights.safetensors
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
    from srcodec.post.restorer import STRENGTH_STEPS, apply_strengths, decoder_planes, fit_strengths

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("datasets", nargs="+")
    ap.add_argument("--pipeline", default="vvc-restored")
    ap.add_argument("--quality", type=float, default=31.0)
    ap.add_argument("--qualities", type=float, nargs="+", help="several qualities instead of --quality")
    ap.add_argument("--every", type=int, default=1, help="every K-th image of each data set")
    ap.add_argument("--compare", type=Path, help="another weights file of the pipeline's network, on the same files")
    ap.add_argument("--adaptive", action="store_true", help="add the gain with a per-image strength per channel")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    pipe = get_codec(args.pipeline)
    if not pipe.plain_decode or pipe.wrapped_codec() is None:
        raise SystemExit(f"restorer_per_image: {args.pipeline} is not a x1 restored pipeline")
    qualities = args.qualities or [args.quality]
    other = None
    if args.compare:
        from srcodec.archs import load_stages
        from srcodec.post.restorer import restore

        other = load_stages(args.compare)["restorer"].eval()
    lines = [f"<!-- Written by `python benchmarks/restorer_per_image.py {' '.join(sys.argv[1:])}`; do not edit by hand. -->",
             "", f"`{args.pipeline}` at quality {', '.join(f'{q:g}' for q in qualities)} "
             f"({pipe.settings().get('inner_settings', {})}): the same file decoded plainly and with the network"
             + (f" (and with `{args.compare}`)" if other is not None else "") + "; colour images only.", "",
             "| data set | image | quality | bpp | plain PSNR (dB) | restored PSNR (dB) | gain RGB (dB) | gain Y (dB) |"
             + (" gain RGB, compared (dB) |" if other is not None else "")
             + (" gain RGB, per-image strength (dB) | strengths R, G, B |" if args.adaptive else ""),
             "|---|---|---|---|---|---|---|---|" + ("---|" if other is not None else "")
             + ("---|---|" if args.adaptive else "")]
    for dataset in args.datasets:
        gains, gains_y, gains_other, gains_adaptive = [], [], [], []
        for path in find_images(dataset)[::args.every]:
            img = load_image(path)
            if img.shape[2] != 3:
                continue
            for q in qualities:
                data = pipe.encode(img, q)
                plain, restored = pipe.decode_plain(data), pipe.decode(data)
                g, gy = psnr(img, restored) - psnr(img, plain), psnr_y(img, restored) - psnr_y(img, plain)
                gains.append(g)
                gains_y.append(gy)
                row = (f"| {Path(dataset).name} | {path.name} | {q:g} | {8 * len(data) / (img.shape[0] * img.shape[1]):.3f} | "
                       f"{psnr(img, plain):.2f} | {psnr(img, restored):.2f} | {g:+.3f} | {gy:+.3f} |")
                if other is not None:  # the same planes and quality through the other weights
                    planes = decoder_planes(get_codec(pipe.inner), pipe.unwrap(data))
                    gains_other.append(psnr(img, restore(other, planes, q)) - psnr(img, plain))
                    row += f" {gains_other[-1]:+.3f} |"
                if args.adaptive:
                    codes = fit_strengths(img, plain, restored)  # what vvc-restored:adapt=1 writes and applies
                    gains_adaptive.append(psnr(img, apply_strengths(plain, restored, codes)) - psnr(img, plain))
                    row += f" {gains_adaptive[-1]:+.3f} | {', '.join(f'{c / STRENGTH_STEPS:.3f}' for c in codes)} |"
                lines.append(row)
                print(row, flush=True)
        if gains:
            row = (f"| {Path(dataset).name} | **mean of {len(gains)}** | | | | | **{statistics.mean(gains):+.3f}** | "
                   f"**{statistics.mean(gains_y):+.3f}** |"
                   + (f" **{statistics.mean(gains_other):+.3f}** |" if gains_other else "")
                   + (f" **{statistics.mean(gains_adaptive):+.3f}** | |" if gains_adaptive else ""))
            lines.append(row)
            print(row, flush=True)
    if args.out:
        write_atomic(args.out, ("\n".join(lines) + "\n").encode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
