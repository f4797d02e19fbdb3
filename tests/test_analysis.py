"""The numbers the benchmark sections compute from runs (srcodec.bench.analysis)."""

import json
import math

from srcodec.bench import bdrate
from srcodec.bench.analysis import (cached, cached_rows, crossings, interp_at, keep_rows, msssim_db, quality_means,
                                    span)


def test_cached_recomputes_only_when_the_key_changes(tmp_path):
    calls = []

    def compute():
        calls.append(1)
        return {"value": len(calls)}

    path = tmp_path / "c.json"
    assert cached(path, {"settings": 1}, compute)["value"] == 1
    assert cached(path, {"settings": 1}, compute)["value"] == 1  # reused
    assert cached(path, {"settings": 2}, compute)["value"] == 2  # other settings: measured again
    path.write_text("not json")
    assert cached(path, {"settings": 2}, compute)["value"] == 3


def test_rows_kept_under_a_key_resume_and_other_keys_start_afresh(tmp_path):
    path = tmp_path / "deep" / "rows.json"
    assert cached_rows(path, "k") == {}
    keep_rows(path, {"a": 1}, {"img1": {"psnr": 30.0}}, quality=5)
    assert cached_rows(path, {"a": 1}) == {"img1": {"psnr": 30.0}}
    assert json.loads(path.read_text())["quality"] == 5
    assert cached_rows(path, {"a": 2}) == {}


def test_quality_means_keep_only_qualities_measured_on_every_image():
    rows = [{"codec": "c", "image": i, "quality": q, "bytes": b, "bpp": b / 10, "psnr": p, "ssim": None,
             "ms_ssim": None, "decode_s": 0.1}
            for i, q, b, p in (("a", 1, 100, 30.0), ("b", 1, 300, 32.0), ("a", 2, 500, 40.0))]
    means = quality_means(rows, "c", ["a", "b"])
    assert [m["quality"] for m in means] == [1.0]
    assert means[0]["bytes"] == 200 and means[0]["psnr"] == 31.0 and means[0]["n"] == 2


def test_crossings_find_where_two_curves_cross():
    a = bdrate.Curve("a", {"bpp": [0.1, 1.0], "psnr-rgb": [30.0, 40.0]})
    b = bdrate.Curve("b", {"bpp": [0.1, 1.0], "psnr-rgb": [32.0, 38.0]})
    cross = crossings(b, a)
    (bpp, kind), = cross["points"]
    assert kind == "above below" and math.isclose(bpp, math.sqrt(0.1), rel_tol=1e-6)
    apart = bdrate.Curve("c", {"bpp": [5.0, 6.0], "psnr-rgb": [45.0, 46.0]})
    assert crossings(apart, a)["range"] is None


def test_interpolation_inside_the_measured_range_only_and_cells():
    pts = [{"bpp": 0.1, "psnr": 30.0}, {"bpp": 1.0, "psnr": 40.0}]
    assert math.isclose(interp_at(pts, "psnr", "bpp", math.sqrt(0.1)), 35.0)
    assert interp_at(pts, "psnr", "bpp", 2.0) is None
    assert span([3.0, None, 1.0]) == "1.00–3.00" and span([]) == "–"
    assert msssim_db([0.9, None, 1.0]) == [10.0, None, None]
