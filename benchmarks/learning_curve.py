"""The learning curve of a ``srcodec train codec`` run, from its validation logs.

Prints, for each validation: training minutes, step, and Kodak PSNR at 0.4 bpp
(interpolated in log-rate between the quality levels, model-estimated bits, on
the run's validation images; empty when 0.4 bpp is outside the levels), the
lowest level's bpp/PSNR, and each level's bpp/PSNR at the end.

A run continued with ``--init`` (a new run folder, counting from step 0) is
given as more files, in order: each continues the previous one's minutes and
steps, and its first validation (the previous weights again) is not repeated.

    python benchmarks/learning_curve.py benchmarks/results/learned-ckbd-n64m128/val.jsonl \\
        benchmarks/results/learned-ckbd-n64m128-c2/val.jsonl benchmarks/results/learned-ckbd-n64m128-c3/val.jsonl
"""

from __future__ import annotations

import argparse


from srcodec.bench.runlogs import read_curve


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("val_jsonl", nargs="+", help="val.jsonl of the run, then of each continuation")
    args = ap.parse_args()
    rows = read_curve(args.val_jsonl)
    many = len(args.val_jsonl) > 1
    print(f"{'minutes':>8} {'step':>7} {'PSNR@0.4bpp':>12} {'lowest: bpp':>12} {'PSNR':>6}" + ("  part" if many else ""))
    for r in rows:
        at = r.get("psnr_at_0.4bpp")
        low = r["levels"][0]
        print(f"{r['seconds'] / 60:8.1f} {r['step']:7d} {at if at is None else round(at, 2)!s:>12} {low['bpp']:12.3f} {low['psnr']:6.2f}"
              + (f"  {r['part']}" if many else ""))
    last = rows[-1]
    print(f"last validation, per level (estimated bpp / PSNR), {len(last['levels'])} levels:")
    for i, lv in enumerate(last["levels"]):
        print(f"  level {i}: {lv['bpp']:.4f} bpp  {lv['psnr']:.2f} dB")


if __name__ == "__main__":
    main()
