"""The "SR without CAR" baseline (sr-jpeg-x2/x4), `train sr --codec none`, and result-page sections."""

from __future__ import annotations

import argparse

import numpy as np
import pytest

import srcodec
from conftest import smooth_image
from srcodec.archs import build_preset, read_metadata, save_stages
from srcodec.bench.sections import read_section, replace_section, write_section
from srcodec.cli import main
from srcodec.codecs import codec_class, get_codec
from srcodec.container import srz
from srcodec.data.degrade import Degradation, bicubic_down
from srcodec.errors import InputError
from srcodec.metrics import psnr
from srcodec.pipelines import pipeline_names
from srcodec.train.options import add_codec_arguments, parse_codec


def test_sr_jpeg_pipelines_are_registered_and_say_how_to_train(weights_dir):
    for s in (2, 4):
        name = f"sr-jpeg-x{s}"
        cls = codec_class(name)
        assert name in pipeline_names() and cls.scale == s and cls.inner == "jpeg" and cls.stages == ("sr",)
        assert "no CAR" in cls.label
        reason = cls.unavailable_reason()
        assert reason and "\n" not in reason and f"recipes/{name}.sh" in reason


def test_sr_jpeg_runs_end_to_end_and_refuses_a_wrong_scale(weights_dir):
    save_stages(weights_dir / "sr-jpeg-x2.safetensors", {"sr": build_preset("edsr-compact", scale=2).eval()})
    assert codec_class("sr-jpeg-x2").unavailable_reason() is None
    img = smooth_image(37, 46)
    data = srcodec.compress(img, codec="sr-jpeg-x2", quality=60)
    assert srcodec.identify(data) == "sr-jpeg-x2"
    inner = srz.unpack(data)[1][0]
    assert get_codec("jpeg").decode(inner).shape[:2] == (19, 23)  # bicubic ↓2 (padded) before JPEG
    out = srcodec.decompress(data)
    assert out.shape == img.shape and psnr(out, img) > 15.0
    save_stages(weights_dir / "sr-jpeg-x4.safetensors", {"sr": build_preset("edsr-compact", scale=2).eval()})
    with pytest.raises(InputError, match="x4"):
        _ = get_codec("sr-jpeg-x4").nets


def test_codec_none_means_clean_bicubic_lr():
    assert parse_codec("none") is None and parse_codec("None") is None and parse_codec("jpeg") == "jpeg"
    p = argparse.ArgumentParser()
    add_codec_arguments(p)
    assert p.parse_args(["--codec", "none"]).codec is None
    assert p.parse_args([]).codec == "jpeg"
    hr = smooth_image(32, 40)
    clean, decoded, _ = Degradation(2, p.parse_args(["--codec", "none"]).codec, (10, 60)).check()(hr)
    assert np.array_equal(clean, bicubic_down(hr, 2)) and np.array_equal(decoded, clean)


def test_train_sr_with_codec_none_writes_sr_jpeg_weights(tmp_path, weights_dir):
    data = tmp_path / "data"
    data.mkdir()
    srcodec.save_png(smooth_image(48, 56), data / "a.png")
    run = tmp_path / "sr"
    argv = ["train", "sr", "--codec", "none", "--scale", "2", "--arch", "edsr-compact", "--data", str(data),
            "--out", str(run), "--crop", "24", "--batch", "2", "--threads", "1", "--steps", "2", "--val", str(data),
            "--val-images", "1", "--no-progress"]
    assert main(argv) == 0
    assert read_metadata(run / "weights.safetensors")["codec"].lower() == "none"
    (weights_dir / "sr-jpeg-x2.safetensors").write_bytes((run / "weights.safetensors").read_bytes())
    assert codec_class("sr-jpeg-x2").unavailable_reason() is None


def test_sections_are_replaced_in_place_or_appended(tmp_path):
    page = "# Results\n\n<!-- begin a -->\nold a\n<!-- end a -->\n\ntail text\n"
    text = replace_section(page, "a", "new a\n")
    assert text == "# Results\n\n<!-- begin a -->\nnew a\n<!-- end a -->\n\ntail text\n"
    text = replace_section(text, "b", "section b")
    assert text.endswith("tail text\n\n<!-- begin b -->\nsection b\n<!-- end b -->\n")
    assert read_section(text, "a") == "new a" and read_section(text, "b") == "section b"
    assert read_section(text, "c") is None
    with pytest.raises(InputError):
        replace_section("<!-- begin a -->\nno end\n", "a", "x")
    doc = tmp_path / "results.md"
    write_section(doc, "b", "first")
    write_section(doc, "a", "second")
    write_section(doc, "b", "first again")
    assert doc.read_text() == ("# Results\n\n<!-- begin b -->\nfirst again\n<!-- end b -->\n\n"
                               "<!-- begin a -->\nsecond\n<!-- end a -->\n")
