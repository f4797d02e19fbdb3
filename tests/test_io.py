"""Canonical image loading: one documented rule per source mode."""

import io

import numpy as np
import pytest
from PIL import Image

from srcodec.errors import InputError
from srcodec.io.files import write_atomic
from srcodec.io.image import image_from_bytes, load_image, save_png


def _bytes(im: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format=fmt, **kw)
    return buf.getvalue()


def test_rgb_png_roundtrip(tmp_path, rgb64):
    save_png(rgb64, tmp_path / "a.png")
    out = load_image(tmp_path / "a.png")
    assert out.dtype == np.uint8 and out.shape == (64, 64, 3)
    assert np.array_equal(out, rgb64)


def test_greyscale_stays_one_channel(tmp_path):
    g = np.arange(12, dtype=np.uint8).reshape(3, 4) * 20
    out = image_from_bytes(_bytes(Image.fromarray(g, "L")))
    assert out.shape == (3, 4, 1) and np.array_equal(out[:, :, 0], g)


def test_sixteen_bit_greyscale_is_scaled():
    g = np.array([[0, 257 * 100, 65535]], dtype=np.uint16)
    im = Image.fromarray(g)
    out = image_from_bytes(_bytes(im))
    assert out.shape == (1, 3, 1)
    assert out[0, :, 0].tolist() == [0, 100, 255]


def test_rgba_is_composited_on_white():
    a = np.zeros((2, 2, 4), dtype=np.uint8)
    a[0, 0] = (255, 0, 0, 255)  # opaque red
    a[0, 1] = (0, 0, 0, 0)  # fully transparent
    a[1, 0] = (0, 0, 0, 128)  # half black
    out = image_from_bytes(_bytes(Image.fromarray(a, "RGBA")))
    assert out.shape == (2, 2, 3)
    assert out[0, 0].tolist() == [255, 0, 0]
    assert out[0, 1].tolist() == [255, 255, 255]
    assert 120 <= out[1, 0, 0] <= 135


def test_palette_expands_to_rgb():
    im = Image.fromarray(np.full((4, 4, 3), (10, 200, 30), dtype=np.uint8)).convert("P", palette=Image.Palette.ADAPTIVE)
    out = image_from_bytes(_bytes(im))
    assert out.shape == (4, 4, 3) and out[0, 0].tolist() == [10, 200, 30]


def test_exif_orientation_is_applied():
    a = np.zeros((2, 3, 3), dtype=np.uint8)
    a[0, 0] = 255
    im = Image.fromarray(a)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 CW to display
    out = image_from_bytes(_bytes(im, "JPEG", exif=exif.tobytes(), quality=100))
    assert out.shape == (3, 2, 3)  # width and height swapped


def test_one_by_one_and_bmp_tiff_webp():
    px = np.array([[[1, 2, 3]]], dtype=np.uint8)
    for fmt in ("PNG", "BMP", "TIFF"):
        assert np.array_equal(image_from_bytes(_bytes(Image.fromarray(px), fmt)), px)
    assert image_from_bytes(_bytes(Image.fromarray(px), "WEBP", lossless=True)).shape == (1, 1, 3)


@pytest.mark.parametrize("data", [b"", b"hello, I am text\n", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20])
def test_foreign_or_broken_bytes_raise_input_error(data):
    with pytest.raises(InputError):
        image_from_bytes(data)


def test_truncated_png_raises(tmp_path, rgb64):
    save_png(rgb64, tmp_path / "a.png")
    data = (tmp_path / "a.png").read_bytes()
    with pytest.raises(InputError):
        image_from_bytes(data[: len(data) // 2])


def test_missing_file_raises(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_image(tmp_path / "nope.png")


def test_write_atomic_refuses_to_overwrite_input(tmp_path):
    p = tmp_path / "in.bin"
    p.write_bytes(b"original")
    from srcodec.errors import OutputError

    with pytest.raises(OutputError):
        write_atomic(p, b"new", inputs=(p,))
    assert p.read_bytes() == b"original"
    assert [x.name for x in tmp_path.iterdir()] == ["in.bin"]  # no temp file left behind


def test_sixteen_bit_rgb_png_keeps_high_byte():
    import struct
    import zlib

    h, w = 2, 3
    px = np.zeros((h, w, 3), dtype=">u2")
    px[..., 0], px[..., 1], px[..., 2] = 1000, 30000, 65535
    raw = b"".join(b"\x00" + px[i].tobytes() for i in range(h))

    def chunk(tag, body):
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    out = image_from_bytes(png)
    assert out.shape == (2, 3, 3) and out[0, 0].tolist() == [1000 >> 8, 30000 >> 8, 255]
