"""``python -m benchmarks list`` | ``python -m benchmarks run NAME [--skip-bench] [ARGS...]``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from benchmarks.catalogue import SECTIONS, section

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("list", "run") or (argv[0] == "run" and len(argv) < 2):
        print("usage: python -m benchmarks list | run NAME [ARGS...]", file=sys.stderr)
        return 2
    if argv[0] == "list":
        width = max(len(s.name) for s in SECTIONS)
        for s in SECTIONS:
            extra = "; ".join(x for x in (f"data: {s.data}", s.codecs and f"codecs: {s.codecs}",
                                          s.anchor and f"against: {s.anchor}", s.reuses and f"reuses: {s.reuses}",
                                          f"writes: {s.writes}") if x)
            print(f"{s.name:{width}}  {s.measures}{' [--skip-bench]' if s.skip_bench else ''}\n{'':{width}}  {extra}")
        return 0
    from srcodec.errors import SrcodecError

    try:
        s = section(argv[1])
    except SrcodecError as exc:
        print(f"benchmarks: {exc}", file=sys.stderr)
        return 2
    return subprocess.run([sys.executable, str(ROOT / "benchmarks" / f"{s.name}.py"), *argv[2:]], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
