#!/usr/bin/env python3
"""RGB-aware 4:2:0 before VVC (issue 29): what fitting the chroma to the decoder's upsampler, and the luma to the
RGB, would buy in RGB PSNR. An experiment: ``vvc`` does not do it (yet).

    python benchmarks/vvc_chroma_fit.py [--data train/bsds500] [--images 6] [--preset faster]

``vvc`` makes its 4:2:0 chroma as the 2×2 mean of the full-resolution chroma and the decoder (any VVC decoder,
through the VUI's chroma siting) rebuilds it bilinearly (``codecs/vvc.py``). Two changes that any decoder would
read unchanged:

- **fitted chroma**: the half-resolution planes C that minimise ‖U C − c‖² for the decoder's bilinear upsampler U
  (conjugate gradients on UᵀU C = Uᵀc from the 2×2 mean, 12 steps; U and Uᵀ are separable, written by hand);
- **adjusted luma**: given the chroma the decoder will rebuild, the luma that makes the RGB closest to the source
  (per pixel, the mean over R, G, B of what each channel asks of Y: closed form for full-range BT.601).

For each variant: the RGB PSNR of the 4:2:0 round trip alone (no coding), and the BD-rate (RGB PSNR) of real
``vvc`` encodes at five QPs against the plain conversion, on the first ``--images`` images of ``--data``
(a training folder by default: a choice of default is never made on a test set).
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

import srcodec.codecs.vvc as vvc
from srcodec.bench import bdrate
from srcodec.bench.photos import data_dir
from srcodec.codecs import get_codec
from srcodec.io.image import load_image, to_rgb
from srcodec.metrics import psnr

QUALITIES = (18, 23, 28, 33, 37)


def _up(p: np.ndarray, axis: int) -> np.ndarray:
    """The decoder's bilinear ×2 along ``axis`` (centre sited, edge replicated): vvc.upsample_centre, one axis."""
    p = np.moveaxis(p, axis, 0)
    pp = np.concatenate([p[:1], p, p[-1:]], 0)
    out = np.empty((2 * p.shape[0],) + p.shape[1:], np.float64)
    out[0::2] = 0.75 * pp[1:-1] + 0.25 * pp[:-2]
    out[1::2] = 0.75 * pp[1:-1] + 0.25 * pp[2:]
    return np.moveaxis(out, 0, axis)


def _up_t(g: np.ndarray, axis: int) -> np.ndarray:
    """The transpose of :func:`_up` along ``axis``."""
    g = np.moveaxis(g, axis, 0)
    e, o = g[0::2], g[1::2]
    t = 0.75 * e + 0.75 * o
    t[:-1] += 0.25 * e[1:]
    t[0] += 0.25 * e[0]
    t[1:] += 0.25 * o[:-1]
    t[-1] += 0.25 * o[-1]
    return np.moveaxis(t, 0, axis)


def upsample(c: np.ndarray) -> np.ndarray:
    return _up(_up(c, 0), 1)


def fit_chroma(full: np.ndarray, start: np.ndarray, steps: int = 12) -> np.ndarray:
    """The half-resolution plane whose bilinear ×2 is closest to ``full`` (least squares, conjugate gradients)."""
    def normal(x):
        return _up_t(_up_t(upsample(x), 1), 0)

    x = start.copy()
    r = _up_t(_up_t(full, 1), 0) - normal(x)
    p, rs = r.copy(), float((r * r).sum())
    for _ in range(steps):
        ap = normal(p)
        a = rs / float((p * ap).sum())
        x += a * p
        r -= a * ap
        rn = float((r * r).sum())
        p, rs = r + rn / rs * p, rn
    return x


def to_yuv420(rgb: np.ndarray, fit: bool, adjust: bool, matrix: int = vvc.ENCODE_MATRIX):
    """``vvc.rgb_to_yuv420``'s planes, with fitted chroma and/or adjusted luma."""
    kr, kb = vvc.MATRICES[matrix]
    kg = 1 - kr - kb
    x = rgb.astype(np.float64) * (1023 / 255)
    y = kr * x[..., 0] + kg * x[..., 1] + kb * x[..., 2]
    cb, cr = (x[..., 2] - y) / (2 * (1 - kb)), (x[..., 0] - y) / (2 * (1 - kr))
    planes = []
    for c in (cb, cr):
        mean = 0.25 * (c[0::2, 0::2] + c[1::2, 0::2] + c[0::2, 1::2] + c[1::2, 1::2])
        planes.append(np.clip(np.rint((fit_chroma(c, mean) if fit else mean) + 512), 0, 1023))
    if adjust:  # each channel is Y plus what the rebuilt chroma adds: the Y closest to all three
        u, v = upsample(planes[0] - 512), upsample(planes[1] - 512)
        y = (x[..., 0] - 2 * (1 - kr) * v + x[..., 1] + (kr * 2 * (1 - kr) * v + kb * 2 * (1 - kb) * u) / kg
             + x[..., 2] - 2 * (1 - kb) * u) / 3
    return (np.clip(np.rint(y), 0, 1023).astype(np.uint16), *(p.astype(np.uint16) for p in planes))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="train/bsds500", help="a folder under the data sets (default: %(default)s)")
    ap.add_argument("--images", type=int, default=6)
    ap.add_argument("--preset", default="faster", help="VVenC preset of the encodes (default: %(default)s)")
    args = ap.parse_args()
    images = []
    for path in sorted(p for p in data_dir(args.data).iterdir() if p.is_file())[: args.images]:
        img = to_rgb(load_image(path))
        images.append(np.ascontiguousarray(img[: img.shape[0] // 2 * 2, : img.shape[1] // 2 * 2]))
    variants = {"2×2 mean (vvc today)": (False, False), "fitted chroma": (True, False),
                "fitted chroma + adjusted luma": (True, True)}
    codec = get_codec(f"vvc:preset={args.preset}")
    plain = vvc.rgb_to_yuv420
    curves, caps = {}, {}
    try:
        for name, (fit, adjust) in variants.items():
            caps[name] = np.mean([psnr(vvc.yuv420_to_rgb(*to_yuv420(img, fit, adjust)), img) for img in images])
            vvc.rgb_to_yuv420 = (lambda rgb, matrix=vvc.ENCODE_MATRIX, peak=255, f=fit, a=adjust: to_yuv420(rgb, f, a, matrix))
            bpp, ps = [], []
            for q in QUALITIES:
                files = [codec.encode(img, q) for img in images]
                bpp.append(np.mean([8 * len(d) / img.shape[0] / img.shape[1] for d, img in zip(files, images)]))
                ps.append(np.mean([psnr(codec.decode(d), img) for d, img in zip(files, images)]))
            curves[name] = bdrate.Curve(name, {"bpp": bpp, "psnr-rgb": ps})
            print(f"{name}: round trip {caps[name]:.2f} dB; bpp {np.round(bpp, 4).tolist()}, PSNR {np.round(ps, 2).tolist()}",
                  flush=True)
    finally:
        vvc.rgb_to_yuv420 = plain
    base = curves["2×2 mean (vvc today)"]
    print(f"\n{args.data}, {len(images)} images, vvc preset {args.preset}, QP {63 - QUALITIES[-1]}..{63 - QUALITIES[0]}:")
    for name, curve in curves.items():
        print(f"  {name}: 4:2:0 round trip {caps[name]:.2f} dB, BD-rate (RGB PSNR) {bdrate.bd_rate(base, curve):+.2f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
