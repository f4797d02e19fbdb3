#!/usr/bin/env python3
"""Which settings of each web format make the smallest file at a SSIMULACRA2 target: the choice behind
``auto:formats=``'s :data:`srcodec.pipelines.auto.FORMATS`.

For each format, its settings as ``srcodec`` ships them (PSNR-best, ``benchmarks/anchor_settings.py``)
and the alternatives that may suit a perceptual metric better, on the first ``--images`` Kodak images
at each SSIMULACRA2 target (``--targets``): the smallest real file whose decode reaches the target
(``srcodec.targets.encode_for_quality``, the search ``auto:formats=`` runs at effort 2), and for each
alternative the geometric mean of its bytes over the default's, file by file, where both reach the target.

Usage: python benchmarks/web_format_settings.py [--images 3] [--targets 60,70,80] [--formats jpeg,avif]
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time

#: per format: its shipped spec first, then the alternatives measured against it
VARIANTS = {
    "jpeg": ("jpegli", "jpeg", "jpeg:subsampling=444"),
    "webp": ("webp",),
    "avif": ("avif", "avif:tune=ssim", "avif:tune=default", "avif:subsampling=420"),
    "jxl": ("jxl", "jxl:effort=7"),
}


def main() -> int:
    from srcodec.bench.photos import data_dir
    from srcodec.codecs import get_codec
    from srcodec.errors import SrcodecError
    from srcodec.io.image import load_image
    from srcodec.pipelines.auto import EFFORT
    from srcodec.targets import encode_for_quality

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", type=int, default=3)
    ap.add_argument("--targets", default="60,70,80")
    ap.add_argument("--formats", default=",".join(VARIANTS))
    args = ap.parse_args()
    files = sorted(data_dir("kodak").glob("*.png"))[: args.images]
    targets = [float(t) for t in args.targets.split(",")]
    for fmt in args.formats.split(","):
        specs = VARIANTS[fmt]
        sizes: dict[str, dict] = {s: {} for s in specs}
        seconds: dict[str, float] = {s: 0.0 for s in specs}
        for f in files:
            img = load_image(f)
            for spec in specs:
                codec = get_codec(spec)
                lo, hi = codec.quality_range
                step = max(1.0 if codec.integer_quality else 0.0, EFFORT[2][1] * (hi - lo))
                for t in targets:
                    t0 = time.perf_counter()
                    try:
                        data, _, _ = encode_for_quality(codec, img, t, "ssimulacra2", tolerance=step)
                        sizes[spec][(f.name, t)] = len(data)
                    except SrcodecError:
                        pass
                    seconds[spec] += time.perf_counter() - t0
        base = specs[0]
        print(f"{fmt}: {len(files)} Kodak images, SSIMULACRA2 targets {args.targets}; bytes against `{base}`")
        for spec in specs:
            both = [k for k in sizes[spec] if k in sizes[base]]
            if not both:
                print(f"  {spec:<24} reaches no target where {base} does")
                continue
            ratio = math.exp(statistics.mean(math.log(sizes[spec][k] / sizes[base][k]) for k in both))
            print(f"  {spec:<24} {100 * (ratio - 1):+6.1f} % ({len(both)} files; reached {len(sizes[spec])} of "
                  f"{len(files) * len(targets)}; search {seconds[spec]:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
