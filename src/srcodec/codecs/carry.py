"""A codec's file with what the photo carries: the check before anything is coded, and the wrapper.

::

    load_picture ─► (pixels, ImageMeta) ─► check(codec, meta): refuse in one line what the file cannot hold,
                                           notes for what changes (depth, grey coded as RGB)
                                        ─► Carrying(codec, meta).encode(pixels, q): codec.encode_with_meta
                                           (every search of srcodec.targets runs on it, so a size target
                                           counts the metadata's bytes too)

What each codec's file holds is its ``keeps`` and ``grey_modes`` (``python benchmarks/keeps_table.py``
measures them and writes the table of ``docs/reliability.md``).
"""

from __future__ import annotations

import numpy as np

from srcodec.codecs.base import Codec, codec_class, codec_names
from srcodec.errors import BadOptionError, InputError
from srcodec.io.metadata import ImageMeta

_PART_NAMES = {"exif": "EXIF", "xmp": "XMP", "icc": "an ICC profile", "alpha": "transparency"}


def holders(part: str) -> list[str]:
    """Names of the codecs (installed or not) whose own files hold ``part``; the ``.srz`` ones as one entry."""
    names, srz = [], False
    for name in codec_names():
        cls = codec_class(name)
        if part in cls.keeps:
            if cls.extension == ".srz":
                srz = True
            else:
                names.append(name)
    return names + (["any .srz codec (auto, learned, the pipelines)"] if srz else [])


def check(codec: Codec, meta: ImageMeta, channels: int) -> list[str]:
    """Refuse, in one line, an image whose parts ``codec``'s file cannot hold; else the notes of every
    change (the loader's, and the codec's: a depth reduction, greyscale coded as RGB)."""
    parts = meta.parts()
    if "alpha" in parts and "alpha" not in codec.keeps:
        raise InputError(f"{codec.name} files cannot hold transparency (this image has an alpha channel); use "
                         f"{', '.join(holders('alpha'))}, or give --background COLOUR to composite it")
    lost = [p for p in ("exif", "xmp") if p in parts and p not in codec.keeps]
    if lost:
        raise InputError(f"{codec.name} files cannot hold {' or '.join(_PART_NAMES[p] for p in lost)}; give --strip "
                         f"to drop EXIF and XMP, or use {', '.join(holders(lost[0]))}")
    if "icc" in parts and "icc" not in codec.keeps:
        raise InputError(f"{codec.name} files cannot hold an ICC profile (this image has one); give --strip-icc to "
                         f"drop it (the colours are then read as sRGB), or use {', '.join(holders('icc'))}")
    notes = list(meta.notes)
    if meta.deep is not None:
        limit = codec.max_depth if meta.deep.shape[2] == 1 else codec.max_depth_rgb
        if limit < meta.depth:
            notes.append(f"{meta.depth}-bit samples coded at {limit} bits ({codec.name} takes {limit})")
    mode = "LA" if meta.alpha is not None else "L"
    if channels == 1 and mode not in codec.grey_modes:
        notes.append(f"{codec.name} files hold no greyscale{' with alpha' if mode == 'LA' else ''}: "
                     f"coded as RGB (R = G = B), so it decodes to RGB")
    return notes


class Carrying(Codec):
    """``codec`` whose every file also holds ``meta`` (a wrapper the rate searches use like the codec)."""

    def __init__(self, codec: Codec, meta: ImageMeta):
        super().__init__()
        self.codec, self.meta = codec, meta
        for attr in ("name", "label", "extension", "quality_help", "quality_range", "default_quality", "sweep",
                     "integer_quality", "keeps", "grey_modes", "plain_decode"):
            setattr(self, attr, getattr(codec, attr))

    @property
    def spec(self) -> str:
        return self.codec.spec

    def settings(self) -> dict:
        return self.codec.settings()

    def check_quality(self, quality: float) -> float:
        return self.codec.check_quality(quality)

    def encode(self, image: np.ndarray, quality: float) -> bytes:
        return self.codec.encode_with_meta(image, quality, self.meta)

    def decode(self, data: bytes) -> np.ndarray:
        return self.codec.decode(data)

    def decode_plain(self, data: bytes) -> np.ndarray:
        return self.codec.decode_plain(data)

    def probe(self):
        found = self.codec.probe()
        return None if found is None else (Carrying(found[0], self.meta), found[1])

    def extension_of(self, data: bytes) -> str:
        return self.codec.extension_of(data)

    def encode_to(self, image: np.ndarray, target, meta=None):
        """A codec that searches itself (``auto``) searches on the pixels, its candidates told what to keep, and
        the metadata is added to its result; any other is searched here, every file it tries holding it."""
        if not self.codec.searches_itself:
            return super().encode_to(image, target)
        from dataclasses import replace

        if target.kind == "size":
            from srcodec.container import srz
            from srcodec.targets import Target

            limit = target.limit(*image.shape[:2])
            # the section adds the same bytes to every .srz file (its own, and the version-2 length field): the
            # search gets the rest of the budget
            room = limit - srz.meta_overhead(self.meta)
            if room < 1:
                raise BadOptionError(f"{limit} bytes cannot hold what the image carries beside its pixels; "
                                     "give --strip / --strip-icc or a larger budget")
            target = Target(max_bytes=room)
        found = self.codec.encode_to(image, target, self.meta)
        return replace(found, data=self.codec.attach(found.data, self.meta))


def carrying(codec: Codec, meta: ImageMeta | None) -> Codec:
    """``codec`` itself when there is nothing beside the pixels to keep or say, else the :class:`Carrying`
    wrapper (a ``.srz`` keeps the notes and the source depth too, for ``srcodec info``)."""
    if meta is None or not (meta.parts() or meta.notes or meta.depth != 8):
        return codec
    return Carrying(codec, meta)


__all__ = ["Carrying", "carrying", "check", "holders"]
