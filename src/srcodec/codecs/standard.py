"""The standard codecs people already use, through Pillow and its plugins.

Each is an anchor in every benchmark. Settings are explicit and recorded:

==========  ==================================  ===============================
name        library                             settings
==========  ==================================  ===============================
jpeg        libjpeg-turbo (Pillow)              4:2:0, optimized Huffman tables
webp        libwebp (Pillow)                    lossy, method 6 (slowest, best)
avif        libavif + aom (Pillow)              speed 6, 4:4:4, full range
jpeg2000    OpenJPEG (Pillow)                   9/7 irreversible, YCbCr, rate-targeted
jxl         libjxl (pillow-jxl-plugin)          lossy, effort 7
heif        libheif + x265 (pillow-heif)        HEVC 4:4:4 (our stand-in for BPG)
==========  ==================================  ===============================

``jxl`` and ``heif`` need the ``anchors`` extra; without it they report
themselves unavailable instead of failing.
"""

from __future__ import annotations

import io
from typing import ClassVar

import numpy as np
from PIL import Image

from srcodec.codecs.base import Codec, register_codec
from srcodec.io.image import image_from_bytes, to_pil


class PillowCodec(Codec):
    """A codec that is one ``Image.save`` call with format-specific options."""

    pil_format: ClassVar[str] = ""
    #: greyscale images can be coded as one channel
    keeps_grey: ClassVar[bool] = True

    def save_options(self, quality: float) -> dict:
        return {"quality": int(round(quality))}

    def settings(self) -> dict:
        opts = self.save_options(self.default_quality)
        opts.pop("quality", None)
        opts.pop("quality_layers", None)
        return opts

    def _prepare(self, image: np.ndarray) -> Image.Image:
        im = to_pil(image)
        return im if (self.keeps_grey or im.mode == "RGB") else im.convert("RGB")

    def encode(self, image: np.ndarray, quality: float) -> bytes:
        q = self.check_quality(quality)
        buf = io.BytesIO()
        self._prepare(image).save(buf, format=self.pil_format, **self.save_options(q))
        return buf.getvalue()

    def decode(self, data: bytes) -> np.ndarray:
        return image_from_bytes(data, name=f"{self.name} stream")


@register_codec
class JPEG(PillowCodec):
    name = "jpeg"
    label = "JPEG (libjpeg-turbo 4:2:0)"
    extension = ".jpg"
    pil_format = "JPEG"
    quality_help = "JPEG quality factor 1..100"
    quality_range = (1, 100)
    default_quality = 75
    sweep = (3, 6, 10, 15, 25, 50, 78, 88)

    def save_options(self, quality: float) -> dict:
        return {"quality": int(round(quality)), "subsampling": "4:2:0", "optimize": True}


@register_codec
class WebP(PillowCodec):
    name = "webp"
    label = "WebP (libwebp, method 6)"
    extension = ".webp"
    pil_format = "WEBP"
    keeps_grey = False
    quality_help = "WebP quality 0..100"
    quality_range = (0, 100)
    default_quality = 75
    sweep = (0, 5, 15, 30, 60, 80, 86, 91)

    def save_options(self, quality: float) -> dict:
        return {"quality": int(round(quality)), "method": 6, "lossless": False}


@register_codec
class AVIF(PillowCodec):
    name = "avif"
    label = "AVIF (aom, speed 6, 4:4:4)"
    extension = ".avif"
    pil_format = "AVIF"
    keeps_grey = False
    quality_help = "AVIF quality 0..100 (Pillow maps it to aom's quantizer)"
    quality_range = (0, 100)
    default_quality = 60
    sweep = (5, 15, 25, 35, 45, 54, 70, 86)

    def save_options(self, quality: float) -> dict:
        return {"quality": int(round(quality)), "speed": 6, "subsampling": "4:4:4", "codec": "aom", "range": "full"}


@register_codec
class JPEG2000(PillowCodec):
    name = "jpeg2000"
    label = "JPEG 2000 (OpenJPEG 9/7, YCbCr)"
    extension = ".jp2"
    pil_format = "JPEG2000"
    quality_help = "target bits per pixel, 0.01..24 (OpenJPEG's rate allocation; the file lands at or just under it)"
    quality_range = (0.01, 24)
    default_quality = 0.8
    integer_quality = False
    sweep = (0.06, 0.12, 0.25, 0.4, 0.6, 0.9, 1.3, 2.0)

    def save_options(self, quality: float, channels: int = 3) -> dict:
        # OpenJPEG's "rates" are compression ratios against the raw 8-bit samples;
        # mct=1 codes RGB as YCbCr (Pillow's default, 0, codes R, G, B apart).
        return {"quality_mode": "rates", "quality_layers": [8.0 * channels / float(quality)],
                "irreversible": True, "mct": 1 if channels == 3 else 0, "no_jp2": False}

    def encode(self, image: np.ndarray, quality: float) -> bytes:
        q = self.check_quality(quality)
        buf = io.BytesIO()
        self._prepare(image).save(buf, format=self.pil_format, **self.save_options(q, image.shape[2]))
        return buf.getvalue()


class _PluginCodec(PillowCodec):
    plugin: ClassVar[str] = ""

    @classmethod
    def _import(cls):
        raise NotImplementedError

    @classmethod
    def unavailable_reason(cls) -> str | None:
        try:
            cls._import()
        except ImportError:
            return f"install the optional plugin with: pip install '{cls.plugin}' (or the srcodec[anchors] extra)"
        return None

    def encode(self, image: np.ndarray, quality: float) -> bytes:
        self._import()
        return super().encode(image, quality)

    def decode(self, data: bytes) -> np.ndarray:
        self._import()
        return super().decode(data)


@register_codec
class JPEGXL(_PluginCodec):
    name = "jxl"
    label = "JPEG XL (libjxl, effort 7)"
    extension = ".jxl"
    pil_format = "JXL"
    plugin = "pillow-jxl-plugin"
    keeps_grey = False
    quality_help = "JPEG XL quality 0..99 (lossy)"
    quality_range = (0, 99)
    default_quality = 80
    sweep = (0, 10, 20, 35, 50, 72, 80, 90)

    @classmethod
    def _import(cls):
        import pillow_jxl  # noqa: F401  (registers the JXL format with Pillow)

    def save_options(self, quality: float) -> dict:
        return {"quality": int(round(quality)), "effort": 7, "lossless": False}


@register_codec
class HEIF(_PluginCodec):
    name = "heif"
    label = "HEIF (x265 HEVC 4:4:4, BPG stand-in)"
    extension = ".heic"
    pil_format = "HEIF"
    plugin = "pillow-heif"
    keeps_grey = False
    quality_help = "HEVC quality 0..100 (libheif maps it to x265's QP)"
    quality_range = (0, 100)
    default_quality = 50
    sweep = (8, 14, 20, 26, 32, 38, 50, 62)

    @classmethod
    def _import(cls):
        import pillow_heif

        pillow_heif.register_heif_opener()

    def save_options(self, quality: float) -> dict:
        return {"quality": int(round(quality)), "chroma": 444}
