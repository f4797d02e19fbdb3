"""The learned codec: a checkerboard mean-scale hyperprior, variable rate, ``.srz`` files.

::

    image (H, W, C) --RGB, replicate-pad to the model stride--> model.compress(model.level(q))
        --> streams --> .srz (codec, model id + weights hash, H, W, C, padding, quality)

Quality runs from 1 to 8, fractional values allowed: 1 is the model's lowest
trained rate-distortion trade-off, 8 its highest (CompressAI's lambda of quality
8), the levels spread evenly in between (:meth:`LearnedModel.level`); values
between levels interpolate the gain vectors geometrically. Greyscale images are coded as
RGB and converted back (the header records C). Decoding refuses a file written
with other weights.

The weights come from ``srcodec/weights/<DEFAULT_MODEL_ID>.safetensors``, or
from the file named by the environment variable ``SRCODEC_LEARNED_WEIGHTS``.
"""

from __future__ import annotations

import os
import threading
import warnings
from pathlib import Path

import numpy as np
from PIL import Image

from srcodec.codecs.base import Codec, register_codec
from srcodec.errors import InputError

#: the user's quality knob, whatever the number of levels of the weights: 1 is the lowest level, 8 the
#: highest (:meth:`srcodec.models.base.LearnedModel.level` maps it); here so that listing codecs needs no torch
QUALITY_RANGE = (1.0, 8.0)

DEFAULT_MODEL_ID = "checkerboard-n64-m128"
WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"
WEIGHTS_ENV = "SRCODEC_LEARNED_WEIGHTS"

_CACHE: dict[str, tuple] = {}
_LOCK = threading.Lock()


def default_weights_path() -> Path:
    env = os.environ.get(WEIGHTS_ENV)
    return Path(env) if env else WEIGHTS_DIR / f"{DEFAULT_MODEL_ID}.safetensors"


def weights_file_hash(path: Path | None = None) -> str:
    """The hex weights identity ``.srz`` files record (:func:`srcodec.archs.weights_identity`), without
    loading the model (no torch): what pipelines bound to these weights compare."""
    from srcodec.archs import weights_identity

    return weights_identity(Path(path) if path is not None else default_weights_path()).hex()


def _load(path: Path):
    from srcodec.models.weights import load_weights

    key = str(path.resolve())
    stat = path.stat()
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is None or hit[0] != (stat.st_mtime_ns, stat.st_size):
            model, config, digest = load_weights(path)
            hit = ((stat.st_mtime_ns, stat.st_size), model, config, digest)
            _CACHE[key] = hit
    return hit[1:]


#: the most pixels one payload byte can describe: flat images at the lowest quality, the cheapest
#: there are, stay at least 10 times below it (tests/test_hostile_files.py checks that margin), and it
#: bounds what a forged header can make the decoder allocate (a 647-byte file: at most 5.3 megapixels)
PIXELS_PER_PAYLOAD_BYTE = 8192


@register_codec
class LearnedCodec(Codec):
    name = "learned"
    label = "Learned (checkerboard hyperprior)"
    extension = ".srz"
    quality_help = "1..8, fractional allowed; higher is better and bigger"
    quality_range = QUALITY_RANGE
    default_quality = 4.0
    sweep = (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0)
    integer_quality = False
    keeps = frozenset({"exif", "xmp", "icc", "alpha"})  # the .srz metadata section
    grey_modes = frozenset({"L", "LA"})

    def __init__(self, weights: str | os.PathLike | None = None):
        super().__init__()
        self.weights_path = Path(weights) if weights else default_weights_path()

    @classmethod
    def unavailable_reason(cls) -> str | None:
        p = default_weights_path()
        if not p.is_file():
            return f"weights file {p} is missing (train them with `srcodec train codec` or set {WEIGHTS_ENV})"
        return None

    def _model(self):
        if not self.weights_path.is_file():
            raise InputError(f"learned codec weights {self.weights_path} not found")
        return _load(self.weights_path)

    def weights_files(self) -> tuple[Path, ...]:
        return (self.weights_path,)

    def settings(self) -> dict:
        _, config, digest = self._model()
        return {"model_id": config["model_id"], "arch": config["arch"], "N": config["N"], "M": config["M"], "weights_hash": digest.hex()}

    def encode(self, image: np.ndarray, quality: float) -> bytes:
        return self.encode_estimated(image, quality)[0]

    def encode_estimated(self, image: np.ndarray, quality: float) -> tuple[bytes, float]:
        """The file, and the model's estimate of its entropy-coded payload in bits (what the entropy coder
        should reach: ``python benchmarks/learned_codec_stats.py`` compares them)."""
        from srcodec.container import srz

        import torch

        q = self.check_quality(quality)
        model, config, digest = self._model()
        h, w, c = image.shape
        rgb = np.repeat(image, 3, axis=2) if c == 1 else image
        s = model.stride
        pad_b, pad_r = (-h) % s, (-w) % s
        if pad_b or pad_r:  # replicate the edge (on the uint8 image: a quarter of the memory of floats)
            rgb = np.pad(rgb, ((0, pad_b), (0, pad_r), (0, 0)), mode="edge")
        with warnings.catch_warnings():  # a read-only image is fine: it is only read (no copy of 8K pixels)
            warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
            x = torch.from_numpy(np.ascontiguousarray(rgb)).permute(2, 0, 1)[None]  # uint8: floats a tile at a time
        streams, est_bits = model.compress(x, model.level(q))
        return srz.pack(self.name, config["model_id"], digest, h, w, c, streams, pad_bottom=pad_b, pad_right=pad_r,
                        quality=q), est_bits

    def _open(self, data: bytes):
        """Header, streams and model of a learned ``.srz`` file, after every consistency check."""
        from srcodec.container import srz

        header, streams = srz.unpack(data)
        if header.codec != self.name:
            raise InputError(f"this .srz file was written by {header.codec!r}, not the learned codec")
        model, config, digest = self._model()
        if header.weights_hash != digest:
            raise InputError(f"this .srz file was written with other weights ({header.model_id} {header.weights_hash.hex()}); "
                             f"installed: {config['model_id']} {digest.hex()}")
        if header.model_id != config["model_id"]:
            raise InputError(f"corrupted .srz header (model id {header.model_id!r}, the weights are {config['model_id']!r})")
        lo, hi = self.quality_range
        if not (lo <= header.quality <= hi) or len(streams) != 2:
            raise InputError("corrupted .srz header (quality or stream count out of range)")
        ph, pw = header.height + header.pad_bottom, header.width + header.pad_right
        if ph % model.stride or pw % model.stride or header.pad_bottom >= model.stride or header.pad_right >= model.stride:
            raise InputError("corrupted .srz header (padding does not match the model stride)")
        payload = sum(len(s) for s in streams)
        if ph * pw > PIXELS_PER_PAYLOAD_BYTE * payload:
            raise InputError(f"corrupted .srz file ({payload} payload bytes cannot hold a {pw}x{ph} image)")
        return header, streams, model

    def decode_latent(self, data: bytes):
        """(latent, header) of a learned ``.srz`` file, without running the synthesis.

        ``latent`` is ``y_hat * inverse_gain[q]``, shape (1, M, (H + pad) / 16,
        (W + pad) / 16): the input of the synthesis transform for the padded
        RGB image (see :meth:`LearnedModel.decompress_latent`).
        """
        header, streams, model = self._open(data)
        ph, pw = header.height + header.pad_bottom, header.width + header.pad_right
        return model.decompress_latent(streams, model.level(header.quality), ph, pw), header

    def decode(self, data: bytes) -> np.ndarray:
        header, streams, model = self._open(data)
        ph, pw = header.height + header.pad_bottom, header.width + header.pad_right
        import torch

        x_hat = model.decompress(streams, model.level(header.quality), ph, pw)
        out = x_hat[0, :, : header.height, : header.width].mul(255.0).round_().clamp_(0, 255)
        rgb = out.to(torch.uint8).permute(1, 2, 0).contiguous().numpy()
        if header.channels == 1:
            return np.asarray(Image.fromarray(rgb, "RGB").convert("L"))[:, :, None]
        return rgb
