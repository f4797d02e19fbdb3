#!/usr/bin/env python3
"""Coverage-guided fuzzing of every decoder srcodec has (atheris, the engine OSS-Fuzz uses for Python).

    pip install atheris          # or the srcodec[fuzz] extra
    python benchmarks/fuzz.py --seconds 600 [--jobs 2] [--out runs/fuzz]

Seeds: :func:`srcodec.bench.hostile.seed_corpus` (real files of each decoder and forged ``.srz``
headers with recomputed CRCs). Each input goes through :func:`srcodec.bench.hostile.judge`, the
same dispatch as ``srcodec decompress``; a *finding* is an input that

- raises anything but a one-line :class:`~srcodec.errors.SrcodecError` (a traceback for the user),
- takes longer than ``--hang`` seconds (default 20),
- makes the process's peak memory pass ``--max-rss-mb`` (libFuzzer's ``-rss_limit_mb``), or
- is a copy of a seed ``.srz`` with a changed CRC-protected byte that still decodes (checked for
  the mutations that keep the header's CRC fields intact: those must never be accepted).

Findings are written to ``OUT/findings/``; the report (executions, coverage as libFuzzer counts it:
``cov``/``ft``, findings) to ``OUT/report.json`` and stdout. ``--jobs N`` runs N fuzzing processes
(libFuzzer's ``-jobs``/``-workers``), each with its own log ``OUT/fuzz-<i>.log``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _crc_ok(data: bytes) -> bool:
    """Whether an .srz file's two CRC fields match its header and payload (a mutant that keeps them)."""
    from srcodec.container import srz

    try:
        header, _ = srz.unpack(data)
    except Exception:  # noqa: BLE001
        return False
    return header is not None


def harness() -> None:
    """The atheris target (runs inside the fuzzing process)."""
    import atheris

    with atheris.instrument_imports():
        from srcodec.bench.hostile import judge

    seeds_srz = {}
    corpus = Path(os.environ["SRCODEC_FUZZ_CORPUS"])
    for p in corpus.glob("real-*.srz"):
        seeds_srz[len(p.read_bytes())] = p.read_bytes()
    hang = float(os.environ.get("SRCODEC_FUZZ_HANG", "20"))
    findings = Path(os.environ["SRCODEC_FUZZ_FINDINGS"])

    def record(kind: str, data: bytes, detail: str) -> None:
        findings.mkdir(parents=True, exist_ok=True)
        name = f"{kind}-{zlib.crc32(data):08x}"
        (findings / name).write_bytes(data)
        (findings / f"{name}.txt").write_text(detail + "\n")

    def target(data: bytes) -> None:
        t0 = time.perf_counter()
        outcome, detail = judge(data)
        dt = time.perf_counter() - t0
        if outcome == "crash":
            record("crash", data, detail)
        if dt > hang:
            record("hang", data, f"{dt:.1f} s: {outcome} {detail}")
        if outcome == "decoded" and data[:4] == b"SRZ\x89":
            seed = seeds_srz.get(len(data))
            if seed is not None and seed != data and _crc_ok(data):
                # a same-length mutant of a real file whose CRCs still match: only a byte outside the
                # CRC-protected ranges (none exist) or a collision could do that; report it
                record("silent", data, "a mutated .srz with valid CRCs decoded")

    atheris.Setup(sys.argv, target)
    atheris.Fuzz()


_STAT = re.compile(r"#(\d+)\s+(?:pulse|REDUCE|NEW|DONE|INITED)\s+cov: (\d+) ft: (\d+)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=600)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--out", type=Path, default=ROOT / "runs" / "fuzz")
    ap.add_argument("--hang", type=float, default=20.0)
    ap.add_argument("--max-rss-mb", type=int, default=4096)
    ap.add_argument("--harness", action="store_true", help=argparse.SUPPRESS)
    args, rest = ap.parse_known_args()
    if args.harness:
        harness()
        return 0
    try:
        import atheris  # noqa: F401
    except ImportError:
        print("fuzz: atheris is not installed (pip install atheris, or the srcodec[fuzz] extra)", file=sys.stderr)
        return 2
    from srcodec.bench.hostile import seed_corpus

    out = args.out
    seeds, work = out / "seeds", out / "corpus"
    seed_corpus(seeds)
    work.mkdir(parents=True, exist_ok=True)
    (out / "findings").mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, SRCODEC_FUZZ_CORPUS=str(seeds), SRCODEC_FUZZ_FINDINGS=str(out / "findings"),
               SRCODEC_FUZZ_HANG=str(args.hang), OMP_NUM_THREADS="1")
    procs = []
    for i in range(args.jobs):
        log = open(out / f"fuzz-{i}.log", "w")
        cmd = [sys.executable, __file__, "--harness", str(work), str(seeds), f"-max_total_time={args.seconds}",
               f"-rss_limit_mb={args.max_rss_mb}", f"-timeout={int(args.hang) + 10}", "-max_len=65536",
               f"-artifact_prefix={out / 'findings'}/", "-print_final_stats=1"]
        procs.append((subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT), log))
    for p, log in procs:
        p.wait()
        log.close()
    execs, cov, ft = 0, 0, 0
    for i in range(args.jobs):
        text = (out / f"fuzz-{i}.log").read_text(errors="replace")
        stats = _STAT.findall(text)
        if stats:
            execs += int(stats[-1][0])
            cov, ft = max(cov, int(stats[-1][1])), max(ft, int(stats[-1][2]))
        m = re.search(r"stat::number_of_executed_units:\s*(\d+)", text)
        if m:
            execs += int(m.group(1)) - (int(stats[-1][0]) if stats else 0)
    found = sorted(p.name for p in (out / "findings").glob("*") if not p.name.endswith(".txt")) \
        if (out / "findings").exists() else []
    report = {"seconds": args.seconds, "jobs": args.jobs, "executions": execs, "coverage_edges": cov,
              "features": ft, "findings": found, "exit_codes": [p.returncode for p, _ in procs],
              "corpus_files": len(list(work.iterdir()))}
    (out / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
