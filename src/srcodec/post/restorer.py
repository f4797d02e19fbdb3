"""A quality-aware restoration network for what a codec's decoder gives (the ``qrestorer`` family).

It follows FFDNet (Zhang, Zuo, Zhang, "FFDNet: Toward a fast and flexible solution for CNN based
image denoising", IEEE TIP 2018) in two ways that make it cheap and general: it works at half
resolution on pixel-unshuffled sub-images, and it takes the degradation's strength -- here the
codec's quality (QP for VVC, Q for JPEG) -- as an input map, so one set of weights serves the whole
quality range. As in the post-filters proposed for VVC (JVET's NNVC, e.g. Li et al., JVET-U0068), it
reads the decoder's own planes: luma at full resolution, the two 4:2:0 chroma planes at half, and
rebuilds full-resolution colour with the luma's guidance::

    planes="yuv420" (VVC):
      Y (H×W) ──unshuffle 2──► 4 × H/2×W/2 ┐
      Cb, Cr (H/2×W/2) ───────► 2         ├─► concat ─► conv 3×3 ─► B × [conv-ReLU-conv +] ─► conv 3×3 ─► 12
      quality map ────────────► 1         ┘                                                              │
      Y, bilinear ↑2 (Cb, Cr) ─► BT.601 full-range RGB (what a plain decoder shows) ──────► + ◄── shuffle 2 ┘
                                                                                             └─► RGB (H×W)
    planes="rgb" (AVIF 4:4:4, JPEG): RGB ──unshuffle 2──► 12 channels + quality map, the same body,
      RGB + shuffle(12 → 3) residual.
    scale=2 (a codec run on the bicubic ↓2 image, Jin et al.'s and Tun et al.'s ×2 structure): the same
      network on the decoded small image, its last convolution giving 48 channels, shuffled by 4 into
      an RGB residual on the bicubic ↑2 of the plain decode.

The last convolution starts at zero, so an untrained network returns the plain decode. The
network is fully convolutional; at half resolution its receptive field is 2 × (2B + 2) + 1
pixels. Written by hand (a few convolutions; no library ships it).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from srcodec.archs import register_arch
from srcodec.tiling import run_tiled

#: BT.601 weights, the matrix srcodec's VVC files use (:mod:`srcodec.codecs.vvc`)
KR, KB = 0.299, 0.114


def decoder_planes(codec, data: bytes) -> dict[str, np.ndarray]:
    """What the restorer reads of a decoded file: the codec's :meth:`~srcodec.codecs.base.Codec.decoder_planes`
    (VVC: its Y/Cb/Cr planes, uint16; other codecs: RGB, uint8)."""
    return codec.decoder_planes(data)


def planes_to_tensors(samples: list[dict[str, np.ndarray]]) -> tuple[torch.Tensor, ...]:
    """A batch of decoder planes as float tensors in 0..1: (Y, Cb, Cr) or (RGB,)."""
    def stack(name, scale, rgb=False):
        arr = np.stack([np.ascontiguousarray(s[name]) for s in samples]).astype(np.float32)
        t = torch.from_numpy(arr) / scale
        return t.permute(0, 3, 1, 2) if rgb else t[:, None]

    if "y" in samples[0]:
        return stack("y", 1023.0), stack("cb", 1023.0), stack("cr", 1023.0)
    return (stack("rgb", 255.0, rgb=True),)


def ycbcr_to_rgb(y: torch.Tensor, cb: torch.Tensor, cr: torch.Tensor) -> torch.Tensor:
    """Full-range BT.601 Y'CbCr in 0..1 (chroma centred on 0.5, half resolution) -> RGB in 0..1."""
    up = lambda c: F.interpolate(c - 512 / 1023, scale_factor=2, mode="bilinear", align_corners=False)  # noqa: E731
    u, v = up(cb)[..., : y.shape[-2], : y.shape[-1]], up(cr)[..., : y.shape[-2], : y.shape[-1]]
    r = y + 2 * (1 - KR) * v
    b = y + 2 * (1 - KB) * u
    g = (y - KR * r - KB * b) / (1 - KR - KB)
    return torch.cat([r, g, b], dim=1)


class _Block(nn.Module):
    def __init__(self, c: int):
        super().__init__()
        self.a = nn.Conv2d(c, c, 3, padding=1)
        self.b = nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x):
        return x + self.b(F.relu(self.a(x), inplace=True))


@register_arch("qrestorer", qrestorer_yuv420=dict(planes="yuv420", channels=64, blocks=6),
               qrestorer_rgb=dict(planes="rgb", channels=64, blocks=6),
               qrestorer_tiny=dict(planes="yuv420", channels=8, blocks=1),
               qrestorer_x2=dict(planes="yuv420", channels=64, blocks=6, scale=2))
class QRestorer(nn.Module):
    """Decoder planes + quality -> restored RGB (see the module docstring)."""

    def __init__(self, planes: str = "yuv420", channels: int = 64, blocks: int = 6,
                 quality_range: tuple[float, float] = (0.0, 63.0), scale: int = 1):
        super().__init__()
        if planes not in ("yuv420", "rgb"):
            raise TypeError(f"planes must be 'yuv420' or 'rgb', got {planes!r}")
        if scale not in (1, 2, 4):
            raise TypeError(f"scale must be 1, 2 or 4, got {scale!r}")
        self.planes = planes
        self.scale = int(scale)
        self.quality_range = tuple(float(q) for q in quality_range)
        c_in = (4 + 2 if planes == "yuv420" else 12) + 1
        self.head = nn.Conv2d(c_in, channels, 3, padding=1)
        self.body = nn.Sequential(*[_Block(channels) for _ in range(blocks)])
        self.tail = nn.Conv2d(channels, 3 * (2 * self.scale) ** 2, 3, padding=1)
        nn.init.zeros_(self.tail.weight)
        nn.init.zeros_(self.tail.bias)

    def quality_map(self, q: torch.Tensor | float, like: torch.Tensor) -> torch.Tensor:
        lo, hi = self.quality_range
        q = torch.as_tensor(q, dtype=like.dtype, device=like.device).reshape(-1, 1, 1, 1)
        q = (q - lo) / max(hi - lo, 1e-6) - 0.5
        return q.expand(like.shape[0], 1, like.shape[2], like.shape[3])

    def base(self, *planes: torch.Tensor) -> torch.Tensor:
        """The plain decoder's RGB from the planes (bicubic ↑ when ``scale`` > 1): what the network improves on."""
        rgb = ycbcr_to_rgb(*planes) if self.planes == "yuv420" else planes[0]
        if self.scale > 1:
            rgb = F.interpolate(rgb, scale_factor=self.scale, mode="bicubic", align_corners=False)
        return rgb

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        *planes, q = inputs
        if self.planes == "yuv420":
            y, cb, cr = planes
            half = torch.cat([F.pixel_unshuffle(y - 0.5, 2), cb - 0.5, cr - 0.5], dim=1)
        else:
            (rgb,) = planes
            half = F.pixel_unshuffle(rgb - 0.5, 2)
        x = torch.cat([half, self.quality_map(q, half)], dim=1)
        feats = self.head(x)
        res = self.tail(self.body(feats) + feats)
        return self.base(*planes) + F.pixel_shuffle(res, 2 * self.scale)


def tile_margin(net: QRestorer) -> int:
    """Context (full-resolution pixels, even) around each tile: the receptive field's radius, 2B + 2
    convolutions of radius 1 at half resolution (28 pixels for B = 6), plus 2."""
    return 2 * (2 * len(net.body) + 2) + 2


def fast_route() -> str:
    """How the restorer runs on this CPU: ``bf16`` (the network's convolutions in bfloat16 through oneDNN, where
    the CPU has AVX512-BF16 or AMX) or ``fp32``; ``SRCODEC_EXACT=1`` forces ``fp32``.

    The two routes give the same image up to one level on a few pixels; ``python benchmarks/restorer_routes.py``
    measures both the difference and the time on Kodak and on a 12-megapixel mosaic.
    """
    import os

    if os.environ.get("SRCODEC_EXACT", "") not in ("", "0"):
        return "fp32"
    try:
        return "bf16" if torch.ops.mkldnn._is_mkldnn_bf16_supported() else "fp32"
    except (AttributeError, RuntimeError):
        return "fp32"


def _run(net: QRestorer, planes: dict[str, np.ndarray], q: torch.Tensor, route: str) -> np.ndarray:
    from srcodec.io.tensors import tensor_to_image

    tensors = [t.contiguous(memory_format=torch.channels_last) for t in planes_to_tensors([planes])]
    if route == "bf16":
        with torch.autocast("cpu", dtype=torch.bfloat16):
            out = net(*tensors, q)
        return tensor_to_image(out.float())
    return tensor_to_image(net(*tensors, q))


def restore(net: QRestorer, planes: dict[str, np.ndarray], quality: float, tile: int = 768,
            route: str | None = None) -> np.ndarray:
    """Run the restorer on one decoded image (planes as :func:`decoder_planes` gives them) -> uint8 RGB.

    Images larger than ``tile`` × ``tile`` run in tiles of that size with :func:`tile_margin` pixels of
    context on each side, which the network's receptive field never crosses: the result is that of one
    pass over the whole image up to float rounding (a tile's convolutions may sum in another order; at
    most one level on a rare pixel), and the memory is that of one tile. ``route``: :func:`fast_route`'s (the
    default) or ``fp32``; the weights are laid out channels-last (the same numbers, faster convolutions).
    """
    route = route or fast_route()
    net = net.to(memory_format=torch.channels_last)  # outside inference mode, or the layout does not stay
    with torch.inference_mode():
        return _restore(net, planes, quality, tile, route)


def _restore(net: QRestorer, planes: dict[str, np.ndarray], quality: float, tile: int, route: str) -> np.ndarray:
    full = planes["y"] if "y" in planes else planes["rgb"]
    h, w = full.shape[:2]
    if h % 2 or w % 2:
        raise ValueError("the restorer needs even sides (pad the decode first)")
    q = torch.tensor([float(quality)])

    def crop(t) -> np.ndarray:  # the chroma planes at half the luma's resolution
        return _run(net, {name: p[t.ya // f:t.yb // f, t.xa // f:t.xb // f] for name, p in planes.items()
                          for f in [2 if name in ("cb", "cr") else 1]}, q, route)

    return run_tiled(h, w, crop, tile=tile, margin=tile_margin(net))


#: a per-image strength of the restorer's correction (``vvc-restored:adapt=1``): one byte per colour channel, the
#: strength ``code / STRENGTH_STEPS`` in 0..STRENGTH_MAX
STRENGTH_STEPS, STRENGTH_MAX = 32, 2.0


def fit_strengths(source: np.ndarray, plain: np.ndarray, restored: np.ndarray) -> bytes:
    """Content-adaptive restoration, the encoder's half: per colour channel, the strength ``a`` of the network's
    correction that brings ``plain + a (restored - plain)`` closest to ``source`` (least squares, rounded to a
    code byte); three RGB images of one size in, three bytes out (:func:`apply_strengths` decodes them)."""
    src, p, d = source.astype(np.float64), plain.astype(np.float64), restored.astype(np.float64) - plain
    codes = []
    for c in range(3):
        den = float((d[..., c] ** 2).sum())
        a = float(((src[..., c] - p[..., c]) * d[..., c]).sum()) / den if den > 0 else 1.0
        codes.append(int(min(STRENGTH_MAX * STRENGTH_STEPS, max(0, round(a * STRENGTH_STEPS)))))
    return bytes(codes)


def apply_strengths(plain: np.ndarray, restored: np.ndarray, codes: bytes) -> np.ndarray:
    """Content-adaptive restoration, the decoder's half: ``plain + a (restored - plain)`` per channel, ``a`` from
    the file's three code bytes (:func:`fit_strengths`), rounded to 8 bits."""
    if len(codes) != 3 or max(codes) > STRENGTH_MAX * STRENGTH_STEPS:
        raise ValueError("bad strength codes")
    a = np.frombuffer(codes, np.uint8).astype(np.float64) / STRENGTH_STEPS
    p = plain.astype(np.float64)
    return np.clip(np.rint(p + a * (restored.astype(np.float64) - p)), 0, 255).astype(np.uint8)
