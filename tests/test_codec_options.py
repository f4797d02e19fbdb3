"""Codec options: specs (name:key=value), checks, and what the benchmark records."""

import json

import pytest

from srcodec.bench.runner import run_benchmark
from srcodec.codecs import codec_class, get_codec, parse_codec_spec
from srcodec.errors import BadOptionError, UnknownNameError
from srcodec.io.image import save_png
from tests.conftest import assert_one_line_error, run_cli, smooth_image


def test_spec_parsing():
    assert parse_codec_spec("avif") == ("avif", {})
    assert parse_codec_spec("avif:speed=2:tune=default") == ("avif", {"speed": "2", "tune": "default"})
    with pytest.raises(BadOptionError):
        parse_codec_spec("avif:speed")


def test_options_are_checked_and_typed():
    c = get_codec("avif:speed=2", tune="default")
    assert c.opts == {"speed": 2, "tune": "default", "subsampling": "444"}
    assert c.settings()["subsampling"] == "4:4:4"
    assert c.spec == "avif:speed=2:tune=default"
    assert get_codec("avif").spec == "avif"  # defaults are not spelled out
    for bad in ("avif:speed=x", "avif:speed=11", "avif:tune=foo", "jpeg:subsampling=4"):
        with pytest.raises(BadOptionError):
            get_codec(bad)
    with pytest.raises(UnknownNameError):
        get_codec("avif:sped=3")


def test_options_change_the_file_and_are_in_the_settings(rgb64):
    fast, slow = get_codec("webp:method=0"), get_codec("webp")
    assert fast.encode(rgb64, 50) != slow.encode(rgb64, 50)
    assert fast.settings()["method"] == 0 and slow.settings()["method"] == 6
    assert get_codec("jpeg:subsampling=444").encode(rgb64, 80) != get_codec("jpeg").encode(rgb64, 80)


def test_anchor_defaults_are_the_psnr_best_settings():
    assert get_codec("avif").settings()["tune"] == "psnr"
    if codec_class("heif").unavailable_reason() is None:
        s = get_codec("heif").settings()
        assert s["tune"] == "psnr" and s["preset"] == "veryslow"


def test_fractional_quality_of_an_integer_codec_is_refused(rgb64, tmp_path):
    with pytest.raises(BadOptionError, match="whole number"):
        get_codec("jpeg").encode(rgb64, 2.5)
    save_png(rgb64, tmp_path / "a.png")
    assert_one_line_error(run_cli("compress", str(tmp_path / "a.png"), "--codec", "jpeg", "-q", "2.5"))
    assert_one_line_error(run_cli("compress", str(tmp_path / "a.png"), "--codec", "avif:speed=99"))


def test_bench_rows_record_each_setting(tmp_path):
    save_png(smooth_image(32, 48), tmp_path / "img.png")
    res = run_benchmark(tmp_path / "img.png", ["webp", "webp:method=0"], tmp_path / "run", qualities=[50],
                        progress=False)
    assert res.codecs == ["webp", "webp:method=0"]
    settings = json.loads((tmp_path / "run" / "settings.json").read_text())
    assert settings["codecs"]["webp:method=0"]["settings"]["method"] == 0
    assert settings["codecs"]["webp"]["settings"]["method"] == 6
    rows = json.loads((tmp_path / "run" / "rows.json").read_text())
    assert {r["codec"] for r in rows} == {"webp", "webp:method=0"}
    assert (tmp_path / "run" / "webp:method=0.json").exists()
