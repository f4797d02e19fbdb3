"""``benchmarks/kodak_auto.py`` through the bench runner: auto first, its candidates' rows from its reports
where its search of a candidate was that candidate's own, the rest measured; the section's records."""

import json
import sys
from pathlib import Path

import pytest

from srcodec.bench.runner import run_benchmark
from srcodec.codecs import get_codec
from srcodec.io.image import load_image, save_png
from srcodec.targets import Target
from tests.conftest import smooth_image

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def kodak_auto():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import kodak_auto
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return kodak_auto


def test_candidates_rows_come_from_autos_report_only_where_they_are_the_candidates_own_file(kodak_auto, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for k in range(2):
        save_png(smooth_image(96, 80, seed=10 + k), data / f"im{k}.png")
    spec = get_codec("auto:effort=3:formats=webp+jpeg").spec
    names = (spec, *get_codec(spec).candidates("psnr"))
    out = tmp_path / "run"
    run_benchmark(data, [spec], out, targets=("psnr", [30.0, 36.0]), progress=False)
    added = kodak_auto.rows_from_reports(out, spec, "psnr")
    rows = json.loads((out / "rows.json").read_text())
    reported = [r for r in rows if r["codec"] != spec]
    assert added == len(reported) > 0
    for r in reported:  # the candidate's own file, as --codec NAME --target-psnr X writes it
        auto_row = next(a for a in rows if a["codec"] == spec and (a["image"], a["target"]) == (r["image"], r["target"]))
        assert r["codec"] not in auto_row["report"]["outdone"]
        own = get_codec(r["codec"]).encode_to(load_image(data / r["image"]), Target(metric="psnr", value=float(r["target"][5:])))
        assert (r["bytes"], r["quality"]) == (len(own.data), own.quality)
    second = run_benchmark(data, list(names), out, targets=("psnr", [30.0, 36.0]), progress=False)
    assert second.done_before == 4 + added and second.measured == 4 * (len(names) - 1) - added
    records = kodak_auto.section_rows(out, names, "psnr")
    assert len(records) == 4
    for rec in records:
        chosen = [c for c in rec["candidates"] if c["chosen"]]
        assert len(rec["candidates"]) == len(names) - 1 and len(chosen) == 1
        assert chosen[0]["bytes"] == rec["bytes"] and rec["psnr"] >= rec["target"]
        assert all(c["bytes"] >= rec["bytes"] for c in rec["candidates"])  # auto's file is the smallest
