"""Photo-sized test images: mosaics of the training pool's photographs (never of a test set).

A 12-megapixel photo is what people compress; the test sets are 0.4 megapixels. :func:`mosaic` tiles the
training images at their own resolution (no scaling) into a ``w`` × ``h`` picture, photographs everywhere
and no flat areas, the same picture every time (the images in name order).
"""

from __future__ import annotations

import numpy as np

from srcodec.data import data_dir

__all__ = ["data_dir", "mosaic"]


def mosaic(w: int, h: int, folder: str = "train/bsds500") -> np.ndarray:
    """A ``h`` × ``w`` RGB mosaic of the images of ``folder`` (under the data sets), each at its own size."""
    from srcodec.io.image import load_image, to_rgb

    paths = sorted(p for p in data_dir(folder).iterdir() if p.is_file())
    if not paths:
        raise FileNotFoundError(f"{data_dir(folder)}: no images")
    out = np.empty((h, w, 3), np.uint8)
    k, y = 0, 0
    while y < h:
        x, row_h = 0, None
        while x < w:
            tile = to_rgb(load_image(paths[k % len(paths)]))
            k += 1
            row_h = row_h or tile.shape[0]
            th, tw = min(row_h, tile.shape[0], h - y), min(tile.shape[1], w - x)
            out[y:y + th, x:x + tw] = tile[:th, :tw]
            if th < min(row_h, h - y):  # a shorter image: repeat its last row to the row's height
                out[y + th:y + min(row_h, h - y), x:x + tw] = tile[th - 1:th, :tw]
            x += tw
        y += min(row_h, h - y)
    return out


def measure_command(args: list[str], threads: int = 2) -> dict:
    """Run ``srcodec ARGS...`` in a child process as a user runs it: ``{"seconds", "peak_mb", "rc", "error"}`` with
    the wall time (start-up included) and the child's own peak resident memory (``ru_maxrss`` of that child
    alone, through a wrapper process); ``error`` is the last line of its standard error when it failed."""
    import os
    import subprocess
    import sys
    import time

    wrapper = [sys.executable, "-c",
               "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]).returncode; "
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(r)",
               sys.executable, "-m", "srcodec", *args]
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    t0 = time.perf_counter()
    proc = subprocess.run(wrapper, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    lines = proc.stdout.strip().splitlines()
    peak = int(lines[-1]) / 1024 if lines and lines[-1].isdigit() else float("nan")
    err = proc.stderr.strip().splitlines()[-1] if proc.returncode and proc.stderr.strip() else ""
    return {"seconds": seconds, "peak_mb": peak, "rc": proc.returncode, "error": err, "stdout": proc.stdout}


def written_file(stdout: str, fallback):
    """The file ``srcodec compress`` says it wrote (``SRC -> DST: N bytes``: named after the format that won), or
    ``fallback``."""
    import re
    from pathlib import Path

    found = re.search(r" -> (.+?): \d+ bytes", stdout)
    return Path(found.group(1)) if found else Path(fallback)
