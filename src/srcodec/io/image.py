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

That is :func:`load_image`, the form the benchmarks and the trainers read. What a user codes is
read by :func:`load_picture` instead: the same colour pixels, but nothing the photo carries is
lost or changed without a word. It returns them with an :class:`~srcodec.io.metadata.ImageMeta`:

=====================  =====================================================
source                 load_picture
=====================  =====================================================
RGBA, LA, PA, P + tRNS colour / grey pixels as they are, alpha apart (a fully opaque one
                       dropped, with a note); ``background`` composites instead
EXIF, XMP, ICC         kept byte for byte (orientation applied, its tag removed); a
                       truncated EXIF block or an unreadable profile is a one-line error
                       (``strip`` / ``strip_icc`` drop them instead)
16-bit samples         reduced to 8 bits, with a note and the source depth kept
CMYK                   converted to sRGB through its ICC profile (LittleCMS), with a note;
                       without one by Pillow's formula, with a note saying so
LAB, HSV, YCbCr, F, I  converted as above, with a note
animated (GIF, APNG,   the first frame, with a note naming the frame count
WebP)
HEIC / HEIF, JPEG XL   read through pillow-heif / pillow-jxl-plugin when installed
=====================  =====================================================
"""

from __future__ import annotations

import io
import os
import struct
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from srcodec.errors import BadOptionError, InputError
from srcodec.io.files import read_bytes, write_atomic
from srcodec.io.metadata import EXIF_PREFIX, ImageMeta, bmff_box, check_icc, exif_fields, png_save_options, read_xmp

MAX_PIXELS = 1 << 28  # 268 megapixels: 16384 x 16384

#: file suffixes treated as images when a folder is given
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".gif", ".ppm", ".pgm", ".pnm", ".tga",
                  ".heic", ".heif"}


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


def _register_plugins(data: bytes) -> None:
    """Let Pillow open HEIF and JPEG XL bytes when their plugins are installed (they register on import)."""
    head = data[:32]
    try:
        if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis", b"hevc"):
            import pillow_heif

            pillow_heif.register_heif_opener()
        elif head[:2] == b"\xff\x0a" or head[:12] == b"\x00\x00\x00\x0cJXL \r\n\x87\n":
            import pillow_jxl  # noqa: F401
    except ImportError:
        pass


def image_from_bytes(data: bytes, name: str = "<bytes>") -> np.ndarray:
    """Decode image bytes of any format Pillow reads into the canonical form."""
    return _open(data, name, lambda im: _canonical(ImageOps.exif_transpose(im)))


def picture_from_bytes(data: bytes, name: str = "<bytes>", **options) -> tuple[np.ndarray, ImageMeta]:
    """Decode image bytes into the canonical colour pixels and what travels beside them
    (:func:`load_picture`)."""
    return _open(data, name, lambda im: _picture(im, data=data, **options))


def _open(data: bytes, name: str, convert):
    """``convert(im)`` of the first frame of ``data``, after the size checks; every library error is one line."""
    _register_plugins(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # Pillow's "Corrupt EXIF data": judged by the EXIF check
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                w, h = im.size
                if w * h > MAX_PIXELS:
                    raise InputError(f"{name}: {w}x{h} is too large (limit {MAX_PIXELS} pixels)")
                im.seek(0)
                return convert(im)
    except InputError as exc:
        if str(exc).startswith(name):
            raise
        raise InputError(f"{name}: {exc}") from None
    except BadOptionError:
        raise
    except (UnidentifiedImageError,):
        raise InputError(f"{name}: not an image file Pillow can read") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InputError(f"{name}: image is too large to decode safely") from None
    except MemoryError:
        raise InputError(f"{name}: image is too large to decode here") from None
    except ValueError as exc:
        if "too large for" in str(exc):  # Pillow's limit on one metadata chunk (PngImagePlugin.MAX_TEXT_CHUNK)
            raise InputError(f"{name}: a metadata chunk (ICC profile or text) is over Pillow's safety limit "
                             f"({str(exc).splitlines()[0]})") from None
        raise InputError(f"{name}: truncated or corrupted image ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from None
    except (OSError, SyntaxError, EOFError, RuntimeError, struct.error, IndexError, ZeroDivisionError) as exc:
        # RuntimeError: the AVIF and JPEG XL plugins' decoding errors; the others: Pillow's parsers
        raise InputError(f"{name}: truncated or corrupted image ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from None


def _depth(im: Image.Image) -> int:
    """Bits per sample of the source, from its mode or the raw mode Pillow unpacks it with (before ``load``)."""
    declared = im.info.get("bit_depth")  # pillow-heif: a 10- or 12-bit HEIF (colour opened at 8 bits)
    if isinstance(declared, int) and declared > 8:
        return declared
    if im.mode.startswith("I;16"):
        return 16
    if im.mode in ("I", "F"):
        return 32
    raw = next((t.args for t in getattr(im, "tile", None) or [] if isinstance(getattr(t, "args", None), str)), "")
    return 16 if ";16" in raw else 8


def _deep_rgb(im: Image.Image, data: bytes) -> np.ndarray | None:
    """The samples, scaled to 0..65535, of a 16-bit RGB PNG (Pillow reads only 8 of their bits; decoded by
    ffmpeg's PNG decoder through PyAV) or a 10/12-bit RGB HEIF (pillow-heif without its 8-bit conversion);
    None for other files, or without the library (the loader then says 8 bits)."""
    if im.format == "HEIF" and im.mode == "RGB":
        try:
            import pillow_heif

            heif = pillow_heif.open_heif(io.BytesIO(data), convert_hdr_to_8bit=False)
            bits = int(heif.info.get("bit_depth") or 8)
            if heif.mode != "RGB;16" or not 8 < bits <= 16:
                return None
            coded = np.asarray(heif).astype(np.float64) / (1 << (16 - bits))  # pillow-heif puts them MSB-first
            return np.clip(np.rint(coded * (65535 / ((1 << bits) - 1))), 0, 65535).astype(np.uint16)
        except (ImportError, ValueError, RuntimeError, OSError):
            return None
    raw = next((t.args for t in getattr(im, "tile", None) or [] if isinstance(getattr(t, "args", None), str)), "")
    if im.format != "PNG" or raw != "RGB;16B":
        return None
    try:
        import av
    except ImportError:
        return None
    try:
        frame = av.CodecContext.create("png", "r").decode(av.Packet(data))[0]
        return frame.to_ndarray(format="rgb48le")
    except (av.error.FFmpegError, IndexError, ValueError, OSError):
        return None


def _orient(arr: np.ndarray, orientation: int) -> np.ndarray:
    """``arr`` turned as Pillow's ``ImageOps.exif_transpose`` turns an image of that EXIF orientation."""
    turn = {2: lambda a: a[:, ::-1], 3: lambda a: a[::-1, ::-1], 4: lambda a: a[::-1],
            5: lambda a: a.swapaxes(0, 1), 6: lambda a: np.rot90(a, -1), 7: lambda a: a[::-1, ::-1].swapaxes(0, 1),
            8: lambda a: np.rot90(a, 1)}.get(orientation)
    return arr if turn is None else np.ascontiguousarray(turn(arr))


def _png16_rgb(deep: np.ndarray, meta: ImageMeta) -> bytes:
    """A 16-bit RGB PNG of ``deep`` (ffmpeg's PNG encoder through PyAV: Pillow writes none) with ``meta``'s
    ICC profile, EXIF and XMP chunks, which Pillow writes (into a 1x1 PNG, moved here after IHDR)."""
    import av

    ctx = av.CodecContext.create("png", "w")
    ctx.height, ctx.width = deep.shape[:2]
    ctx.pix_fmt = "rgb48be"
    frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(deep, dtype=np.uint16), format="rgb48le")
    png = b"".join(bytes(p) for p in [*ctx.encode(frame.reformat(format="rgb48be")), *ctx.encode(None)])
    buf = io.BytesIO()
    Image.new("RGB", (1, 1)).save(buf, format="PNG", **png_save_options(meta))
    extra = b"".join(c for c in _png_chunks(buf.getvalue()) if c[4:8] in (b"iCCP", b"eXIf", b"iTXt"))
    at = 8 + len(_png_chunks(png)[0])  # after IHDR
    return png[:at] + extra + png[at:]


def _png_chunks(png: bytes) -> list[bytes]:
    """The chunks of a PNG, each whole (length, type, data, CRC)."""
    out, pos = [], 8
    while pos + 8 <= len(png):
        n = struct.unpack(">I", png[pos:pos + 4])[0]
        out.append(png[pos:pos + 12 + n])
        pos += 12 + n
    return out


#: the creation date written into the sRGB profile a converted image carries (ICC header bytes 24-35), fixed so that
#: the same file always reads to the same bytes (LittleCMS writes the time of day; the profile has no ID to match)
SRGB_PROFILE_DATE = (2026, 1, 1, 0, 0, 0)


def _to_srgb(im: Image.Image, icc: bytes) -> tuple[Image.Image, bytes]:
    """A CMYK (or other non-RGB) image converted through its ICC profile to sRGB (LittleCMS), and sRGB's profile."""
    from PIL import ImageCms

    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    out = ImageCms.profileToProfile(im, src, srgb, outputMode="RGB", renderingIntent=ImageCms.Intent.PERCEPTUAL)
    profile = srgb.tobytes()
    return out, profile[:24] + struct.pack(">6H", *SRGB_PROFILE_DATE) + profile[36:]


def _colour_and_alpha(im: Image.Image, meta: ImageMeta, deep_rgb: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
    """The colour pixels (2-D or 3-D uint8) and the alpha plane of a loaded image; conversions are noted in
    ``meta`` (whose ICC profile a CMYK conversion replaces) and deeper samples kept in ``meta.deep``."""
    mode = im.mode
    if mode in ("RGBA", "RGBa", "PA") or (mode == "P" and ("transparency" in im.info or (im.palette is not None and im.palette.mode == "RGBA"))):
        rgba = im.convert("RGBA")
        return np.asarray(rgba.convert("RGB")), np.asarray(rgba.getchannel("A"))
    if mode in ("LA", "La"):
        return np.asarray(im.getchannel("L")), np.asarray(im.getchannel("A"))
    if mode == "L" and "transparency" in im.info:
        return np.asarray(im), np.asarray(im.convert("RGBA").getchannel("A"))
    if mode == "CMYK":
        if meta.icc:
            rgb, meta.icc = _to_srgb(im, meta.icc)
            meta.notes.append("CMYK converted to sRGB through its ICC profile (LittleCMS, perceptual); the sRGB profile is carried")
            return np.asarray(rgb), None
        meta.notes.append("CMYK without an ICC profile converted to RGB by Pillow's formula (colours approximate)")
        return np.asarray(im.convert("RGB")), None
    if mode in ("RGB", "L", "1", "P") or mode.startswith("I") or mode == "F":
        pixels = _canonical(im)
        if mode == "RGB" and deep_rgb is not None and deep_rgb.shape[:2] == pixels.shape[:2]:
            meta.deep = deep_rgb
        if mode.startswith("I;16"):
            meta.deep = np.asarray(im).astype(np.uint16)[:, :, None]
        if mode == "F":
            meta.notes.append("floating-point samples clipped to 0..255 and rounded")
        return pixels, None
    meta.notes.append(f"{mode} converted to RGB by Pillow")  # YCbCr, LAB, HSV
    if meta.icc:
        meta.icc = b""
        meta.notes.append(f"its {mode} ICC profile dropped (it does not describe RGB pixels)")
    return np.asarray(im.convert("RGB")), None


def _picture(im: Image.Image, *, strip: bool = False, strip_icc: bool = False,
             background: tuple[int, int, int] | None = None, decoding: bool = False,
             data: bytes | None = None) -> tuple[np.ndarray, ImageMeta]:
    """The canonical colour pixels of ``im`` (its first frame) and an :class:`ImageMeta` (:func:`load_picture`).
    ``decoding``: a coded file being decoded, whose damaged EXIF is dropped with a note, not refused, and
    whose profile is passed on unchecked."""
    fmt = im.format or "image"
    meta = ImageMeta(source=f"{fmt} {im.mode}", depth=_depth(im))
    deep_rgb = _deep_rgb(im, data) if data is not None and meta.depth > 8 else None
    frames = getattr(im, "n_frames", 1) or 1
    if frames > 1:
        meta.notes.append(f"animated {fmt} of {frames} frames: only the first frame is coded")
    exif = im.info.get("exif") or b""
    if isinstance(exif, str):
        exif = exif.encode("latin-1")
    exif = bytes(exif)
    exif_ok = True
    if exif:
        if not exif.startswith(EXIF_PREFIX) and exif[:2] in (b"II", b"MM"):
            exif = EXIF_PREFIX + exif
        try:
            exif_fields(exif)
        except InputError:
            if not (strip or decoding):
                raise
            exif_ok = False
            if decoding:
                meta.notes.append("truncated EXIF block dropped")
    if exif_ok:
        try:
            im = ImageOps.exif_transpose(im)
        except (SyntaxError, ValueError, struct.error, IndexError, OSError, TypeError, KeyError) as exc:
            if not (strip or decoding):
                raise InputError(f"EXIF block is truncated or malformed ({exc or type(exc).__name__}); give --strip to drop it") from None
            exif_ok = False
    else:
        im.load()
    if exif_ok and exif:
        if deep_rgb is not None:
            deep_rgb = _orient(deep_rgb, exif_fields(exif).get(0x0112, 1))
        exif = bytes(im.info.get("exif") or b"")  # the orientation tag is gone once the pixels are turned
        if exif and not exif.startswith(EXIF_PREFIX):
            exif = EXIF_PREFIX + exif
    meta.exif = exif if exif_ok else b""
    meta.xmp = read_xmp(im.info)
    if not meta.xmp and fmt == "JXL" and data is not None:
        meta.xmp = bmff_box(data, b"xml ")
    meta.icc = bytes(im.info.get("icc_profile") or b"")
    nclx = im.info.get("nclx_profile")  # HEIF colour signalled by code points instead of a profile
    if isinstance(nclx, dict) and not meta.icc and nclx.get("color_primaries") not in (None, 1, 2):
        meta.notes.append(f"its colour primaries (HEIF nclx code {nclx['color_primaries']}) are not carried: "
                          "the colours are read as sRGB")
    if strip or strip_icc:
        if strip and not exif_ok:
            meta.notes.append("truncated EXIF block dropped (--strip)")
        meta = meta.stripped(exif_xmp=strip, icc=strip_icc)
    if meta.icc and not decoding:
        check_icc(meta.icc)
    im.load()
    pixels, alpha = _colour_and_alpha(im, meta, deep_rgb)
    if meta.depth > 8 and meta.deep is None:
        meta.notes.append(f"{meta.depth}-bit samples read at 8 bits (srcodec keeps more for greyscale, 16-bit RGB "
                          "PNGs with PyAV and 10/12-bit HEIF with pillow-heif)")
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    if alpha is not None and bool((alpha == 255).all()):
        alpha = None
        meta.notes.append("alpha channel fully opaque: dropped")
    if alpha is not None and background is not None:
        pixels = composite(pixels, alpha, background)
        meta.notes.append(f"transparency composited onto #{bytes(background).hex()} (--background)")
        alpha = None
    meta.alpha = None if alpha is None else np.ascontiguousarray(alpha, dtype=np.uint8)
    return np.ascontiguousarray(pixels, dtype=np.uint8), meta


def composite(pixels: np.ndarray, alpha: np.ndarray, background: tuple[int, int, int]) -> np.ndarray:
    """Colour pixels over a background colour (grey stays grey when the colour is grey)."""
    a = alpha.astype(np.float32)[:, :, None] / 255.0
    bg = np.asarray(background, np.float32)
    if pixels.shape[2] == 1:
        if len(set(background)) == 1:
            bg = bg[:1]
        else:
            pixels = np.repeat(pixels, 3, axis=2)
    return np.clip(np.rint(pixels * a + bg * (1 - a)), 0, 255).astype(np.uint8)


def parse_colour(text: str) -> tuple[int, int, int]:
    """``--background``'s colour (``white``, ``#ff8800``, ``rgb(0,0,0)``: Pillow's ImageColor), or a one-line error."""
    from PIL import ImageColor

    try:
        return tuple(ImageColor.getrgb(text)[:3])
    except ValueError:
        raise BadOptionError(f"--background {text!r} is not a colour (a name like white, or #rrggbb)") from None


def load_picture(source: str | os.PathLike | Image.Image, **options) -> tuple[np.ndarray, ImageMeta]:
    """A path or a PIL image as canonical colour pixels and what travels beside them (:class:`ImageMeta`).

    ``strip`` drops EXIF and XMP, ``strip_icc`` the ICC profile, ``background`` (an RGB tuple)
    composites the transparency onto that colour; every change is a note in the meta.
    """
    if isinstance(source, Image.Image):
        w, h = source.size
        if w * h > MAX_PIXELS:
            raise InputError(f"{w}x{h} is too large (limit {MAX_PIXELS} pixels)")
        return _picture(source, **options)
    path = Path(source)
    return picture_from_bytes(read_bytes(path), name=str(path), **options)


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


def to_pil_with_alpha(image: np.ndarray, alpha: np.ndarray | None, deep: np.ndarray | None = None) -> Image.Image:
    """The canonical array plus an alpha plane as a PIL image (LA / RGBA; L / RGB without alpha; I;16 for
    ``deep`` greyscale samples without alpha)."""
    im = to_pil(image)
    if alpha is None and deep is not None and deep.shape[2] == 1:
        return Image.fromarray(np.ascontiguousarray(deep[:, :, 0], dtype=np.uint16))  # mode I;16
    if alpha is not None:
        im = im.convert("LA" if im.mode == "L" else "RGBA")
        im.putalpha(Image.fromarray(np.ascontiguousarray(alpha.reshape(image.shape[:2]), dtype=np.uint8), "L"))
    return im


def png_bytes(image: np.ndarray, compress_level: int = 1, meta: ImageMeta | None = None) -> bytes:
    """PNG bytes of the canonical image; with ``meta``, its alpha, ICC profile, EXIF and XMP too. zlib level 1 by
    default: a photograph's PNG hardly shrinks at higher levels, which take longer to write (``python
    benchmarks/photo_speed.py`` times ``decompress``, which writes one)."""
    if meta is not None and meta.deep is not None and meta.deep.shape[2] == 3 and meta.alpha is None:
        return _png16_rgb(meta.deep, meta)
    buf = io.BytesIO()
    to_pil_with_alpha(image, *((meta.alpha, meta.deep) if meta is not None else (None, None))).save(
        buf, format="PNG", compress_level=compress_level, **png_save_options(meta))
    return buf.getvalue()


def save_png(image: np.ndarray, path: str | os.PathLike, *, inputs: tuple = (), meta: ImageMeta | None = None) -> Path:
    """Write the canonical image as PNG (with ``meta``'s alpha, ICC, EXIF and XMP), atomically."""
    return write_atomic(path, png_bytes(image, meta=meta), inputs=inputs)


def to_rgb(image: np.ndarray) -> np.ndarray:
    """Greyscale repeated to three channels; RGB unchanged."""
    return np.repeat(image, 3, axis=2) if image.shape[2] == 1 else image
