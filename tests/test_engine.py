"""One training engine and one weights format (issue 15, items 3 and 4)."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import save as st_save

from conftest import smooth_image
from learned_helpers import tiny_weights
from srcodec.archs import STAGES_KEY, convert_legacy, load_stages, read_metadata, weights_identity
from srcodec.cli import main
from srcodec.codecs.learned import LearnedCodec
from srcodec.models.weights import load_weights
from srcodec.train.options import parse_every

SRC = Path(__file__).resolve().parent.parent / "src" / "srcodec"


def _legacy_file(path: Path, model) -> Path:
    """A learned-codec weights file as srcodec wrote them before the one format (config under 'srcodec')."""
    model.update_tables()
    config = {**model.config(), "model_id": "old-tiny", "steps": 7}
    tensors = {k: v.detach().contiguous().clone() for k, v in model.state_dict().items()}
    path.write_bytes(st_save(tensors, metadata={"srcodec": json.dumps(config)}))
    return path


def test_legacy_codec_weights_load_and_convert_keeping_their_identity(tmp_path):
    model, _, _ = load_weights(tiny_weights(tmp_path / "new.safetensors"))
    old = _legacy_file(tmp_path / "old.safetensors", model)
    image = smooth_image(40, 56, seed=3)
    written = LearnedCodec(old).encode(image, 4.0)  # a .srz file written with the old-format weights
    converted = convert_legacy(old, tmp_path / "converted.safetensors")
    meta = read_metadata(converted)
    assert "codec" in meta[STAGES_KEY] and meta["model_id"] == "old-tiny" and "srcodec.legacy" not in meta
    assert weights_identity(converted) == weights_identity(old)  # so the .srz files already written decode
    assert np.array_equal(LearnedCodec(converted).decode(written), LearnedCodec(old).decode(written))
    with pytest.raises(Exception, match="already a stage file"):
        convert_legacy(converted, tmp_path / "again.safetensors")


def test_every_shipped_weights_file_is_a_stage_file():
    files = sorted((SRC / "weights").glob("*.safetensors"))
    assert files
    for f in files:
        meta = read_metadata(f)
        assert "srcodec.legacy" not in meta, f
        for stage, spec in meta[STAGES_KEY].items():
            assert isinstance(spec["arch"], str) and isinstance(spec["config"], dict), (f, stage)
    # the learned codec's file: a 'codec' stage of the registry, its identity the one its .srz files carry
    codec = SRC / "weights" / "checkerboard-n64-m128.safetensors"
    assert load_stages(codec, only=("codec",))["codec"].arch_name == "checkerboard"
    assert weights_identity(codec).hex() == read_metadata(codec)["srcodec.identity"]


def test_one_training_loop():
    """Only the engine steps an optimiser; every kind's module runs on it."""
    train = SRC / "train"
    steppers = [p.name for p in train.glob("*.py") if re.search(r"\bopt\.step\(\)|optimizer\.step\(\)", p.read_text())]
    assert steppers == ["engine.py"]
    kinds = ["car", "codec", "comcnn", "jpegnet", "latent_sr", "prefilter", "resampler", "restorer", "sr"]
    for k in kinds:
        text = (train / f"{k}.py").read_text()
        assert "run_task(" in text and "from srcodec.train.engine import" in text, k


def test_every_flag_takes_steps_or_minutes():
    assert parse_every("500") == (500, "steps") and parse_every("2.5m") == (2.5, "minutes")
    for bad in ("0", "-3", "x", "5s"):
        with pytest.raises(Exception):
            parse_every(bad)


def test_a_bad_interval_is_a_one_line_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["train", "codec", "--out", str(tmp_path / "r"), "--steps", "1", "--val-every", "5s"])
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert exc.value.code == 2 and len(err) == 1 and "--val-every" in err[0], err


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("data")
    for i in range(3):
        Image.fromarray(smooth_image(80, 96, seed=i)).save(d / f"img{i}.png")
    return d


TINY = ["-N", "8", "-M", "12", "--crop", "64", "--batch", "2", "--val", "", "--no-progress", "--log-every", "1"]


def test_a_checkpoint_of_the_earlier_codec_trainer_resumes(data_dir, tmp_path):
    run = tmp_path / "run"
    assert main(["train", "codec", "--data", str(data_dir), "--out", str(run), "--steps", "2", *TINY]) == 0
    ck = torch.load(run / "checkpoint.pt", weights_only=False)
    spec = ck["specs"]["codec"]
    legacy = {"model": ck["nets"]["codec"], "optimizer": ck["opt"], "step": ck["step"], "seconds": ck["seconds"],
              "config": {"arch": spec["arch"], "N": spec["config"]["n"], "M": spec["config"]["m"],
                         "lambdas": spec["config"]["lambdas"]},
              "model_id": "checkerboard-n8-m12", "sampler": ck["sampler"], "q_generator": ck["task"]["q_generator"]}
    old = tmp_path / "old"
    old.mkdir()
    torch.save(legacy, old / "checkpoint.pt")
    assert main(["train", "codec", "--data", str(data_dir), "--out", str(old), "--steps", "3", "--resume", str(old), *TINY]) == 0
    assert torch.load(old / "checkpoint.pt", weights_only=False)["step"] == 3
    assert load_weights(old / "weights.safetensors")[1]["model_id"] == "checkerboard-n8-m12"


def test_minutes_intervals_and_the_curve_start(data_dir, tmp_path):
    run = tmp_path / "run"
    args = ["train", "codec", "--data", str(data_dir), "--out", str(run), "--steps", "2", *TINY[:-5],
            "--val", str(data_dir), "--val-images", "1", "--val-every", "60m", "--checkpoint-every", "60m", "--no-progress"]
    assert main(args) == 0
    rows = [json.loads(line) for line in (run / "val.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [0, 2]  # before the first step, and at the end (60 minutes never came)
    assert torch.load(run / "checkpoint.pt", weights_only=False)["step"] == 2
