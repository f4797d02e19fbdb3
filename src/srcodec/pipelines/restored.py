"""A standard codec followed by a quality-aware restorer: srcodec's strongest pipelines.

::

    encode: image ─► RGB ─► codec.encode(q) (VVC / AVIF / JPEG, at its PSNR-best settings) ─► .srz
    decode: .srz ─► the codec's own file ─► its decoder's planes (VVC: Y, Cb, Cr; else RGB)
                ─► QRestorer(planes, q) ─► RGB ─► original size (grey if it was grey)

The ``.srz`` holds the codec's file byte for byte (its bytes are what the rate counts, plus the
~80-byte header), and the quality in the header is the restorer's quality input. The network is
:class:`srcodec.post.restorer.QRestorer`, trained by ``srcodec train restorer`` on a decoded pool
of the training images (:mod:`srcodec.train.restorer`); weights in
``srcodec/weights/<name>.safetensors``, stage ``restorer``.

Pipelines: ``vvc-restored`` (VVC + restorer, ×1).
"""

from __future__ import annotations

import numpy as np

from srcodec.codecs.base import get_codec
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
        want = "yuv420" if self.inner == "vvc" else "rgb"
        if nets["restorer"].planes != want:
            raise InputError(f"{self.weights_path()}: its restorer reads {nets['restorer'].planes} planes, "
                             f"{self.name} gives it {want}")

    def decode(self, data: bytes) -> np.ndarray:
        from srcodec.post.restorer import decoder_planes, restore

        header, inner = self.unpack(data)
        h, w = header.height + header.pad_bottom, header.width + header.pad_right
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
