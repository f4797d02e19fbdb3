"""The JPEG quality read back from quantization tables."""

import io

from PIL import Image

from srcodec.codecs import get_codec
from srcodec.codecs.jpeg_tables import jpeg_quality
from tests.conftest import smooth_image


def test_pillow_qualities_are_read_back_exactly():
    img = Image.fromarray(smooth_image(32, 32))
    for q in (1, 5, 10, 20, 30, 50, 75, 90, 95, 100):
        buf = io.BytesIO()
        img.save(buf, format="JPEG", quality=q)
        assert jpeg_quality(buf.getvalue()) == (float(q), 0.0)


def test_other_files_are_not_jpeg():
    assert jpeg_quality(get_codec("webp").encode(smooth_image(16, 16), 50)) is None
    assert jpeg_quality(b"not an image") is None


def test_other_encoders_get_the_nearest_quality():
    q, err = jpeg_quality(get_codec("jpegli").encode(smooth_image(32, 32), 80))
    assert 50 <= q <= 100 and err >= 0
