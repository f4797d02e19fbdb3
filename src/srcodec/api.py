"""The Python API: ``compress(image) -> bytes`` and ``decompress(bytes) -> image``.

::

    import srcodec
    data = srcodec.compress("photo.png", quality=5)            # learned codec, .srz bytes
    data = srcodec.compress(img, codec="avif", bpp=0.4)        # any codec, rate target
    img = srcodec.decompress(data)                             # uint8 (H, W, C)

``decompress`` recognises the file from its first bytes: a ``.srz`` file names
the codec or pipeline that wrote it; any other image file is decoded by Pillow.
"""

from __future__ import annotations

import math
import os

import numpy as np

from srcodec.codecs import Codec, codec_names, get_codec
from srcodec.errors import BadOptionError, InputError, SrcodecError
from srcodec.io.image import image_from_bytes, load_image

SRZ_MAGIC = b"SRZ\x89"


def default_codec_name() -> str:
    """The learned codec when it is installed with its weights, else AVIF."""
    from srcodec.codecs import codec_class

    if "learned" in codec_names() and codec_class("learned").unavailable_reason() is None:
        return "learned"
    return "avif"


def encode_for_target(codec: Codec, image: np.ndarray, *, bpp: float | None = None,
                      max_bytes: int | None = None) -> tuple[bytes, float]:
    """Bisection on the real encoded size: the best quality whose file fits the target.

    The target is ``max_bytes``, or ``bpp`` turned into bytes for this image.
    Returns the bytes and the quality used; an error if even the lowest
    quality does not fit.
    """
    h, w = image.shape[:2]
    if bpp is not None:
        if not (bpp > 0 and math.isfinite(bpp)):
            raise BadOptionError(f"--bpp must be a positive number, got {bpp}")
        limit = int(bpp * h * w / 8)
    else:
        if max_bytes is None or max_bytes <= 0:
            raise BadOptionError(f"--max-bytes must be a positive integer, got {max_bytes}")
        limit = int(max_bytes)
    lo, hi = codec.quality_range
    bottom = codec.encode(image, lo)
    if len(bottom) > limit:
        raise SrcodecError(f"{codec.name}: even the lowest quality needs {len(bottom)} bytes, more than the target {limit}")
    top = codec.encode(image, hi)
    if len(top) <= limit:
        return top, hi
    # bigger quality = bigger file: the best quality that still fits lies between lo (fits) and hi (does not)
    q, data = _boundary(codec, lo, hi, lambda q: codec.encode(image, q), lambda d: len(d) <= limit, bottom, keep="low")
    return data, q


def _boundary(codec: Codec, lo: float, hi: float, attempt, good, start, keep: str, tolerance: float | None = None):
    """Bisection between a quality ``lo`` and ``hi`` whose results differ in ``good``; returns (quality, result)
    of the ``keep`` side ("low": the highest good quality, good at lo; "high": the lowest good one, good at hi).
    ``start`` is the known result at that side. Whole qualities for codecs that only have those."""
    integer = codec.integer_quality
    tol = tolerance if tolerance is not None else (1.0 if integer else 0.01 * (hi - lo))
    best = ((lo if keep == "low" else hi), start)
    while hi - lo > tol:
        mid = (lo + hi) / 2
        if integer:
            mid = math.floor(mid)
            if mid <= lo:
                break
        result = attempt(mid)
        if good(result) == (keep == "low"):
            lo = mid
        else:
            hi = mid
        if good(result):
            best = (mid, result)
    return best


def measure(image: np.ndarray, decoded: np.ndarray, metric: str) -> float:
    """The quality ``metric`` ("psnr" over RGB, or "ms-ssim") of a decode."""
    from srcodec.metrics import ms_ssim, psnr

    if metric == "psnr":
        return psnr(image, decoded)
    if metric == "ms-ssim":
        return ms_ssim(image, decoded)
    raise BadOptionError(f"--metric must be psnr or ms-ssim, got {metric!r}")


def encode_for_quality(codec: Codec, image: np.ndarray, target: float, metric: str = "psnr",
                       tolerance: float | None = None) -> tuple[bytes, float, float]:
    """Bisection on the measured quality of the real decode: the smallest file whose ``metric`` reaches
    ``target``. Returns (bytes, codec quality, measured value); an error naming the best reachable
    value when even the highest quality falls short. ``tolerance``: the quality step where it stops."""
    if not math.isfinite(target):
        raise BadOptionError(f"the quality target must be a number, got {target}")
    lo, hi = codec.quality_range

    def attempt(q):
        data = codec.encode(image, q)
        return data, measure(image, codec.decode_like(data, image), metric)

    top = attempt(hi)
    if top[1] < target:
        raise SrcodecError(f"{codec.name}: the best it reaches is {metric} {top[1]:.4g}, under the target {target:g}")
    bottom = attempt(lo)
    if bottom[1] >= target:
        return bottom[0], lo, bottom[1]
    # bigger quality = better decode: the smallest quality that reaches the target lies between lo and hi
    q, (data, value) = _boundary(codec, lo, hi, attempt, lambda r: r[1] >= target, top, keep="high", tolerance=tolerance)
    return data, q, value


def compress(image, codec: str | None = None, quality: float | None = None, *,
             bpp: float | None = None, max_bytes: int | None = None, target_psnr: float | None = None,
             target_ms_ssim: float | None = None) -> bytes:
    """Compress an image (path, PIL image or uint8 array) into the bytes of a file.

    Give at most one of ``quality``, ``bpp``, ``max_bytes``, ``target_psnr`` and ``target_ms_ssim``;
    without any, the codec's default quality is used. A rate target gives the best quality whose real
    file fits; a quality target the smallest file whose real decode reaches it.
    """
    if sum(x is not None for x in (quality, bpp, max_bytes, target_psnr, target_ms_ssim)) > 1:
        raise BadOptionError("give only one of quality, bpp, max_bytes, target_psnr and target_ms_ssim")
    return encode_with(get_codec(codec or default_codec_name()), load_image(image), quality, bpp=bpp,
                       max_bytes=max_bytes, target_psnr=target_psnr, target_ms_ssim=target_ms_ssim)


def encode_with(c: Codec, img: np.ndarray, quality: float | None = None, *, bpp: float | None = None,
                max_bytes: int | None = None, target_psnr: float | None = None,
                target_ms_ssim: float | None = None) -> bytes:
    """One canonical image through the codec instance ``c`` as the rate options say (see :func:`compress`);
    a codec with its own searches (``auto``: ``encode_for_quality`` / ``encode_for_size``) uses them."""
    if target_psnr is not None or target_ms_ssim is not None:
        metric, target = ("psnr", target_psnr) if target_psnr is not None else ("ms-ssim", target_ms_ssim)
        search = getattr(c, "encode_for_quality", None)
        return search(img, target, metric) if search else encode_for_quality(c, img, target, metric)[0]
    if bpp is not None or max_bytes is not None:
        search = getattr(c, "encode_for_size", None)
        return search(img, bpp=bpp, max_bytes=max_bytes) if search else encode_for_target(c, img, bpp=bpp, max_bytes=max_bytes)[0]
    return c.encode(img, c.default_quality if quality is None else quality)


def identify(data: bytes) -> str:
    """The codec name that decodes ``data``, from its first bytes."""
    if data[:4] == SRZ_MAGIC:
        from srcodec.container import srz

        return srz.peek_codec_name(data)
    head = data[:32]
    if head[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"avif", b"avis"):
            return "avif"
        return "heif"
    if head[:12] == b"\x00\x00\x00\x0cjP  \r\n\x87\n" or head[:4] == b"\xff\x4f\xff\x51":
        return "jpeg2000"
    if head[:2] == b"\xff\x0a" or head[:12] == b"\x00\x00\x00\x0cJXL \r\n\x87\n":
        return "jxl"
    start = 4 if head[:4] == b"\x00\x00\x00\x01" else 3 if head[:3] == b"\x00\x00\x01" else 0
    if start and len(head) > start + 1 and head[start] == 0 and (head[start + 1] >> 3) in (12, 13, 14, 15, 16, 19, 20):  # VVC VPS/SPS/PPS/OPI first
        return "vvc"
    return "image"


def decompress(data: bytes | str | os.PathLike) -> np.ndarray:
    """Decode the bytes (or the path) of any file srcodec writes into a uint8 (H, W, C) image."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        from srcodec.io.files import read_bytes

        data = read_bytes(data)
    data = bytes(data)
    if not data:
        raise InputError("empty file")
    name = identify(data)
    if name == "image":
        return image_from_bytes(data)
    return get_codec(name).decode(data)
