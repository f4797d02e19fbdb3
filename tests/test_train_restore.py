"""Training smoke tests: every kind runs a few steps on tiny synthetic data, resumes, and exports weights."""

from __future__ import annotations

import json
import shutil

import pytest
import torch

from conftest import smooth_image
from srcodec.archs import load_stages, read_metadata
from srcodec.cli import main
from srcodec.train.harness import load_checkpoint


def _train(kind, data, out, *extra, val=False):
    argv = ["train", kind, "--data", str(data), "--out", str(out), "--crop", "24", "--batch", "2", "--threads", "1",
            "--val", str(data) if val else "", "--val-images", "1", "--no-progress", "--seed", "1", *extra]
    assert main(argv) == 0


@pytest.fixture(scope="module")
def car_run(data, tmp_path_factory):
    """Jin's step 1 for three steps (validated), shared by the tests below."""
    run = tmp_path_factory.mktemp("runs") / "car"
    _train("car", data, run, "--arch", "dncnn-compact", "--steps", "3", "--quality", "20-40", val=True)
    return run


def test_car_three_steps_then_resume(data, car_run, tmp_path):
    run = tmp_path / "car"
    shutil.copytree(car_run, run)
    assert load_checkpoint(run)["step"] == 3
    first = load_stages(run / "weights.safetensors")["car"].state_dict()
    _train("car", data, run, "--arch", "dncnn-compact", "--steps", "5", "--quality", "20-40", "--resume", str(run), val=True)
    assert load_checkpoint(run)["step"] == 5
    meta = read_metadata(run / "weights.safetensors")
    assert meta["srcodec.stages"]["car"]["arch"] == "dncnn" and meta["steps"] == "5" and meta["codec"] == "jpeg"
    later = load_stages(run / "weights.safetensors")["car"].state_dict()
    assert any(not torch.equal(first[k], later[k]) for k in first)
    log = (run / "log.txt").read_text()
    assert "resumed at step 3" in log
    vals = [json.loads(line) for line in (run / "val.jsonl").read_text().splitlines()]
    assert [v["step"] for v in vals] == [3, 5] and all(v["psnr"] > 0 for v in vals)


def test_jin_steps_two_and_three(data, car_run, tmp_path):
    _train("sr", data, tmp_path / "sr", "--arch", "edsr-compact", "--steps", "2",
           "--car-weights", str(car_run / "weights.safetensors"))
    _train("sr", data, tmp_path / "jin", "--steps", "2", "--joint", "--init", str(tmp_path / "sr" / "weights.safetensors"))
    specs = read_metadata(tmp_path / "jin" / "weights.safetensors")["srcodec.stages"]
    assert specs["car"]["arch"] == "dncnn" and specs["sr"]["config"]["scale"] == 2 and specs["sr"]["config"]["n_blocks"] == 8


def test_resampler_and_comcnn_smoke(data, tmp_path):
    _train("resampler", data, tmp_path / "rs", "--arch", "edsr-compact", "--steps", "2", "--rate-weight", "0.01")
    assert set(load_stages(tmp_path / "rs" / "weights.safetensors")) == {"down", "sr"}
    # tun2023's second step: EDSR tuned on the real codec behind the (frozen) learned downscaler
    down_before = load_stages(tmp_path / "rs" / "weights.safetensors")["down"].state_dict()
    _train("sr", data, tmp_path / "tun", "--arch", "edsr-compact", "--steps", "2", "--codec", "webp", "--quality", "50",
           "--down-weights", str(tmp_path / "rs" / "weights.safetensors"))
    tun = load_stages(tmp_path / "tun" / "weights.safetensors")
    assert set(tun) == {"down", "sr"}
    assert all(torch.equal(down_before[k], v) for k, v in tun["down"].state_dict().items())
    _train("comcnn", data, tmp_path / "com", "--arch", "comcnn-compact", "--rec-arch", "reccnn-compact", "--steps", "2")
    assert set(load_stages(tmp_path / "com" / "weights.safetensors")) == {"com", "rec"}


def test_bad_training_options_are_one_line_errors(data, tmp_path, capsys):
    assert main(["train", "sr", "--data", str(data), "--out", str(tmp_path / "x"), "--steps", "1", "--joint"]) == 2
    assert main(["train", "car", "--data", str(data), "--out", str(tmp_path / "x"), "--steps", "1", "--crop", "25"]) == 2
    assert main(["train", "car", "--data", str(data), "--out", str(tmp_path / "x"), "--steps", "1", "--codec", "nope"]) == 2
    assert main(["train", "sr", "--data", str(data), "--out", str(tmp_path / "x"), "--steps", "1",
                 "--down-weights", str(tmp_path / "missing.safetensors")]) == 2
    err = capsys.readouterr().err
    assert err.count("srcodec: error:") == 4 and "missing.safetensors" in err


def test_degradation_uses_the_learned_downscaler():
    from srcodec.archs import build_preset
    from srcodec.data.degrade import Degradation, bicubic_down, image_to_tensor, tensor_to_image

    hr = smooth_image(32, 40, seed=3)
    net = build_preset("downscaler-x2").eval()
    with torch.no_grad():
        for p in net.parameters():
            p.add_(0.05)  # move it away from bicubic
        expected = tensor_to_image(net(image_to_tensor(hr)))
    clean, decoded, _ = Degradation(2, None, 75, downscaler=net)(hr)
    assert (clean == expected).all() and (decoded == expected).all()
    assert not (clean == bicubic_down(hr, 2)).all()
