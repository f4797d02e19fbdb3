"""``import srcodec.pillow``: .srz through Pillow's own API."""

import io

import numpy as np
import pytest
from PIL import Image

import srcodec
import srcodec.pillow  # noqa: F401
from srcodec.metrics import psnr
from tests.conftest import smooth_image


def test_open_and_save_through_pillow(tmp_path):
    src = Image.fromarray(smooth_image(32, 48))
    path = tmp_path / "x.srz"
    src.save(path, codec="bicubic-jpeg-x2", quality=90)
    assert path.read_bytes()[:4] == b"SRZ\x89"
    with Image.open(path) as im:
        assert im.format == "SRZ" and im.size == (48, 32) and im.mode == "RGB"
        assert im.info["srcodec_codec"] == "bicubic-jpeg-x2"
        arr = np.asarray(im)
    assert np.array_equal(arr, srcodec.decompress(path.read_bytes()))
    assert psnr(np.asarray(src), arr) > 25


def test_greyscale_and_max_bytes(tmp_path):
    grey = Image.fromarray(smooth_image(40, 40, 1)[:, :, 0], "L")
    buf = io.BytesIO()
    grey.save(buf, format="SRZ", codec="bicubic-jpeg-x2", max_bytes=600)
    assert len(buf.getvalue()) <= 600
    buf.seek(0)
    with Image.open(buf) as im:
        assert im.mode == "L" and im.size == (40, 40)
        im.load()


def test_a_damaged_file_is_an_error_pillow_programs_expect(tmp_path):
    src = Image.fromarray(smooth_image(16, 16))
    path = tmp_path / "x.srz"
    src.save(path, codec="bicubic-jpeg-x2", quality=80)
    data = bytearray(path.read_bytes())
    data[-3] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises((OSError, SyntaxError)):
        Image.open(path).load()


def test_saving_with_a_codec_that_is_not_srz_is_refused(tmp_path):
    with pytest.raises(OSError):
        Image.fromarray(smooth_image(16, 16)).save(tmp_path / "x.srz", codec="jpeg")
