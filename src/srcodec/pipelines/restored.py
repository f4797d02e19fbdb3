"""A standard codec followed by a quality-aware restorer: srcodec's strongest pipelines.

::

    encode: image ─► RGB ─► (×2: bicubic ↓2) ─► codec.encode(q) (VVC / AVIF / JPEG, PSNR-best settings) ─► .srz
    decode: .srz ─► the codec's own file ─► its decoder's planes (VVC: Y, Cb, Cr; else RGB)
                ─► QRestorer(planes, q) (×2: enlarging) ─► RGB ─► original size (grey if it was grey)

The ``.srz`` holds the codec's file byte for byte (its bytes are what the rate counts, plus the
~80-byte header), and the quality in the header is the restorer's quality input. With ``adapt=1``
(``vvc-restored:adapt=1``: content-adaptive restoration) the encoder also runs the restorer, fits per colour
channel the strength of its correction to this image (:func:`srcodec.post.restorer.fit_strengths`) and writes
three bytes more in the header; the decoder applies them (the rate counts them; ``python
benchmarks/restorer_per_image.py --adaptive`` measures what they buy). The network is
:class:`srcodec.post.restorer.QRestorer`, trained by ``srcodec train restorer`` on a decoded pool
of the training images (:mod:`srcodec.train.restorer`); weights in
``srcodec/weights/<name>.safetensors``, stage ``restorer``.

Pipelines (rows of :mod:`.catalogue`): ``vvc-restored`` (VVC + restorer, ×1), ``vvc-x2`` (bicubic ↓2,
VVC, and the restorer enlarging its decode ×2: for low rates), ``vvc-x2-learned`` (the same with Tun et
al.'s learned downscaler instead of bicubic ↓2: :class:`LearnedDownRestoredPipeline`, stages ``down``
and ``restorer``), ``avif-restored`` and
``jpeg-restored`` (RGB restorers over PSNR-tuned AVIF and over libjpeg-turbo JPEG). A JPEG restorer
also restores a plain ``.jpg`` it did not write: ``srcodec restore`` reads the file's quality from its
quantization tables (:mod:`srcodec.codecs.jpeg_tables`) and runs the same network
(:func:`restore_file`).
"""

from __future__ import annotations

import numpy as np

from srcodec.codecs.base import Option, codec_class, get_codec
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
    own_options = (Option("adapt", 0, kind=int, bounds=(0, 1),
                          help="1: fit the restorer's strength per colour channel to the image when encoding (3 bytes "
                               "in the file, one more network run to encode)"),)
    #: what marks the strengths in the header's extra field, after the pipeline's layout
    ADAPT_TAG = b";a"

    def extra_ok(self, extra: bytes) -> bool:
        base = self._extra()
        return extra == base or (extra.startswith(base + self.ADAPT_TAG) and len(extra) == len(base) + 5)

    def _strengths(self, extra: bytes) -> bytes | None:
        """The strength codes a file carries (``adapt=1``), or None."""
        return extra[-3:] if len(extra) > len(self._extra()) else None

    def _enlarge(self, picture: np.ndarray, height: int, width: int) -> np.ndarray:
        """The inner codec's decode, RGB, enlarged by bicubic for ×2 and cropped: what the restorer improves on."""
        from srcodec.io.resample import bicubic_up

        rgb = to_rgb(picture)
        return (bicubic_up(rgb, self.scale) if self.scale > 1 else rgb)[:height, :width]

    def extra_for(self, image: np.ndarray, inner: bytes, quality: float, padded: tuple[int, int]) -> bytes:
        """With ``adapt=1``, the strengths of the restorer's correction fitted to ``image`` after the layout."""
        from srcodec.post.restorer import fit_strengths

        if not self.opts.get("adapt"):
            return self._extra()
        h, w = image.shape[:2]
        plain, restored = self._decoded(inner, quality, h, w, padded, with_plain=True)
        return self._extra() + self.ADAPT_TAG + fit_strengths(to_rgb(image), plain, restored)

    def check_nets(self, nets) -> None:
        want = codec_class(self.inner).planes
        if nets["restorer"].planes != want:
            raise InputError(f"{self.weights_path()}: its restorer reads {nets['restorer'].planes} planes, "
                             f"{self.name} gives it {want}")
        if nets["restorer"].scale != self.scale:
            raise InputError(f"{self.weights_path()}: its restorer enlarges x{nets['restorer'].scale}, "
                             f"{self.name} needs x{self.scale}")

    def wrapped_codec(self) -> str | None:
        return get_codec(self.inner).spec if self.scale == 1 else None  # ×1: no pre-stage

    def pre(self, rgb: np.ndarray) -> np.ndarray:
        from srcodec.pre.shrink import shrink

        return shrink(rgb, self.scale)

    plain_decode = True

    def decode_plain(self, data: bytes) -> np.ndarray:
        """The file decoded without the network (the codec's RGB, ×2: enlarged by bicubic): what the
        restorer improves on, and a cheap stand-in for the restored result in ``auto``'s searches."""
        header, inner = self.unpack(data)
        return self.finish(self._enlarge(get_codec(self.inner).decode(inner), header.height, header.width),
                           header.height, header.width, header.channels)

    def decode(self, data: bytes) -> np.ndarray:
        from srcodec.post.restorer import apply_strengths

        header, inner = self.unpack(data)
        codes = self._strengths(header.extra)
        padded = (header.height + header.pad_bottom, header.width + header.pad_right)
        plain, out = self._decoded(inner, header.quality, header.height, header.width, padded,
                                   with_plain=codes is not None)
        if codes is not None:
            try:
                out = apply_strengths(plain, out, codes)
            except ValueError:
                raise InputError("corrupted .srz header (bad restorer strengths)") from None
        return self.finish(out, header.height, header.width, header.channels)

    def _decoded(self, inner: bytes, quality: float, height: int, width: int, padded: tuple[int, int],
                 with_plain: bool) -> tuple[np.ndarray | None, np.ndarray]:
        """(the plain decode or None, the restorer's RGB output) of the inner file of an image of ``height`` x
        ``width`` (``padded`` before the pre-stage), cropped to the image; the inner file is decoded once."""
        from srcodec.post.restorer import restore

        s = self.scale
        h, w = padded[0] // s, padded[1] // s  # the coded image
        codec = get_codec(self.inner)
        picture, planes = codec.decode_with_planes(inner) if with_plain else (None, codec.decoder_planes(inner))
        if "y" in planes:
            ph, pw = planes["y"].shape
            if not (h <= ph <= h + 1 and w <= pw <= w + 1):
                raise InputError(f"corrupted .srz file (inner picture is {pw}x{ph}, expected {w}x{h})")
        else:
            rgb = to_rgb(planes["rgb"])
            if rgb.shape[:2] != (h, w):
                raise InputError(f"corrupted .srz file (inner image is {rgb.shape[1]}x{rgb.shape[0]}, expected {w}x{h})")
            planes = {"rgb": np.pad(rgb, ((0, h % 2), (0, w % 2), (0, 0)), mode="edge")}
        out = restore(self.nets["restorer"], planes, quality)[:height, :width]
        return (None if picture is None else self._enlarge(picture, height, width)), out


class LearnedDownRestoredPipeline(RestoredPipeline):
    """learned downscaler (frozen, Tun et al.'s) -> codec -> decoder planes -> quality-aware restorer ×s."""

    paper = ("learned downscaler (Tun et al. 2023, after Sun & Chen 2020) + standard codec + quality-aware "
             "restorer ×2 (Jin et al.'s ×2 structure)")
    stages = ("down", "restorer")
    stage_archs = {"down": ("downscaler",), "restorer": ("qrestorer",)}

    def check_nets(self, nets) -> None:
        super().check_nets(nets)
        if nets["down"].scale != self.scale:
            raise InputError(f"{self.weights_path()}: its downscaler divides by {nets['down'].scale}, "
                             f"{self.name} needs {self.scale}")

    def pre(self, rgb: np.ndarray) -> np.ndarray:
        from srcodec.pre.shrink import shrink

        return shrink(rgb, self.scale, self.nets["down"])


#: file kind -> the pipeline whose restorer restores it
RESTORERS = {"jpeg": "jpeg-restored", "avif": "avif-restored", "vvc": "vvc-restored"}


def restore_file(data: bytes) -> tuple[np.ndarray, str, float]:
    """(restored image, pipeline, quality) of a standard file that a shipped restorer knows -- a JPEG, an
    AVIF or a VVC stream, its quality read from the file (its codec's ``quality_of_file``) -- through the matching
    pipeline's network (:data:`RESTORERS`), exactly as that pipeline decodes its own ``.srz`` of the same
    file. A one-line error for a file no restorer is shipped for, or at a quality outside the range its
    restorer was trained on (rather than a guess)."""
    from srcodec.api import identify
    from srcodec.errors import UnavailableError
    from srcodec.post.restorer import decoder_planes, restore

    kind = identify(data)
    if kind not in RESTORERS:
        raise UnavailableError(f"no restorer for {kind} files (srcodec restores {', '.join(k.upper() for k in RESTORERS)} "
                               "files; .srz files decode with srcodec decompress)")
    name = RESTORERS[kind]
    reason = codec_class(name).unavailable_reason()
    if reason:
        raise UnavailableError(f"no {kind.upper()} restorer here: {reason}")
    codec = get_codec(kind)
    quality = codec.quality_of_file(data)
    if quality is None:
        raise InputError(f"not a {kind.upper()} file whose quality srcodec can read")
    pipe = get_codec(name)
    net = pipe.nets["restorer"]
    lo, hi = (float(v) for v in net.quality_range)
    if not lo <= quality <= hi:
        say = codec.describe_quality
        raise UnavailableError(f"no restorer for {kind.upper()} files at quality {say(quality)}: {name} was trained "
                               f"on {say(lo)}..{say(hi)}")
    if codec.planes == "yuv420":  # the decoder's planes, decoded once; the size (and grey or colour) from srcodec's marker
        from srcodec.codecs.vvc import picture_size

        planes = decoder_planes(codec, data)
        h, w, channels = picture_size(data, *planes["y"].shape)
        y = planes["y"]
        planes["y"] = np.pad(y, ((0, y.shape[0] % 2), (0, y.shape[1] % 2)), mode="edge")  # chroma covers an odd side
        if planes["cb"].shape != (planes["y"].shape[0] // 2, planes["y"].shape[1] // 2):
            raise InputError("not a 4:2:0 VVC picture srcodec can restore")
    else:
        decoded = codec.decode(data)  # decoded once: its channels say grey or colour
        h, w, channels = decoded.shape
        rgb = to_rgb(decoded)
        planes = {"rgb": np.pad(rgb, ((0, h % 2), (0, w % 2), (0, 0)), mode="edge")}
    out = restore(net, planes, quality)
    return pipe.finish(out, h, w, channels), name, quality
