#!/usr/bin/env python3
"""Peak memory and time of compressing and decoding a 7680x4320 image (target: < 2 GB each way).

    python benchmarks/memory_8k.py [--codecs default,learned] [--size 7680x4320] [--threads 2]

The image is a mosaic of training photographs (``srcodec.bench.photos.mosaic``: a photograph everywhere, no
flat areas). ``default`` is ``srcodec compress`` as a user runs it, without ``--codec``. For each codec, ``srcodec compress`` and ``srcodec decompress`` run as separate processes (as a user runs
them) with ``--threads`` torch threads; their peak resident memory (``ru_maxrss`` of the child) and
wall time are printed and written to ``benchmarks/results/memory-8k.md``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path


from srcodec.bench.photos import measure_command, mosaic, written_file
from srcodec.io.image import save_png
from srcodec.bench.render import write_page

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "memory-8k.md"
TARGET_GB = 2.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--codecs", default="default,learned",
                    help="comma-separated codecs; 'default' runs srcodec compress without --codec (default: %(default)s)")
    ap.add_argument("--size", default="7680x4320")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--quality", type=float, default=None)
    args = ap.parse_args()
    w, h = (int(v) for v in args.size.split("x"))
    lines = ["<!-- Written by `python benchmarks/memory_8k.py`; do not edit by hand. -->", "",
             f"{w}x{h} (training photographs tiled, `srcodec.bench.photos.mosaic`), one process per command, {args.threads} threads; peak resident memory "
             "of the process (ru_maxrss) and wall time.", "",
             "| codec | step | seconds | peak GB | under 2 GB | file bytes |", "|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "big.png"
        save_png(mosaic(w, h), src)
        for codec in args.codecs.split(","):
            coded = Path(d) / f"big-{codec}.out"
            q = ["-q", str(args.quality)] if args.quality is not None else []
            # each measurement in its own child so that ru_maxrss is that command's alone
            for step in ("compress", "decompress"):
                cmd = (["compress", str(src), "-o", str(coded), *([] if codec == "default" else ["--codec", codec]), *q, "-y"]
                       if step == "compress" else ["decompress", str(coded), "-o", str(Path(d) / "out.png"), "-y"])
                m = measure_command(cmd, args.threads)
                if step == "compress":
                    coded = written_file(m["stdout"], coded)  # named after the format that won
                if m["rc"]:
                    lines.append(f"| `{codec}` | {step} | failed: {m['error']} | | | |")
                    continue
                dt, peak = m["seconds"], m["peak_mb"] / 1024
                size = coded.stat().st_size if coded.exists() else 0
                lines.append(f"| `{codec}` | {step} | {dt:.1f} | {peak:.2f} | {'yes' if peak < TARGET_GB else 'no'} | {size:,} |")
                print(lines[-1], flush=True)
    write_page(OUT, lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
