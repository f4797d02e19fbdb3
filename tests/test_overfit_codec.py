"""The overfitted codec (``overfit``): a real file whose decoder is in the file, on tiny images and few steps."""

import struct
import subprocess
import sys

import numpy as np
import pytest

import srcodec
from srcodec.codecs import get_codec
from srcodec.codecs.overfit import LAMBDA_HIGH, LAMBDA_LOW, lambda_of, quality_of
from srcodec.container import srz
from srcodec.errors import BadOptionError, InputError
from srcodec.metrics import psnr


def _picture(h=24, w=40, seed=0):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = np.stack([40 + 4 * x, 60 + 6 * y, 128 + 60 * np.sin(x / 5.0)], axis=2) + rng.normal(0, 3, (h, w, 3))
    return np.clip(img, 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def coded():
    img = _picture()
    codec = get_codec("overfit", steps=60)
    return img, codec, codec.encode(img, 8.0)


def test_round_trip_beats_a_flat_picture_and_decodes_the_same_twice(coded):
    img, codec, data = coded
    out = codec.decode(data)
    assert out.shape == img.shape and out.dtype == np.uint8
    flat = np.broadcast_to(img.reshape(-1, 3).mean(0).round().astype(np.uint8), img.shape)
    assert psnr(img, out) > psnr(img, flat) + 3
    assert np.array_equal(out, codec.decode(data))
    assert np.array_equal(out, srcodec.decompress(data))  # the API finds the codec from the file


def test_the_file_is_an_srz_of_the_codec_with_the_decoder_inside(coded):
    img, _, data = coded
    header, streams = srz.unpack(data)
    assert header.codec == "overfit" and (header.height, header.width, header.channels) == (*img.shape[:2], 3)
    assert header.quality == 8.0 and len(streams) == 1 and len(header.extra) > 4


def test_a_lower_quality_gives_a_smaller_file():
    img = _picture(seed=1)
    codec = get_codec("overfit", steps=60)
    assert len(codec.encode(img, 1.0)) < len(codec.encode(img, 8.0))


@pytest.mark.parametrize("shape", [(17, 23, 1), (9, 70, 3)])
def test_odd_sizes_and_greyscale(shape):
    img = _picture(shape[0], shape[1])[:, :, : shape[2]]
    codec = get_codec("overfit", steps=5)
    assert codec.decode(codec.encode(img, 4.0)).shape == shape


def test_the_same_seed_gives_the_same_file():
    img = _picture(12, 16)
    assert get_codec("overfit", steps=5).encode(img, 3.0) == get_codec("overfit", steps=5).encode(img, 3.0)


def test_quality_is_coolchics_lambda_range():
    assert lambda_of(1.0) == pytest.approx(LAMBDA_LOW) and lambda_of(8.0) == pytest.approx(LAMBDA_HIGH)
    for lam in (0.02, 0.004, 0.001, 0.0004, 0.0001):
        assert lambda_of(quality_of(lam)) == pytest.approx(lam)


def test_damaged_files_are_one_line_errors(coded):
    _, codec, data = coded
    header, streams = srz.unpack(data)
    pack = dict(height=header.height, width=header.width, channels=header.channels, quality=header.quality)

    def forged(extra=header.extra, stream=streams[0]):
        return srz.pack("overfit", header.model_id, header.weights_hash, pack["height"], pack["width"],
                        pack["channels"], [stream], quality=pack["quality"], extra=extra)

    bad = [forged(extra=header.extra[:3]),                                   # no widths and steps
           forged(extra=struct.pack("<BBBB", 0, 16, 8, 8) + header.extra[4:]),  # a width of 0
           forged(extra=struct.pack("<BBBB", 16, 16, 99, 8) + header.extra[4:]),  # a step out of range
           forged(extra=header.extra[:-1]),                                  # a weight table missing
           forged(stream=streams[0][: len(streams[0]) // 2]),                 # the stream cut short
           forged(stream=streams[0] + b"\x01\x02\x03\x04")]                  # words added
    for d in bad:
        with pytest.raises(InputError) as err:
            codec.decode(d)
        assert "\n" not in str(err.value)


def test_bad_options_are_one_line_errors():
    with pytest.raises(BadOptionError, match="steps"):
        get_codec("overfit:steps=0")
    with pytest.raises(BadOptionError, match="quality"):
        get_codec("overfit").encode(_picture(8, 8), 9.0)


def test_the_cli_writes_and_reads_an_overfit_file(tmp_path):
    from PIL import Image

    src = tmp_path / "in.png"
    Image.fromarray(_picture(16, 24)).save(src)
    out = tmp_path / "in.srz"
    run = subprocess.run([sys.executable, "-m", "srcodec", "compress", str(src), "-o", str(out), "--codec",
                          "overfit:steps=5", "--quality", "5"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    back = subprocess.run([sys.executable, "-m", "srcodec", "decompress", str(out), "-o", str(tmp_path / "back.png")],
                          capture_output=True, text=True)
    assert back.returncode == 0, back.stderr
    assert Image.open(tmp_path / "back.png").size == (24, 16)


def test_real_files_stay_far_below_the_payload_bound():
    """The cheapest real files (flat pictures, quality 1) hold 10x fewer pixels per payload byte than the
    bound a forged header is refused at; a header that claims more, or more than the codec's largest image, is a
    one-line error before any allocation."""
    from srcodec.codecs.overfit import PIXELS_PER_PAYLOAD_BYTE

    codec = get_codec("overfit", steps=150)
    for value in (0, 128, 255):
        header, streams = srz.unpack(codec.encode(np.full((128, 128, 3), value, np.uint8), 1.0))
        assert 128 * 128 / len(streams[0]) * 10 < PIXELS_PER_PAYLOAD_BYTE
    def forged(side, stream):
        return srz.pack("overfit", header.model_id, header.weights_hash, side, side, 3, [stream], quality=1.0,
                        extra=header.extra)

    with pytest.raises(InputError, match="cannot hold"):
        codec.decode(forged(2048, streams[0][:4]))
    with pytest.raises(InputError, match="size"):  # over the codec's largest image, whatever the payload
        codec.decode(forged(16384, streams[0]))


_THREADS_SCRIPT = """
import sys, numpy as np, torch
torch.set_num_threads(int(sys.argv[1]))
from srcodec.codecs import get_codec
c = get_codec("overfit", steps=40)
if sys.argv[2] == "encode":
    rng = np.random.default_rng(0)
    img = np.clip(rng.normal(128, 60, (96, 130, 3)), 0, 255).astype(np.uint8)
    open(sys.argv[3], "wb").write(c.encode(img, 6.0))
else:
    np.save(sys.argv[3], c.decode(open(sys.argv[4], "rb").read()))
"""


def test_the_same_pixels_whatever_the_thread_count(tmp_path):
    """A file written with 2 threads decodes to the same pixels with 1 and 2: the means and scales the
    symbols are coded with must not move by a bit."""
    script = tmp_path / "t.py"
    script.write_text(_THREADS_SCRIPT)
    coded = tmp_path / "a.srz"
    subprocess.run([sys.executable, str(script), "2", "encode", str(coded)], check=True)
    outs = []
    for threads in (1, 2):
        dst = tmp_path / f"d{threads}.npy"
        subprocess.run([sys.executable, str(script), str(threads), "decode", str(dst), str(coded)], check=True)
        outs.append(np.load(dst))
    assert np.array_equal(outs[0], outs[1])


def test_an_image_over_the_largest_is_a_one_line_error(tmp_path):
    from PIL import Image

    with pytest.raises(InputError, match="at most") as err:
        get_codec("overfit").encode(np.zeros((2049, 2049, 3), np.uint8), 4.0)
    assert "\n" not in str(err.value)
    src = tmp_path / "big.png"
    Image.fromarray(np.zeros((2049, 2049), np.uint8)).save(src)
    run = subprocess.run([sys.executable, "-m", "srcodec", "compress", str(src), "-o", str(tmp_path / "big.srz"),
                          "--codec", "overfit"], capture_output=True, text=True)
    assert run.returncode != 0 and "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1
    assert "at most" in run.stderr and not (tmp_path / "big.srz").exists()


@pytest.mark.parametrize("args", [["--steps", "abc"], ["--steps", "0"], ["--lambdas", "5"], ["--image", "nope.png"]])
def test_the_benchmarks_bad_arguments_are_one_line_errors(args, tmp_path):
    from tests.conftest import ROOT

    run = subprocess.run([sys.executable, "benchmarks/overfit_one_image.py", *args, "--doc", str(tmp_path / "r.md")],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 2 and len(run.stderr.strip().splitlines()) == 1 and "error:" in run.stderr
    assert not (tmp_path / "r.md").exists()
