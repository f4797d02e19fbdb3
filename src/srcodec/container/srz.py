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
    .       4     CRC32 of the payload (the streams, concatenated)
    .       4     CRC32 of everything before this field (the header)
    .       ...   payload: the streams, back to back

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

from srcodec.errors import InputError
from srcodec.io.image import MAX_PIXELS

MAGIC = b"SRZ\x89"
VERSION = 1
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
    version: int = VERSION


def _name(s: str, what: str) -> bytes:
    b = s.encode("ascii")
    if len(b) > 255:
        raise ValueError(f"{what} is too long for an .srz header")
    return bytes([len(b)]) + b


def pack(codec: str, model_id: str, weights_hash: bytes, height: int, width: int, channels: int,
         streams: list[bytes], *, pad_bottom: int = 0, pad_right: int = 0, quality: float = 0.0, extra: bytes = b"") -> bytes:
    """The bytes of an .srz file."""
    if len(weights_hash) != 8:
        raise ValueError("weights hash must be 8 bytes")
    if len(streams) > 255:
        raise ValueError("too many streams")
    head = bytearray(MAGIC)
    head += bytes([VERSION])
    head += _name(codec, "codec name") + _name(model_id, "model id")
    head += weights_hash
    head += struct.pack("<IIBHHd", height, width, channels, pad_bottom, pad_right, float(quality))
    head += struct.pack("<H", len(extra)) + extra
    head += bytes([len(streams)]) + b"".join(struct.pack("<I", len(s)) for s in streams)
    payload = b"".join(streams)
    head += struct.pack("<I", zlib.crc32(payload))
    head += struct.pack("<I", zlib.crc32(bytes(head)))
    return bytes(head) + payload


class _Reader:
    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise InputError(f"truncated .srz file (header cut off at {len(self.data)} bytes)")
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
    if version != VERSION:
        raise InputError(f"unsupported .srz format version {version} (this srcodec reads version {VERSION}); upgrade srcodec")
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
    payload = r.data[r.pos:]
    need = sum(lengths)
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
    header = SrzHeader(codec, model_id, weights_hash, height, width, channels, pad_bottom, pad_right, quality, extra, lengths)
    return header, streams


def describe(data: bytes) -> dict:
    """Every header field of an .srz file, for ``srcodec info`` (JSON-friendly)."""
    header, _ = unpack(data)
    d = asdict(header)
    d["weights_hash"] = header.weights_hash.hex()
    d["extra"] = header.extra.hex()
    d["header_bytes"] = len(data) - sum(header.stream_lengths)
    d["payload_bytes"] = sum(header.stream_lengths)
    d["total_bytes"] = len(data)
    d["bpp"] = 8 * len(data) / (header.height * header.width)
    return d
