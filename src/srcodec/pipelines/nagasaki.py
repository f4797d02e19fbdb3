"""Nagasaki et al.: a CNN pre-filter for a stock JPEG encoder; the file is a plain JPEG.

``nagasaki-jpeg``::

    encode: image ─► RGB ─► Modify-Net(x, q) ─► 8 bits (grey again if it was grey) ─► JPEG encoder (q) ─► .jpg
    decode: .jpg ─► any JPEG decoder (libjpeg, a browser, djpeg, ...)

Unlike the other pipelines this one writes no ``.srz``: all the work is on
the encoder's side, so the output is an ordinary baseline JPEG, byte for
byte what the ``jpeg`` codec writes for the filtered image, and decoding is
plain JPEG decoding (``srcodec decompress`` sees a JPEG and decodes it as
one). Nothing in the file names the weights; none are needed to decode.

Modify-Net (:mod:`srcodec.pre.modifynet`) is trained through a
differentiable stand-in for JPEG: the exact differentiable JPEG
(:mod:`srcodec.proxies.jpeg_diff`) or Nagasaki et al.'s learned emulator
JPEG-Net (:mod:`srcodec.proxies.jpeg_emulator`), with the same rate term for
both, so the filter can lower the size at a given quality and win at equal
bits per pixel (``srcodec train prefilter``, see :mod:`srcodec.train.prefilter`).

Weights: ``srcodec/weights/nagasaki-jpeg.safetensors`` with the stage ``pre``.
"""

from __future__ import annotations

import numpy as np
from srcodec.codecs.base import get_codec
from srcodec.io.image import to_pil, to_rgb
from srcodec.pipelines.base import Pipeline


class NagasakiJPEG(Pipeline):
    """Modify-Net before libjpeg; a plain ``.jpg`` out, decoded by any JPEG decoder."""

    name = "nagasaki-jpeg"
    label = "Nagasaki et al. Modify-Net + JPEG"
    paper = "Nagasaki et al.: Modify-Net pre-filter before a stock JPEG encoder"
    extension = ".jpg"
    keeps = frozenset({"exif", "xmp", "icc"})  # the JPEG's own segments (Codec.attach)
    grey_modes = frozenset({"L"})
    inner = "jpeg"
    scale = 1
    pre_label = "Modify-Net"
    post_label = "- (any JPEG decoder)"
    stages = ("pre",)
    stage_archs = {"pre": ("modifynet",)}

    def prefilter(self, image: np.ndarray, quality: float) -> np.ndarray:
        """The image Modify-Net makes for a JPEG encoder at ``quality`` (uint8, same shape and channels)."""
        net = self.nets["pre"]  # loaded outside inference mode: its parameters stay ordinary tensors
        import torch

        from srcodec.io.tensors import image_to_tensor, tensor_to_image

        with torch.inference_mode():
            out = tensor_to_image(net(image_to_tensor(to_rgb(image)), quality))
        if image.shape[2] == 1:
            out = np.asarray(to_pil(out).convert("L"))[:, :, None]
        return out

    def encode(self, image: np.ndarray, quality: float) -> bytes:
        q = self.check_quality(quality)
        return get_codec(self.inner).encode(self.prefilter(image, q), q)

    def decode(self, data: bytes) -> np.ndarray:
        return get_codec(self.inner).decode(data)
