"""The ``.srz`` file: a small checked header and the entropy-coded streams.

Layout (little-endian)::

    offset  size  field
    0       4     magic  b"SRZ\\x89"
    4       1     format version (1)
    5       1     n = length of the codec / pipeline name, then n bytes of ASCII
    .       1     n = length of the model id, then n bytes of ASCII
    .       8     weights hash (first 8 bytes of the weights file's sha256)
    .       4+4   original height, width
    .       1     original channels (1 or 3)
    .       2+2   padding added at the bottom and the right
    .       8     quality (float64)
    .       2     n = length of extra (free bytes for pipelines), then n bytes
    .       1     k = number of streams, then k x 4 bytes: the length of each
    .       4     version 2 only: m = length of the metadata section
    .       4     CRC32 of the payload (the streams, concatenated, then the metadata section)
    .       4     CRC32 of everything before this field (the header)
    .       ...   payload: the streams, back to back, then the m bytes of the metadata section

Versions: a file with nothing beside its pixels is written as version 1, byte for byte what
srcodec wrote before the metadata section existed, so every reader reads it; a file with a
metadata section is version 2, which a version-1 reader refuses in one line ("upgrade srcodec").
This reader reads both (``tests/test_srz.py`` decodes a version-1 file kept in ``tests/data/``).

The metadata section (:func:`pack_meta`) is what the photo carries beside its pixels
(:class:`srcodec.io.metadata.ImageMeta`): one byte, the number of records, then each record as a
4-byte ASCII tag, a 4-byte length and its bytes:

======  =================================================================================
tag     record
======  =================================================================================
EXIF    the EXIF block, Pillow's form (``Exif\0\0`` + TIFF), orientation already applied
XMP\x20  the XMP packet
ICC\x20  the ICC profile (the pixels are in its colour space)
ALPH    the alpha plane, losslessly as a greyscale PNG of the image's size
DPTH    one byte: the source's bits per sample
CDPT    one byte: the bits per sample the file coded, where more than 8 (a VVC stream of a deeper source)
SRCE    what the source was (ASCII, ``PNG RGBA``)
NOTE    one change made to the input on the way in (UTF-8); as many as there were
======  =================================================================================

The section is at most ``MAX_META`` bytes, covered by the payload CRC; every record's length is
checked against the section, an unknown or repeated tag is an error, and the alpha PNG's size is
read from its header and must be the image's before it is decoded.

The codec name is one that :func:`srcodec.codecs.get_codec` knows, so
:func:`srcodec.decompress` can dispatch on it (:func:`peek_codec_name`).
Every way a file can be damaged or foreign (truncated, corrupted, another
version, another codec's weights) ends in a one-line :class:`InputError`.
Before anything is allocated, the header's size is checked against the input
limit (``MAX_PIXELS``), its padding against ``MAX_PAD`` and its quality for
being a number; each decoder then checks what it alone knows (the learned
codec: the pixels its payload can hold, its model id and quality range).
"""

from __future__ import annotations

import math
import struct
import zlib
from dataclasses import asdict, dataclass, field

import io

import numpy as np

from srcodec.errors import InputError
from srcodec.io.image import MAX_PIXELS, png_bytes
from srcodec.io.metadata import ImageMeta, describe_meta

from srcodec.container import SRZ_MAGIC as MAGIC  # noqa: E402  (the one definition)
#: the version written when a file has a metadata section; without one, version 1 (see above)
VERSION = 2
VERSIONS = (1, 2)
#: the largest metadata section (ICC profiles and EXIF blocks are far smaller; the alpha PNG of the
#: largest image allowed could be larger, and such an image is then refused in one line)
MAX_META = 64 << 20
META_TAGS = (b"EXIF", b"XMP ", b"ICC ", b"ALPH", b"DPTH", b"CDPT", b"SRCE", b"NOTE")
#: the most padding any writer adds (the learned codec pads to its stride, 64; pipelines to their scale)
MAX_PAD = 255


@dataclass
class SrzHeader:
    codec: str
    model_id: str
    weights_hash: bytes
    height: int
    width: int
    channels: int
    pad_bottom: int = 0
    pad_right: int = 0
    quality: float = 0.0
    extra: bytes = b""
    stream_lengths: list[int] = field(default_factory=list)
    version: int = 1
    #: the metadata section's bytes (empty in version 1): :func:`unpack_meta` reads them
    meta: bytes = b""


def _name(s: str, what: str) -> bytes:
    b = s.encode("ascii")
    if len(b) > 255:
        raise ValueError(f"{what} is too long for an .srz header")
    return bytes([len(b)]) + b


def pack(codec: str, model_id: str, weights_hash: bytes, height: int, width: int, channels: int,
         streams: list[bytes], *, pad_bottom: int = 0, pad_right: int = 0, quality: float = 0.0, extra: bytes = b"",
         meta: bytes = b"") -> bytes:
    """The bytes of an .srz file; ``meta`` is a metadata section (:func:`pack_meta`), which makes it version 2."""
    if len(weights_hash) != 8:
        raise ValueError("weights hash must be 8 bytes")
    if len(streams) > 255:
        raise ValueError("too many streams")
    if len(meta) > MAX_META:
        raise InputError(f"what the image carries beside its pixels ({len(meta)} bytes) is over the .srz limit of {MAX_META} bytes")
    head = bytearray(MAGIC)
    head += bytes([2 if meta else 1])
    head += _name(codec, "codec name") + _name(model_id, "model id")
    head += weights_hash
    head += struct.pack("<IIBHHd", height, width, channels, pad_bottom, pad_right, float(quality))
    head += struct.pack("<H", len(extra)) + extra
    head += bytes([len(streams)]) + b"".join(struct.pack("<I", len(s)) for s in streams)
    if meta:
        head += struct.pack("<I", len(meta))
    payload = b"".join(streams) + meta
    head += struct.pack("<I", zlib.crc32(payload))
    head += struct.pack("<I", zlib.crc32(bytes(head)))
    return bytes(head) + payload


def pack_meta(meta: ImageMeta) -> bytes:
    """The metadata section of ``meta`` (empty when there is nothing to keep: the file stays version 1)."""
    records = []
    if meta.exif:
        records.append((b"EXIF", meta.exif))
    if meta.xmp:
        records.append((b"XMP ", meta.xmp))
    if meta.icc:
        records.append((b"ICC ", meta.icc))
    if meta.alpha is not None:
        records.append((b"ALPH", png_bytes(np.ascontiguousarray(meta.alpha, dtype=np.uint8)[:, :, None], compress_level=9)))
    if not records and not meta.notes and meta.depth == 8:
        return b""
    if meta.depth != 8:
        records.append((b"DPTH", bytes([max(1, min(255, meta.depth))])))
    if meta.coded_depth != 8:
        records.append((b"CDPT", bytes([max(1, min(255, meta.coded_depth))])))
    if meta.source:
        records.append((b"SRCE", meta.source.encode("ascii", "replace")[:255]))
    records += [(b"NOTE", n.encode("utf-8")) for n in meta.notes]
    records = records[:255]
    return bytes([len(records)]) + b"".join(tag + struct.pack("<I", len(body)) + body for tag, body in records)


def meta_overhead(meta: ImageMeta) -> int:
    """The bytes ``meta`` adds to any .srz file: its section and version 2's length field."""
    section = pack_meta(meta)
    return len(section) + 4 if section else 0


def meta_records(section: bytes) -> list[tuple[bytes, bytes]]:
    """The (tag, bytes) records of a metadata section, after the checks of the module docstring."""
    if not section:
        return []
    r = _Reader(section, "metadata section")
    count = r.take(1)[0]
    out, seen = [], set()
    for _ in range(count):
        tag = r.take(4)
        (n,) = r.unpack("<I")
        if tag not in META_TAGS:
            raise InputError(f"corrupted srcodec metadata section (unknown record {tag!r})")
        if tag in seen and tag != b"NOTE":
            raise InputError(f"corrupted srcodec metadata section (record {tag.decode()!r} twice)")
        seen.add(tag)
        if r.pos + n > len(section):
            raise InputError(f"corrupted srcodec metadata section (record {tag.decode()!r} of {n} bytes overruns the section)")
        out.append((tag, r.take(n)))
    if r.pos != len(section):
        raise InputError(f"corrupted srcodec metadata section ({len(section) - r.pos} unexpected bytes after its records)")
    return out


def unpack_meta(header: SrzHeader) -> ImageMeta:
    """The :class:`ImageMeta` a file's metadata section holds (empty for a version-1 file)."""
    return meta_from_section(header.meta, header.height, header.width)


def meta_from_section(section: bytes, height: int, width: int) -> ImageMeta:
    """The :class:`ImageMeta` of a metadata section (:func:`pack_meta`) beside an image of that size."""
    meta = ImageMeta()
    for tag, body in meta_records(section):
        if tag == b"EXIF":
            meta.exif = body
        elif tag == b"XMP ":
            meta.xmp = body
        elif tag == b"ICC ":
            meta.icc = body
        elif tag == b"ALPH":
            meta.alpha = _alpha_plane(body, height, width)
        elif tag in (b"DPTH", b"CDPT"):
            if len(body) != 1 or not 1 <= body[0] <= 32:
                raise InputError("corrupted srcodec metadata section (a bit depth)")
            setattr(meta, "depth" if tag == b"DPTH" else "coded_depth", body[0])
        elif tag == b"SRCE":
            meta.source = body.decode("ascii", "replace")
        else:
            meta.notes.append(body.decode("utf-8", "replace"))
    return meta


def _alpha_plane(png: bytes, height: int, width: int) -> np.ndarray:
    """The alpha record's PNG decoded, after its header says it is a greyscale image of the file's size."""
    from PIL import Image

    if png[:8] != b"\x89PNG\r\n\x1a\n" or len(png) < 26 or png[12:16] != b"IHDR":
        raise InputError("corrupted srcodec metadata section (the alpha plane is not a PNG)")
    w, h, depth, colour = struct.unpack(">IIBB", png[16:26])
    if (w, h, depth, colour) != (width, height, 8, 0):
        raise InputError(f"corrupted srcodec metadata section (alpha plane {w}x{h}, depth {depth}, colour type {colour}; "
                         f"the image is {width}x{height})")
    try:
        with Image.open(io.BytesIO(png)) as im:
            im.load()
            plane = np.asarray(im)
    except (OSError, SyntaxError, ValueError, EOFError, zlib.error, struct.error) as exc:
        raise InputError(f"corrupted srcodec metadata section (alpha plane: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from None
    if plane.shape != (height, width) or plane.dtype != np.uint8:
        raise InputError("corrupted srcodec metadata section (alpha plane of another shape)")
    return plane


def read_meta(data: bytes) -> ImageMeta:
    """What an .srz file carries beside its pixels."""
    return unpack_meta(unpack(data)[0])


def attach_meta(data: bytes, meta: ImageMeta) -> bytes:
    """An .srz file with ``meta`` as its metadata section (replacing any it had)."""
    header, streams = unpack(data)
    return pack(header.codec, header.model_id, header.weights_hash, header.height, header.width, header.channels,
                streams, pad_bottom=header.pad_bottom, pad_right=header.pad_right, quality=header.quality,
                extra=header.extra, meta=pack_meta(meta))


class _Reader:
    def __init__(self, data: bytes, what: str = "header"):
        self.data = data
        self.pos = 0
        self.version = 1
        self.what = what

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise InputError(f"truncated .srz file ({self.what} cut off at {len(self.data)} bytes)")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def unpack(self, fmt: str):
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))

    def name(self) -> str:
        n = self.take(1)[0]
        raw = self.take(n)
        try:
            return raw.decode("ascii")
        except UnicodeDecodeError:
            raise InputError("corrupted .srz header (a name is not ASCII)") from None


def _start(data: bytes) -> _Reader:
    data = bytes(data)
    if data[:4] != MAGIC[: len(data[:4])] or len(data) < 4:
        if len(data) < 4 and MAGIC.startswith(data):
            raise InputError("truncated .srz file (shorter than its magic number)")
        raise InputError("not an .srz file (wrong magic number)")
    r = _Reader(data)
    r.take(4)
    version = r.take(1)[0]
    if version not in VERSIONS:
        raise InputError(f"unsupported .srz format version {version} (this srcodec reads versions "
                         f"{', '.join(map(str, VERSIONS))}); upgrade srcodec")
    r.version = version
    return r


def peek_codec_name(data: bytes) -> str:
    """The codec or pipeline that wrote ``data`` (only the first bytes are read)."""
    return _start(data).name()


def unpack(data: bytes) -> tuple[SrzHeader, list[bytes]]:
    """Check and split an .srz file into its header and its streams."""
    r = _start(data)
    codec = r.name()
    model_id = r.name()
    weights_hash = r.take(8)
    height, width, channels, pad_bottom, pad_right, quality = r.unpack("<IIBHHd")
    (n_extra,) = r.unpack("<H")
    extra = r.take(n_extra)
    k = r.take(1)[0]
    lengths = [r.unpack("<I")[0] for _ in range(k)]
    (n_meta,) = r.unpack("<I") if r.version >= 2 else (0,)
    (payload_crc,) = r.unpack("<I")
    header_end = r.pos
    (header_crc,) = r.unpack("<I")
    if zlib.crc32(r.data[:header_end]) != header_crc:
        raise InputError("corrupted .srz file (header checksum mismatch)")
    if channels not in (1, 3) or height < 1 or width < 1:
        raise InputError(f"corrupted .srz header (image {width}x{height}x{channels})")
    if height * width > MAX_PIXELS:
        raise InputError(f"corrupted .srz header (image {width}x{height} is over the limit of {MAX_PIXELS} pixels)")
    if pad_bottom > MAX_PAD or pad_right > MAX_PAD:
        raise InputError(f"corrupted .srz header (padding {pad_bottom}, {pad_right} over {MAX_PAD})")
    if not math.isfinite(quality):
        raise InputError("corrupted .srz header (quality is not a number)")
    if r.version >= 2 and not 0 < n_meta <= MAX_META:
        raise InputError(f"corrupted .srz header (metadata section of {n_meta} bytes; 1..{MAX_META} in version 2)")
    payload = r.data[r.pos:]
    need = sum(lengths) + n_meta
    if len(payload) < need:
        raise InputError(f"truncated .srz file ({len(payload)} of {need} payload bytes)")
    if len(payload) > need:
        raise InputError(f"corrupted .srz file ({len(payload) - need} unexpected bytes after the payload)")
    if zlib.crc32(payload) != payload_crc:
        raise InputError("corrupted .srz file (payload checksum mismatch)")
    streams, pos = [], 0
    for n in lengths:
        streams.append(payload[pos:pos + n])
        pos += n
    header = SrzHeader(codec, model_id, weights_hash, height, width, channels, pad_bottom, pad_right, quality, extra,
                       lengths, r.version, payload[pos:])
    meta_records(header.meta)  # its structure is checked here; unpack_meta decodes it
    return header, streams


def describe(data: bytes) -> dict:
    """Every header field of an .srz file, for ``srcodec info`` (JSON-friendly)."""
    header, _ = unpack(data)
    d = asdict(header)
    del d["meta"]
    d["weights_hash"] = header.weights_hash.hex()
    d["extra"] = header.extra.hex()
    d["header_bytes"] = len(data) - sum(header.stream_lengths) - len(header.meta)
    d["payload_bytes"] = sum(header.stream_lengths)
    d["metadata_bytes"] = len(header.meta)
    d["total_bytes"] = len(data)
    d["bpp"] = 8 * len(data) / (header.height * header.width)
    d.update(describe_meta(unpack_meta(header), {t: len(b) for t, b in meta_records(header.meta)}))
    return d
