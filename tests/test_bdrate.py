"""BD-rate: the published Kodak numbers, exact synthetic cases, and clean errors."""

import json
import math

import pytest

from srcodec.bench.bdrate import BDRateError, Curve, bd_rate, bd_table, curve_from_dict, load_curve, table_markdown
from srcodec.cli import main
from tests.conftest import REFERENCE, assert_one_line_error, run_cli

REF = REFERENCE


def curve(name, bpp, psnr, ms_ssim=None):
    results = {"bpp": list(bpp), "psnr-rgb": list(psnr)}
    if ms_ssim is not None:
        results["ms-ssim-rgb"] = list(ms_ssim)
    return Curve(name=name, results=results)


ANCHOR = curve("anchor", [0.1, 0.25, 0.5, 1.0, 2.0], [26.0, 29.0, 32.0, 35.5, 39.0],
               [0.90, 0.95, 0.975, 0.988, 0.995])


def test_vtm_vs_webp_and_jpeg_match_published_values():
    vtm = load_curve(REF / "vtm.json")
    assert bd_rate(vtm, load_curve(REF / "webp.json")) == pytest.approx(79.0, abs=1.0)
    assert bd_rate(vtm, load_curve(REF / "jpeg.json")) == pytest.approx(208.0, abs=2.0)


@pytest.mark.parametrize("test_file, expected, tol", [("webp.json", 79.0, 1.0), ("jpeg.json", 208.0, 2.0)])
def test_bdrate_command_prints_published_values(test_file, expected, tol, capsys):
    assert main(["bdrate", str(REF / "vtm.json"), str(REF / test_file)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("BD-rate (psnr-rgb) of ") and out.rstrip().endswith("%")
    value = float(out.split(":")[-1].replace("%", ""))
    assert value == pytest.approx(expected, abs=tol)


def test_same_quality_at_fewer_bits_is_that_saving():
    # every point needs 20 % fewer bits: log-rate shifts by a constant, so BD-rate is exactly -20 %
    test = curve("test", [b * 0.8 for b in ANCHOR.results["bpp"]], ANCHOR.results["psnr-rgb"],
                 ANCHOR.results["ms-ssim-rgb"])
    assert bd_rate(ANCHOR, test) == pytest.approx(-20.0, abs=1e-9)
    assert bd_rate(ANCHOR, test, "ms-ssim-rgb") == pytest.approx(-20.0, abs=1e-9)
    assert bd_rate(test, ANCHOR) == pytest.approx(25.0, abs=1e-9)
    assert bd_rate(ANCHOR, ANCHOR) == pytest.approx(0.0, abs=1e-12)


def test_ms_ssim_is_compared_in_db_and_db_curves_are_used_as_they_are():
    db = [-10 * math.log10(1 - v) for v in ANCHOR.results["ms-ssim-rgb"]]
    paper = curve_from_dict({"name": "paper", "results": {"bpp": [b * 1.5 for b in ANCHOR.results["bpp"]],
                                                          "ms-ssim-db-rgb": db}})
    assert bd_rate(ANCHOR, paper, "ms-ssim-rgb") == pytest.approx(50.0, abs=1e-9)


def test_unusable_points_are_left_out():
    messy = curve("messy", [0.1, 0.2, 0.3, None, 0.5, 1.0, 2.0], [26.0, 25.0, 28.0, 30.0, float("nan"), 35.5, 39.0])
    bpp, q = messy.points("psnr-rgb")
    assert list(bpp) == [0.1, 0.3, 1.0, 2.0]  # the dip, the missing rate and the NaN are dropped
    assert list(q) == [26.0, 28.0, 35.5, 39.0]


def test_too_few_points_and_no_overlap_are_one_line_errors():
    with pytest.raises(BDRateError, match="at least"):
        bd_rate(ANCHOR, curve("one", [0.5], [32.0]))
    with pytest.raises(BDRateError, match="do not overlap"):
        bd_rate(ANCHOR, curve("far", [3.0, 4.0], [50.0, 52.0]))
    with pytest.raises(BDRateError, match="no 'ms-ssim-rgb'"):
        bd_rate(ANCHOR, curve("psnr-only", [0.1, 1.0], [26.0, 35.0]), "ms-ssim-rgb")


def test_table_keeps_failures_as_reasons():
    table = bd_table(ANCHOR, [ANCHOR, curve("far", [3.0, 4.0], [50.0, 52.0], [0.999, 0.9995])])
    first, far = table["rows"]
    assert first["psnr-rgb"] == pytest.approx(0.0) and first["ms-ssim-rgb"] == pytest.approx(0.0)
    assert far["psnr-rgb"] is None and "overlap" in far["psnr-rgb_error"]
    md = table_markdown(table)
    assert "| anchor | 5 | 0.10–2.00 | +0.0 % | +0.0 % |" in md and "n/a" in md


def test_bdrate_on_a_text_file_is_exit_2_without_traceback(tmp_path, capsys):
    text = tmp_path / "notes.txt"
    text.write_text("bpp psnr\n0.1 30\n")
    assert main(["bdrate", str(text), str(REF / "vtm.json")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a JSON file" in err[0]
    proc = run_cli("bdrate", str(text), str(REF / "vtm.json"))
    assert proc.returncode == 2
    assert_one_line_error(proc)


def test_bdrate_command_errors(tmp_path, capsys):
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"name": "x", "data": [1, 2]}))
    far = tmp_path / "far.json"
    far.write_text(json.dumps({"name": "far", "results": {"bpp": [5.0, 6.0], "psnr-rgb": [60.0, 62.0]}}))
    for args, needle in [((str(wrong), str(REF / "vtm.json")), "not a rate-distortion curve"),
                         ((str(REF / "vtm.json"), str(far)), "do not overlap"),
                         ((str(tmp_path / "missing.json"), str(far)), "no such file")]:
        assert main(["bdrate", *args]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and needle in err[0], err
