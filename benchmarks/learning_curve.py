"""The learning curve of a ``srcodec train codec`` run, from its validation log.

Prints, for each validation: training minutes, step, and Kodak PSNR at 0.4 bpp
(interpolated in log-rate between the eight quality levels, model-estimated
bits, on the run's validation images; empty when 0.4 bpp is outside the eight
levels), the lowest level's bpp/PSNR, and each level's bpp/PSNR at the end.

    python benchmarks/learning_curve.py benchmarks/results/learned-ckbd-n64m128/val.jsonl
"""

from __future__ import annotations

import argparse
import json


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("val_jsonl")
    args = ap.parse_args()
    rows = [json.loads(line) for line in open(args.val_jsonl) if line.strip()]
    print(f"{'minutes':>8} {'step':>7} {'PSNR@0.4bpp':>12} {'q=1: bpp':>9} {'PSNR':>6}")
    for r in rows:
        at = r.get("psnr_at_0.4bpp")
        low = r["levels"][0]
        print(f"{r['seconds'] / 60:8.1f} {r['step']:7d} {at if at is None else round(at, 2)!s:>12} {low['bpp']:9.3f} {low['psnr']:6.2f}")
    last = rows[-1]
    print("last validation, per level (estimated bpp / PSNR):")
    for lv in last["levels"]:
        print(f"  q={lv['q']}: {lv['bpp']:.4f} bpp  {lv['psnr']:.2f} dB")


if __name__ == "__main__":
    main()
