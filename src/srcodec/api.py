"""The Python API: ``compress(image) -> bytes`` and ``decompress(bytes) -> image``.

::

    import srcodec
    data = srcodec.compress("photo.png", quality=5)            # auto: the best candidate's .srz bytes
    data = srcodec.compress(img, codec="avif", bpp=0.4)        # any codec, rate target
    found = srcodec.encode("photo.png", Target(metric="ssimulacra2", value=80))
    found.data, found.quality, found.value, found.report       # the file, and what auto chose and why
    img = srcodec.decompress(data)                             # uint8 (H, W, C)
    for path, data, error in srcodec.compress_files(paths, codec="avif", cluster="local:2"):
        ...                                                    # many files, here or on a Dask cluster

What the photo carries travels too: a path or a PIL image keeps its EXIF, XMP, ICC profile and
transparency (``strip=True`` drops EXIF and XMP, ``strip_icc=True`` the profile, ``background="white"``
composites the transparency), or the call refuses in one line when the codec's file cannot hold one of
them. An array of 2 or 4 channels is grey or RGB plus alpha; ``decompress`` gives the alpha back as the
last channel, and :func:`decompress_picture` gives the pixels with an :class:`~srcodec.io.metadata.ImageMeta`.

``decompress`` recognises the file from its first bytes: a ``.srz`` file names
the codec or pipeline that wrote it; any other image file is decoded by Pillow.
"""

from __future__ import annotations

import os

import numpy as np

from srcodec.codecs import codec_names, get_codec
from srcodec.codecs.base import CODECS
from srcodec.container import SRZ_MAGIC, is_srz  # noqa: F401  (SRZ_MAGIC: part of the API)
from srcodec.errors import InputError
from srcodec.io.image import as_canonical_array, load_picture, parse_colour, picture_from_bytes
from srcodec.io.metadata import ImageMeta
from srcodec.targets import Encoded, Target, encode_for_quality, encode_for_target, measure  # noqa: F401  (the API)



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
             target_vmaf: float | None = None, strip: bool = False, strip_icc: bool = False,
             background: str | tuple | None = None) -> bytes:
    """Compress an image (path, PIL image or uint8 array) into the bytes of a file.

    Give at most one of ``quality``, ``bpp``, ``max_bytes`` and the ``target_*`` quality targets (PSNR,
    MS-SSIM, SSIMULACRA2, VMAF); without any, the codec's default quality is used. A rate target gives the
    best quality whose real file fits; a quality target the smallest file whose real decode reaches it.
    ``strip``, ``strip_icc`` and ``background``: see the module docstring.
    """
    target = Target.of(quality, bpp=bpp, max_bytes=max_bytes, target_psnr=target_psnr, target_ms_ssim=target_ms_ssim,
                       target_ssimulacra2=target_ssimulacra2, target_vmaf=target_vmaf)
    return encode(image, target, codec, strip=strip, strip_icc=strip_icc, background=background).data


def encode(image, target: Target | None = None, codec: str | None = None, *, strip: bool = False,
           strip_icc: bool = False, background: str | tuple | None = None) -> Encoded:
    """:func:`compress` with the target given as a :class:`~srcodec.targets.Target` (default: the codec's default
    quality), returning an :class:`~srcodec.targets.Encoded`: the file's bytes, the quality used, the value
    reached, and for ``auto`` its report (``.report.lines()``: every candidate's bytes and score)."""
    from srcodec.codecs.carry import carrying, check

    c = get_codec(codec or default_codec_name())
    pixels, meta = read_picture(image, strip=strip, strip_icc=strip_icc, background=background)
    meta.notes = check(c, meta, pixels.shape[2])
    return carrying(c, meta).encode_to(pixels, target or Target())


def read_picture(image, *, strip: bool = False, strip_icc: bool = False,
                 background: str | tuple | None = None) -> tuple[np.ndarray, ImageMeta]:
    """A path, PIL image or array as (canonical colour pixels, :class:`ImageMeta`); an array of 2 or 4
    channels has alpha last."""
    bg = parse_colour(background) if isinstance(background, str) else background
    if not isinstance(image, np.ndarray):
        return load_picture(image, strip=strip, strip_icc=strip_icc, background=bg)
    meta = ImageMeta(source=f"array {image.dtype}")
    if image.ndim == 3 and image.shape[2] in (2, 4):
        if image.dtype != np.uint8:
            raise InputError(f"expected a uint8 image array with alpha, got {image.dtype}")
        pixels, alpha = as_canonical_array(image[:, :, :-1]), np.ascontiguousarray(image[:, :, -1])
        if bool((alpha == 255).all()):
            meta.notes.append("alpha channel fully opaque: dropped")
        elif bg is not None:
            from srcodec.io.image import composite

            return composite(pixels, alpha, bg), meta
        else:
            meta.alpha = alpha
        return pixels, meta
    return as_canonical_array(image), meta


def compress_files(paths, codec: str | None = None, quality: float | None = None, *, bpp: float | None = None,
                   max_bytes: int | None = None, target_psnr: float | None = None,
                   target_ms_ssim: float | None = None, target_ssimulacra2: float | None = None,
                   target_vmaf: float | None = None, cluster: str | None = None):
    """Compress image files as :func:`compress` does each, yielding ``(path, file bytes, None)``, or ``(path,
    None, one-line error)`` for a file that fails: here one after the other, or with ``cluster``
    (``tcp://host:8786`` or ``local:N``; docs/cluster.md) on a Dask cluster, as they finish. Nothing is
    written (the caller saves the bytes). A script that starts ``local:N`` needs ``if __name__ == "__main__":``."""
    from pathlib import Path

    from srcodec.cluster import map_files
    from srcodec.io.image import image_from_bytes

    target = Target.of(quality, bpp=bpp, max_bytes=max_bytes, target_psnr=target_psnr, target_ms_ssim=target_ms_ssim,
                       target_ssimulacra2=target_ssimulacra2, target_vmaf=target_vmaf)
    c = get_codec(codec or default_codec_name())
    if quality is not None:
        c.check_quality(quality)

    def make(path, raw: bytes) -> bytes:
        return c.encode_to(image_from_bytes(raw, name=str(path)), target).data

    yield from map_files(make, [Path(p) for p in paths], cluster, [c.spec])


def restore_files(paths, cluster: str | None = None):
    """Restore standard files (JPEG, AVIF, VVC) with their networks, as ``srcodec restore`` does, yielding
    ``(path, image, None)`` or ``(path, None, one-line error)``: here, or on a Dask ``cluster`` (see
    :func:`compress_files`)."""
    from pathlib import Path

    from srcodec.cluster import map_files
    from srcodec.pipelines.restored import RESTORERS, restore_file

    def make(path, raw: bytes) -> np.ndarray:
        return restore_file(raw)[0]

    yield from map_files(make, [Path(p) for p in paths], cluster, list(RESTORERS.values()))


def identify(data: bytes) -> str:
    """The codec name that decodes ``data``, from its first bytes."""
    if is_srz(data):
        from srcodec.container import srz

        return srz.peek_codec_name(data)
    head = data[:32]
    for name, cls in CODECS.items():  # each codec knows its own format's first bytes (Codec.sniff)
        if cls.sniff(head):
            return name
    return "image"


def decompress(data: bytes | str | os.PathLike) -> np.ndarray:
    """Decode the bytes (or the path) of any file srcodec writes into a uint8 (H, W, C) image; a file with
    transparency gives its alpha as the last channel (C = 2 or 4)."""
    image, meta = decompress_picture(data)
    if meta.alpha is not None:
        image = np.concatenate([image, meta.alpha[:, :, None]], axis=2)
    return image


def decompress_picture(data: bytes | str | os.PathLike) -> tuple[np.ndarray, ImageMeta]:
    """The colour pixels (uint8 (H, W, 1 or 3)) of any file srcodec writes, and what it carries beside them."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        from srcodec.io.files import read_bytes

        data = read_bytes(data)
    data = bytes(data)
    if not data:
        raise InputError("empty file")
    name = identify(data)
    if name == "image":
        return picture_from_bytes(data, decoding=True)
    return get_codec(name).decode_with_meta(data)
