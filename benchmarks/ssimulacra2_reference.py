#!/usr/bin/env python3
"""srcodec's SSIMULACRA2 against scores of libjxl's C++ reference, next to the PyPI ``ssimulacra2``
package, and its speed.

    python benchmarks/ssimulacra2_reference.py [--reference ../shared/reference/ssimulacra2] [--kodak N]

Prints, for each pair: the reference score, srcodec's (``srcodec.metrics.ssimulacra2``) and the
PyPI package's (``ssimulacra2.compute_ssimulacra2`` on the same files, when installed):

- the tank pair of rust-av/ssimulacra2 (reference 17.398505 for ``tank_source.png`` against
  ``tank_distorted.png``; the folder has that PNG's JPEG XL file, decoded to 8-bit RGB: within one
  level of the PNG, so expect a small gap for that reason alone);
- the synthetic pairs of imazen/ssimulacra2 (``src/reference_data.rs``, captured from the C++ tool),
  rebuilt by the same recipe: flat grey 128 against 128 + shift at 32..256 px, a grey ramp and
  LCG noise against flat grey (pairs of identical images are left out: every implementation
  gives 100);
- the seconds per image on the first ``--kodak`` Kodak images (JPEG quality 40 against the
  original) and on a 12-megapixel mosaic of training photographs (4000x3000,
  ``srcodec.bench.photos.mosaic``), best of two runs.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from srcodec.bench.photos import data_dir, mosaic
from srcodec.io.image import load_image, save_png
from srcodec.metrics import ssimulacra2

ROOT = Path(__file__).resolve().parents[1]
TANK_REFERENCE = 17.398505
# imazen/ssimulacra2 ssimulacra2/src/reference_data.rs (C++ tool's scores); key: (kind, shift, side)
SYNTHETIC = {
    ("shift", 1, 32): 97.7492143, ("shift", 5, 32): 98.80827382, ("shift", 10, 32): 96.5311409,
    ("shift", 20, 32): 93.7982322, ("shift", 50, 32): 85.01409588,
    ("shift", 1, 64): 97.98672126, ("shift", 5, 64): 91.52357693, ("shift", 10, 64): 80.24289393,
    ("shift", 20, 64): 56.05855584, ("shift", 50, 64): -8.75942256,
    ("shift", 1, 128): 96.78920738, ("shift", 5, 128): 88.54070876, ("shift", 10, 128): 77.84296299,
    ("shift", 20, 128): 54.27883917, ("shift", 50, 128): -9.82383315,
    ("shift", 1, 256): 96.15027098, ("shift", 5, 256): 89.73209436, ("shift", 10, 256): 80.29149136,
    ("shift", 20, 256): 59.77892918, ("shift", 50, 256): -0.39085784,
    ("gradient", 0, 64): -64.56872148, ("noise", 0, 64): -47.33572558,
}


def _lcg_noise(n: int, seed: int) -> np.ndarray:
    state, out = seed, []
    for _ in range(n * n * 3):
        state = (state * 6364136223846793005 + 1442695040888963407) & (2**64 - 1)
        out.append((state >> 33) & 0xFF)
    return np.array(out, np.uint8).reshape(n, n, 3)


def synthetic_pair(kind: str, shift: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    flat = np.full((n, n, 3), 128, np.uint8)
    if kind == "shift":
        return flat, np.full((n, n, 3), 128 + shift, np.uint8)
    if kind == "gradient":
        ramp = (np.arange(n) * 255 // (n - 1)).astype(np.uint8)
        return np.repeat(np.tile(ramp[None, :, None], (n, 1, 1)), 3, axis=2), flat
    return _lcg_noise(n, 42), flat


def package_score():
    """The PyPI package's function on two arrays (through PNG files), or None when not installed."""
    try:
        from ssimulacra2 import compute_ssimulacra2
    except ImportError:
        return None

    def score(a: np.ndarray, b: np.ndarray) -> float:
        with tempfile.TemporaryDirectory() as d:
            pa, pb = Path(d) / "a.png", Path(d) / "b.png"
            save_png(a, pa)
            save_png(b, pb)
            return float(compute_ssimulacra2(str(pa), str(pb)))
    return score


def timed(fn, *args, repeat: int = 2) -> tuple[float, float]:
    best, value = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = fn(*args)
        best = min(best, time.perf_counter() - t0)
    return value, best


def jpeg(image: np.ndarray, quality: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format="JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reference", type=Path, default=ROOT.parent / "shared" / "reference" / "ssimulacra2")
    ap.add_argument("--kodak", type=int, default=4, help="Kodak images to time (0: none)")
    ap.add_argument("--no-12mp", action="store_true", help="skip the 12-megapixel timing")
    args = ap.parse_args()
    pkg = package_score()
    fmt = "{:<28} {:>12} {:>10} {:>8} {:>10} {:>8}"
    print(fmt.format("pair", "reference", "srcodec", "diff", "PyPI 0.3", "diff"))

    def line(name, ref, a, b):
        ours = ssimulacra2(a, b)
        theirs = pkg(a, b) if pkg else float("nan")
        print(fmt.format(name, f"{ref:.4f}", f"{ours:.4f}", f"{ours - ref:+.4f}", f"{theirs:.4f}", f"{theirs - ref:+.4f}"))

    tank = args.reference / "tank_source.png"
    if tank.exists():
        import pillow_jxl  # noqa: F401  (registers the JPEG XL decoder)

        src = np.asarray(Image.open(tank).convert("RGB"))
        dist = np.asarray(Image.open(args.reference / "tank_distorted.jxl").convert("RGB"))
        line("tank (distorted: its .jxl)", TANK_REFERENCE, src, dist)
    else:
        print(f"(no {tank}: tank pair skipped)")
    for (kind, shift, n), ref in SYNTHETIC.items():
        name = f"{kind} {shift} {n}x{n}" if kind == "shift" else f"{kind} vs flat {n}x{n}"
        line(name, ref, *synthetic_pair(kind, shift, n))

    kodak = data_dir("kodak")
    paths = sorted(kodak.glob("*.png"))[: args.kodak] if kodak.is_dir() else []
    if paths:
        ours_t, theirs_t = [], []
        for p in paths:
            img = load_image(p)
            dist = jpeg(img, 40)
            ours_t.append(timed(ssimulacra2, img, dist)[1])
            if pkg:
                theirs_t.append(timed(pkg, img, dist, repeat=1)[1])
        print(f"\nseconds per Kodak image (768x512, {len(paths)} images, median): srcodec {np.median(ours_t):.2f}"
              + (f", PyPI package {np.median(theirs_t):.2f} (its time includes reading two PNGs)" if pkg else ""))
        if not args.no_12mp:
            photo = mosaic(4000, 3000)
            dist = jpeg(photo, 40)
            value, seconds = timed(ssimulacra2, photo, dist)
            print(f"seconds for a 4000x3000 mosaic of training photographs (JPEG q40, score {value:.2f}): "
                  f"srcodec {seconds:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
