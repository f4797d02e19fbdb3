#!/usr/bin/env python3
"""Regenerate the decode-speed section of docs/results.md: decode time of the ×2 pipelines on Kodak, 2 threads.

The Kodak bench (``srcodec bench --jobs 2``) times each row with one torch
thread while another row runs beside it; the targets (issue 4: decode of one
Kodak image with the default ×2 pipeline ≤ 2 s median; issue 5: the latent
decoder faster than the decoded anchor) are about this 2-core machine used by
one decode at a time. So this script, for each codec below whose weights are
shipped, encodes every Kodak image once at the middle quality of the codec's
bench sweep, then decodes the file ``--repeat`` times with ``--threads`` torch
threads (default 2) in this process, nothing else running, and takes the
fastest of the repeats per image (the usual way to time on a shared machine),
then the median over the images. The encode is not timed.

Results are cached in ``runs/decode-speed/<codec>.json`` (keyed by the codec's
settings, weights hash included) and written between ``<!-- begin
decode_speed -->`` and ``<!-- end decode_speed -->`` of docs/results.md.

Usage: python benchmarks/decode_speed.py [--codecs a,b,...] [--limit K] [--threads N] [--repeat R]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

import torch
from tqdm import tqdm

from srcodec.bench.sections import write_section
from srcodec.codecs import codec_class, get_codec
from srcodec.io.image import load_image
from srcodec.bench.analysis import cached_rows, keep_rows
from srcodec.train.harness import machine_description
from srcodec.bench.render import generated
from srcodec.data import data_dir

ROOT = Path(__file__).resolve().parents[1]
KODAK = data_dir("kodak")
RUN = ROOT / "runs" / "decode-speed"
DOC = ROOT / "docs" / "results.md"
SECTION = "decode_speed"
#: the ×2 pipelines (issue 4 and 5), the VVC pipelines (issue 13) and, for scale, the full-resolution codecs they wrap
CODECS = ("tun2023-x2", "jin-jpeg-x2", "jin-avif-x2", "jiang-comcnn", "upenik-x2", "upenik-decoded-x2",
          "upenik-x4", "upenik-decoded-x4", "vvc-restored", "vvc-x2", "learned", "jpeg", "avif", "vvc")
TARGET_S = 2.0


def time_codec(name: str, images: list[Path], threads: int, repeat: int) -> dict:
    codec = get_codec(name)
    q = codec.sweep[len(codec.sweep) // 2]
    key = {"settings": codec.settings(), "quality": q, "threads": threads, "repeat": repeat}
    cache = RUN / f"{name}.json"
    rows = cached_rows(cache, key)
    for path in tqdm(images, desc=name, leave=False):
        if path.name in rows:
            continue
        data = codec.encode(load_image(path), q)
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            codec.decode(data)
            times.append(time.perf_counter() - t0)
        rows[path.name] = {"bytes": len(data), "decode_s": min(times)}
        keep_rows(cache, key, rows, quality=q)
    return {"quality": q, "rows": {p.name: rows[p.name] for p in images}}


def section(results: dict[str, dict], skipped: dict[str, str], cmd: str, threads: int, repeat: int, n: int) -> str:
    L = [generated(cmd), "",
         "## Decode time on this machine (2 threads, one decode at a time)", "",
         f"Written by [`benchmarks/decode_speed.py`](../benchmarks/decode_speed.py): each codec encodes the first {n} "
         "Kodak image" + ("s" if n != 1 else "") + " at the middle quality of its bench sweep; each file is decoded "
         f"{repeat} times with {threads} torch thread{'s' if threads != 1 else ''}, nothing else running, and the "
         "fastest of those is kept; the table gives the median over the images. Machine: "
         f"{machine_description()} ({platform.machine()}).", "",
         "| codec | quality | mean bytes | median decode (s) | slowest image (s) | ≤ 2 s? |", "|---|---|---|---|---|---|"]
    for name, res in results.items():
        ts = [r["decode_s"] for r in res["rows"].values()]
        b = statistics.fmean(r["bytes"] for r in res["rows"].values())
        med = statistics.median(ts)
        L.append(f"| `{name}` | {res['quality']:g} | {b:,.0f} | {med:.2f} | {max(ts):.2f} | "
                 f"{'yes' if med <= TARGET_S else 'no'} |")
    if skipped:
        L += ["", "Not timed: " + "; ".join(f"`{k}` ({v})" for k, v in skipped.items()) + "."]
    return "\n".join(L) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--codecs", default=",".join(CODECS), help="comma-separated (default: %(default)s)")
    ap.add_argument("--limit", type=int, default=24, metavar="K", help="first K Kodak images (default: 24)")
    ap.add_argument("--threads", type=int, default=2, help="torch threads (default: 2)")
    ap.add_argument("--repeat", type=int, default=2, help="decodes per file, the fastest kept (default: 2)")
    ap.add_argument("--doc", type=Path, default=DOC)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    images = sorted(p for p in KODAK.iterdir() if p.suffix.lower() == ".png")[: args.limit]
    if not images:
        print(f"decode_speed: no PNG images in {KODAK}", file=sys.stderr)
        return 1
    results, skipped = {}, {}
    for name in args.codecs.split(","):
        why = codec_class(name).unavailable_reason()
        if why:
            skipped[name] = why.split(";")[0]
            continue
        results[name] = time_codec(name, images, args.threads, args.repeat)
        ts = [r["decode_s"] for r in results[name]["rows"].values()]
        print(f"{name}: median decode {statistics.median(ts):.3f} s over {len(ts)} images", file=sys.stderr)
    cmd = "python benchmarks/decode_speed.py" + ("" if args.codecs == ",".join(CODECS) else f" --codecs {args.codecs}") \
        + ("" if args.limit == 24 else f" --limit {args.limit}")
    write_section(args.doc, SECTION, section(results, skipped, cmd, args.threads, args.repeat, len(images)))
    print(args.doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
