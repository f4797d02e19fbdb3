"""The standard codecs people already use, through Pillow and its plugins.

Each is an anchor in every benchmark, by default at the settings that are best for
RGB PSNR within a few seconds per Kodak image (``benchmarks/anchor_settings.py``
measures the choices); every setting is a codec option (``avif:speed=2:tune=default``)
and is recorded in each benchmark row:

==========  ==================================  ==============================================
name        library                             default settings (options)
==========  ==================================  ==============================================
jpeg        libjpeg-turbo (Pillow)              4:2:0, optimized Huffman tables (subsampling)
jpegli      jpegli (pyjpegli)                   jpegli's own choices (none)
webp        libwebp (Pillow)                    lossy, method 6 (method)
avif        libavif + aom (Pillow)              speed 4, tune psnr, 4:4:4, full range (speed, tune, subsampling)
jpeg2000    OpenJPEG (Pillow)                   9/7 irreversible, YCbCr, rate-targeted
jxl         libjxl (pillow-jxl-plugin)          lossy, effort 9 (effort)
heif        libheif + x265 (pillow-heif)        HEVC 4:4:4, x265 preset veryslow, tune psnr (preset, tune)
vvc         VVenC (imageio-ffmpeg)              see :mod:`srcodec.codecs.vvc`
==========  ==================================  ==============================================

``tune=default`` (AVIF, HEIF) is the library's own tuning, which is not PSNR's: the anchors
table keeps one row per codec at the library's defaults so the difference shows.
``jxl``, ``heif`` and ``jpegli`` need the ``anchors`` extra; without it they report
themselves unavailable instead of failing.
"""

from __future__ import annotations

import io
from typing import ClassVar

import numpy as np
from PIL import Image

from srcodec.codecs.base import Codec, Option, register_codec
from srcodec.io.image import picture_from_bytes, to_pil, to_pil_with_alpha


#: option value -> Pillow's name of a chroma subsampling (option values hold no colon: specs use it)
_SUBSAMPLING = {"420": "4:2:0", "422": "4:2:2", "444": "4:4:4"}


class PillowCodec(Codec):
    """A codec that is one ``Image.save`` call with format-specific options."""

    pil_format: ClassVar[str] = ""
    #: greyscale images can be coded as one channel
    keeps_grey: ClassVar[bool] = True

    def save_options(self, quality: float) -> dict:
        return {"quality": int(round(quality))}

    #: keys of ``save_options`` not recorded in ``settings`` (the quality, and nested option dicts whose
    #: content the codec's options already record)
    unrecorded: ClassVar[tuple[str, ...]] = ("quality", "quality_layers")

    def settings(self) -> dict:
        opts = {k: v for k, v in self.save_options(self.default_quality).items() if k not in self.unrecorded}
        return {**self.opts, **opts}  # what the library is given, under its own names

    def _prepare(self, image: np.ndarray) -> Image.Image:
        im = to_pil(image)
        return im if (self.keeps_grey or im.mode == "RGB") else im.convert("RGB")

    def encode(self, image: np.ndarray, quality: float) -> bytes:
        return self.encode_with_meta(image, quality, None)

    def encode_with_meta(self, image: np.ndarray, quality: float, meta) -> bytes:
        q = self.check_quality(quality)
        im = self._prepare(image)
        opts = self.save_options(q, *([image.shape[2] + (meta is not None and meta.alpha is not None)]
                                      if self.options_by_channels else []))
        if meta is not None:
            if meta.deep is not None and meta.deep.shape[2] == 1 and meta.alpha is None and self.max_depth > 8:
                im = to_pil_with_alpha(image, None, meta.deep)  # I;16: the plugin codes its own depth
            if meta.alpha is not None and "alpha" in self.keeps:
                im = to_pil_with_alpha(np.asarray(im).reshape(*image.shape[:2], -1), meta.alpha)
                opts.update(self.alpha_options)
            for part, key in (("exif", "exif"), ("xmp", "xmp"), ("icc", "icc_profile")):
                if getattr(meta, part) and part in self.keeps:
                    opts[key] = getattr(meta, part)
        buf = io.BytesIO()
        im.save(buf, format=self.pil_format, **opts)
        return buf.getvalue()

    #: save options for an image with alpha (WebP: keep the colour under transparent pixels, which libwebp
    #: otherwise replaces, so the colour planes are what the metrics compare)
    alpha_options: ClassVar[dict] = {}
    #: whether ``save_options`` takes the number of channels coded (alpha included)
    options_by_channels: ClassVar[bool] = False

    def decode(self, data: bytes) -> np.ndarray:
        """The colour pixels of the file (an alpha plane is left out: :meth:`decode_with_meta` gives it)."""
        return self.decode_with_meta(data)[0]

    def decode_with_meta(self, data: bytes):
        return picture_from_bytes(data, name=f"{self.name} stream", decoding=True)


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
    options = (Option("subsampling", "420", choices=("420", "422", "444"), help="chroma subsampling"),)
    keeps = frozenset({"exif", "xmp", "icc"})
    other_suffixes = (".jpeg",)

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        return head[:3] == b"\xff\xd8\xff"

    def quality_of_file(self, data: bytes) -> float | None:
        """Its libjpeg quality factor, from the quantization tables (:mod:`srcodec.codecs.jpeg_tables`)."""
        from srcodec.codecs.jpeg_tables import jpeg_quality

        found = jpeg_quality(data)
        return None if found is None else float(found[0])

    def save_options(self, quality: float) -> dict:
        return {"quality": int(round(quality)), "subsampling": _SUBSAMPLING[self.opts["subsampling"]], "optimize": True}


@register_codec
class WebP(PillowCodec):
    name = "webp"
    label = "WebP (libwebp, method 6)"
    options = (Option("method", 6, kind=int, bounds=(0, 6), help="libwebp effort (6 = slowest, best)"),)
    extension = ".webp"
    pil_format = "WEBP"

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    keeps_grey = False
    keeps = frozenset({"exif", "xmp", "icc", "alpha"})
    grey_modes = frozenset()  # VP8 has no greyscale: a grey image is coded (and comes back) as RGB
    alpha_options = {"exact": True}
    quality_help = "WebP quality 0..100"
    quality_range = (0, 100)
    default_quality = 75
    sweep = (0, 5, 15, 30, 60, 80, 86, 91)

    def save_options(self, quality: float) -> dict:
        return {"quality": int(round(quality)), "method": self.opts["method"], "lossless": False}


@register_codec
class AVIF(PillowCodec):
    name = "avif"
    label = "AVIF (aom 4:4:4)"
    unrecorded = ("quality", "advanced")
    options = (Option("speed", 4, kind=int, bounds=(0, 10), help="aom speed (lower = smaller files, slower)"),
               Option("tune", "psnr", choices=("psnr", "ssim", "default"),
                      help="aom's tuning; default = the library's own (not PSNR's)"),
               Option("subsampling", "444", choices=("444", "420")))
    extension = ".avif"
    pil_format = "AVIF"

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        return head[4:8] == b"ftyp" and head[8:12] in (b"avif", b"avis")

    def quality_of_file(self, data: bytes) -> float | None:
        """Its quality from the AV1 quantizer in the file (:mod:`srcodec.codecs.stream_headers`)."""
        from srcodec.codecs.stream_headers import avif_quality

        return avif_quality(data)
    keeps = frozenset({"exif", "xmp", "icc", "alpha"})
    quality_help = "AVIF quality 0..100 (Pillow maps it to aom's quantizer)"
    quality_range = (0, 100)
    default_quality = 60
    sweep = (5, 15, 25, 35, 45, 54, 70, 86)

    options_by_channels = True

    def save_options(self, quality: float, channels: int = 3) -> dict:
        # a greyscale image is coded as monochrome AV1 (4:0:0), so it decodes as greyscale
        opts = {"quality": int(round(quality)), "speed": self.opts["speed"],
                "subsampling": "4:0:0" if channels == 1 else _SUBSAMPLING[self.opts["subsampling"]],
                "codec": "aom", "range": "full"}
        if self.opts["tune"] != "default":
            opts["advanced"] = {"tune": self.opts["tune"]}
        return opts


@register_codec
class JPEG2000(PillowCodec):
    name = "jpeg2000"
    label = "JPEG 2000 (OpenJPEG 9/7, YCbCr)"
    extension = ".jp2"
    other_suffixes = (".j2k",)
    pil_format = "JPEG2000"

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        return head[:12] == b"\x00\x00\x00\x0cjP  \r\n\x87\n" or head[:4] == b"\xff\x4f\xff\x51"
    keeps = frozenset({"alpha"})  # Pillow writes no EXIF, XMP or ICC into JPEG 2000
    max_depth = 16
    grey_modes = frozenset({"L", "LA"})
    options_by_channels = True
    quality_help = "target bits per pixel, 0.01..24 (OpenJPEG's rate allocation; the file lands at or just under it)"
    quality_range = (0.01, 24)
    default_quality = 0.8
    integer_quality = False
    sweep = (0.06, 0.12, 0.25, 0.4, 0.6, 0.9, 1.3, 2.0)

    def save_options(self, quality: float, channels: int = 3) -> dict:
        # OpenJPEG's "rates" are compression ratios against the raw 8-bit samples;
        # mct=1 codes RGB as YCbCr (Pillow's default, 0, codes R, G, B apart).
        return {"quality_mode": "rates", "quality_layers": [8.0 * channels / float(quality)],
                "irreversible": True, "mct": 1 if channels in (3, 4) else 0, "no_jp2": False}



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

    def encode_with_meta(self, image: np.ndarray, quality: float, meta) -> bytes:
        self._import()
        return super().encode_with_meta(image, quality, meta)

    def decode_with_meta(self, data: bytes):
        self._import()
        return super().decode_with_meta(data)


@register_codec
class JPEGXL(_PluginCodec):
    name = "jxl"
    label = "JPEG XL (libjxl)"
    options = (Option("effort", 9, kind=int, bounds=(1, 10), help="libjxl effort (higher = smaller files, slower)"),)
    extension = ".jxl"
    pil_format = "JXL"

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        return head[:2] == b"\xff\x0a" or head[:12] == b"\x00\x00\x00\x0cJXL \r\n\x87\n"
    plugin = "pillow-jxl-plugin"
    # pillow-jxl-plugin writes no ICC profile; its XMP box is read back by srcodec (io.metadata.bmff_box)
    keeps = frozenset({"exif", "xmp", "alpha"})
    grey_modes = frozenset({"L", "LA"})
    max_depth = 16
    quality_help = "JPEG XL quality 0..99 (lossy)"
    quality_range = (0, 99)
    default_quality = 80
    sweep = (0, 10, 20, 35, 50, 72, 80, 90)

    @classmethod
    def _import(cls):
        import pillow_jxl  # noqa: F401  (registers the JXL format with Pillow)

    def save_options(self, quality: float) -> dict:
        return {"quality": int(round(quality)), "effort": self.opts["effort"], "lossless": False}


@register_codec
class HEIF(_PluginCodec):
    name = "heif"
    label = "HEIF (x265 HEVC 4:4:4, BPG stand-in)"
    unrecorded = ("quality", "enc_params")
    options = (Option("preset", "veryslow", choices=("ultrafast", "superfast", "veryfast", "faster", "fast", "medium",
                                                     "slow", "slower", "veryslow", "placebo", "default"),
                      help="x265 preset; default = libheif's"),
               Option("tune", "psnr", choices=("psnr", "ssim", "grain", "fastdecode", "default"),
                      help="x265 tuning; default = libheif's (not PSNR's)"))
    extension = ".heic"
    other_suffixes = (".heif",)

    @classmethod
    def sniff(cls, head: bytes) -> bool:  # any other ISO-BMFF image than AVIF
        return head[4:8] == b"ftyp" and head[8:12] not in (b"avif", b"avis")
    pil_format = "HEIF"
    plugin = "pillow-heif"
    keeps = frozenset({"exif", "xmp", "icc", "alpha"})
    max_depth = max_depth_rgb = 10  # pillow-heif codes 16-bit samples as 10-bit HEVC (python benchmarks/keeps_table.py)
    quality_help = "HEVC quality 0..100 (libheif maps it to x265's QP)"
    quality_range = (0, 100)
    default_quality = 50
    sweep = (8, 14, 20, 26, 32, 38, 50, 62)

    @classmethod
    def _import(cls):
        import pillow_heif

        pillow_heif.register_heif_opener()

    def save_options(self, quality: float) -> dict:
        params = {k: self.opts[k] for k in ("preset", "tune") if self.opts[k] != "default"}
        return {"quality": int(round(quality)), "chroma": 444, "enc_params": params}

    def encode_with_meta(self, image: np.ndarray, quality: float, meta) -> bytes:
        if meta is None or meta.deep is None or meta.deep.shape[2] != 3 or meta.alpha is not None:
            return super().encode_with_meta(image, quality, meta)
        # 16-bit RGB samples (Pillow has no such mode): through pillow-heif's own API, the same options
        import pillow_heif

        h, w = meta.deep.shape[:2]
        heif = pillow_heif.from_bytes(mode="RGB;16", size=(w, h), data=np.ascontiguousarray(meta.deep).tobytes())
        opts = self.save_options(self.check_quality(quality))
        for part, key in (("exif", "exif"), ("xmp", "xmp"), ("icc", "icc_profile")):
            if getattr(meta, part):
                opts[key] = getattr(meta, part)
        buf = io.BytesIO()
        heif.save(buf, **opts)
        return buf.getvalue()


@register_codec
class JPEGli(_PluginCodec):
    """Google's jpegli encoder: a plain JPEG file that any JPEG decoder reads."""

    name = "jpegli"
    label = "JPEG (jpegli)"
    extension = ".jpg"
    plugin = "pyjpegli"
    keeps = frozenset({"exif", "xmp", "icc"})  # written into the JPEG's APP segments by srcodec (Codec.attach)
    grey_modes = frozenset()  # pyjpegli codes RGB only: a grey image comes back as RGB
    quality_help = "jpegli quality 1..100 (libjpeg's scale)"
    quality_range = (1, 100)
    default_quality = 75
    sweep = (3, 6, 10, 15, 25, 50, 78, 88)

    @classmethod
    def _import(cls):
        import pyjpegli  # noqa: F401

        return pyjpegli

    def settings(self) -> dict:
        return {"encoder": "jpegli", "decoder": "Pillow (libjpeg-turbo)"}

    def encode_with_meta(self, image: np.ndarray, quality: float, meta) -> bytes:
        return self.attach(self.encode(image, quality), meta)

    def encode(self, image: np.ndarray, quality: float) -> bytes:
        q = int(round(self.check_quality(quality)))
        rgb = np.ascontiguousarray(np.repeat(image, 3, axis=2) if image.shape[2] == 1 else image)
        return self._import().encode(rgb.tobytes(), rgb.shape[1], rgb.shape[0], q)
