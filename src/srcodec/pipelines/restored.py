"""A standard codec followed by a quality-aware restorer: srcodec's strongest pipelines.

::

    encode: image ─► RGB ─► (×2: bicubic ↓2) ─► codec.encode(q) (VVC / AVIF / JPEG, PSNR-best settings) ─► .srz
    decode: .srz ─► the codec's own file ─► its decoder's planes (VVC: Y, Cb, Cr; else RGB)
                ─► QRestorer(planes, q) (×2: enlarging) ─► RGB ─► original size (grey if it was grey)

The ``.srz`` holds the codec's file byte for byte (its bytes are what the rate counts, plus the
~80-byte header), and the quality in the header is the restorer's quality input. The network is
:class:`srcodec.post.restorer.QRestorer`, trained by ``srcodec train restorer`` on a decoded pool
of the training images (:mod:`srcodec.train.restorer`); weights in
``srcodec/weights/<name>.safetensors``, stage ``restorer``.

Pipelines (rows of :mod:`.catalogue`): ``vvc-restored`` (VVC + restorer, ×1), ``vvc-x2`` (bicubic ↓2,
VVC, and the restorer enlarging its decode ×2: for low rates), ``avif-restored`` and
``jpeg-restored`` (RGB restorers over PSNR-tuned AVIF and over libjpeg-turbo JPEG). A JPEG restorer
also restores a plain ``.jpg`` it did not write: ``srcodec restore`` reads the file's quality from its
quantization tables (:mod:`srcodec.codecs.jpeg_tables`) and runs the same network
(:func:`restore_file`).
"""

from __future__ import annotations

import numpy as np

from srcodec.codecs.base import codec_class, get_codec
from srcodec.errors import InputError
from srcodec.io.image import to_rgb
from srcodec.pipelines.base import Pipeline


class RestoredPipeline(Pipeline):
    """codec -> decoder planes -> quality-aware restorer."""

    paper = "standard codec + quality-aware post-filter (FFDNet-style, decoder planes in; Jin et al.'s ×1 structure)"
    stages = ("restorer",)
    stage_archs = {"restorer": ("qrestorer",)}
    pre_label = "-"
    #: benchmark points: the inner codec's 2nd to 6th (VVC: QP 45 .. 26, about 0.05-0.9 bpp on Kodak),
    #: where a post-filter matters and where Tun et al.'s headline rate (0.40 bpp) lies
    sweep_points = slice(1, 6)

    def check_nets(self, nets) -> None:
        want = "yuv420" if codec_class(self.inner).name == "vvc" else "rgb"
        if nets["restorer"].planes != want:
            raise InputError(f"{self.weights_path()}: its restorer reads {nets['restorer'].planes} planes, "
                             f"{self.name} gives it {want}")
        if nets["restorer"].scale != self.scale:
            raise InputError(f"{self.weights_path()}: its restorer enlarges x{nets['restorer'].scale}, "
                             f"{self.name} needs x{self.scale}")

    def pre(self, rgb: np.ndarray) -> np.ndarray:
        from srcodec.io.resample import bicubic_down

        return bicubic_down(rgb, self.scale)

    def decode(self, data: bytes) -> np.ndarray:
        from srcodec.post.restorer import decoder_planes, restore

        header, inner = self.unpack(data)
        s = self.scale
        h, w = (header.height + header.pad_bottom) // s, (header.width + header.pad_right) // s  # the coded image
        planes = decoder_planes(get_codec(self.inner), inner)
        if "y" in planes:
            ph, pw = planes["y"].shape
            if not (h <= ph <= h + 1 and w <= pw <= w + 1):
                raise InputError(f"corrupted .srz file (inner picture is {pw}x{ph}, expected {w}x{h})")
        else:
            rgb = to_rgb(planes["rgb"])
            if rgb.shape[:2] != (h, w):
                raise InputError(f"corrupted .srz file (inner image is {rgb.shape[1]}x{rgb.shape[0]}, expected {w}x{h})")
            planes = {"rgb": np.pad(rgb, ((0, h % 2), (0, w % 2), (0, 0)), mode="edge")}
        out = restore(self.nets["restorer"], planes, header.quality)
        return self.finish(out, header.height, header.width, header.channels)


def restore_file(data: bytes) -> tuple[np.ndarray, str, float]:
    """(restored image, pipeline, quality) of a standard file that a shipped restorer knows: a JPEG
    (its quality read from its quantization tables) through ``jpeg-restored``. A one-line error for a
    file no restorer is shipped for."""
    from srcodec.api import identify
    from srcodec.codecs.base import codec_class
    from srcodec.codecs.jpeg_tables import jpeg_quality
    from srcodec.errors import UnavailableError
    from srcodec.post.restorer import restore

    kind = identify(data)
    if kind == "vvc":
        return _restore_vvc(data)
    if kind != "jpeg":
        raise UnavailableError(f"no restorer for {kind} files (srcodec restores JPEG and VVC files; .srz files "
                               "decode with srcodec decompress)")
    found = jpeg_quality(data)
    if found is None:
        raise InputError("not a JPEG file srcodec can read")
    quality, _ = found
    reason = codec_class("jpeg-restored").unavailable_reason()
    if reason:
        raise UnavailableError(f"no JPEG restorer here: {reason}")
    pipe = get_codec("jpeg-restored")
    decoded = get_codec("jpeg").decode(data)  # decoded once: its channels say grey or colour
    rgb = to_rgb(decoded)
    h, w = rgb.shape[:2]
    padded = {"rgb": np.pad(rgb, ((0, h % 2), (0, w % 2), (0, 0)), mode="edge")}
    out = restore(pipe.nets["restorer"], padded, quality)
    return pipe.finish(out, h, w, decoded.shape[2]), "jpeg-restored", quality


def _restore_vvc(data: bytes) -> tuple[np.ndarray, str, float]:
    """A plain ``.266`` through ``vvc-restored``: its quality from the stream's QP
    (:func:`srcodec.codecs.vvc.file_quality`), its planes straight from the decoder, its size (and grey or
    colour) from srcodec's marker when it has one; a QP outside the range the restorer was trained on
    is a one-line error rather than a guess."""
    from srcodec.codecs.base import codec_class
    from srcodec.codecs.vvc import VVC, decode_planes, file_quality
    from srcodec.errors import UnavailableError
    from srcodec.post.restorer import restore

    reason = codec_class("vvc-restored").unavailable_reason()
    if reason:
        raise UnavailableError(f"no VVC restorer here: {reason}")
    pipe = get_codec("vvc-restored")
    net = pipe.nets["restorer"]
    quality = file_quality(data)
    if quality is None:
        raise InputError("not a VVC stream whose QP srcodec can read")
    lo, hi = (float(v) for v in net.quality_range)
    if not lo <= quality <= hi:
        raise UnavailableError(f"no restorer for VVC files at QP {63 - quality:g}: vvc-restored was trained on "
                               f"QP {63 - hi:g}..{63 - lo:g}")
    decoded = VVC().decode(data)  # its size and channels (srcodec's marker, else the picture's)
    y, cb, cr, _, _ = decode_planes(data)
    h, w = decoded.shape[:2]
    y = np.pad(y, ((0, y.shape[0] % 2), (0, y.shape[1] % 2)), mode="edge")  # 4:2:0 chroma covers the odd side
    if cb.shape != (y.shape[0] // 2, y.shape[1] // 2):
        raise InputError("not a 4:2:0 VVC picture srcodec can restore")
    out = restore(net, {"y": y, "cb": cb, "cr": cr}, quality)
    return pipe.finish(out, h, w, decoded.shape[2]), "vvc-restored", quality
