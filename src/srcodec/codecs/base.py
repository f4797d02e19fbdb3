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
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np
from PIL import Image

from srcodec.errors import UnavailableError, UnknownNameError


class Codec(ABC):
    """Image -> bytes -> image, with a quality knob (higher = better, bigger)."""

    name: ClassVar[str]
    #: human-readable name for tables and plots
    label: ClassVar[str] = ""
    #: the file extension of what ``encode`` returns
    extension: ClassVar[str] = ".bin"
    #: what ``quality`` means for this codec, and its valid range
    quality_help: ClassVar[str] = ""
    quality_range: ClassVar[tuple[float, float]] = (0.0, 100.0)
    default_quality: ClassVar[float] = 75.0
    #: the default benchmark sweep, chosen to span about 0.1-2 bpp on Kodak
    sweep: ClassVar[tuple[float, ...]] = ()
    #: whether only whole-number qualities differ (rate targets bisect over integers)
    integer_quality: ClassVar[bool] = True

    @classmethod
    def unavailable_reason(cls) -> str | None:
        """``None`` when usable here, else why not (a missing plugin, missing weights)."""
        return None

    def settings(self) -> dict:
        """Encoder settings to record next to every measurement."""
        return {}

    def check_quality(self, quality: float) -> float:
        lo, hi = self.quality_range
        if not (lo <= float(quality) <= hi):
            raise UnknownNameError(f"{self.name}: quality {quality} is outside {lo:g}..{hi:g} ({self.quality_help})")
        return float(quality)

    @abstractmethod
    def encode(self, image: np.ndarray, quality: float) -> bytes:
        """Code a canonical image at ``quality`` into the bytes of a file."""

    @abstractmethod
    def decode(self, data: bytes) -> np.ndarray:
        """Decode the bytes of a file into a canonical image."""

    def decode_like(self, data: bytes, original: np.ndarray) -> np.ndarray:
        """Decode, and match the channel count of ``original`` (greyscale in, greyscale out)."""
        out = self.decode(data)
        if out.shape[2] == 3 and original.shape[2] == 1:
            out = np.asarray(Image.fromarray(out, "RGB").convert("L"))[:, :, None]
        elif out.shape[2] == 1 and original.shape[2] == 3:
            out = np.repeat(out, 3, axis=2)
        return out


_REGISTRY: dict[str, type[Codec]] = {}


def register_codec(cls: type[Codec]) -> type[Codec]:
    """Class decorator: make a codec available under ``cls.name``."""
    if cls.name in _REGISTRY and _REGISTRY[cls.name] is not cls:
        raise ValueError(f"codec name {cls.name!r} registered twice")
    _REGISTRY[cls.name] = cls
    return cls


def codec_names() -> list[str]:
    return list(_REGISTRY)


def codec_class(name: str) -> type[Codec]:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownNameError(f"unknown codec {name!r} (known: {', '.join(codec_names())})") from None


def get_codec(name: str, **options) -> Codec:
    """An instance of the codec called ``name``; a clear error if unknown or unavailable."""
    cls = codec_class(name)
    reason = cls.unavailable_reason()
    if reason:
        raise UnavailableError(f"codec {name!r} is unavailable: {reason}")
    return cls(**options)
