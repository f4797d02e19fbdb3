"""nagasaki-jpeg: Modify-Net before JPEG, a plain .jpg that any decoder reads; its trainers (prefilter, jpegnet)."""

from __future__ import annotations

import io
import json
import shutil
import subprocess

import numpy as np
import pytest
import torch
from PIL import Image

import srcodec
from conftest import smooth_image
from srcodec.archs import build_preset, load_stages, read_metadata, save_stages
from srcodec.codecs import codec_class, get_codec
from srcodec.cli import main
import srcodec.proxies.jpeg_emulator  # noqa: F401  (registers JPEG-Net, a lab network)
from srcodec.proxies.jpeg_diff import jpeg_roundtrip
from srcodec.errors import UnavailableError
from srcodec.metrics import psnr
from srcodec.pipelines import pipeline_names


def _modifynet(seed: int = 0):
    """A compact Modify-Net that is not the identity (its zero-initialised last layer perturbed)."""
    torch.manual_seed(seed)
    net = build_preset("modifynet-compact")
    with torch.no_grad():
        net.body[-1].weight.normal_(0.0, 2e-3)
    return net.eval()


def _ship(weights_dir, net=None):
    save_stages(weights_dir / "nagasaki-jpeg.safetensors", {"pre": net if net is not None else _modifynet()})


def test_untrained_modifynet_and_jpegnet_are_the_identity():
    x = torch.rand(2, 3, 20, 28)
    assert torch.equal(build_preset("modifynet-compact")(x, 50), x)
    out = build_preset("jpegnet-compact")(x, torch.tensor([20.0, 80.0]))
    assert out.shape == x.shape and torch.allclose(out, x)
    with pytest.raises(ValueError, match="quality"):
        build_preset("modifynet-compact")(x)


def test_pipeline_is_listed_and_needs_weights(weights_dir):
    assert "nagasaki-jpeg" in pipeline_names()
    reason = codec_class("nagasaki-jpeg").unavailable_reason()
    assert "recipes/nagasaki-jpeg.sh" in reason and "\n" not in reason
    with pytest.raises(UnavailableError):
        srcodec.compress(smooth_image(16, 16), codec="nagasaki-jpeg", quality=50)


def test_output_is_the_plain_jpeg_of_the_filtered_image(weights_dir):
    _ship(weights_dir)
    codec = get_codec("nagasaki-jpeg")
    assert codec.extension == ".jpg" and codec.quality_range == (1, 100)
    img = smooth_image(37, 45)
    data = srcodec.compress(img, codec="nagasaki-jpeg", quality=60)
    assert data[:3] == b"\xff\xd8\xff" and srcodec.identify(data) == "jpeg"
    filtered = codec.prefilter(img, 60)
    assert filtered.shape == img.shape and not np.array_equal(filtered, img)
    assert data == get_codec("jpeg").encode(filtered, 60)  # byte for byte what the jpeg codec writes
    pillow = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    assert np.array_equal(codec.decode(data), pillow) and np.array_equal(srcodec.decompress(data), pillow)
    assert psnr(pillow, img) > 25.0


def test_an_independent_decoder_reads_the_file(weights_dir):
    djpeg = shutil.which("djpeg")
    if djpeg is None:
        pytest.skip("djpeg is not installed (Debian: apt-get install libjpeg-turbo-progs)")
    _ship(weights_dir)
    img = smooth_image(50, 66, seed=3)
    data = srcodec.compress(img, codec="nagasaki-jpeg", quality=40)
    ppm = subprocess.run([djpeg, "-pnm"], input=data, capture_output=True, check=True).stdout
    theirs = np.asarray(Image.open(io.BytesIO(ppm)))  # Pillow only parses the uncompressed PPM here
    ours = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    assert theirs.shape == ours.shape == img.shape
    assert np.abs(theirs.astype(int) - ours.astype(int)).max() <= 2 and psnr(theirs, ours) > 45.0


def test_grey_cli_and_bench(weights_dir, tmp_path):
    from srcodec.bench.runner import run_benchmark

    _ship(weights_dir)
    grey = smooth_image(40, 48)[:, :, :1]
    data = srcodec.compress(grey, codec="nagasaki-jpeg", quality=50)
    assert Image.open(io.BytesIO(data)).mode == "L" and srcodec.decompress(data).shape == grey.shape
    src = tmp_path / "set" / "a.png"
    src.parent.mkdir()
    srcodec.save_png(smooth_image(64, 64, seed=5), src)
    assert main(["compress", str(src), "--codec", "nagasaki-jpeg", "-q", "50"]) == 0
    assert main(["decompress", str(src.with_suffix(".jpg")), "-o", str(tmp_path / "b.png")]) == 0
    assert srcodec.load_image(tmp_path / "b.png").shape == (64, 64, 3)
    src.with_suffix(".jpg").unlink()
    run_benchmark(src.parent, ["nagasaki-jpeg", "jpeg"], tmp_path / "bench", qualities=[30, 70], progress=False)
    rows = json.loads((tmp_path / "bench" / "rows.json").read_text())
    mine = [r for r in rows if r["codec"] == "nagasaki-jpeg"]
    assert len(mine) == 2 and all(r["bpp"] > 0 and r["psnr"] > 20 for r in mine)


def _train(kind, data, out, *extra, val=False):
    argv = ["train", kind, "--data", str(data), "--out", str(out), "--crop", "32", "--batch", "2", "--threads", "1",
            "--val", str(data) if val else "", "--val-images", "1", "--no-progress", "--seed", "1", *extra]
    assert main(argv) == 0


def test_jpegnet_then_prefilter_through_it_then_the_pipeline(data, tmp_path, weights_dir):
    _train("jpegnet", data, tmp_path / "jn", "--arch", "jpegnet-compact", "--steps", "2", val=True)
    assert read_metadata(tmp_path / "jn" / "weights.safetensors")["srcodec.stages"]["jpegnet"]["arch"] == "jpegnet"
    emulator = str(tmp_path / "jn" / "weights.safetensors")
    _train("prefilter", data, tmp_path / "pf", "--proxy", "jpegnet", "--emulator", emulator, "--steps", "2", val=True)
    meta = read_metadata(tmp_path / "pf" / "weights.safetensors")
    assert meta["srcodec.stages"]["pre"]["arch"] == "modifynet" and meta["proxy"] == "jpegnet"
    row = json.loads((tmp_path / "pf" / "val_jpeg.jsonl").read_text().splitlines()[-1])
    assert row["step"] == 2 and row["bpp"] > 0 and row["plain_bpp"] > 0 and row["psnr"] > 20
    assert abs(row["gain_at_bpp_db"] - (row["psnr"] - row["plain_psnr_at_bpp"])) < 1e-9
    shutil.copy(tmp_path / "pf" / "weights.safetensors", weights_dir / "nagasaki-jpeg.safetensors")
    assert codec_class("nagasaki-jpeg").unavailable_reason() is None
    assert srcodec.decompress(srcodec.compress(smooth_image(24, 40), codec="nagasaki-jpeg", quality=30)).shape == (24, 40, 3)


def test_prefilter_diffjpeg_with_plain_rate_term_moves_the_filter(data, tmp_path):
    _train("prefilter", data, tmp_path / "pf", "--proxy", "diffjpeg", "--rate-units", "bpp", "--rate-weight", "0.01",
           "--quality", "20-40", "--steps", "2", "--lr", "1e-3", "--warmup", "0", "--rounding", "noise")
    net = load_stages(tmp_path / "pf" / "weights.safetensors")["pre"]
    assert net.body[-1].weight.abs().sum() > 0  # left the identity


def test_prefilter_option_errors_are_one_line(data, tmp_path, capsys):
    base = ["train", "prefilter", "--data", str(data), "--out", str(tmp_path / "x"), "--steps", "1", "--val", ""]
    assert main([*base, "--proxy", "jpegnet"]) == 2
    assert main([*base, "--crop", "40"]) == 2
    assert main([*base, "--quality", "0-50"]) == 2
    assert main([*base, "--proxy", "jpegnet", "--emulator", "x.safetensors", "--rounding", "noise"]) == 2
    err = capsys.readouterr().err
    assert err.count("srcodec: error:") == 4 and "--rounding is for --proxy diffjpeg" in err


def test_jpeg_slope_prices_bits_at_jpegs_own_rate():
    from types import SimpleNamespace

    from srcodec.train.prefilter import PrefilterTask

    task = PrefilterTask.__new__(PrefilterTask)  # only the loss helpers, no data
    task.args = SimpleNamespace(loss="l2")
    x = torch.from_numpy(np.stack([smooth_image(32, 48, seed=s) for s in (0, 1)])).permute(0, 3, 1, 2).float() / 255
    d, r, slope = task.plain_jpeg(x, 50)
    assert d.shape == r.shape == slope.shape == (2,) and bool((slope > 0).all())
    d_lower = (jpeg_roundtrip(x, 45) - x).square().flatten(1).mean(1)
    assert bool((d_lower > d).all())  # lower quality, more distortion: the slope is its price per bit
