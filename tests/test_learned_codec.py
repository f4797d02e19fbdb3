"""The learned codec end to end, on tiny random models and on the shipped weights."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import save_file

from conftest import smooth_image
from learned_helpers import tiny_weights
from srcodec.api import encode_for_target
from srcodec.codecs import codec_class, get_codec
from srcodec.codecs.learned import LearnedCodec, default_weights_path
from srcodec.container import srz
from srcodec.errors import InputError


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    return tiny_weights(tmp_path_factory.mktemp("w") / "tiny.safetensors")


@pytest.mark.parametrize("shape", [(1, 1, 3), (3, 5, 3), (65, 33, 3), (33, 65, 1), (1, 1, 1)])
def test_any_size_and_greyscale(tiny, shape):
    codec = LearnedCodec(tiny)
    img = smooth_image(shape[0], shape[1], shape[2])
    data = codec.encode(img, 4.5)
    out = codec.decode(data)
    assert out.shape == img.shape and out.dtype == np.uint8
    info = srz.describe(data)
    assert (info["height"], info["width"], info["channels"], info["quality"]) == (shape[0], shape[1], shape[2], 4.5)
    assert (shape[0] + info["pad_bottom"]) % 64 == 0 and (shape[1] + info["pad_right"]) % 64 == 0


def test_other_weights_are_refused(tiny, tmp_path):
    other = tiny_weights(tmp_path / "other.safetensors", seed=1)
    data = LearnedCodec(tiny).encode(smooth_image(16, 16), 3)
    with pytest.raises(InputError, match="other weights"):
        LearnedCodec(other).decode(data)


def test_foreign_weights_files_are_one_line_errors(tmp_path):
    garbage = tmp_path / "garbage.safetensors"
    garbage.write_bytes(b"not a safetensors file at all")
    plain = tmp_path / "plain.safetensors"
    save_file({"w": torch.zeros(2)}, str(plain))  # safetensors, but no srcodec config
    image = tmp_path / "x.png"
    Image.fromarray(smooth_image(16, 16)).save(image)
    for bad in (garbage, plain):
        with pytest.raises(InputError, match="not a weights file"):
            LearnedCodec(bad).encode(smooth_image(8, 8), 3)
        rc = subprocess.run([sys.executable, "-m", "srcodec", "compress", str(image), "--codec", "learned", "-o", str(tmp_path / "x.srz")],
                            capture_output=True, text=True, env={**os.environ, "SRCODEC_LEARNED_WEIGHTS": str(bad)})
        err = [ln for ln in rc.stderr.splitlines() if ln.strip()]
        assert rc.returncode == 2 and len(err) == 1 and "not a weights file" in err[0], rc.stderr
    assert not (tmp_path / "x.srz").exists()


def test_quality_out_of_range(tiny):
    with pytest.raises(Exception, match="outside"):
        LearnedCodec(tiny).encode(smooth_image(8, 8), 9)


def test_registered_interface():
    cls = codec_class("learned")
    assert cls.extension == ".srz" and cls.integer_quality is False and cls.quality_range == (1.0, 8.0)
    assert tuple(cls.sweep) == tuple(float(q) for q in range(1, 9))


def test_unavailable_without_weights(monkeypatch, tmp_path):
    monkeypatch.setenv("SRCODEC_LEARNED_WEIGHTS", str(tmp_path / "missing.safetensors"))
    assert "missing" in codec_class("learned").unavailable_reason()


_THREADS_SCRIPT = """
import sys, numpy as np, torch
torch.set_num_threads(int(sys.argv[1]))
from srcodec.codecs.learned import LearnedCodec
from srcodec.container import srz
c = LearnedCodec(sys.argv[2])
if sys.argv[3] == "encode":
    rng = np.random.default_rng(0)
    img = np.clip(rng.normal(128, 60, (190, 250, 3)), 0, 255).astype(np.uint8)
    open(sys.argv[4], "wb").write(c.encode(img, 6.3))
else:
    data = open(sys.argv[5], "rb").read()
    header, streams = srz.unpack(data)
    model = c._model()[0]
    h, w = header.height + header.pad_bottom, header.width + header.pad_right
    x_hat = model.decompress(streams, header.quality - 1, h, w)  # the float output, before rounding to pixels
    np.savez(sys.argv[4], pixels=c.decode(data), x_hat=x_hat.numpy())
"""


def test_bit_identical_whatever_the_thread_count(tmp_path):
    # wide enough layers that PyTorch's multi-threaded kernels split the work (a 1x1
    # convolution there differs in the last bits between 1 and 2 threads); the float
    # output is compared too, since a last-bit difference flips only a few pixels
    weights = tiny_weights(tmp_path / "t.safetensors", n=64, m=64)
    script = tmp_path / "t.py"
    script.write_text(_THREADS_SCRIPT)
    coded = tmp_path / "a.srz"
    py = [sys.executable, str(script)]
    subprocess.run(py + ["2", str(weights), "encode", str(coded)], check=True)
    outs = []
    for threads in (1, 2):
        dst = tmp_path / f"d{threads}.npz"
        subprocess.run(py + [str(threads), str(weights), "decode", str(dst), str(coded)], check=True)
        outs.append(np.load(dst))
    assert np.array_equal(outs[0]["pixels"], outs[1]["pixels"])
    assert np.array_equal(outs[0]["x_hat"], outs[1]["x_hat"])


shipped = pytest.mark.skipif(not default_weights_path().is_file(), reason="no shipped weights")


@shipped
def test_quality_monotonic_on_shipped_weights():
    codec = get_codec("learned")
    img = smooth_image(96, 128, seed=3)
    sizes = [len(codec.encode(img, q)) for q in (1, 2, 3, 4, 5, 6, 7, 8)]
    assert all(a < b for a, b in zip(sizes, sizes[1:])), sizes
    psnrs = []
    from srcodec.metrics import psnr

    for q in (1, 4, 8):
        psnrs.append(psnr(img, codec.decode(codec.encode(img, q))))
    assert psnrs[0] < psnrs[1] < psnrs[2], psnrs


@shipped
def test_target_bpp_uses_the_real_size():
    codec = get_codec("learned")
    img = smooth_image(64, 96, seed=4)
    data, q = encode_for_target(codec, img, bpp=1.0)
    assert len(data) * 8 <= 1.0 * 64 * 96
    assert 1.0 <= q <= 8.0


@shipped
def test_api_round_trip():
    import srcodec

    img = smooth_image(40, 70, seed=5)
    data = srcodec.compress(img, codec="learned", quality=5.5)
    assert srcodec.decompress(data).shape == img.shape


def test_the_codec_knob_is_the_models_level_scale():
    # models/ does not import codecs/ (no import circle), so the two name the same scale and this keeps them equal
    from srcodec.codecs.learned import LearnedCodec
    from srcodec.models.base import QUALITY_RANGE

    assert tuple(LearnedCodec.quality_range) == tuple(QUALITY_RANGE)
