"""The Python API: ``compress(image) -> bytes`` and ``decompress(bytes) -> image``.

::

    import srcodec
    data = srcodec.compress("photo.png", quality=5)            # auto: the best candidate's .srz bytes
    data = srcodec.compress(img, codec="avif", bpp=0.4)        # any codec, rate target
    img = srcodec.decompress(data)                             # uint8 (H, W, C)

``decompress`` recognises the file from its first bytes: a ``.srz`` file names
the codec or pipeline that wrote it; any other image file is decoded by Pillow.
"""

from __future__ import annotations

import os

import numpy as np

from srcodec.codecs import Codec, codec_names, get_codec
from srcodec.errors import BadOptionError, InputError, SrcodecError
from srcodec.io.image import image_from_bytes, load_image
from srcodec.targets import encode_for_quality, encode_for_target, measure  # noqa: F401  (part of the API)

SRZ_MAGIC = b"SRZ\x89"


def default_codec_name() -> str:
    """``auto`` (the best file of its candidates, by measurement) when one of its candidates is installed,
    else the learned codec with its weights, else AVIF."""
    from srcodec.codecs import codec_class

    for name in ("auto", "learned"):
        if name in codec_names() and codec_class(name).unavailable_reason() is None:
            return name
    return "avif"


def compress(image, codec: str | None = None, quality: float | None = None, *,
             bpp: float | None = None, max_bytes: int | None = None, target_psnr: float | None = None,
             target_ms_ssim: float | None = None, target_ssimulacra2: float | None = None,
             target_vmaf: float | None = None) -> bytes:
    """Compress an image (path, PIL image or uint8 array) into the bytes of a file.

    Give at most one of ``quality``, ``bpp``, ``max_bytes`` and the ``target_*`` quality targets (PSNR,
    MS-SSIM, SSIMULACRA2, VMAF); without any, the codec's default quality is used. A rate target gives the
    best quality whose real file fits; a quality target the smallest file whose real decode reaches it.
    """
    targets = (target_psnr, target_ms_ssim, target_ssimulacra2, target_vmaf)
    if sum(x is not None for x in (quality, bpp, max_bytes, *targets)) > 1:
        raise BadOptionError("give only one of quality, bpp, max_bytes, target_psnr, target_ms_ssim, "
                             "target_ssimulacra2 and target_vmaf")
    return encode_with(get_codec(codec or default_codec_name()), load_image(image), quality, bpp=bpp,
                       max_bytes=max_bytes, target_psnr=target_psnr, target_ms_ssim=target_ms_ssim,
                       target_ssimulacra2=target_ssimulacra2, target_vmaf=target_vmaf)


def encode_with(c: Codec, img: np.ndarray, quality: float | None = None, *, bpp: float | None = None,
                max_bytes: int | None = None, target_psnr: float | None = None,
                target_ms_ssim: float | None = None, target_ssimulacra2: float | None = None,
                target_vmaf: float | None = None) -> bytes:
    """One canonical image through the codec instance ``c`` as the rate options say (see :func:`compress`);
    a codec with its own searches (``auto``: ``encode_for_quality`` / ``encode_for_size``) uses them."""
    asked = [(m, t) for m, t in (("psnr", target_psnr), ("ms-ssim", target_ms_ssim),
                                 ("ssimulacra2", target_ssimulacra2), ("vmaf", target_vmaf)) if t is not None]
    if asked:
        metric, target = asked[0]
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
