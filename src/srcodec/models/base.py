"""What every learned image model here is: transforms, gain units, one latent codec.

::

    x --g_a--> y --*gain[q]--> [latent codec] --> y_hat --*inverse_gain[q]--g_s--> x_hat
                                   |  ^
                                streams (bytes)

When decoding, ``g_s`` runs in its sub-pixel form (:func:`~srcodec.models.layers.fast_synthesis`),
the same function computed about twice as fast on CPU.

``q`` is the model's level in ``0 .. levels-1`` (see :meth:`LearnedModel.level` for the
user's quality 1..8), a tensor with one value per image in training (each image of a batch gets its
own lambda) and one float when coding. Images are float tensors in ``[0, 1]``
whose height and width are multiples of :attr:`LearnedModel.stride`.
"""

from __future__ import annotations

import torch
from torch import nn

from srcodec.models.layers import GainUnits, analysis, fast_synthesis, synthesis
from srcodec.tiling import run_tiled

#: the rate-distortion trade-offs of CompressAI's eight MSE qualities (the default levels)
LAMBDAS = (0.0018, 0.0035, 0.0067, 0.0130, 0.0250, 0.0483, 0.0932, 0.18)
#: the scale of :meth:`LearnedModel.level`'s input: 1 is the first level, 8 the last (the learned codec's quality
#: knob, ``codecs/learned.py``, is this scale: ``tests/test_learned_codec.py`` checks that the two agree)
QUALITY_RANGE = (1.0, 8.0)


#: above TILE x TILE pixels the analysis and synthesis transforms run on tiles of that size (multiples
#: of 16), each with context around it that their receptive fields never cross, so memory is that of
#: one tile and the result is the one pass would give (up to float rounding: the same streams but
#: for a rare latent that lands the other side of a rounding step)
TILE = 1024
#: context of an analysis tile, pixels: g_a (four 5x5 convolutions of stride 2) sees 30 pixels each way
ANALYSIS_MARGIN = 64
#: context of a synthesis tile, latent pixels: g_s's four 5x5 transposed convolutions see under 4
SYNTHESIS_MARGIN = 8


class LearnedModel(nn.Module):
    """Base class: subclasses set ``arch``, ``stride`` and build ``self.latent``."""

    arch: str = ""
    stride: int = 16

    def __init__(self, n: int = 128, m: int = 192, lambdas: tuple[float, ...] = LAMBDAS):
        super().__init__()
        self.lambdas = tuple(float(v) for v in lambdas)
        if len(self.lambdas) < 2 or any(b <= a for a, b in zip(self.lambdas, self.lambdas[1:])):
            raise ValueError(f"lambdas must be at least two increasing values, got {lambdas}")
        self.n, self.m, self.levels = n, m, len(self.lambdas)
        self.g_a = analysis(n, m)
        self.g_s = synthesis(n, m)
        self.gains = GainUnits(self.levels, m)
        self.latent: nn.Module = self.build_latent(n, m)

    def build_latent(self, n: int, m: int) -> nn.Module:
        raise NotImplementedError

    def config(self) -> dict:
        return {"arch": self.arch, "N": self.n, "M": self.m, "levels": self.levels, "lambdas": list(self.lambdas)}

    def level(self, quality):
        """The model level of a user quality in :data:`QUALITY_RANGE`: 1 is level 0, 8 the last level,
        linear in between (the identity minus 1 for eight levels). Works on floats and tensors."""
        lo, hi = QUALITY_RANGE
        return (quality - lo) * ((self.levels - 1) / (hi - lo))

    @staticmethod
    def _q(q, batch: int) -> torch.Tensor:
        q = torch.as_tensor(q, dtype=torch.float32)
        return q.expand(batch) if q.dim() == 0 else q

    def forward(self, x: torch.Tensor, q) -> dict:
        q = self._q(q, x.shape[0])
        y = self.g_a(x) * self.gains.gain(q)
        y_hat, likelihoods = self.latent(y)
        x_hat = self.g_s(y_hat * self.gains.inverse(q))
        return {"x_hat": x_hat, "likelihoods": likelihoods}

    def coded_latent(self, x: torch.Tensor, q) -> torch.Tensor:
        """``y_hat * inverse_gain[q]`` as coding makes it (rounded around the entropy model's means), in one pass
        without the entropy coder: the input of latent-domain decoders in training (call in eval mode)."""
        q = self._q(q, x.shape[0])
        y_hat, _ = self.latent(self.g_a(x) * self.gains.gain(q))
        return y_hat * self.gains.inverse(q)

    @torch.no_grad()
    def analyse(self, x: torch.Tensor, tile: int = TILE) -> torch.Tensor:
        """``g_a(x)`` for one image (1, 3, H, W), H and W multiples of 16; in tiles above ``tile`` pixels.

        ``x`` is float in 0..1, or uint8 (then each tile is converted on its own: the whole image is never
        held as floats, a quarter of the memory)."""
        def prepare(t: torch.Tensor) -> torch.Tensor:
            return t.float().div_(255.0) if t.dtype == torch.uint8 else t

        return run_tiled(*x.shape[-2:], lambda t: self.g_a(prepare(x[..., t.ya:t.yb, t.xa:t.xb])), tile=tile,
                         margin=ANALYSIS_MARGIN, layout="chw")

    @torch.no_grad()
    def synthesise(self, latent: torch.Tensor, tile: int = TILE) -> torch.Tensor:
        """The (fast) synthesis of a latent (1, m, h, w) into (1, 3, 16h, 16w); in tiles above ``tile`` pixels."""
        g = self._decoder_synthesis()
        return run_tiled(*latent.shape[-2:], lambda t: g(latent[..., t.ya:t.yb, t.xa:t.xb]), tile=tile // 16,
                         margin=SYNTHESIS_MARGIN, layout="chw")

    @torch.no_grad()
    def compress(self, x: torch.Tensor, q: float) -> tuple[list[bytes], float]:
        """Streams for one image (1, 3, H, W) and the model's estimate of their size in bits."""
        y = self.analyse(x) * self.gains.gain(self._q(q, 1))
        streams, _, est_bits = self.latent.compress(y)
        return streams, est_bits

    @torch.no_grad()
    def decompress_latent(self, streams: list[bytes], q: float, height: int, width: int) -> torch.Tensor:
        """The entropy-decoded latent in ``g_s``'s input units, ``y_hat * inverse_gain[q]``: (1, m, H/16, W/16).

        What :meth:`decompress` feeds to the synthesis; latent-domain decoders
        (:mod:`srcodec.post.latent_sr`) start from it instead of from pixels.
        """
        shape = (1, self.m, height // 16, width // 16)
        y_hat = self.latent.decompress(streams, None, shape)
        return y_hat * self.gains.inverse(self._q(q, 1))

    @torch.no_grad()
    def decompress(self, streams: list[bytes], q: float, height: int, width: int) -> torch.Tensor:
        return self.synthesise(self.decompress_latent(streams, q, height, width)).clamp_(0, 1)

    def _decoder_synthesis(self) -> nn.Module:
        """``g_s`` with sub-pixel convolutions (built once per version of the weights)."""
        key = tuple((id(p), p._version) for p in self.g_s.parameters())
        cached = self.__dict__.get("_fast_g_s")
        if cached is None or cached[0] != key:
            cached = (key, fast_synthesis(self.g_s))
            self.__dict__["_fast_g_s"] = cached
        return cached[1]

    def update_tables(self) -> None:
        """Freeze learned densities into integer tables before export."""
        for mod in self.modules():
            if mod is not self and hasattr(mod, "update_tables"):
                mod.update_tables()

    def hyper_transforms(self, n: int, m: int, abs_input: bool, out: int) -> tuple[nn.Module, nn.Module]:
        """The hyper-analysis (y -> z at 1/4) and hyper-synthesis (z -> ``out`` channels)."""
        act = nn.ReLU if abs_input else nn.LeakyReLU
        h_a = nn.Sequential(
            nn.Conv2d(m, n, 3, padding=1), act(inplace=True),
            nn.Conv2d(n, n, 5, stride=2, padding=2), act(inplace=True),
            nn.Conv2d(n, n, 5, stride=2, padding=2),
        )
        h_s = nn.Sequential(
            nn.ConvTranspose2d(n, n, 5, stride=2, padding=2, output_padding=1), act(inplace=True),
            nn.ConvTranspose2d(n, n, 5, stride=2, padding=2, output_padding=1), act(inplace=True),
            nn.Conv2d(n, out, 3, padding=1),
        )
        return h_a, h_s
