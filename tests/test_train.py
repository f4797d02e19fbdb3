"""``srcodec train codec``: a few steps, resume, weights export, --init, and 2-process DDP."""

import json
import os
import subprocess
import sys

import pytest
import torch
from PIL import Image

from conftest import smooth_image
from srcodec.cli import main
from srcodec.data.patches import PatchSampler
from srcodec.models import LAMBDAS
from srcodec.archs import read_metadata
from srcodec.models.weights import load_weights

TINY = ["-N", "8", "-M", "12", "--crop", "64", "--batch", "2", "--val", "", "--no-progress", "--log-every", "1"]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("data")
    (d / "sub").mkdir()
    for i in range(4):
        Image.fromarray(smooth_image(80, 96, seed=i)).save(d / f"img{i}.png")
    Image.fromarray(smooth_image(200, 260, seed=9)).save(d / "sub" / "photo.jpg", quality=95)
    Image.fromarray(smooth_image(20, 20, seed=7)).save(d / "small.png")  # smaller than the crop
    return d


def test_patches_recursive_jpeg_downscaled(data_dir):
    s = PatchSampler([data_dir], 64, seed=1)
    assert len(s) == 5 and s.skipped == 1
    assert any(im.shape[:2] == (100, 130) for im in s.images)  # the JPEG, halved
    b = s.batch(3)
    assert b.shape == (3, 3, 64, 64) and 0 <= float(b.min()) and float(b.max()) <= 1
    shard0 = PatchSampler([data_dir], 64, rank=0, world_size=2)
    shard1 = PatchSampler([data_dir], 64, rank=1, world_size=2)
    assert len(shard0) + len(shard1) + shard0.skipped + shard1.skipped == 6


def test_three_steps_then_resume_then_init(data_dir, tmp_path):
    run = tmp_path / "run"
    assert main(["train", "codec", "--data", str(data_dir), "--out", str(run), "--steps", "3", *TINY]) == 0
    assert (run / "checkpoint.pt").is_file()
    weights = run / "weights.safetensors"
    model, config, digest = load_weights(weights)
    assert config["arch"] == "checkerboard" and config["N"] == 8 and len(digest) == 8
    assert config["model_id"] == "checkerboard-n8-m12"
    assert read_metadata(weights)["steps"] == "3" and read_metadata(weights)["srcodec.stages"]["codec"]["arch"] == "checkerboard"
    assert main(["train", "codec", "--data", str(data_dir), "--out", str(run), "--steps", "5", "--resume", str(run), *TINY]) == 0
    ckpt = torch.load(run / "checkpoint.pt", weights_only=False)
    assert ckpt["step"] == 5
    log = (run / "log.txt").read_text()
    assert "(resumed at step 3)" in log and "done at step 5" in log
    assert main(["train", "codec", "--data", str(data_dir), "--out", str(tmp_path / "run2"), "--steps", "1", "--init", str(weights), *TINY]) == 0


def test_init_adds_levels_below_the_trained_ones(data_dir, tmp_path):
    run = tmp_path / "run"
    assert main(["train", "codec", "--data", str(data_dir), "--out", str(run), "--steps", "1", *TINY]) == 0
    trained, _, _ = load_weights(run / "weights.safetensors")
    lambdas = "0.0005,0.0009," + ",".join(str(v) for v in LAMBDAS)
    out = tmp_path / "wider"
    assert main(["train", "codec", "--data", str(data_dir), "--out", str(out), "--steps", "0", "--lambdas", lambdas,
                 "--init", str(run / "weights.safetensors"), *TINY]) == 0
    wider, config, _ = load_weights(out / "weights.safetensors")
    assert config["levels"] == 10 and config["lambdas"][:2] == [0.0005, 0.0009] and wider.lambdas[2:] == LAMBDAS
    old, new = trained.gains.log_gain.detach(), wider.gains.log_gain.detach()
    assert torch.equal(new[2:], old)  # the trained levels as they were
    step = old[1] - old[0]
    assert torch.allclose(new[1], old[0] - step) and torch.allclose(new[0], old[0] - 2 * step)  # continued below
    assert torch.equal(wider.g_a[0].weight, trained.g_a[0].weight)
    # the user's quality 1..8 spans all levels, whatever their number
    assert trained.level(1.0) == 0 and trained.level(8.0) == 7 and trained.level(2.5) == 1.5
    assert wider.level(1.0) == 0 and wider.level(8.0) == 9 and wider.level(4.5) == 4.5
    # fewer levels than the weights have: refused
    assert main(["train", "codec", "--data", str(data_dir), "--out", str(tmp_path / "r"), "--steps", "1",
                 "--init", str(out / "weights.safetensors"), *TINY]) == 2


def test_user_errors_exit_2_with_one_line(data_dir, tmp_path, capsys):
    bad_crop = [a if a != "64" else "40" for a in TINY]
    cases = [["--data", str(tmp_path / "nope"), "--steps", "1", *TINY],  # missing folder
             ["--data", str(data_dir), *TINY],  # no budget
             ["--data", str(data_dir), "--steps", "1", *bad_crop]]  # crop not a multiple of the stride
    for args in cases:
        capsys.readouterr()
        assert main(["train", "codec", "--out", str(tmp_path / "r"), *args]) == 2
        err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
        assert len(err) == 1 and err[0].startswith("srcodec: error:"), err
    for lambdas in ("0.01,0.005", "0.01,x", "0.01"):  # not increasing, not numbers, one level
        capsys.readouterr()
        with pytest.raises(SystemExit) as exc:
            main(["train", "codec", "--out", str(tmp_path / "r"), "--data", str(data_dir), "--steps", "1", "--lambdas", lambdas, *TINY])
        err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
        assert exc.value.code == 2 and len(err) == 1 and "--lambdas" in err[0], err


def test_ddp_two_processes_gloo(data_dir, tmp_path):
    run = tmp_path / "ddp"
    env = dict(os.environ, PYTHONWARNINGS="ignore", OMP_NUM_THREADS="1")
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2", "-m", "srcodec",
           "train", "codec", "--data", str(data_dir), "--out", str(run), "--steps", "3", *TINY]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == 0, p.stderr[-3000:]
    log = (run / "log.txt").read_text()
    assert "workers 2, batch 2x2" in log and "done at step 3" in log
    assert torch.load(run / "checkpoint.pt", weights_only=False)["step"] == 3
