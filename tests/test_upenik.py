"""upenik-x2/x4: latent-domain SR over the learned codec, its anchors and its trainer, with tiny random models."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import srcodec
from conftest import smooth_image
from learned_helpers import tiny_weights
from srcodec.archs import build_preset, load_stages, read_metadata, save_stages
from srcodec.cli import main
from srcodec.codecs import codec_class, get_codec
from srcodec.container import srz
from srcodec.data.degrade import bicubic_down, bicubic_up
from srcodec.errors import InputError, UnavailableError
from srcodec.metrics import psnr
from srcodec.models.base import LearnedModel
from srcodec.pipelines.upenik import CODEC_HASH_KEY, original_anchor


@pytest.fixture
def codec_hash(tmp_path, monkeypatch):
    """A tiny random learned codec (N=8, M=12) installed in place of the shipped one; its weights hash."""
    monkeypatch.setenv("SRCODEC_LEARNED_WEIGHTS", str(tiny_weights(tmp_path / "tiny.safetensors")))
    return get_codec("learned").settings()["weights_hash"]


def _decoder(scale: int, residual: float = 0.0, preset: str = "latent-sr-compact"):
    model = get_codec("learned")._model()[0]
    net = build_preset(preset, scale=scale, n=model.n, m=model.m).init_from_synthesis(model.g_s)
    if residual:
        with torch.no_grad():
            net.tail.weight.normal_(0.0, residual)
    return net.eval()


def _ship(weights_dir, name, net, codec_hash):
    save_stages(weights_dir / f"{name}.safetensors", {"sr": net}, {CODEC_HASH_KEY: codec_hash})


@pytest.mark.parametrize("preset", ["latent-sr-compact", "latent-sr-lr"])
@pytest.mark.parametrize("scale", [2, 4])
def test_untrained_decoder_is_synthesis_then_bicubic(codec_hash, scale, preset):
    model = get_codec("learned")._model()[0]
    net = _decoder(scale, preset=preset)
    latent = torch.randn(1, model.m, 5, 6)
    with torch.no_grad():
        ref = F.interpolate(model.g_s(latent), scale_factor=scale, mode="bicubic", align_corners=False)
        out = net(latent)
    m = 4 * 2 * scale  # away from the borders (bicubic clamps there, the sub-pixel head pads with zeros)
    assert out.shape == ref.shape
    assert torch.allclose(out[..., m:-m, m:-m], ref[..., m:-m, m:-m], atol=1e-4)


@pytest.mark.parametrize("shape", [(37, 45, 3), (50, 70, 1)])
def test_upenik_x2_roundtrip_never_decodes_lr_pixels(codec_hash, weights_dir, monkeypatch, shape):
    _ship(weights_dir, "upenik-x2", _decoder(2), codec_hash)
    assert codec_class("upenik-x2").unavailable_reason() is None
    img = smooth_image(shape[0], shape[1], c=shape[2])
    data = srcodec.compress(img, codec="upenik-x2", quality=3.5)
    header, streams = srz.unpack(data)
    assert header.codec == "upenik-x2" and header.quality == 3.5 and srcodec.identify(streams[0]) == "learned"
    assert srz.describe(streams[0])["height"] == -(-shape[0] // 2)  # the bicubic LR was coded
    lr_decoded = get_codec("learned").decode(streams[0])

    def no_pixels(*args, **kwargs):
        raise AssertionError("the LR image was decoded to pixels")

    monkeypatch.setattr(LearnedModel, "decompress", no_pixels)
    out = srcodec.decompress(data)
    assert out.shape == img.shape and out.dtype == np.uint8
    # untrained: decode then bicubic (torch's, in float; Pillow's differs a little)
    ref = bicubic_up(lr_decoded, 2)[: shape[0], : shape[1]]
    ref = ref if shape[2] == 3 else np.asarray(srcodec.io.image.to_pil(ref).convert("L"))[:, :, None]
    assert psnr(out, ref) > 30.0


def test_upenik_x4_with_a_trained_looking_residual(codec_hash, weights_dir):
    _ship(weights_dir, "upenik-x4", _decoder(4, residual=1e-2), codec_hash)
    img = smooth_image(40, 72)
    out = srcodec.decompress(srcodec.compress(img, codec="upenik-x4", quality=8))
    assert out.shape == img.shape


def test_wrong_weights_are_refused(codec_hash, weights_dir):
    cls = codec_class("upenik-x2")
    assert f"recipes/{cls.name}.sh" in cls.unavailable_reason()
    save_stages(weights_dir / "upenik-x2.safetensors", {"sr": _decoder(2)})  # no codec recorded
    assert "not recorded" in cls.unavailable_reason()
    _ship(weights_dir, "upenik-x2", _decoder(2), "0123456789abcdef")  # another codec's latent
    assert "trained on the learned codec weights 0123456789abcdef" in cls.unavailable_reason()
    with pytest.raises(UnavailableError):
        srcodec.compress(smooth_image(16, 16), codec="upenik-x2", quality=2)
    _ship(weights_dir, "upenik-x2", build_preset("edsr-compact", scale=2), codec_hash)
    assert "needs latent-sr" in cls.unavailable_reason()
    _ship(weights_dir, "upenik-x2", _decoder(4), codec_hash)
    with pytest.raises(InputError, match="x4"):
        _ = get_codec("upenik-x2").nets
    _ship(weights_dir, "upenik-x2", _decoder(2), codec_hash)
    data = srcodec.compress(smooth_image(24, 24), codec="upenik-x2", quality=2)
    _ship(weights_dir, "upenik-x2", _decoder(2, residual=1e-3), codec_hash)
    with pytest.raises(InputError, match="other weights"):
        srcodec.decompress(data)


def test_decoded_and_original_anchors(codec_hash, weights_dir):
    sr = build_preset("edsr-compact", scale=2).eval()  # zero-initialised tail: bicubic enlargement
    save_stages(weights_dir / "upenik-decoded-x2.safetensors", {"sr": sr})
    img = smooth_image(37, 45)
    data = srcodec.compress(img, codec="upenik-decoded-x2", quality=4)
    assert srcodec.decompress(data).shape == img.shape
    grey = smooth_image(30, 42)[:, :, :1]
    out = original_anchor(grey, 2, sr)
    assert out.shape == grey.shape
    assert psnr(original_anchor(img, 2, sr), img) > psnr(bicubic_up(bicubic_down(img, 4), 4)[:37, :45], img)


def test_train_latent_sr_two_steps_then_ship_it(codec_hash, data, tmp_path, weights_dir):
    run = tmp_path / "ls"
    assert main(["train", "latent-sr", "--scale", "2", "--arch", "latent-sr-compact", "--data", str(data),
                 "--out", str(run), "--crop", "32", "--batch", "2", "--steps", "2", "--threads", "1",
                 "--val", str(data), "--val-images", "1", "--no-progress"]) == 0
    meta = read_metadata(run / "weights.safetensors")
    spec = meta["srcodec.stages"]["sr"]
    assert spec["arch"] == "latent-sr" and (spec["config"]["scale"], spec["config"]["n"], spec["config"]["m"]) == (2, 8, 12)
    assert meta[CODEC_HASH_KEY] == codec_hash and "val step 2" in (run / "log.txt").read_text()
    shutil.copy(run / "weights.safetensors", weights_dir / "upenik-x2.safetensors")
    img = smooth_image(33, 47)
    assert srcodec.decompress(srcodec.compress(img, codec="upenik-x2", quality=5)).shape == img.shape


def test_detail_branch_at_lr_runs_on_the_lr_grid(codec_hash):
    model = get_codec("learned")._model()[0]
    net = build_preset("latent-sr-lr", scale=4, n=model.n, m=model.m)
    seen = []
    net.body[0].register_forward_hook(lambda mod, inp, out: seen.append(out.shape[-2:]))
    with torch.no_grad():
        assert net(torch.randn(1, model.m, 2, 3)).shape[-2:] == (2 * 16 * 4, 3 * 16 * 4)
    assert seen == [torch.Size([2 * 16, 3 * 16])]  # LR = latent x 16
    with pytest.raises(ValueError, match="detail_at"):
        build_preset("latent-sr", scale=2, n=model.n, m=model.m, detail_at="hr")


def test_train_latent_sr_freeze_synthesis_trains_only_the_heads(codec_hash, data, tmp_path):
    run = tmp_path / "ls"
    assert main(["train", "latent-sr", "--scale", "2", "--arch", "latent-sr-lr", "--freeze-synthesis",
                 "--data", str(data), "--out", str(run), "--crop", "32", "--batch", "2", "--steps", "2",
                 "--lr", "1e-2", "--warmup", "0", "--threads", "1", "--val", "", "--no-progress"]) == 0
    trained = load_stages(run / "weights.safetensors")["sr"]
    fresh = _decoder(2, preset="latent-sr-lr")
    for mine, theirs in zip(trained.synthesis.parameters(), fresh.synthesis.parameters(), strict=True):
        assert torch.equal(mine, theirs)
    assert not torch.equal(trained.head[0].weight, fresh.head[0].weight)


def test_resume_with_other_trainable_parameters_is_a_one_line_error(codec_hash, data, tmp_path, capsys):
    run = tmp_path / "ls"
    common = ["train", "latent-sr", "--scale", "2", "--arch", "latent-sr-compact", "--data", str(data),
              "--out", str(run), "--crop", "32", "--batch", "2", "--threads", "1", "--val", "", "--no-progress"]
    assert main([*common, "--freeze-synthesis", "--steps", "1"]) == 0
    capsys.readouterr()
    assert main([*common, "--steps", "2", "--resume", str(run)]) == 2
    err = capsys.readouterr().err.strip()
    assert "optimizer holds other parameters" in err and len(err.splitlines()) == 1


def test_train_sr_on_the_learned_codec_for_the_decoded_anchor(codec_hash, data, tmp_path):
    assert main(["train", "sr", "--codec", "learned", "--quality", "1.5-7.5", "--scale", "2", "--arch", "edsr-compact",
                 "--data", str(data), "--out", str(tmp_path / "sr"), "--crop", "32", "--batch", "2", "--steps", "1",
                 "--threads", "1", "--val", "", "--no-progress"]) == 0
    assert read_metadata(tmp_path / "sr" / "weights.safetensors")["codec"] == "learned"


def test_train_latent_sr_refuses_a_foreign_init(codec_hash, data, tmp_path, capsys):
    init = tmp_path / "edsr.safetensors"
    save_stages(init, {"sr": build_preset("edsr-compact", scale=2)})
    assert main(["train", "latent-sr", "--data", str(data), "--out", str(tmp_path / "x"), "--steps", "1",
                 "--crop", "32", "--val", "", "--init", str(init)]) == 2
    assert main(["train", "latent-sr", "--data", str(data), "--out", str(tmp_path / "x"), "--steps", "1",
                 "--crop", "33", "--val", ""]) == 2
    assert capsys.readouterr().err.count("srcodec: error:") == 2
