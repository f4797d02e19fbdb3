"""Every benchmark module is declared in benchmarks/catalogue.py, and every declaration has its module."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_module_is_declared_and_every_declaration_has_a_module():
    sys.path.insert(0, str(ROOT))
    try:
        from benchmarks.catalogue import SECTIONS
    finally:
        sys.path.remove(str(ROOT))
    modules = {p.stem for p in (ROOT / "benchmarks").glob("*.py") if p.stem not in ("__init__", "__main__", "catalogue")}
    declared = [s.name for s in SECTIONS]
    assert len(declared) == len(set(declared))
    assert set(declared) == modules


def test_list_and_a_one_line_error_for_an_unknown_name():
    out = subprocess.run([sys.executable, "-m", "benchmarks", "list"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0 and "kodak_vs_anchors" in out.stdout
    bad = subprocess.run([sys.executable, "-m", "benchmarks", "run", "nope"], cwd=ROOT, capture_output=True, text=True)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1 and "unknown benchmark" in bad.stderr
