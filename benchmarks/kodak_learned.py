#!/usr/bin/env python3
"""The learned codec on Kodak: RD points, BD-rates, PSNR at 0.40 bpp, learning curve.

Runs, from the repository root::

    srcodec bench ../shared/datasets/kodak --codecs learned --out runs/kodak-learned --jobs 1

(resumed when the run already holds rows; ``--skip-bench`` to only read it),
keeps a copy of the resulting curve in ``benchmarks/results/kodak-learned.json``
(read from there when the run folder is gone), and prints:

- the learned codec's points (bpp from the real ``.srz`` files, PSNR over RGB, MS-SSIM), each
  beside CompressAI's bmshj2018-hyperprior at the same integer quality (the span of the knob);
- PSNR at 0.40 bpp (log-rate interpolation) and the gap to Tun et al.'s 33.10 dB;
- BD-rates (PSNR and MS-SSIM) of the learned codec against our anchors
  (``runs/kodak-anchors``: VVC, AVIF, WebP, JPEG, when present) and the published
  curves in ``/work/shared/reference/kodak`` (VTM, BPG, CompressAI's
  bmshj2018-hyperprior and mbt2018-mean), with ``srcodec.bench.bdrate``;
- the learning curve from ``benchmarks/results/<run>/val.jsonl`` when given ``--val``
  (more files for a run continued with ``--init``, see ``learning_curve.py``).

Usage: python benchmarks/kodak_learned.py [--skip-bench] [--val benchmarks/results/learned-ckbd-n64m128/val.jsonl ...]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from srcodec.bench.runlogs import read_curve
from srcodec.bench.anchors import REFERENCE as PUBLISHED
from srcodec.bench import bdrate
from srcodec.bench.anchors import bd_cell as bd
from srcodec.io.files import write_atomic
from srcodec.data import data_dir

ROOT = Path(__file__).resolve().parents[1]
DATASET = os.path.relpath(data_dir("kodak"), ROOT)
RUN = ROOT / "runs" / "kodak-learned"
ANCHORS = ROOT / "runs" / "kodak-anchors"
SAVED = ROOT / "benchmarks" / "results" / "kodak-learned.json"
REFERENCE = PUBLISHED  # the published curves that ship with the package
REFS = ("vtm.json", "bpg_444_x265_ycbcr.json", "compressai-bmshj2018-hyperprior_mse_cpu.json",
        "compressai-mbt2018-mean_mse_cpu.json")
SPAN_REF = "compressai-bmshj2018-hyperprior_mse_cpu.json"
TUN_PSNR_AT_04 = 33.10  # Tun et al., PSNR (dB) on Kodak at 0.40 bpp


def psnr_at(curve: bdrate.Curve, bpp: float) -> float | None:
    r, p = curve.points("psnr-rgb")
    if r.size < 2 or not (r.min() <= bpp <= r.max()):
        return None
    return float(np.interp(math.log(bpp), np.log(r), p))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-bench", action="store_true", help="only read the run (or the saved curve)")
    ap.add_argument("--val", nargs="+", metavar="VAL_JSONL",
                    help="val.jsonl of the training run (then of each continuation), for the learning curve")
    ap.add_argument("--run", default=str(RUN), help="the bench run folder (default: %(default)s)")
    ap.add_argument("--saved", default=str(SAVED), help="where the curve is kept (default: %(default)s)")
    args = ap.parse_args()
    run, saved = Path(args.run), Path(args.saved)
    if not args.skip_bench:
        cmd = [sys.executable, "-m", "srcodec", "bench", DATASET, "--codecs", "learned", "--out", str(run), "--jobs", "1"]
        if subprocess.run(cmd, cwd=ROOT).returncode != 0:
            print("kodak_learned: the bench failed", file=sys.stderr)
            return 1
    if (run / "learned.json").exists():
        data = json.loads((run / "learned.json").read_text())
        saved.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(saved, (json.dumps(data, indent=1) + "\n").encode())
    learned = bdrate.load_curve(saved)
    res = learned.results

    print(f"learned codec on Kodak ({learned.source}):")
    # the span of the quality knob: CompressAI's model at the same integer quality (their qualities are 1..8)
    span_ref = json.loads((REFERENCE / SPAN_REF).read_text())["results"]["bpp"] if (REFERENCE / SPAN_REF).exists() else []
    print(f"{'q':>4} {'bpp':>7} {'PSNR':>7} {'MS-SSIM':>8}   {SPAN_REF} at the same quality: bpp, ours/theirs")
    for i, b in enumerate(res["bpp"]):
        ms = res.get("ms-ssim-rgb", [None] * len(res["bpp"]))[i]
        q = res.get("quality", [None] * len(res["bpp"]))[i]
        ref = span_ref[int(q) - 1] if q is not None and float(q).is_integer() and 1 <= q <= len(span_ref) else None
        cmp = "" if ref is None else f"   {ref:.3f}  {b / ref:.2f}"
        print(f"{q!s:>4} {b:7.4f} {res['psnr-rgb'][i]:7.2f} {ms if ms is None else round(ms, 4)!s:>8}{cmp}")
    at = psnr_at(learned, 0.40)
    print(f"PSNR at 0.40 bpp: {at if at is None else round(at, 2)} dB; Tun et al.: {TUN_PSNR_AT_04} dB; "
          f"gap: {None if at is None else round(TUN_PSNR_AT_04 - at, 2)} dB")

    anchors = []
    if ANCHORS.is_dir():
        for name in ("vvc", "avif", "webp", "jpeg"):
            p = ANCHORS / f"{name}.json"
            if p.exists():
                anchors.append(bdrate.load_curve(p))
    anchors += [bdrate.load_curve(REFERENCE / r) for r in REFS if (REFERENCE / r).exists()]
    print("\nBD-rate of the learned codec against each anchor (negative: fewer bits for the same quality)")
    print(f"{'anchor':<48} {'PSNR':>10} {'MS-SSIM':>10}   anchor PSNR@0.40")
    for a in anchors:
        a_at = psnr_at(a, 0.40)
        print(f"{(a.label + ' (' + Path(a.source).name + ')')[:48]:<48} {bd(a, learned, 'psnr-rgb'):>10} "
              f"{bd(a, learned, 'ms-ssim-rgb'):>10}   {a_at if a_at is None else round(a_at, 2)}")

    print("n/a: no quality range in common (BD-rate is only defined where both curves exist)")

    if args.val:
        rows = read_curve(args.val)
        print("\nlearning curve (validation images, model-estimated bits): minutes, step, PSNR at 0.40 bpp")
        for r in rows:
            v = r.get("psnr_at_0.4bpp")
            print(f"{r['seconds'] / 60:7.1f} {r['step']:7d} {v if v is None else round(v, 2)!s:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
