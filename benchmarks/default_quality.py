#!/usr/bin/env python3
"""What the default ``srcodec compress photo.png`` gives, by eye: its SSIMULACRA2 against the default level.

Runs ``srcodec compress IMAGE`` (no options: ``auto`` at its default ``-q``, SSIMULACRA2 70) as a user
does, on the first ``--kodak`` Kodak images and on a 12-megapixel photo (``--photo PATH``, default: a
4000x3000 mosaic of Kodak images, ``ssimulacra2_reference.kodak_mosaic``), decodes each real file with
``srcodec decompress`` and prints its bpp, SSIMULACRA2, VMAF, PSNR, the chosen pipeline and the seconds the
command took; the last line says whether every file reaches the default level.

Usage: python benchmarks/default_quality.py [--kodak 24] [--photo PATH | --no-photo]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ssimulacra2_reference import KODAK, kodak_mosaic

from srcodec.api import decompress, identify
from srcodec.codecs import codec_class
from srcodec.io.image import load_image, save_png
from srcodec.metrics import psnr, ssimulacra2, vmaf
from srcodec.pipelines.auto import level_ssimulacra2


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kodak", type=int, default=24, help="the first N Kodak images (default: all 24)")
    ap.add_argument("--photo", type=Path, help="a 12-megapixel photo (default: a mosaic of Kodak images)")
    ap.add_argument("--no-photo", action="store_true")
    args = ap.parse_args()
    level = level_ssimulacra2(codec_class("auto").default_quality)
    print(f"default: auto -q {codec_class('auto').default_quality:g}, SSIMULACRA2 target {level:g}")
    print(f"{'image':<28} {'pixels':>10} {'bpp':>7} {'SSIMULACRA2':>11} {'VMAF':>6} {'PSNR':>6} {'seconds':>8}  chosen")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        inputs = sorted(KODAK.glob("*.png"))[: args.kodak]
        if not args.no_photo:
            photo = args.photo or Path(tmp) / "kodak-mosaic-4000x3000.png"
            if args.photo is None:
                save_png(kodak_mosaic(), photo)
            inputs.append(photo)
        for src in inputs:
            out = Path(tmp) / (src.stem + ".srz")
            t0 = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "srcodec", "compress", str(src), "-o", str(out), "-y"],
                                  capture_output=True, text=True)
            seconds = time.perf_counter() - t0
            if proc.returncode != 0:
                print(f"{src.name:<28} failed: {proc.stderr.strip().splitlines()[-1]}")
                ok = False
                continue
            img, data = load_image(src), out.read_bytes()
            dec = decompress(data)
            score = ssimulacra2(img, dec)
            ok &= score >= level
            h, w = img.shape[:2]
            print(f"{src.name:<28} {h * w:>10} {8 * len(data) / (h * w):>7.4f} {score:>11.2f} {vmaf(img, dec):>6.2f} "
                  f"{psnr(img, dec):>6.2f} {seconds:>8.1f}  {identify(data)}", flush=True)
    print(f"every file at SSIMULACRA2 >= {level:g}: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
