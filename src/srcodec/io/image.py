"""Load any image Pillow reads into one canonical form; save PNG.

The canonical image is a ``numpy.ndarray`` of dtype ``uint8`` and shape
``(H, W, C)`` with ``C == 3`` (RGB) or ``C == 1`` (greyscale). The rules:

=====================  =====================================================
source                 canonical form
=====================  =====================================================
RGB                    as is
L, 1 (bilevel)         greyscale, C == 1 (bilevel: 0 / 255)
I;16, I (16/32-bit)    greyscale, rounded from the 16-bit range: v / 257
RGB 16-bit (48-bit)    RGB; Pillow keeps the high byte of each sample (v >> 8)
F (float)              greyscale, clipped to 0..255 and rounded
RGBA, LA, PA, RGBa     alpha composited onto white, then RGB / greyscale
P (palette)            expanded to RGB (RGBA palettes composited onto white)
CMYK, YCbCr, LAB, HSV  converted to RGB by Pillow
EXIF orientation       applied (the pixels come out the way a viewer shows them)
multi-frame files      the first frame
=====================  =====================================================

Sizes from 1x1 up work; images above ``MAX_PIXELS`` are refused with an
error instead of exhausting memory.
"""

from __future__ import annotations

import io
import os
import struct
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from srcodec.errors import InputError
from srcodec.io.files import read_bytes, write_atomic

MAX_PIXELS = 1 << 28  # 268 megapixels: 16384 x 16384

#: file suffixes treated as images when a folder is given
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".gif", ".ppm", ".pgm", ".pnm", ".tga"}


def _composite_on_white(im: Image.Image) -> Image.Image:
    rgba = im.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, rgba).convert("RGB")


def _canonical(im: Image.Image) -> np.ndarray:
    mode = im.mode
    if mode == "RGB":
        out = np.asarray(im)
    elif mode in ("L", "1"):
        out = np.asarray(im.convert("L"))
    elif mode.startswith("I"):  # I, I;16, I;16B, I;16L, I;16N
        arr = np.asarray(im).astype(np.float64)
        if mode == "I" and arr.size and arr.max() > 65535:
            arr = arr / (2**32 - 1) * 255.0
        else:
            arr = arr / 257.0
        out = np.clip(np.rint(arr), 0, 255).astype(np.uint8)
    elif mode == "F":
        out = np.clip(np.rint(np.asarray(im, dtype=np.float64)), 0, 255).astype(np.uint8)
    elif mode in ("LA", "La"):
        out = np.asarray(_composite_on_white(im).convert("L"))
    elif mode in ("RGBA", "RGBa", "PA"):
        out = np.asarray(_composite_on_white(im))
    elif mode == "P":
        has_alpha = "transparency" in im.info or (im.palette is not None and im.palette.mode == "RGBA")
        out = np.asarray(_composite_on_white(im) if has_alpha else im.convert("RGB"))
    else:  # CMYK, YCbCr, LAB, HSV, ...
        out = np.asarray(im.convert("RGB"))
    if out.ndim == 2:
        out = out[:, :, None]
    return np.ascontiguousarray(out, dtype=np.uint8)


def image_from_bytes(data: bytes, name: str = "<bytes>") -> np.ndarray:
    """Decode image bytes of any format Pillow reads into the canonical form."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                w, h = im.size
                if w * h > MAX_PIXELS:
                    raise InputError(f"{name}: {w}x{h} is too large (limit {MAX_PIXELS} pixels)")
                im.seek(0)
                im = ImageOps.exif_transpose(im)
                im.load()
                return _canonical(im)
    except InputError:
        raise
    except (UnidentifiedImageError,):
        raise InputError(f"{name}: not an image file Pillow can read") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InputError(f"{name}: image is too large to decode safely") from None
    except MemoryError:
        raise InputError(f"{name}: image is too large to decode here") from None
    except (OSError, SyntaxError, ValueError, EOFError, RuntimeError, struct.error, IndexError, ZeroDivisionError) as exc:
        # RuntimeError: the AVIF and JPEG XL plugins' decoding errors; the others: Pillow's parsers
        raise InputError(f"{name}: truncated or corrupted image ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from None


def load_image(source: str | os.PathLike | np.ndarray | Image.Image) -> np.ndarray:
    """Load a path, a PIL image or an array into the canonical uint8 (H, W, C) form."""
    if isinstance(source, np.ndarray):
        return as_canonical_array(source)
    if isinstance(source, Image.Image):
        return _canonical(ImageOps.exif_transpose(source))
    path = Path(source)
    return image_from_bytes(read_bytes(path), name=str(path))


def as_canonical_array(arr: np.ndarray) -> np.ndarray:
    """Check and normalise an array given by a caller of the Python API."""
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if arr.ndim != 3 or arr.shape[2] not in (1, 3) or arr.shape[0] < 1 or arr.shape[1] < 1:
        raise InputError(f"expected an image array of shape (H, W), (H, W, 1) or (H, W, 3), got {arr.shape}")
    if arr.dtype != np.uint8:
        if np.issubdtype(arr.dtype, np.floating):
            raise InputError("expected a uint8 image array; convert floats with np.clip(np.rint(x), 0, 255).astype(np.uint8)")
        arr = np.clip(arr, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(arr)


def to_pil(image: np.ndarray) -> Image.Image:
    """The canonical array as a PIL image (mode RGB or L)."""
    return Image.fromarray(image[:, :, 0], "L") if image.shape[2] == 1 else Image.fromarray(image, "RGB")


def png_bytes(image: np.ndarray, compress_level: int = 6) -> bytes:
    buf = io.BytesIO()
    to_pil(image).save(buf, format="PNG", compress_level=compress_level)
    return buf.getvalue()


def save_png(image: np.ndarray, path: str | os.PathLike, *, inputs: tuple = ()) -> Path:
    """Write the canonical image as PNG, atomically."""
    return write_atomic(path, png_bytes(image), inputs=inputs)


def to_rgb(image: np.ndarray) -> np.ndarray:
    """Greyscale repeated to three channels; RGB unchanged."""
    return np.repeat(image, 3, axis=2) if image.shape[2] == 1 else image
