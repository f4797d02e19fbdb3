"""What a codec is in srcodec, and the registry that names them.

A codec is anything that turns a canonical image (uint8, (H, W, C)) into the
bytes of a real file and back. Standard codecs write their own file formats
(.jpg, .webp, .avif, ...); the learned codec and the pipelines write ``.srz``.
Every codec registers itself under a short name, so the CLI, the Python API
and the benchmark treat them all alike::

    @register_codec
    class MyCodec(Codec):
        name = "mine"
        ...

    get_codec("mine").encode(image, quality=5)

Encoder options (preset, speed, effort, tune, ...) are declared per codec as
:class:`Option` s; they are given as keywords or in a *codec spec*, the name
followed by ``:key=value`` pairs, which the CLI, the API and the benchmark all
accept::

    get_codec("avif", speed=2)
    get_codec("avif:speed=2:tune=default")       # the same as a spec string
    codec.spec                                   # "avif:speed=2" (defaults left out)

A codec's ``settings()`` always record its options, so every benchmark row
says how it was made.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np
from PIL import Image

from srcodec import registrations
from srcodec.container import is_srz
from srcodec.errors import BadOptionError, UnavailableError, UnknownNameError
from srcodec.registry import Registry


@dataclass(frozen=True)
class Option:
    """One encoder option of a codec: its name, default, type and allowed values."""

    name: str
    default: object
    kind: type = str
    choices: tuple | None = None
    bounds: tuple | None = None
    help: str = ""

    def parse(self, codec: str, value) -> object:
        """``value`` (text from a spec, or a Python value) checked and converted; a one-line error if bad."""
        try:
            v = self.kind(value.strip() if isinstance(value, str) else value)
            if isinstance(value, float) and self.kind is int and v != value:
                raise ValueError
        except (TypeError, ValueError):
            raise BadOptionError(f"{codec}: option {self.name} must be {self.kind.__name__}, got {value!r}") from None
        if self.choices is not None and v not in self.choices:
            raise BadOptionError(f"{codec}: option {self.name}={v} is not one of {', '.join(map(str, self.choices))}")
        if self.bounds is not None and not (self.bounds[0] <= v <= self.bounds[1]):
            raise BadOptionError(f"{codec}: option {self.name}={v} is outside {self.bounds[0]}..{self.bounds[1]}")
        return v

    def describe(self) -> str:
        allowed = ("|".join(map(str, self.choices)) if self.choices is not None
                   else f"{self.bounds[0]}..{self.bounds[1]}" if self.bounds is not None else self.kind.__name__)
        return f"{self.name}={allowed} (default {self.default}){': ' + self.help if self.help else ''}"


def parse_codec_spec(spec: str) -> tuple[str, dict[str, str]]:
    """``"avif:speed=4:tune=psnr"`` -> ``("avif", {"speed": "4", "tune": "psnr"})``."""
    name, *pairs = spec.strip().split(":")
    options = {}
    for pair in pairs:
        key, eq, value = pair.partition("=")
        if not eq or not key.strip():
            raise BadOptionError(f"codec spec {spec!r}: options are written name:key=value[:key=value...]")
        options[key.strip()] = value.strip()
    return name.strip(), options


class Codec(ABC):
    """Image -> bytes -> image, with a quality knob (higher = better, bigger)."""

    name: ClassVar[str]
    #: human-readable name for tables and plots
    label: ClassVar[str] = ""
    #: the file extension of what ``encode`` returns
    extension: ClassVar[str] = ".bin"
    #: other suffixes files of this format go by (``.jpeg`` beside ``.jpg``): :meth:`file_suffixes`
    other_suffixes: ClassVar[tuple[str, ...]] = ()
    #: what ``quality`` means for this codec, and its valid range
    quality_help: ClassVar[str] = ""
    quality_range: ClassVar[tuple[float, float]] = (0.0, 100.0)
    default_quality: ClassVar[float] = 75.0
    #: the default benchmark sweep, chosen to span about 0.1-2 bpp on Kodak
    sweep: ClassVar[tuple[float, ...]] = ()
    #: whether only whole-number qualities differ (rate targets bisect over integers)
    integer_quality: ClassVar[bool] = True
    #: encoder options this codec takes (``name:key=value`` in a spec)
    options: ClassVar[tuple[Option, ...]] = ()
    #: what a restorer reads of this codec's files (:meth:`decoder_planes`): ``"rgb"``, the decoded image, or
    #: ``"yuv420"``, the decoder's own luma and half-resolution chroma planes
    planes: ClassVar[str] = "rgb"
    #: what this codec's own file holds beside the pixels, among ``srcodec.io.metadata.PARTS`` (exif, xmp,
    #: icc, alpha); :mod:`srcodec.codecs.carry` refuses an input with a part that is not here
    keeps: ClassVar[frozenset[str]] = frozenset()
    #: the most bits per sample this codec's file keeps of a greyscale source deeper than 8 bits
    #: (``ImageMeta.deep``); 8: such a source is coded at 8 bits, and the command says so
    max_depth: ClassVar[int] = 8
    #: the same for an RGB source (``ImageMeta.deep`` of three channels)
    max_depth_rgb: ClassVar[int] = 8
    #: the greyscale inputs that come back greyscale from this codec's file: "L" (grey), "LA" (grey + alpha)
    grey_modes: ClassVar[frozenset[str]] = frozenset({"L"})
    #: the options that set only how hard the encoder works (nothing a decoder, or a network trained on this
    #: codec's files, depends on): a pipeline around this codec takes them as its own (``vvc-restored:preset=fast``)
    effort_options: ClassVar[tuple[str, ...]] = ()

    def __init__(self, **options):
        known = {o.name: o for o in self.options}
        unknown = [k for k in options if k not in known]
        if unknown:
            have = ", ".join(known) if known else "none"
            raise UnknownNameError(f"{self.name}: unknown option {', '.join(unknown)} (its options: {have})")
        #: the option values in force, defaults included
        self.opts = {o.name: (o.parse(self.name, options[o.name]) if o.name in options else o.default)
                     for o in self.options}

    @property
    def spec(self) -> str:
        """Name plus the options that differ from the defaults: what names this configuration in a benchmark."""
        changed = [f"{o.name}={self.opts[o.name]}" for o in self.options if self.opts[o.name] != o.default]
        return ":".join([self.name, *changed])

    @classmethod
    def unavailable_reason(cls) -> str | None:
        """``None`` when usable here, else why not (a missing plugin, missing weights)."""
        return None

    def settings(self) -> dict:
        """Encoder settings to record next to every measurement."""
        return {}

    def check_quality(self, quality: float) -> float:
        lo, hi = self.quality_range
        try:
            q = float(quality)
        except (TypeError, ValueError):
            raise BadOptionError(f"{self.name}: quality must be a number, got {quality!r}") from None
        if not (lo <= q <= hi):  # NaN fails this too
            raise BadOptionError(f"{self.name}: quality {quality} is outside {lo:g}..{hi:g} ({self.quality_help})")
        if self.integer_quality and q != round(q):
            raise BadOptionError(f"{self.name}: quality {quality} is not a whole number ({self.quality_help})")
        return q

    @abstractmethod
    def encode(self, image: np.ndarray, quality: float) -> bytes:
        """Code a canonical image at ``quality`` into the bytes of a file."""

    @abstractmethod
    def decode(self, data: bytes) -> np.ndarray:
        """Decode the bytes of a file into a canonical image."""

    def encode_with_meta(self, image: np.ndarray, quality: float, meta) -> bytes:
        """Code ``image`` and what it carries (an :class:`~srcodec.io.metadata.ImageMeta`) into one file;
        only the parts in :attr:`keeps` (:func:`srcodec.codecs.carry.check` refused the others first)."""
        return self.attach(self.encode(image, quality), meta)

    def attach(self, data: bytes, meta) -> bytes:
        """One of this codec's files with ``meta`` added: a ``.srz`` in its metadata section, a JPEG in its
        APP1/APP2 segments (for JPEG encoders that take no metadata); other files are returned as they are."""
        if meta is None:
            return data
        if is_srz(data):
            from srcodec.container import srz

            return srz.attach_meta(data, meta)
        if data[:2] == b"\xff\xd8" and (meta.exif or meta.xmp or meta.icc):
            from srcodec.io.metadata import jpeg_with_meta

            return jpeg_with_meta(data, meta)
        return data

    def decode_with_meta(self, data: bytes):
        """(colour pixels, :class:`~srcodec.io.metadata.ImageMeta`) of one of this codec's files: a ``.srz``'s
        metadata section; a codec reading its format through Pillow overrides this with what Pillow finds."""
        from srcodec.io.metadata import ImageMeta

        image = self.decode(data)
        if is_srz(data):
            from srcodec.container import srz

            return image, srz.read_meta(data)
        return image, ImageMeta()

    def probe(self) -> tuple[Codec, dict[str, float]] | None:
        """A much faster stand-in for searching this codec's quality (``auto``), and the offsets of this
        codec against it at the same quality (``psnr``/``ms-ssim``: this codec's gain; ``bytes``: its size
        ratio), priors for the first real encode; ``None`` when it has none (every search encodes for real)."""
        return None

    #: True for a codec whose file also decodes, cheaply, without its post-stage network (:meth:`decode_plain`):
    #: ``auto``'s searches measure those decodes and run the network once
    plain_decode: ClassVar[bool] = False

    def decode_plain(self, data: bytes) -> np.ndarray:
        """The file decoded without a post-stage network (where :attr:`plain_decode`); else as :meth:`decode`."""
        return self.decode(data)

    #: True for a codec that meets targets by searches of its own (``auto``: among candidates): its
    #: :meth:`encode_to` runs as a whole, never searched from outside
    searches_itself: ClassVar[bool] = False

    def encode_to(self, image: np.ndarray, target, meta=None):
        """``image`` coded to ``target`` (:class:`srcodec.targets.Target`) on real files: the codec quality, the
        best quality whose file fits a size, or the smallest file that reaches a metric value. Returns a
        :class:`srcodec.targets.Encoded`. ``meta``: what the image carries beside its pixels, for a codec that
        searches itself (here, :class:`srcodec.codecs.carry.Carrying` writes it into every file tried)."""
        from srcodec.targets import Encoded, encode_for_limit, encode_for_quality

        if target.kind == "reach":
            return Encoded(*encode_for_quality(self, image, target.value, target.metric))
        if target.kind == "size":
            return Encoded(*encode_for_limit(self, image, target.limit(*image.shape[:2])))
        quality = self.default_quality if target.quality is None else target.quality
        return Encoded(self.encode(image, quality), quality)

    def extension_of(self, data: bytes) -> str:
        """The file name suffix of one of this codec's files (``auto:formats=``: the winning format's)."""
        return self.extension

    def lighter(self) -> list[str]:
        """Specs of this codec that encode faster than this one (each faster than the one before), for ``auto`` to
        fall back on where this one does not fit its time budget; none by default."""
        return []

    def wrapped_codec(self) -> str | None:
        """The spec of another codec whose own file this codec's file holds byte for byte, for an RGB image at
        the same quality (a ×1 pipeline that adds only a header and a post-stage), or ``None``. ``srcodec
        bench`` then measures both from one encode (:meth:`unwrap` gives the other codec's file)."""
        return None

    def unwrap(self, data: bytes) -> bytes:
        """The file of :meth:`wrapped_codec` that one of this codec's files holds."""
        raise NotImplementedError(f"{self.name} wraps no other codec's file")

    @classmethod
    def file_suffixes(cls) -> tuple[str, ...]:
        """Every suffix a file of this codec's format goes by, the one it writes first."""
        return (cls.extension, *cls.other_suffixes)

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        """Whether a file starting with ``head`` (its first 32 bytes) is of this codec's own format; a codec that
        writes another's format (``jpegli``, the pipelines' ``.srz``) leaves it to that one."""
        return False

    def describe_quality(self, quality: float) -> str:
        """A quality as a user of this codec reads it (VVC adds its QP)."""
        return f"{quality:g}"

    def quality_of_file(self, data: bytes) -> float | None:
        """The quality, in this codec's knob, that a file of its format was coded at, read from the file (for a
        restorer's quality input); ``None`` when the format does not say."""
        return None

    def decoder_planes(self, data: bytes) -> dict[str, np.ndarray]:
        """What a restorer reads of a file of this codec (see :attr:`planes`): here ``{"rgb": uint8 RGB}``."""
        return self.decode_with_planes(data)[1]

    def decode_with_planes(self, data: bytes) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The file decoded once, as both :meth:`decode` and :meth:`decoder_planes` give it (a restorer that also
        needs the plain decode: ``vvc-restored:adapt=1``)."""
        from srcodec.io.image import to_rgb

        image = self.decode(data)
        return image, {"rgb": to_rgb(image)}

    def uses(self) -> tuple[str, ...]:
        """Specs of the other codecs this one runs (a pipeline's inner codec, auto's candidates): machines that
        code with this codec must agree on those too (:func:`srcodec.cluster.fingerprint`)."""
        return ()

    def weights_files(self) -> tuple[Path, ...]:
        """The weights files this codec loads itself (not those of the codecs it :meth:`uses`)."""
        return ()

    def decode_like(self, data: bytes, original: np.ndarray) -> np.ndarray:
        """Decode, and match the channel count of ``original`` (greyscale in, greyscale out)."""
        return self.match_channels(self.decode(data), original)

    @staticmethod
    def match_channels(out: np.ndarray, original: np.ndarray) -> np.ndarray:
        """``out`` with the channel count of ``original`` (grey from RGB by Pillow's L conversion)."""
        if out.shape[2] == 3 and original.shape[2] == 1:
            out = np.asarray(Image.fromarray(out, "RGB").convert("L"))[:, :, None]
        elif out.shape[2] == 1 and original.shape[2] == 3:
            out = np.repeat(out, 3, axis=2)
        return out


#: every codec by name, pipelines and ``auto`` included (their modules: :data:`srcodec.registrations.CODECS`)
CODECS: Registry[type[Codec]] = Registry("codec", registrations.CODECS)


def register_codec(cls: type[Codec]) -> type[Codec]:
    """Class decorator: make a codec available under ``cls.name``."""
    return CODECS.register(cls)


def codec_names() -> list[str]:
    return CODECS.names()


def codec_class(name: str) -> type[Codec]:
    """The class of a codec, by name or spec (``name:key=value...``)."""
    return CODECS.get(name.split(":", 1)[0].strip())


def get_codec(name: str, **options) -> Codec:
    """An instance of the codec called ``name`` (or a spec ``name:key=value...``), with ``options``;
    a clear error if unknown, unavailable or given a bad option."""
    base, spec_options = parse_codec_spec(name)
    cls = codec_class(base)
    reason = cls.unavailable_reason()
    if reason:
        raise UnavailableError(f"codec {base!r} is unavailable: {reason}")
    return cls(**{**spec_options, **options})
