"""The overfitted codec (``overfit``): a Cool-chic / C3-style decoder fitted to each image, ``.srz`` files.

::

    image --fit latent grids + decoder to the image (steps of Adam, loss MSE + lambda * bpp)-->
        quantize the decoder's weights --> one range-coded stream: weights, then grids coarse to fine
        --> .srz (codec, H, W, C, quality; extra: widths, weight steps, weight scale indices)

No weights ship: the decoder of each file is in the file, and its bytes are counted. The network and
the order the grids are coded in are :mod:`srcodec.models.overfit`'s. Quality runs from 1 to 8,
fractional allowed; it sets the fit's ``lambda`` from ``LAMBDA_LOW`` (quality 1) down to
``LAMBDA_HIGH`` (8), log-spaced: Cool-chic 5.0.1's own ``lmbda`` range, so its published files and
these can be compared lambda by lambda (``python benchmarks/overfit_one_image.py``).

Encoding is slow: every file is a fit (``steps``, minutes on a CPU for a Kodak image). Decoding is
two network passes per grid and one synthesis.
"""

from __future__ import annotations

import functools
import math
import struct
import sys

import numpy as np
from PIL import Image

from srcodec.codecs.base import Codec, Option, register_codec
from srcodec.errors import InputError

LAMBDA_LOW, LAMBDA_HIGH = 0.02, 0.0001
QUALITY_RANGE = (1.0, 8.0)
#: the steps of 2 the decoder's weights may be quantized to: 2**-k, k in this range
WEIGHT_STEP_EXPONENTS = range(3, 14)
#: parts of the decoder whose weights share one quantization step (found by search at encode time)
WEIGHT_GROUPS = ("synthesis", "context")
_HEADER = struct.Struct("<BBBB")
#: the most pixels one payload byte may describe: the cheapest real files (flat pictures at quality 1) stay at
#: least 10 times below it (tests/test_overfit_codec.py checks that margin); it bounds what a forged header can
#: make the decoder allocate (its memory grows with the pixels: the grids and the networks' features)
PIXELS_PER_PAYLOAD_BYTE = 65536
#: the largest image the codec takes: its decoder holds every grid and the networks' features of a whole grid
#: at once, and a fit of this size takes hours on a CPU (``python benchmarks/overfit_one_image.py`` times one
#: Kodak image)
MAX_PIXELS = 1 << 22
MODEL_ID = "c3-lite"
#: the fit's learning rates (Adam, on a cosine to zero) and the share of its steps with noise in place of rounding;
#: chosen by hand from a few short fits of kodim23, which no command in the repository repeats: they are a
#: starting point, not a tuned optimum (``python benchmarks/overfit_one_image.py`` measures what they give)
DECODER_LR, LATENT_LR, NOISE_SHARE = 1e-2, 0.5, 0.8


def lambda_of(quality: float) -> float:
    """The fit's rate-distortion trade-off at ``quality``."""
    t = (quality - QUALITY_RANGE[0]) / (QUALITY_RANGE[1] - QUALITY_RANGE[0])
    return LAMBDA_LOW * (LAMBDA_HIGH / LAMBDA_LOW) ** t


def quality_of(lam: float) -> float:
    """The quality whose ``lambda`` is ``lam`` (inverse of :func:`lambda_of`)."""
    t = math.log(lam / LAMBDA_LOW) / math.log(LAMBDA_HIGH / LAMBDA_LOW)
    return QUALITY_RANGE[0] + t * (QUALITY_RANGE[1] - QUALITY_RANGE[0])


def _group(name: str) -> int:
    return 1 if name.startswith("context") else 0


@register_codec
class OverfitCodec(Codec):
    name = "overfit"
    label = "Overfitted (Cool-chic-style, per image)"
    extension = ".srz"
    quality_help = "1..8, fractional allowed; higher is better and bigger"
    quality_range = QUALITY_RANGE
    default_quality = 4.0
    sweep = (1.0, 3.0, 5.0, 7.0)
    integer_quality = False
    keeps = frozenset({"exif", "xmp", "icc", "alpha"})
    grey_modes = frozenset({"L", "LA"})
    options = (
        Option("steps", 1000, int, bounds=(1, 1_000_000), help="fitting steps (Adam); time grows with them"),
        Option("hidden", 16, int, bounds=(2, 64), help="width of the synthesis"),
        Option("context", 16, int, bounds=(2, 64), help="width of the context network"),
        Option("seed", 0, int, bounds=(0, 2 ** 31 - 1), help="seed of the fit's initial weights and noise"),
    )
    effort_options = ("steps", "seed")

    def settings(self) -> dict:
        return {**self.opts, "levels": _levels(), "decoder_lr": DECODER_LR, "latent_lr": LATENT_LR,
                "noise_share": NOISE_SHARE}

    def encode(self, image: np.ndarray, quality: float, progress=None) -> bytes:
        """The file; ``progress(step, steps, loss)`` is called at each step of the fit when given, else a
        progress bar shows on a terminal."""
        import torch

        from srcodec.container import srz

        q = self.check_quality(quality)
        h, w, c = image.shape
        if h * w > MAX_PIXELS:
            raise InputError(f"the overfitted codec takes images of at most {MAX_PIXELS:,} pixels; this one has "
                             f"{h * w:,} (its fit would take hours: use vvc-restored or auto)")
        rgb = np.repeat(image, 3, axis=2) if c == 1 else image
        x = torch.from_numpy(np.array(rgb)).permute(2, 0, 1)[None].float().div_(255.0)
        bar = None
        if progress is None:  # a fit takes minutes: a bar on a terminal (none when stderr is a file or a pipe)
            from tqdm import tqdm

            bar = tqdm(total=self.opts["steps"], desc="overfit: fitting", unit="step", disable=None, leave=False,
                       file=sys.stderr)
            progress = lambda step, steps, loss: bar.update(1)  # noqa: E731
        try:
            with torch.random.fork_rng():
                torch.manual_seed(self.opts["seed"])
                decoder, grids = fit(x, lambda_of(q), self.opts["steps"], self.opts["hidden"], self.opts["context"],
                                     progress)
        finally:
            if bar is not None:
                bar.close()
        exponents = choose_weight_steps(decoder, grids, x, lambda_of(q))
        stream, scale_indices = code(decoder, grids, exponents, x.shape[-2:])
        extra = _HEADER.pack(self.opts["hidden"], self.opts["context"], *exponents) + bytes(scale_indices)
        return srz.pack(self.name, MODEL_ID, b"\0" * 8, h, w, c, [stream], quality=q, extra=extra)

    def decode(self, data: bytes) -> np.ndarray:
        import torch

        from srcodec.container import srz

        header, streams = srz.unpack(data)
        if header.codec != self.name:
            raise InputError(f"this .srz file was written by {header.codec!r}, not the overfitted codec")
        if (len(header.extra) < _HEADER.size or len(streams) != 1 or header.model_id != MODEL_ID
                or not (QUALITY_RANGE[0] <= header.quality <= QUALITY_RANGE[1]) or header.channels not in (1, 3)
                or header.pad_bottom or header.pad_right or header.height * header.width > MAX_PIXELS):
            raise InputError("corrupted .srz header (overfitted codec: extra bytes, streams, model id, quality, "
                             "channels, padding or size)")
        if header.height * header.width > PIXELS_PER_PAYLOAD_BYTE * len(streams[0]):
            raise InputError(f"corrupted .srz file ({len(streams[0])} payload bytes cannot hold a "
                             f"{header.width}x{header.height} image)")
        hidden, context, *exponents = _HEADER.unpack_from(header.extra)
        if not (2 <= hidden <= 64 and 2 <= context <= 64) or any(k not in WEIGHT_STEP_EXPONENTS for k in exponents):
            raise InputError("corrupted .srz header (overfitted codec: network widths or weight steps)")
        from srcodec.models.overfit import OverfitDecoder, grid_sizes, walk

        decoder = OverfitDecoder(hidden, context)
        scale_indices = header.extra[_HEADER.size:]
        if len(scale_indices) != len(decoder.state_dict()):
            raise InputError("corrupted .srz header (overfitted codec: weight tables)")
        from srcodec.entropy.coder import SymbolDecoder

        reader = SymbolDecoder(streams[0])
        gaussian, tables = _gaussian()
        if any(idx >= len(tables.tables) for idx in scale_indices):
            raise InputError("corrupted .srz header (overfitted codec: weight table index)")
        with torch.no_grad():
            _set_weights(decoder, [torch.from_numpy(reader.decode(np.full(p.numel(), idx), tables))
                                   for p, idx in zip(decoder.state_dict().values(), scale_indices)], exponents)
            sizes = grid_sizes(header.height, header.width)

            def take(level, mean, scale, at):
                ints = reader.decode(gaussian.scale_index(scale).numpy(), tables)
                return torch.from_numpy(ints.astype(np.float32)) + mean

            grids = walk(decoder, sizes, take)
            reader.finish()
            out = decoder.synthesis(grids, header.height, header.width)
        rgb = out[0].mul(255.0).round_().clamp_(0, 255).to(torch.uint8).permute(1, 2, 0).contiguous().numpy()
        if header.channels == 1:
            return np.asarray(Image.fromarray(rgb, "RGB").convert("L"))[:, :, None]
        return rgb


def _levels() -> int:
    from srcodec.models.overfit import LEVELS

    return LEVELS


@functools.lru_cache(maxsize=1)
def _gaussian():
    """The Gaussian conditional and its coding tables, built once (every weight tensor and grid uses them)."""
    from srcodec.entropy.coder import tables
    from srcodec.entropy.gaussian import GaussianConditional

    g = GaussianConditional()
    return g, tables(g.integer_tables())


def _exponents_of(decoder, exponents) -> list[int]:
    """The quantization step exponent of each tensor of ``decoder.state_dict()``, from its group's."""
    return [exponents[_group(name)] for name in decoder.state_dict()]


def fit(x, lam: float, steps: int, hidden: int, context: int, progress=None):
    """Latent grids and a decoder fitted to ``x`` (1, 3, H, W in 0..1): the first ``NOISE_SHARE`` of the
    steps with uniform noise in place of rounding, the rest with rounding (straight-through), the
    learning rates on a cosine from ``DECODER_LR`` and ``LATENT_LR``. Returns (decoder, grids as float tensors)."""
    import torch
    import torch.nn.functional as F

    from srcodec.entropy.quantize import ste_round
    from srcodec.models.overfit import OverfitDecoder, grid_sizes, walk

    h, w = x.shape[-2:]
    sizes = grid_sizes(h, w)
    decoder = OverfitDecoder(hidden, context)
    grids = [torch.zeros(1, 1, *s, requires_grad=True) for s in sizes]
    gaussian, _ = _gaussian()
    opt = torch.optim.Adam([{"params": decoder.parameters()}, {"params": grids, "lr": LATENT_LR}], lr=DECODER_LR)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, max(steps, 1))
    noise_until = int(NOISE_SHARE * steps)
    for step in range(steps):
        bits = []

        def take(level, mean, scale, at, noisy=step < noise_until):
            y = grids[level].reshape(-1)[at]
            v = y + torch.empty_like(y).uniform_(-0.5, 0.5) if noisy else ste_round(y, mean)
            bits.append(-torch.log2(gaussian.likelihood(v, scale, mean)).sum())
            return v

        x_hat = decoder.synthesis(walk(decoder, sizes, take), h, w)
        loss = F.mse_loss(x_hat, x) + lam * torch.stack(bits).sum() / (h * w)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        if progress is not None:
            progress(step + 1, steps, loss.item())
    return decoder.requires_grad_(False), [g.detach() for g in grids]


def _weight_ints(decoder, exponents) -> list:
    """The decoder's weights as integers (int64 tensors shaped like each), in steps of ``2**-k`` of each
    tensor's group: what the file codes."""
    import torch

    return [torch.round(p * 2.0 ** k).to(torch.int64)
            for p, k in zip(decoder.state_dict().values(), _exponents_of(decoder, exponents))]


def _set_weights(decoder, ints: list, exponents) -> None:
    """Load the integers :func:`_weight_ints` gives (or a file holds) into ``decoder``: both sides' weights."""
    import torch

    with torch.no_grad():
        for p, q, k in zip(decoder.state_dict().values(), ints, _exponents_of(decoder, exponents)):
            p.copy_(q.view_as(p).to(torch.float32) * 2.0 ** -k)


def _quantized(decoder, exponents):
    """A copy of ``decoder`` with its weights quantized at ``exponents``: what the decoder of the file will be."""
    trial = type(decoder)(decoder.hidden, decoder.context_hidden)
    _set_weights(trial, _weight_ints(decoder, exponents), exponents)
    return trial


def _weight_bits(ints: list) -> tuple[float, list[int]]:
    """Bits of the weights' integers under the tables they are coded with, and the table index of each
    tensor (the Gaussian scale nearest to the spread of its integers)."""
    import torch

    from srcodec.entropy.gaussian import SCALE_MIN
    from srcodec.entropy.tables import bits_of

    gaussian, tables = _gaussian()
    total, indices = 0.0, []
    for q in ints:
        q = q.ravel()
        idx = int(gaussian.scale_index(q.float().std(unbiased=False).clamp_min(SCALE_MIN)[None])[0])
        r = int(tables.radius[idx])
        inside = q.abs() <= r
        b = bits_of(tables.tables[idx])
        total += float(b[(q[inside] + r).numpy()].sum())
        out = q[~inside].abs().double()  # escapes: the escape symbol, then the bypass code's bit count and bits
        total += float((b[-1] + 6 + 2 * torch.log2(out + 1)).sum()) if out.numel() else 0.0
        indices.append(idx)
    return total, indices


def _evaluate(decoder, grids, x, lam: float, exponents) -> float:
    """The loss (MSE + lambda * bpp, weights' bits counted) with the weights quantized at ``exponents``."""
    import torch
    import torch.nn.functional as F

    from srcodec.entropy.quantize import symbols
    from srcodec.models.overfit import grid_sizes, walk

    h, w = x.shape[-2:]
    gaussian, _ = _gaussian()
    trial = _quantized(decoder, exponents)
    bits = []

    def take(level, mean, scale, at):
        v = symbols(grids[level].reshape(-1)[at], mean) + mean
        bits.append(-torch.log2(gaussian.likelihood(v, scale, mean)).sum())
        return v

    with torch.no_grad():
        x_hat = trial.synthesis(walk(trial, grid_sizes(h, w), take), h, w).clamp(0, 1)
        weight_bits, _ = _weight_bits(_weight_ints(decoder, exponents))
        return float(F.mse_loss(x_hat, x) + lam * (torch.stack(bits).sum() + weight_bits) / (h * w))


def choose_weight_steps(decoder, grids, x, lam: float) -> list[int]:
    """The quantization step of each weight group that gives the lowest loss, one group at a time
    (the other group kept fine meanwhile)."""
    finest = max(WEIGHT_STEP_EXPONENTS)
    chosen = [finest] * len(WEIGHT_GROUPS)
    for g in range(len(WEIGHT_GROUPS)):
        losses = {}
        for k in WEIGHT_STEP_EXPONENTS:
            trial = list(chosen)
            trial[g] = k
            losses[k] = _evaluate(decoder, grids, x, lam, trial)
        chosen[g] = min(losses, key=losses.get)
    return chosen


def code(decoder, grids, exponents, size) -> tuple[bytes, list[int]]:
    """One stream: the quantized weights (tensor by tensor), then the grids in the decoder's order;
    and the table index of each weight tensor (the file's header carries them)."""
    import torch

    from srcodec.entropy.coder import SymbolEncoder
    from srcodec.entropy.quantize import symbols
    from srcodec.models.overfit import grid_sizes, walk

    gaussian, tables = _gaussian()
    ints = _weight_ints(decoder, exponents)
    _, indices = _weight_bits(ints)
    decoder = _quantized(decoder, exponents)
    writer = SymbolEncoder()
    for q, idx in zip(ints, indices):
        writer.encode(q.ravel().numpy(), np.full(q.numel(), idx), tables)

    def take(level, mean, scale, at):
        s = symbols(grids[level].reshape(-1)[at], mean)
        writer.encode(s.numpy(), gaussian.scale_index(scale).numpy(), tables)
        return s + mean

    with torch.no_grad():
        walk(decoder, grid_sizes(*size), take)
    return writer.finish(), indices
