"""Files from strangers: a seed corpus of real and forged files, and a replay that judges each decode.

:func:`seed_corpus` writes small real files of every decoder srcodec has (the learned codec's
``.srz``, a pipeline's ``.srz``, JPEG, WebP, AVIF, JPEG 2000, JPEG XL, HEIF, VVC) and *forged*
``.srz`` files: headers whose size, padding, quality, model id or streams were changed **and
whose CRCs were recomputed**, so that only the decoder's own checks can stop them (the cases of
issue "Files from strangers": 2147483647×1, 4294967232×64, 65535×65535, NaN quality, empty and
over-long streams, ...). :func:`judge` decodes one input the way ``srcodec decompress`` does
and sorts the outcome:

=============  ==================================================================
``decoded``    an image came out (fine for a real file; for a forged one it must
               be the same image its unforged original gives)
``rejected``   a one-line :class:`~srcodec.errors.SrcodecError`
``crash``      any other exception (a bug: a traceback would reach the user)
=============  ==================================================================

The fuzzer (``benchmarks/fuzz.py``, atheris) starts from this corpus; the test suite replays it
under a memory limit (``tests/test_hostile_files.py``).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

from srcodec.errors import SrcodecError


def _image(h: int, w: int, c: int = 3, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    chans = [96 + 60 * np.sin(xx / (7 + 3 * k) + k) + 50 * np.cos(yy / (11 + 2 * k)) + rng.normal(0, 4, (h, w))
             for k in range(c)]
    return np.clip(np.stack(chans, axis=2), 0, 255).astype(np.uint8)


def forge(data: bytes, streams: list[bytes] | None = None, **fields) -> bytes:
    """An ``.srz`` file with some header fields (or its streams) replaced and its CRCs recomputed."""
    from dataclasses import asdict

    from srcodec.container import srz

    header, old_streams = srz.unpack(data)
    h = {**asdict(header), **fields}
    return srz.pack(h["codec"], h["model_id"], h["weights_hash"], h["height"], h["width"], h["channels"],
                    old_streams if streams is None else streams, pad_bottom=h["pad_bottom"], pad_right=h["pad_right"],
                    quality=h["quality"], extra=h["extra"], meta=h["meta"])


def forged_meta_variants(data: bytes) -> dict[str, bytes]:
    """Forged metadata sections of one real ``.srz`` file that has one (CRCs recomputed): each must be a
    one-line error."""
    import struct

    from srcodec.container import srz

    header, _ = srz.unpack(data)
    records = srz.meta_records(header.meta)

    def section(recs, count=None) -> bytes:
        body = b"".join(t + struct.pack("<I", len(b)) + b for t, b in recs)
        return bytes([len(recs) if count is None else count]) + body

    alpha = dict(records).get(b"ALPH", b"")
    return {
        "meta-unknown-record": forge(data, meta=section([*records, (b"ZZZZ", b"x")])),
        "meta-record-twice": forge(data, meta=section([*records, records[0]])),
        "meta-count-over": forge(data, meta=section(records, count=len(records) + 1)),
        "meta-count-under": forge(data, meta=section(records, count=len(records) - 1)),
        "meta-record-overruns": forge(data, meta=header.meta[:1] + header.meta[1:5] + b"\xff\xff\xff\x7f" + header.meta[9:]),
        "meta-depth-0": forge(data, meta=section([(t, b"\x00") if t == b"DPTH" else (t, b) for t, b in records])),
        "meta-alpha-not-png": forge(data, meta=section([(t, b"\x00" * len(b)) if t == b"ALPH" else (t, b) for t, b in records])),
        "meta-alpha-other-size": forge(data, meta=section([(t, b[:16] + struct.pack(">II", header.width + 1, header.height) + b[24:])
                                                           if t == b"ALPH" else (t, b) for t, b in records])),
        "meta-alpha-truncated": forge(data, meta=section([(t, b[: len(b) // 2]) if t == b"ALPH" else (t, b)
                                                          for t, b in records])),
        "meta-alpha-of-the-old-size": forge(data, height=header.height + 2, width=header.width + 2),
    } if alpha else {}


def forged_variants(data: bytes, entropy_coded: bool = True) -> dict[str, bytes]:
    """The forged cases of one real ``.srz`` file, by name.

    Cases named ``same-...`` carry nothing new and must decode to the original's image: zero words
    after a range-coded stream, and (for a pipeline, whose stream is a standard file: ``entropy_coded``
    False) bytes after the end of that file, which its decoder ignores as every viewer does.
    """
    from srcodec.container import srz

    header, streams = srz.unpack(data)
    out = {
        "size-2147483647x1": forge(data, height=1, width=2147483647),
        "size-4294967232x64": forge(data, height=64, width=4294967232),
        "size-65535x65535": forge(data, height=65535, width=65535),
        "size-8192x8192": forge(data, height=8192, width=8192),
        "size-doubled": forge(data, height=2 * header.height, width=2 * header.width),
        "pad-65535": forge(data, pad_bottom=65535),
        "pad-1": forge(data, pad_right=header.pad_right + 1),
        "quality-nan": forge(data, quality=math.nan),
        "quality-inf": forge(data, quality=math.inf),
        "quality-huge": forge(data, quality=1e300),
        "model-id": forge(data, model_id=header.model_id + "x"),
        "codec-unknown": forge(data, codec="nosuchcodec"),
        "streams-empty": forge(data, streams=[b""] * len(streams)),
        "streams-one-more": forge(data, streams=[*streams, b"\x00" * 4]),
        "streams-one-less": forge(data, streams=streams[:-1]),
        ("stream-over-long" if entropy_coded else "same-image-trailing-bytes"):
            forge(data, streams=[s + b"\x5a\xa5\x5a\xa5" for s in streams]),
        # trailing zero words: constriction's range decoder reads missing words as zeros, so these carry
        # nothing and decode to the very image of the original (the one forged case allowed to decode)
        "same-stream-zero-padded": forge(data, streams=[s + b"\x00\x00\x00\x00" for s in streams]),
        "stream-halved": forge(data, streams=[s[: len(s) // 2 // 4 * 4] for s in streams]),
        "channels-2": forge(data, channels=2),
    }
    return out


def seed_corpus(folder: str | os.PathLike) -> list[Path]:
    """Write the real and forged seed files into ``folder``; returns their paths."""
    from srcodec.codecs import codec_class, get_codec

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []

    def put(name: str, data: bytes) -> None:
        p = folder / name
        p.write_bytes(data)
        written.append(p)

    img, grey = _image(24, 40), _image(17, 9, 1, seed=1)
    quick = {"vvc": {"preset": "faster"}, "overfit": {"steps": 20}}  # the files, not their quality, matter here
    for name, q in (("learned", 3), ("overfit", 3), ("jpeg", 50), ("webp", 50), ("avif", 50), ("jpeg2000", 0.8),
                    ("jxl", 50), ("heif", 50), ("vvc", 30), ("bicubic-jpeg-x2", 50)):
        cls = codec_class(name)
        if cls.unavailable_reason() is not None:
            continue
        codec = get_codec(name, **quick.get(name, {}))
        ext = codec.extension
        put(f"real-{name}{ext}", codec.encode(img, q))
        put(f"real-{name}-grey{ext}", codec.encode(grey, q))
        if ext == ".srz":
            entropy_coded = name in ("learned", "overfit")
            for case, forged in forged_variants(codec.encode(img, q), entropy_coded=entropy_coded).items():
                put(f"forged-{name}-{case}.srz", forged)
    carried = _carried_seed("bicubic-jpeg-x2")
    if carried is not None:
        put("real-bicubic-jpeg-x2-meta.srz", carried)
        for case, forged in forged_meta_variants(carried).items():
            put(f"forged-bicubic-jpeg-x2-{case}.srz", forged)
    carried = _carried_seed("vvc")
    if carried is not None:
        put("real-vvc-meta.266", carried)
    return written


def _carried_seed(name: str) -> bytes | None:
    """A real file of codec ``name`` that carries every record of a metadata section: EXIF, XMP, ICC, alpha, notes."""
    from srcodec.codecs import codec_class, get_codec
    from srcodec.io.metadata import ImageMeta

    if codec_class(name).unavailable_reason() is not None:
        return None
    from PIL import Image, ImageCms

    exif = Image.Exif()
    exif[0x010F] = "srcodec"
    alpha = np.full((24, 40), 255, np.uint8)
    alpha[:, :13] = 0
    alpha[:, 13:26] = 128
    meta = ImageMeta(exif=exif.tobytes(), xmp=b"<x:xmpmeta xmlns:x='adobe:ns:meta/'/>",
                     icc=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(), alpha=alpha,
                     depth=16, source="PNG RGBA", notes=["16-bit samples reduced to 8 bits"])
    codec = get_codec(name, preset="faster") if name == "vvc" else get_codec(name)
    return codec.encode_with_meta(_image(24, 40), 30 if name == "vvc" else 50, meta)


def judge(data: bytes) -> tuple[str, str]:
    """(outcome, detail) of decoding ``data`` as ``srcodec decompress`` would."""
    from srcodec import api

    try:
        image = api.decompress(data)
    except SrcodecError as exc:
        msg = str(exc)
        return ("rejected", msg) if "\n" not in msg else ("crash", f"multi-line error: {msg!r}")
    except Exception as exc:  # noqa: BLE001  (what we look for: anything that is not a one-line error)
        return "crash", f"{type(exc).__name__}: {exc}"
    if not (isinstance(image, np.ndarray) and image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] in (1, 2, 3, 4)):
        return "crash", f"decoded to something that is not a canonical image: {getattr(image, 'shape', None)}"
    return "decoded", f"{image.shape[1]}x{image.shape[0]}x{image.shape[2]}"


def replay(folder: str | os.PathLike) -> dict[str, tuple[str, str]]:
    """Judge every file of a corpus folder: ``{name: (outcome, detail)}``."""
    return {p.name: judge(p.read_bytes()) for p in sorted(Path(folder).iterdir()) if p.is_file()}


__all__ = ["forge", "forged_meta_variants", "forged_variants", "judge", "replay", "seed_corpus"]
