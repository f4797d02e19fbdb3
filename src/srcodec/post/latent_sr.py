"""Latent-domain super-resolution (after Upenik et al., "super-resolution in the compressed
domain of learning-based image codecs"): a decoder that turns the learned codec's latent of a
low-resolution image straight into the high-resolution image, without decoding the LR pixels.

Data flow (ŷ = entropy-decoded latent × inverse gain, M channels at LR/16; s = 2 or 4; r = 2s)::

    ŷ ─► [up ×2 + IGDN] x 3 (the codec's g_s without its last layer) ─► f  (N channels, LR/2 = HR/r)
    f ─► conv5x5 (N → 3r²) ─► PixelShuffle(r) ─────────────────────────────────────────────┐  base
    f ─► head ─┬─► [ResBlock] x n ─► conv3x3 ─(+)─► [conv (C → 4C) + PixelShuffle 2] x log2(s) │
               └───────────────────────────┘      ─► conv3x3 (zero-init) ─► to HR ──────────(+)─► HR

    detail_at="lr/2": head = conv3x3 (N → C); blocks at LR/2; tail C → 12, then PixelShuffle 2
    detail_at="lr":   head = conv3x3 (N → 4C) + PixelShuffle 2; blocks at LR; tail C → 3

The three upsampling stages of the synthesis transform are kept (and start
as copies of the codec's, :meth:`LatentSR.init_from_synthesis`); its last
layer, which would make the LR pixels, is replaced by two heads that go from
the LR/2 features to HR pixels:

- ``base``, linear, initialised to the exact composition "last synthesis
  layer, then bicubic ×s" (away from the image borders): the untrained decoder
  already gives the float decode-then-bicubic image, so short trainings start
  from the baseline instead of from noise;
- a residual branch (EDSR's residual blocks) that learns the detail, its last
  layer starting at zero. At LR/2 it is cheapest (a quarter of the positions);
  at LR it sees the grid EDSR works on in the decoded anchor, fed with the N
  synthesis features instead of 3 decoded pixels.

Either way no LR image is formed, and the branch costs less than "synthesis
to LR pixels, then EDSR-compact ×s" (the ``upenik-decoded-x<s>`` anchor: 8
blocks of 32 channels at LR). When not training, the synthesis stages run in
their sub-pixel form (:func:`~srcodec.models.layers.fast_synthesis`).

Presets (``scale``, ``n`` and ``m`` come from the pipeline and its codec):
``latent-sr`` (C = 48, 6 blocks at LR/2), ``latent-sr-compact`` (C = 32,
3 blocks at LR/2) and ``latent-sr-lr`` (C = 32, 6 blocks at LR).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from srcodec.archs import register_arch
from srcodec.models.layers import GDN, fast_synthesis, up
from srcodec.post.edsr import ResBlock, SubPixelUpsampler

#: where the detail branch's residual blocks run: at LR/2 (the synthesis features' own grid) or at LR
DETAIL_RESOLUTIONS = ("lr/2", "lr")
#: the base head sees this many LR/2 positions: enough for bicubic (4 LR taps) after a 5x5 transposed conv
BASE_KERNEL = 5


@register_arch("latent-sr",
               latent_sr=dict(channels=48, n_blocks=6),
               latent_sr_compact=dict(channels=32, n_blocks=3),
               latent_sr_lr=dict(channels=32, n_blocks=6, detail_at="lr"))
class LatentSR(nn.Module):
    """Latent of the LR image (M channels, LR/16) -> HR image (16·s times larger)."""

    def __init__(self, scale: int = 2, n: int = 128, m: int = 192, channels: int = 48, n_blocks: int = 6,
                 res_scale: float = 0.1, detail_at: str = "lr/2"):
        super().__init__()
        if scale not in (2, 4):
            raise ValueError(f"latent-domain SR supports scales 2 and 4, not {scale}")
        if detail_at not in DETAIL_RESOLUTIONS:
            raise ValueError(f"detail_at must be one of {', '.join(DETAIL_RESOLUTIONS)}, not {detail_at!r}")
        self.scale, self.n, self.m, self.detail_at = scale, n, m, detail_at
        self.r = 2 * scale
        self.synthesis = nn.Sequential(up(m, n), GDN(n, True), up(n, n), GDN(n, True), up(n, n), GDN(n, True))
        self.base = nn.Conv2d(n, 3 * self.r * self.r, BASE_KERNEL, padding=BASE_KERNEL // 2)
        # the detail branch runs at LR/2 (its last step a pixel shuffle x2), or at LR (its first step one)
        at_lr = detail_at == "lr"
        self.head = nn.Sequential(nn.Conv2d(n, 4 * channels, 3, padding=1), nn.PixelShuffle(2)) if at_lr \
            else nn.Conv2d(n, channels, 3, padding=1)
        self.body = nn.Sequential(*[ResBlock(channels, res_scale) for _ in range(n_blocks)],
                                  nn.Conv2d(channels, channels, 3, padding=1))
        self.upsample = SubPixelUpsampler(channels, scale)
        self.tail = nn.Conv2d(channels, 3 if at_lr else 3 * 4, 3, padding=1)
        self.tail_shuffle = nn.Identity() if at_lr else nn.PixelShuffle(2)
        nn.init.zeros_(self.tail.weight)
        nn.init.zeros_(self.tail.bias)

    def _synthesis(self) -> nn.Module:
        if self.training:
            return self.synthesis
        key = tuple((id(p), 0 if p.is_inference() else p._version) for p in self.synthesis.parameters())
        cached = self.__dict__.get("_fast")
        if cached is None or cached[0] != key:
            cached = (key, fast_synthesis(self.synthesis))
            self.__dict__["_fast"] = cached
        return cached[1]

    def forward(self, latent: torch.Tensor) -> torch.Tensor:
        return self.reconstruct(self.features(latent))

    def features(self, latent: torch.Tensor) -> torch.Tensor:
        """The synthesis stages: latent -> N features at LR/2."""
        return self._synthesis()(latent)

    def reconstruct(self, f: torch.Tensor) -> torch.Tensor:
        """The two heads: LR/2 features -> HR image."""
        base = F.pixel_shuffle(self.base(f), self.r)
        g = self.head(f)
        g = g + self.body(g)
        return base + self.tail_shuffle(self.tail(self.upsample(g)))

    @torch.no_grad()
    def init_from_synthesis(self, g_s: nn.Sequential) -> LatentSR:
        """Copy the codec's synthesis: its first six layers as they are, its last one (composed with
        bicubic ×s) into ``base``. Returns self."""
        layers = list(g_s)
        if len(layers) != 7 or not isinstance(layers[-1], nn.ConvTranspose2d):
            raise ValueError("expected the learned codec's synthesis: 3 x (up, IGDN), then up to 3 channels")
        for mine, theirs in zip(self.synthesis, layers[:6], strict=True):
            mine.load_state_dict(theirs.state_dict())
        last = layers[-1]
        if last.in_channels != self.n or last.out_channels != 3:
            raise ValueError(f"synthesis has {last.in_channels} channels, this decoder {self.n}")
        # the composition is linear and shift-invariant per LR/2 position: read its kernel off impulses
        k, r, s = BASE_KERNEL, self.r, self.scale
        size = 2 * k + 1
        centre = size // 2
        imp = torch.zeros(self.n, self.n, size, size)
        imp[torch.arange(self.n), torch.arange(self.n), centre, centre] = 1.0
        lr = F.conv_transpose2d(imp, last.weight, None, stride=2, padding=2, output_padding=1)
        hr = F.interpolate(lr, scale_factor=s, mode="bicubic", align_corners=False)  # (n, 3, r·size, r·size)
        weight = torch.zeros_like(self.base.weight)  # (3r², n, k, k)
        for ky in range(k):
            for kx in range(k):
                a, b = centre + k // 2 - ky, centre + k // 2 - kx  # output position that sees the impulse at tap (ky, kx)
                block = hr[:, :, r * a: r * (a + 1), r * b: r * (b + 1)]  # (n, 3, r, r)
                weight[:, :, ky, kx] = block.permute(1, 2, 3, 0).reshape(3 * r * r, self.n)
        self.base.weight.copy_(weight)
        self.base.bias.copy_(last.bias.repeat_interleave(r * r))
        return self
