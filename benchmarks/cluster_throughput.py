#!/usr/bin/env python3
"""Regenerate the cluster-throughput section of docs/results.md: a CPU-bound bench on 1 and 2 local Dask workers.

The same bench tasks (``srcodec bench``'s rows: each Kodak image of ``--limit`` coded by ``--codecs`` at
``--qualities``, decoded and measured) run three ways in one run of this script: in this process one
after the other (no Dask), on ``local:1`` and on ``local:2`` (:mod:`srcodec.cluster`, worker processes of
one thread on 127.0.0.1). Each cluster is started and warmed up first (every worker imports the bench
and builds the codecs) and only the tasks are timed, the fastest of ``--repeat`` passes kept. The
target (issue 28) is 2 workers ≥ 1.8× the throughput of 1 worker on this 2-core machine; it is a
statement about a quiet machine, so the section records the load average before the run. The rows of
every way must be identical (bytes, PSNR and every metric; the script fails otherwise).

The scheduling overhead per task is the wall time of ``--noop`` tasks that do nothing (``Cluster.map``
on 1 and on 2 workers, each task sent and its result returned) divided by their number.

The default codec, WebP at method 6, codes on one thread, so one worker uses one core.

Usage: python benchmarks/cluster_throughput.py [--limit K] [--codecs LIST] [--qualities Q ...] [--repeat R]
       [--noop N] [--doc FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

from srcodec.bench import runner
from srcodec.bench.sections import write_section
from srcodec.cluster import Cluster
from srcodec.io.files import read_bytes
from srcodec.train.harness import machine_description
from srcodec.bench.render import generated
from srcodec.data import data_dir

ROOT = Path(__file__).resolve().parents[1]
KODAK = data_dir("kodak")
DOC = ROOT / "docs" / "results.md"
SECTION = "cluster_throughput"
TARGET = 1.8
DEFAULTS = {"limit": 12, "codecs": "webp", "qualities": [20.0, 40.0, 60.0, 80.0], "repeat": 2, "noop": 400}


def _warm(specs: list[str]) -> None:
    """On a worker (and here): measure each codec once on a synthetic image, so that no timed task pays for
    an import or a codec's set-up."""
    import numpy as np

    from srcodec.bench import runner as r

    yy, xx = np.mgrid[0:192, 0:192]
    image = np.stack([(xx + yy) % 256, (xx * 2) % 256, (yy * 3) % 256], axis=2).astype(np.uint8)
    for spec in specs:
        codec = r._worker_codec(spec)
        r.measure(r.Task("warm", "warm", spec, codec.sweep[0] if codec.sweep else codec.default_quality), image)


def _noop(i: int) -> int:
    return i


def _comparable(rows: list[dict]) -> str:
    keep = [{k: v for k, v in r.items() if k not in ("encode_s", "decode_s", "worker")} for r in rows]
    return json.dumps(sorted(keep, key=lambda r: (r["image"], r["codec"], r["quality"])), sort_keys=True, default=str)


def in_process(tasks, data, repeat: int) -> tuple[float, list[dict]]:
    import torch

    torch.set_num_threads(1)  # one core, as each worker
    best, rows = float("inf"), []
    for _ in range(repeat):
        t0 = time.perf_counter()
        rows = [row for t in tasks for row in runner.measure_file(t, data[t.path])]
        best = min(best, time.perf_counter() - t0)
    return best, rows


def on_cluster(n: int, specs: list[str], tasks, data, repeat: int, noop: int) -> tuple[float, list[dict], float]:
    """(fastest wall time of the tasks, their rows, seconds per no-op task) on ``local:n``."""
    with Cluster(f"local:{n}", specs) as on:
        on.client.run(_warm, specs)
        best, rows = float("inf"), []
        for _ in range(repeat):
            t0 = time.perf_counter()
            out = list(on.map(tasks, lambda t: (runner.measure_file, (t, data[t.path]))))
            best = min(best, time.perf_counter() - t0)
            errors = [e for *_, e in out if e]
            if errors:
                raise SystemExit(f"cluster_throughput: a task failed: {errors[0]}")
            rows = [row for _, _, value, _ in out for row in value]
        list(on.map(range(min(noop, 50)), lambda i: (_noop, (i,))))  # warm the path itself
        t0 = time.perf_counter()
        done = list(on.map(range(noop), lambda i: (_noop, (i,))))
        per_task = (time.perf_counter() - t0) / max(noop, 1)
        assert sorted(v for _, _, v, _ in done) == list(range(noop))
    return best, rows, per_task


def section(res: dict, cmd: str) -> str:
    one, two = res["local:1"]["rows_per_s"], res["local:2"]["rows_per_s"]
    ratio = two / one
    L = [generated(cmd), "",
         "## Throughput on a local Dask cluster (1 and 2 workers)", "",
         f"Written by [`benchmarks/cluster_throughput.py`](../benchmarks/cluster_throughput.py): {res['tasks']} bench rows "
         f"(the first {res['images']} Kodak images × `{res['codecs']}` × qualities "
         f"{', '.join(f'{q:g}' for q in res['qualities'])}; each coded, decoded and measured as `srcodec bench` does), "
         "timed in this process and on `local:1` and `local:2` (worker processes of one thread on 127.0.0.1, "
         f"started and warmed up before the clock starts), the fastest of {res['repeat']} passes. Machine: "
         f"{res['machine']}; load average before the run {res['load']}. The rows of the three ways are identical "
         "(bytes, PSNR and every metric).", "",
         "| where | wall (s) | rows/s | × 1 worker |", "|---|---|---|---|"]
    for key, label in (("here", "this process, no Dask"), ("local:1", "`--cluster local:1`"),
                       ("local:2", "`--cluster local:2`")):
        r = res[key]
        L.append(f"| {label} | {r['wall_s']:.2f} | {r['rows_per_s']:.2f} | {r['rows_per_s'] / one:.2f} |")
    L += ["", f"2 workers give **{ratio:.2f}×** the throughput of 1 worker (target ≥ {TARGET}×: "
          f"{'met' if ratio >= TARGET else 'not met'}). Scheduling overhead per task ({res['noop']} no-op tasks "
          f"through `Cluster.map`): {res['local:1']['noop_ms']:.2f} ms on 1 worker, "
          f"{res['local:2']['noop_ms']:.2f} ms on 2."]
    return "\n".join(L) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=DEFAULTS["limit"], metavar="K", help="first K Kodak images (default: %(default)s)")
    ap.add_argument("--codecs", default=DEFAULTS["codecs"], help="comma-separated (default: %(default)s)")
    ap.add_argument("--qualities", type=float, nargs="+", default=DEFAULTS["qualities"], metavar="Q")
    ap.add_argument("--repeat", type=int, default=DEFAULTS["repeat"], help="passes, the fastest kept (default: %(default)s)")
    ap.add_argument("--noop", type=int, default=DEFAULTS["noop"], help="no-op tasks timed for the overhead (default: %(default)s)")
    ap.add_argument("--dataset", type=Path, default=KODAK, help="images (default: kodak under $SRCODEC_DATA, else ../shared/datasets)")
    ap.add_argument("--doc", type=Path, default=DOC)
    args = ap.parse_args()

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    paths = runner.find_images(args.dataset, args.limit)
    codecs, skipped = runner.plan_codecs([c for c in args.codecs.split(",") if c])
    if skipped or not codecs:
        print(f"cluster_throughput: codecs unavailable here: {skipped}", file=sys.stderr)
        return 1
    plan = {c.spec: runner.plan_qualities(c, args.qualities) for c in codecs}
    tasks = runner.plan_tasks(paths, [p.name for p in paths], codecs, plan, {})
    data = {str(p): read_bytes(p) for p in paths}
    specs = [c.spec for c in codecs]
    _warm(specs)

    res = {"tasks": len(tasks), "images": len(paths), "codecs": args.codecs, "qualities": args.qualities,
           "repeat": args.repeat, "noop": args.noop, "load": load,
           "machine": f"{machine_description()} ({platform.machine()})"}
    wall, rows = in_process(tasks, data, args.repeat)
    res["here"] = {"wall_s": wall, "rows_per_s": len(rows) / wall}
    print(f"cluster_throughput: this process: {wall:.2f} s", file=sys.stderr)
    reference = _comparable(rows)
    for n in (1, 2):
        wall, rows, per_task = on_cluster(n, specs, tasks, data, args.repeat, args.noop)
        if _comparable(rows) != reference:
            print(f"cluster_throughput: the rows of local:{n} differ from this process's", file=sys.stderr)
            return 1
        res[f"local:{n}"] = {"wall_s": wall, "rows_per_s": len(rows) / wall, "noop_ms": per_task * 1000}
        print(f"cluster_throughput: local:{n}: {wall:.2f} s, {per_task * 1000:.2f} ms per no-op task", file=sys.stderr)

    given = [f"--{k} {' '.join(f'{q:g}' for q in v) if isinstance(v, list) else v}"
             for k, v in (("limit", args.limit), ("codecs", args.codecs), ("qualities", args.qualities),
                          ("repeat", args.repeat), ("noop", args.noop)) if v != DEFAULTS[k]]
    cmd = " ".join(["python benchmarks/cluster_throughput.py", *given])
    write_section(args.doc, SECTION, section(res, cmd))
    print(args.doc)
    ratio = res["local:2"]["rows_per_s"] / res["local:1"]["rows_per_s"]
    print(f"cluster_throughput: 2 workers / 1 worker = {ratio:.2f} (target >= {TARGET})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
