"""Every standard codec writes a real file that decodes back to the same size."""

import numpy as np
import pytest

import srcodec
from srcodec.codecs import codec_class, codec_names, get_codec
from srcodec.errors import BadOptionError, SrcodecError, UnavailableError, UnknownNameError
from srcodec.metrics import psnr
from tests.conftest import smooth_image

STANDARD = ["jpeg", "webp", "avif", "jpeg2000", "jxl", "heif"]


@pytest.mark.parametrize("name", STANDARD)
def test_roundtrip_and_rate_grows_with_quality(name):
    if codec_class(name).unavailable_reason():
        pytest.skip(codec_class(name).unavailable_reason())
    c = get_codec(name)
    img = smooth_image(48, 64)
    lo, hi = c.sweep[1], c.sweep[-2]
    small, big = c.encode(img, lo), c.encode(img, hi)
    assert len(small) < len(big)
    out = c.decode_like(big, img)
    assert out.shape == img.shape and out.dtype == np.uint8
    assert psnr(img, out) > 30
    assert srcodec.identify(big) == name
    assert np.array_equal(srcodec.decompress(big), c.decode(big))


@pytest.mark.parametrize("name", STANDARD)
@pytest.mark.parametrize("shape", [(1, 1, 3), (3, 5, 1), (17, 9, 3)])
def test_odd_sizes_and_greyscale(name, shape):
    if codec_class(name).unavailable_reason():
        pytest.skip("plugin missing")
    c = get_codec(name)
    img = smooth_image(*shape)
    out = c.decode_like(c.encode(img, c.default_quality), img)
    assert out.shape == img.shape


def test_unknown_codec_and_bad_quality():
    with pytest.raises(UnknownNameError, match="unknown codec"):
        get_codec("bpg9000")
    with pytest.raises(BadOptionError, match="outside"):
        get_codec("jpeg").encode(smooth_image(8, 8), 500)


def test_missing_plugin_is_unavailable_not_a_crash(monkeypatch):
    cls = codec_class("jxl")
    monkeypatch.setattr(cls, "_import", classmethod(lambda c: (_ for _ in ()).throw(ImportError("no"))))
    assert "pip install" in cls.unavailable_reason()
    with pytest.raises(UnavailableError):
        get_codec("jxl")


def test_target_bpp_bisection_fits_and_is_tight():
    img = smooth_image(96, 128)
    data = srcodec.compress(img, "jpeg", bpp=1.0)
    limit = 1.0 * 96 * 128 / 8
    assert len(data) <= limit
    c = get_codec("jpeg")
    from srcodec.api import encode_for_target

    _, q = encode_for_target(c, img, bpp=1.0)
    if q < 100:
        assert len(c.encode(img, q + 1)) > limit  # the next quality up would not fit
    with pytest.raises(SrcodecError):
        srcodec.compress(img, "jpeg", max_bytes=10)
    assert "jpeg" in codec_names()
