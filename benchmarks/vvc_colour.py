#!/usr/bin/env python3
"""The evidence behind the vvc codec's colour conversion and decoder: caps and timings on Kodak.

    python benchmarks/vvc_colour.py [--images 24]

1. The RGB -> Y'CbCr 4:2:0 (10 bit) -> RGB round trip *without any coding*, mean RGB PSNR over the
   Kodak images: ffmpeg's own conversion (swscale defaults, as ``ffmpeg -i x.png -pix_fmt
   yuv420p10le`` does it) against srcodec's (``srcodec.codecs.vvc``: full range, 2x2 mean, centre
   siting, bilinear reconstruction) with the BT.601 and the BT.709 matrix. This caps the PSNR any
   VVC encoder can reach through that conversion.
2. Decode time of one Kodak ``.266`` (QP 32, preset medium): PyAV in-process against the ffmpeg
   binary as a subprocess (best of 5 each, one thread).

Writes ``benchmarks/results/vvc-colour.md`` and prints it.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from srcodec.codecs import vvc
from srcodec.io.files import write_atomic
from srcodec.io.image import load_image
from srcodec.metrics import psnr
from srcodec.data import data_dir

ROOT = Path(__file__).resolve().parents[1]
KODAK = data_dir("kodak")
OUT = ROOT / "benchmarks" / "results" / "vvc-colour.md"


def ffmpeg_roundtrip(path: Path, w: int, h: int) -> np.ndarray:
    exe = vvc.ffmpeg_exe()
    yuv = subprocess.run([exe, "-v", "error", "-i", str(path), "-pix_fmt", "yuv420p10le", "-f", "rawvideo", "-"],
                         capture_output=True, check=True).stdout
    rgb = subprocess.run([exe, "-v", "error", "-f", "rawvideo", "-pix_fmt", "yuv420p10le", "-s", f"{w}x{h}", "-i", "-",
                          "-pix_fmt", "rgb24", "-f", "rawvideo", "-"], input=yuv, capture_output=True, check=True).stdout
    return np.frombuffer(rgb, np.uint8).reshape(h, w, 3)


def ours(img: np.ndarray, matrix: int) -> np.ndarray:
    return vvc.yuv420_to_rgb(*vvc.rgb_to_yuv420(img, matrix), matrix=matrix, full_range=True)


def best_of(fn, n: int = 5) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", type=int, default=24)
    args = ap.parse_args()
    files = sorted(KODAK.glob("*.png"))[: args.images]
    rows = {"ffmpeg defaults (swscale)": [], "srcodec, BT.601 full range": [], "srcodec, BT.709 full range": []}
    for f in files:
        img = load_image(f)
        h, w = img.shape[:2]
        rows["ffmpeg defaults (swscale)"].append(psnr(img, ffmpeg_roundtrip(f, w, h)))
        rows["srcodec, BT.601 full range"].append(psnr(img, ours(img, 5)))
        rows["srcodec, BT.709 full range"].append(psnr(img, ours(img, 1)))

    img = load_image(files[0])
    data = vvc.VVC().encode(img, 31)
    exe = vvc.ffmpeg_exe()
    t_av = best_of(lambda: vvc.decode_planes(data))
    t_proc = best_of(lambda: subprocess.run([exe, "-v", "error", "-threads", "1", "-f", "vvc", "-i", "-", "-f", "rawvideo",
                                             "-pix_fmt", "yuv420p10le", "-"], input=data, capture_output=True, check=True))
    lines = ["<!-- Written by `python benchmarks/vvc_colour.py`; do not edit by hand. -->", "",
             f"RGB -> Y'CbCr 4:2:0 10-bit -> RGB without coding, mean RGB PSNR over {len(files)} Kodak images:", "",
             "| conversion | mean PSNR (dB) | min | max |", "|---|---|---|---|"]
    for name, vals in rows.items():
        lines.append(f"| {name} | {np.mean(vals):.2f} | {np.min(vals):.2f} | {np.max(vals):.2f} |")
    lines += ["", f"Decode of `{files[0].name}` coded at QP 32 (preset medium, {len(data)} bytes), best of 5, one thread:", "",
              "| decoder | seconds |", "|---|---|",
              f"| PyAV (ffmpeg's native VVC decoder, in-process), planes only | {t_av:.3f} |",
              f"| the ffmpeg binary as a subprocess, planes to a pipe | {t_proc:.3f} |", ""]
    text = "\n".join(lines)
    write_atomic(OUT, text.encode())
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
