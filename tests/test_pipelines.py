"""Pipelines: .srz files that decode, clear unavailability, the listing, and nets end to end."""

from __future__ import annotations

import json

import numpy as np
from pathlib import Path

import pytest

import srcodec
from conftest import assert_one_line_error, run_cli, smooth_image
from srcodec.archs import build_preset, save_stages
from srcodec.codecs import codec_class, get_codec
from srcodec.container import srz
from srcodec.data.degrade import Degradation, bicubic_down
from srcodec.errors import InputError, UnavailableError
from srcodec.metrics import psnr
from srcodec.pipelines import pipeline_names

NAMED = ("tun2023-x2", "tun2023-x4", "jin-jpeg-x2", "jin-jpeg-x4", "jin-avif-x1", "jin-avif-x2",
         "jiang-comcnn", "jiang-arcnn", "jiang-arcnn-aspp")


def test_all_named_pipelines_are_registered_as_codecs():
    names = pipeline_names()
    for n in NAMED + ("bicubic-jpeg-x2", "bicubic-jpeg-x4", "bicubic-webp-x2", "bicubic-avif-x4"):
        assert n in names
        assert codec_class(n).extension == ".srz"


@pytest.mark.parametrize("name, shape", [("bicubic-jpeg-x2", (61, 77)), ("bicubic-jpeg-x4", (64, 80)),
                                         ("bicubic-webp-x2", (50, 34)), ("bicubic-avif-x2", (48, 48))])
def test_bicubic_baseline_writes_srz_that_decompress_decodes(name, shape):
    img = smooth_image(*shape)
    data = srcodec.compress(img, codec=name, quality=80)
    assert data[:4] == srz.MAGIC and srcodec.identify(data) == name
    head = srz.describe(data)
    assert (head["codec"], head["height"], head["width"], head["quality"]) == (name, shape[0], shape[1], 80.0)
    inner, s = name.split("-")[1], int(name[-1])
    assert bytes.fromhex(head["extra"]) == f"{inner} x{s}".encode()
    out = srcodec.decompress(data)
    assert out.shape == img.shape and out.dtype == np.uint8
    assert psnr(out, img) > 28.0
    # the payload is the inner codec's real file of the bicubic-downscaled image
    lr = get_codec(inner).decode(srz.unpack(data)[1][0])
    assert lr.shape[:2] == (-(-shape[0] // s), -(-shape[1] // s))


def test_greyscale_comes_back_grey_and_rate_targets_work():
    img = smooth_image(40, 56)[:, :, :1]
    data = srcodec.compress(img, codec="bicubic-jpeg-x2", bpp=1.5)
    assert 8 * len(data) / img[:, :, 0].size <= 1.5
    out = srcodec.decompress(data)
    assert out.shape == (40, 56, 1)


def test_damaged_or_foreign_pipeline_file_is_a_clean_error():
    data = srcodec.compress(smooth_image(32, 32), codec="bicubic-jpeg-x2", quality=70)
    with pytest.raises(InputError):
        get_codec("bicubic-jpeg-x4").decode(data)
    with pytest.raises(InputError):
        srcodec.decompress(data[:-5])


def test_pipeline_without_weights_is_unavailable_not_a_crash(weights_dir):
    for n in NAMED:
        reason = codec_class(n).unavailable_reason()
        assert reason and "\n" not in reason
    assert "recipes/jin-jpeg-x2.sh" in codec_class("jin-jpeg-x2").unavailable_reason()
    # the recipes are the one place training commands live: every pipeline with networks has one
    root = Path(__file__).resolve().parents[1]
    assert all((root / "recipes" / f"{n}.sh").is_file() for n in NAMED if codec_class(n).stages)
    with pytest.raises(UnavailableError):
        srcodec.compress(smooth_image(16, 16), codec="jiang-arcnn")


def test_cli_unavailable_pipeline_is_one_line_exit_2(tmp_path, weights_dir):
    src = tmp_path / "a.png"
    srcodec.save_png(smooth_image(24, 24), src)
    proc = run_cli("compress", str(src), "--codec", "jin-jpeg-x2", "-o", str(tmp_path / "a.srz"))
    assert proc.returncode == 2
    assert_one_line_error(proc)
    assert "weights" in proc.stderr and not (tmp_path / "a.srz").exists()


def test_cli_lists_pipelines_with_their_papers(weights_dir):
    proc = run_cli("pipelines")
    assert proc.returncode == 0, proc.stderr
    for n in NAMED + ("bicubic-jpeg-x2",):
        assert n in proc.stdout
    for paper in ("Tun et al. 2023", "Jin et al.", "Jiang et al. 2017", "Dong et al. 2015", "baseline"):
        assert paper in proc.stdout
    rows = {r["name"]: r for r in json.loads(run_cli("pipelines", "--json").stdout)}
    assert rows["bicubic-jpeg-x2"]["available"] and not rows["jin-jpeg-x2"]["available"]
    assert rows["jin-jpeg-x2"]["stages"] == ["car", "sr"] and rows["jin-jpeg-x4"]["scale"] == 4


def _ship(weights_dir, name, nets):
    save_stages(weights_dir / f"{name}.safetensors", {k: v.eval() for k, v in nets.items()})


@pytest.mark.parametrize("name, nets", [
    ("jin-jpeg-x2", lambda: {"car": build_preset("dncnn-compact"), "sr": build_preset("edsr-compact", scale=2)}),
    ("jin-avif-x1", lambda: {"car": build_preset("dncnn-compact"), "sr": build_preset("edsr-compact", scale=1)}),
    ("jiang-comcnn", lambda: {"com": build_preset("comcnn-compact"), "rec": build_preset("reccnn-compact")}),
    ("jiang-arcnn-aspp", lambda: {"car": build_preset("arcnn-aspp")}),
])
def test_network_pipelines_run_end_to_end_with_weights(weights_dir, name, nets):
    _ship(weights_dir, name, nets())
    assert codec_class(name).unavailable_reason() is None
    img = smooth_image(37, 45)
    data = srcodec.compress(img, codec=name, quality=70)
    assert srcodec.identify(data) == name
    assert srz.describe(data)["weights_hash"] != "0" * 16
    out = srcodec.decompress(data)
    assert out.shape == img.shape
    assert psnr(out, img) > 15.0  # untrained networks; zero-initialised ones start near the baseline


def test_wrong_or_replaced_weights_are_refused(weights_dir):
    _ship(weights_dir, "jiang-arcnn", {"car": build_preset("arcnn-aspp")})
    assert "needs arcnn" in codec_class("jiang-arcnn").unavailable_reason()
    _ship(weights_dir, "jiang-arcnn", {"car": build_preset("arcnn")})
    data = srcodec.compress(smooth_image(24, 24), codec="jiang-arcnn", quality=50)
    net = build_preset("arcnn")
    for p in net.parameters():
        p.data.add_(0.01)
    _ship(weights_dir, "jiang-arcnn", {"car": net})
    with pytest.raises(InputError, match="other weights"):
        srcodec.decompress(data)
    _ship(weights_dir, "jin-jpeg-x4", {"car": build_preset("dncnn-compact"), "sr": build_preset("edsr-compact", scale=2)})
    with pytest.raises(InputError, match="x4"):
        _ = get_codec("jin-jpeg-x4").nets


def test_degradation_makes_decoded_low_resolution_pairs():
    hr = smooth_image(48, 40)
    rng = np.random.default_rng(0)
    deg = Degradation(scale=2, codec="jpeg", quality=(10, 30)).check()
    clean, decoded, nbytes = deg(hr, rng)
    assert clean.shape == decoded.shape == (24, 20, 3)
    assert np.array_equal(clean, bicubic_down(hr, 2))
    assert 0 < nbytes and psnr(decoded, clean) < 45.0
    import torch

    hr_t = torch.from_numpy(np.stack([hr, hr])).permute(0, 3, 1, 2).float() / 255
    c, d = deg.batch(hr_t, rng)
    assert c.shape == d.shape == (2, 3, 24, 20)


def test_tun2023_runs_over_the_learned_codec(weights_dir, tmp_path, monkeypatch):
    from learned_helpers import tiny_weights

    monkeypatch.setenv("SRCODEC_LEARNED_WEIGHTS", str(tiny_weights(tmp_path / "tiny.safetensors")))
    _ship(weights_dir, "tun2023-x2", {"down": build_preset("downscaler-x2"), "sr": build_preset("edsr-compact", scale=2)})
    assert codec_class("tun2023-x2").unavailable_reason() is None
    img = smooth_image(40, 52)
    data = srcodec.compress(img, codec="tun2023-x2", quality=4.5)
    header, streams = srz.unpack(data)
    assert header.quality == 4.5 and srcodec.identify(streams[0]) == "learned"  # a learned .srz inside
    out = srcodec.decompress(data)
    assert out.shape == img.shape
