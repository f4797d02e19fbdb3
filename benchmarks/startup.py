#!/usr/bin/env python3
"""Start-up time of the CLI: ``srcodec --help`` and ``srcodec compress --codec jpeg`` (targets 0.5 s, 0.6 s).

    python benchmarks/startup.py [--repeat 5]

Each command runs as a fresh process (``python -m srcodec ...``, as a user runs it); the best of
``--repeat`` runs is printed, with whether torch was imported.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def best(cmd: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        png = Path(d) / "a.png"
        subprocess.run([sys.executable, "-c", f"import numpy as np, srcodec; srcodec.save_png("
                        f"np.full((512, 768, 3), 128, np.uint8), {str(png)!r})"], check=True)
        rows = [("srcodec --help", [sys.executable, "-m", "srcodec", "--help"], 0.5),
                ("srcodec compress --codec jpeg (768x512)", [sys.executable, "-m", "srcodec", "compress", str(png),
                                                             "--codec", "jpeg", "-y"], 0.6)]
        for name, cmd, target in rows:
            t = best(cmd, args.repeat)
            print(f"{name:45s} {t:.3f} s (target {target} s) {'ok' if t <= target else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
