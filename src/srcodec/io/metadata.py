"""What travels beside a photo's pixels: EXIF, XMP, the ICC profile, transparency, the source's depth.

An :class:`ImageMeta` is read once, when an image is loaded (:func:`srcodec.io.image.load_picture`):

- EXIF in Pillow's form (``b"Exif\\0\\0"`` + the TIFF block); the orientation has already been applied
  to the pixels and its tag removed (Pillow's ``ImageOps.exif_transpose``), so no viewer rotates twice;
- the XMP packet and the ICC profile, byte for byte (the pixels stay in the profile's colour space);
- the alpha plane (uint8, H x W), kept apart from the colour pixels; a fully opaque one is dropped,
  with a note;
- the source's bits per sample and what it was (``"PNG RGBA"``), and ``notes``: every change made to
  the input on the way in (a CMYK conversion, an animation's first frame, a depth reduction), said
  by the command that made it.

Each codec carries it into its own file (:mod:`srcodec.codecs.carry` checks that the codec's file can
hold each part before anything is written; ``python benchmarks/keeps_table.py`` prints what each
codec keeps), ``.srz`` files in their metadata section (:mod:`srcodec.container.srz`), and a decoded
PNG gets it back (:func:`png_save_options`: ``iCCP``, ``eXIf``, an ``iTXt`` XMP packet, alpha).
Written by hand: the JPEG segment writer (:func:`jpeg_with_meta`, for JPEG encoders that take no
metadata: jpegli); everything else is Pillow's.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass, field, replace

import numpy as np

from srcodec.errors import InputError

#: the parts of an :class:`ImageMeta` a file can hold, in the order tables list them
PARTS = ("exif", "xmp", "icc", "alpha")
#: the keyword of a PNG ``iTXt`` chunk holding XMP (the XMP specification's name)
PNG_XMP_KEY = "XML:com.adobe.xmp"
EXIF_PREFIX = b"Exif\x00\x00"
XMP_JPEG_NS = b"http://ns.adobe.com/xap/1.0/\x00"
ICC_JPEG_TAG = b"ICC_PROFILE\x00"
#: JPEG segments hold at most 65533 bytes after their length field
_JPEG_SEGMENT = 65533


@dataclass
class ImageMeta:
    """What a photo carries beside its colour pixels (see the module docstring)."""

    exif: bytes = b""
    xmp: bytes = b""
    icc: bytes = b""
    alpha: np.ndarray | None = None
    depth: int = 8
    source: str = ""
    notes: list[str] = field(default_factory=list)
    #: the samples at their full depth, scaled to 0..65535 (uint16, H x W x C), for a greyscale source of more
    #: than 8 bits or a 16-bit RGB PNG; codecs that take more than 8 bits (``Codec.max_depth``,
    #: ``max_depth_rgb``) code these instead of the 8-bit pixels
    deep: np.ndarray | None = None
    #: the bits per sample a file coded (more than 8 where the codec took ``deep``'s samples)
    coded_depth: int = 8

    def parts(self) -> list[str]:
        """The parts present, among :data:`PARTS`."""
        return [p for p in PARTS if (self.alpha is not None if p == "alpha" else bool(getattr(self, p)))]

    def stripped(self, *, exif_xmp: bool = False, icc: bool = False) -> ImageMeta:
        """A copy without EXIF and XMP (``--strip``) and/or without the ICC profile (``--strip-icc``)."""
        notes = list(self.notes)
        if exif_xmp and (self.exif or self.xmp):
            notes.append("EXIF and XMP dropped (--strip)")
        if icc and self.icc:
            notes.append("ICC profile dropped (--strip-icc)")
        return replace(self, exif=b"" if exif_xmp else self.exif, xmp=b"" if exif_xmp else self.xmp,
                       icc=b"" if icc else self.icc, notes=notes)


def exif_fields(exif: bytes) -> dict[int, object]:
    """The top-level EXIF tags of ``exif`` (tag number -> value), via Pillow; {} for none.
    A truncated or malformed block is a one-line error."""
    if not exif:
        return {}
    try:
        return _load_exif(exif)
    except (SyntaxError, ValueError, struct.error, IndexError, OSError, TypeError, KeyError, UserWarning) as exc:
        raise InputError(f"EXIF block is truncated or malformed ({exc or type(exc).__name__}); give --strip to drop it") from None


def _load_exif(exif: bytes) -> dict[int, object]:
    import warnings

    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Pillow only warns about a cut-off block ("Corrupt EXIF data")
        e = Image.Exif()
        e.load(exif)
        out = dict(e)
        e.get_ifd(0x8769)  # the Exif sub-IFD (capture date, camera settings): read it so damage shows here
    return out


def check_icc(icc: bytes) -> str:
    """The profile's description (via LittleCMS, Pillow's ImageCms); a profile it cannot read is a
    one-line error (viewers would choke on it as well)."""
    from PIL import ImageCms

    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.getProfileDescription(profile).strip() or "(no description)"
    except (OSError, ImageCms.PyCMSError, TypeError, ValueError) as exc:
        raise InputError(f"ICC profile ({len(icc)} bytes) is not a profile LittleCMS reads ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__}); give --strip-icc to drop it") from None


def icc_colour_space(icc: bytes) -> str:
    """The data colour space of an ICC profile (``RGB``, ``GRAY``, ``CMYK``...), from its header."""
    return icc[16:20].decode("ascii", "replace").strip() if len(icc) >= 20 else ""


def read_xmp(info: dict) -> bytes:
    """The XMP packet Pillow found in a file (``info["xmp"]``, or a PNG's ``iTXt``), as bytes."""
    x = info.get("xmp") or info.get(PNG_XMP_KEY) or b""
    return x.encode("utf-8") if isinstance(x, str) else bytes(x)


def bmff_box(data: bytes, kind: bytes) -> bytes:
    """The content of the first top-level box ``kind`` of an ISO-BMFF-style container (a JPEG XL file's
    ``xml `` box: pillow-jxl-plugin writes XMP there but does not read it back); empty when there is none.
    Written by hand: the box walk is eight bytes of header a box (64-bit sizes and size 0 included)."""
    pos = 0
    while pos + 8 <= len(data):
        size, box = struct.unpack(">I4s", data[pos:pos + 8])
        head = 8
        if size == 1 and pos + 16 <= len(data):
            size, head = struct.unpack(">Q", data[pos + 8:pos + 16])[0], 16
        elif size == 0:
            size = len(data) - pos
        if size < head:
            return b""
        if box == kind:
            return data[pos + head:pos + size]
        pos += size
    return b""


def png_save_options(meta: ImageMeta | None) -> dict:
    """Pillow PNG save keywords that write ``meta``'s EXIF (``eXIf``), XMP (``iTXt``) and ICC (``iCCP``)."""
    if meta is None:
        return {}
    from PIL import PngImagePlugin

    opts: dict = {}
    if meta.icc:
        opts["icc_profile"] = meta.icc
    if meta.exif:
        opts["exif"] = meta.exif
    if meta.xmp:
        info = PngImagePlugin.PngInfo()
        info.add_itxt(PNG_XMP_KEY, meta.xmp.decode("utf-8", "replace"))
        opts["pnginfo"] = info
    return opts


def _segment(marker: int, body: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(body) + 2) + body


def jpeg_with_meta(data: bytes, meta: ImageMeta) -> bytes:
    """A JPEG file with ``meta``'s EXIF (APP1), XMP (APP1) and ICC profile (APP2, split in chunks as the
    ICC specification's annex B says) written after its SOI and any JFIF APP0 segment."""
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG file")
    pos = 2
    if data[2:4] == b"\xff\xe0":  # keep JFIF's APP0 first, as its specification wants
        pos = 4 + struct.unpack(">H", data[4:6])[0]
    segs = []
    if meta.exif:
        exif = meta.exif if meta.exif.startswith(EXIF_PREFIX) else EXIF_PREFIX + meta.exif
        if len(exif) > _JPEG_SEGMENT:
            raise InputError(f"EXIF block of {len(exif)} bytes does not fit a JPEG segment (64 KiB); give --strip")
        segs.append(_segment(0xE1, exif))
    if meta.xmp:
        if len(XMP_JPEG_NS) + len(meta.xmp) > _JPEG_SEGMENT:
            raise InputError(f"XMP packet of {len(meta.xmp)} bytes does not fit a JPEG segment (64 KiB); give --strip")
        segs.append(_segment(0xE1, XMP_JPEG_NS + meta.xmp))
    if meta.icc:
        room = _JPEG_SEGMENT - len(ICC_JPEG_TAG) - 2
        chunks = [meta.icc[i:i + room] for i in range(0, len(meta.icc), room)]
        if len(chunks) > 255:
            raise InputError(f"ICC profile of {len(meta.icc)} bytes is too large for a JPEG (255 segments); give --strip-icc")
        segs += [_segment(0xE2, ICC_JPEG_TAG + bytes([i + 1, len(chunks)]) + c) for i, c in enumerate(chunks)]
    return data[:pos] + b"".join(segs) + data[pos:]


def describe_meta(meta: ImageMeta, sizes: dict[bytes, int] | None = None, coded: bool = True) -> dict:
    """What a file carries beside its pixels, for ``srcodec info``: each part's bytes (the alpha plane's as
    coded: lossless PNG in a ``.srz``), the EXIF fields, the profile's description, the source depth, notes."""
    sizes = sizes or {}
    d: dict = {}
    if meta.exif:
        try:
            d["exif"] = f"{len(meta.exif)} bytes, {len(exif_fields(meta.exif))} fields"
        except InputError as exc:
            d["exif"] = f"{len(meta.exif)} bytes, unreadable ({exc})"
    if meta.xmp:
        d["xmp"] = f"{len(meta.xmp)} bytes"
    if meta.icc:
        try:
            d["icc_profile"] = f"{len(meta.icc)} bytes, {check_icc(meta.icc)}"
        except InputError:
            d["icc_profile"] = f"{len(meta.icc)} bytes, not readable by LittleCMS"
    if meta.alpha is not None:
        coded = sizes.get(b"ALPH")
        d["alpha"] = f"{meta.alpha.shape[1]}x{meta.alpha.shape[0]}" + (f", {coded} bytes, lossless (PNG)" if coded else "")
    if meta.source:
        d["source"] = meta.source
    if not coded:
        d["depth"] = f"{meta.depth} bits per sample"
    elif meta.depth != 8:
        d["source_depth"] = f"{meta.depth} bits per sample, coded at {meta.coded_depth}"
    if meta.notes:
        d["notes"] = list(meta.notes)
    return d


__all__ = ["ImageMeta", "PARTS", "bmff_box", "check_icc", "describe_meta", "exif_fields", "icc_colour_space", "jpeg_with_meta",
           "png_save_options", "read_xmp"]
