"""Upenik et al.: super-resolution in the latent domain of a learned codec, and their two anchors.

``upenik-x2`` / ``upenik-x4`` -- the decoder makes the HR image from the latent::

    encode: HR ─► bicubic ↓s ─► learned codec (its .srz inside ours; bpp counts its real bytes)
    decode: .srz ─► entropy decoding ─► ŷ × inverse gain ─► latent-domain SR decoder ─► HR'
                                                           (srcodec.post.latent_sr: never forms the LR pixels)

``upenik-decoded-x2`` / ``-x4`` -- Upenik et al.'s "decoded" anchor: the same
bits, decoded to LR pixels by the codec's own synthesis, then EDSR ×s
(trained on such decoded images)::

    HR ─► bicubic ↓s ─► learned codec ─► decoded LR ─► EDSR ×s ─► HR'

The "original" anchor, super-resolution of the *uncompressed* LR image (no
codec, no bits: the ceiling of both), is not a codec; :func:`original_anchor`
computes it for a benchmark.

Weights: ``upenik-x<s>.safetensors``, stage ``sr`` of architecture
``latent-sr`` (``srcodec train latent-sr``), which only fits the learned codec
whose latent it was trained on (the file records that codec's weights hash);
``upenik-decoded-x<s>.safetensors``, stage ``sr``, an EDSR (``srcodec train sr
--codec learned``).
"""

from __future__ import annotations

import os

from typing import TYPE_CHECKING

import numpy as np

from srcodec.codecs.base import get_codec
from srcodec.io.resample import bicubic_down, pad_to_multiple
from srcodec.errors import InputError
from srcodec.io.image import to_rgb
from srcodec.pipelines.base import Pipeline
from srcodec.pipelines.bicubic import BicubicEDSRPipeline

if TYPE_CHECKING:
    from torch import nn

#: the stage file's metadata key naming the learned codec weights the latent decoder was trained on
CODEC_HASH_KEY = "codec_weights_hash"


def _codec_hash() -> str:
    from srcodec.codecs.learned import weights_file_hash

    return weights_file_hash()


class UpenikPipeline(Pipeline):
    """bicubic ↓s -> learned codec -> latent-domain SR decoder (no LR pixels)."""

    paper = "Upenik et al.: super-resolution in the latent domain of a learned codec"
    inner = "learned"
    stages = ("sr",)
    stage_archs = {"sr": ("latent-sr",)}

    @classmethod
    def _weights_problem(cls) -> str | None:
        from srcodec.archs import read_metadata

        problem = super()._weights_problem()
        if problem:
            return problem
        trained_on = read_metadata(cls.weights_path()).get(CODEC_HASH_KEY)
        if trained_on != _codec_hash():
            return (f"{cls.weights_path()}: its latent decoder was trained on the learned codec weights "
                    f"{trained_on or '(not recorded)'}, the installed ones are {_codec_hash()}")
        return None

    def check_nets(self, nets: dict[str, nn.Module]) -> None:
        super().check_nets(nets)
        problem = self._weights_problem()
        if problem:
            raise InputError(problem)

    def pre(self, rgb: np.ndarray) -> np.ndarray:
        return bicubic_down(rgb, self.scale)

    def decode(self, data: bytes) -> np.ndarray:
        header, inner = self.unpack(data)
        latent, lr_header = get_codec(self.inner).decode_latent(inner)
        ph, pw = header.height + header.pad_bottom, header.width + header.pad_right
        if (lr_header.height, lr_header.width) != (ph // self.scale, pw // self.scale):
            raise InputError(f"corrupted .srz file (inner image is {lr_header.width}x{lr_header.height}, "
                             f"expected {pw // self.scale}x{ph // self.scale})")
        net = self.nets["sr"]  # loaded outside inference mode: its parameters stay ordinary tensors
        import torch

        from srcodec.io.tensors import tensor_to_image

        with torch.inference_mode():
            out = tensor_to_image(net(latent))
        return self.finish(out, header.height, header.width, header.channels)


class UpenikDecodedAnchor(BicubicEDSRPipeline):
    """Upenik et al.'s "decoded" anchor: the learned codec's LR decode, then EDSR ×s."""

    paper = "Upenik et al. (decoded anchor): learned codec on the bicubic LR, decoded to pixels, then EDSR"
    inner = "learned"


def original_anchor(image: np.ndarray, scale: int, sr: nn.Module | str | os.PathLike) -> np.ndarray:
    """Upenik et al.'s "original" anchor: SR ×``scale`` of the uncompressed bicubic LR image.

    ``sr`` is an SR network, or a stage file with an ``sr`` stage (e.g. from
    ``srcodec train sr --codec none --arch edsr-compact``: trained on clean LR).
    Returns an image of ``image``'s shape; it costs no bits (nothing is coded).
    """
    from torch import nn

    if not isinstance(sr, nn.Module):
        from srcodec.archs import load_stages

        sr = load_stages(sr, only=("sr",))["sr"]
    if getattr(sr, "scale", scale) != scale:
        raise InputError(f"the SR network enlarges x{sr.scale}, the anchor needs x{scale}")
    lr = bicubic_down(pad_to_multiple(to_rgb(image), scale), scale)
    return Pipeline.finish(Pipeline.run_nets(lr, sr.eval()), *image.shape)
