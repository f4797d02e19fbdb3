#!/usr/bin/env python3
"""Peak memory and time of compressing and decoding a 7680x4320 image (target: < 2 GB each way).

    python benchmarks/memory_8k.py [--codecs learned,vvc-restored] [--size 7680x4320] [--threads 2]

The image is Kodak's kodim01..24 tiled side by side (a photograph everywhere, no flat areas). For
each codec, ``srcodec compress`` and ``srcodec decompress`` run as separate processes (as a user runs
them) with ``--threads`` torch threads; their peak resident memory (``ru_maxrss`` of the child) and
wall time are printed and written to ``benchmarks/results/memory-8k.md``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from srcodec.io.files import write_atomic
from srcodec.io.image import load_image, save_png

ROOT = Path(__file__).resolve().parents[1]
KODAK = ROOT.parent / "shared" / "datasets" / "kodak"
OUT = ROOT / "benchmarks" / "results" / "memory-8k.md"
TARGET_GB = 2.0


def mosaic(w: int, h: int) -> np.ndarray:
    tiles = [load_image(p)[:512, :512] for p in sorted(KODAK.glob("*.png"))]
    out = np.empty((h, w, 3), np.uint8)
    k = 0
    for y in range(0, h, 512):
        for x in range(0, w, 512):
            t = tiles[k % len(tiles)]
            k += 1
            out[y:y + 512, x:x + 512] = t[: min(512, h - y), : min(512, w - x)]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--codecs", default="learned")
    ap.add_argument("--size", default="7680x4320")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--quality", type=float, default=None)
    args = ap.parse_args()
    w, h = (int(v) for v in args.size.split("x"))
    lines = ["<!-- Written by `python benchmarks/memory_8k.py`; do not edit by hand. -->", "",
             f"{w}x{h} (Kodak crops tiled), one process per command, {args.threads} threads; peak resident memory "
             "of the process (ru_maxrss) and wall time.", "",
             "| codec | step | seconds | peak GB | under 2 GB | file bytes |", "|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "big.png"
        save_png(mosaic(w, h), src)
        for codec in args.codecs.split(","):
            coded = Path(d) / f"big-{codec}.srz"
            q = ["-q", str(args.quality)] if args.quality is not None else []
            # each measurement in its own child so that ru_maxrss is that command's alone
            for step, cmd in (("compress", ["compress", str(src), "-o", str(coded), "--codec", codec, *q, "-y"]),
                              ("decompress", ["decompress", str(coded), "-o", str(Path(d) / "out.png"), "-y"])):
                wrapper = [sys.executable, "-c",
                           "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]).returncode; "
                           "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(r)",
                           sys.executable, "-m", "srcodec", *cmd]
                env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
                t0 = time.perf_counter()
                proc = subprocess.run(wrapper, env=env, capture_output=True, text=True)
                dt = time.perf_counter() - t0
                if proc.returncode:
                    lines.append(f"| `{codec}` | {step} | failed: {proc.stderr.strip().splitlines()[-1:]} | | | |")
                    continue
                peak = int(proc.stdout.strip().splitlines()[-1]) / 1024 / 1024
                size = coded.stat().st_size if coded.exists() else 0
                lines.append(f"| `{codec}` | {step} | {dt:.1f} | {peak:.2f} | {'yes' if peak < TARGET_GB else 'no'} | {size:,} |")
                print(lines[-1], flush=True)
    text = "\n".join(lines) + "\n"
    write_atomic(OUT, text.encode())
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
