"""The command-line options every ``srcodec train`` kind shares, declared once, and their parsers.

:func:`add_common_arguments` declares the engine's flags (data, run folder, budget, optimiser,
schedule, resume/init, validation, checkpoints, logs, device, threads); each kind gives its own
defaults and adds its own flags. ``--val-every`` and ``--checkpoint-every`` take a step count
(``500``) or minutes of training (``5m``).
"""

from __future__ import annotations

import argparse

import torch.nn.functional as F

from srcodec.data import DATASETS
from srcodec.errors import BadOptionError


def parse_quality(text: str) -> float | tuple[float, float]:
    """``"75"`` -> 75.0; ``"10-60"`` -> (10.0, 60.0), a range drawn from per image."""
    try:
        if "-" in text.strip("-"):
            lo, hi = text.split("-", 1)
            lo, hi = float(lo), float(hi)
            if lo > hi:
                raise ValueError
            return (lo, hi)
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"quality must be a number or a range LOW-HIGH, got {text!r}") from None


def parse_codec(text: str) -> str | None:
    """``"none"`` -> ``None``: no codec in the degradation, clean bicubic LR (plain SR); other names as given."""
    return None if text.strip().lower() == "none" else text


def parse_every(text: str) -> tuple[float, str]:
    """``"500"`` -> (500, "steps"); ``"5m"`` -> (5.0, "minutes")."""
    t = text.strip().lower()
    try:
        if t.endswith("m"):
            value, unit = float(t[:-1]), "minutes"
        else:
            value, unit = int(t), "steps"
        if value <= 0:
            raise ValueError
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a step count (500) or minutes (5m), got {text!r}") from None
    return value, unit


def mid_quality(q) -> float:
    """The middle of a quality range (rounded), or the quality itself."""
    return float(round((q[0] + q[1]) / 2)) if isinstance(q, (tuple, list)) else float(q)


def val_quality(codec: str, q) -> float:
    """The middle of --quality (the proxy's range) if the validation codec takes it, else its default quality."""
    from srcodec.codecs import codec_class

    cls = codec_class(codec)
    mid = mid_quality(q)
    lo, hi = cls.quality_range
    return mid if lo <= mid <= hi else float(cls.default_quality)


def pixel_loss(kind: str):
    return F.l1_loss if kind == "l1" else F.mse_loss


def add_common_arguments(p: argparse.ArgumentParser, *, crop: int = 96, batch: int = 16, lr: float = 1e-4,
                         loss: str | None = "l1", warmup: int = 100, val: str = "set5", val_images: int = 5,
                         val_every: str = "1000", checkpoint_every: str = "500") -> None:
    """The engine's flags with this kind's defaults (``loss=None``: the kind has its own objective)."""
    p.add_argument("--data", action="append", metavar="DIR",
                   help=f"training image folder, repeatable, searched recursively (default: {DATASETS / 'train'})")
    p.add_argument("--out", required=True, metavar="RUN", help="run folder: log, checkpoint, weights.safetensors")
    p.add_argument("--steps", type=int, default=None, help="stop after this many steps")
    p.add_argument("--minutes", type=float, default=None, help="stop after this many minutes of training (wall clock)")
    p.add_argument("--batch", type=int, default=batch, help="patches per step (and worker; default: %(default)s)")
    p.add_argument("--crop", type=int, default=crop, help="patch size (default: %(default)s)")
    p.add_argument("--lr", type=float, default=lr, help="peak learning rate of Adam (default: %(default)s)")
    p.add_argument("--warmup", type=int, default=warmup, help="warm-up steps (default: %(default)s)")
    if loss is not None:
        p.add_argument("--loss", choices=("l1", "l2"), default=loss, help="pixel loss (default: %(default)s)")
    p.add_argument("--clip", type=float, default=1.0, help="gradient norm clipping, 0 = none (default: %(default)s)")
    p.add_argument("--resume", metavar="CKPT", help="continue from a checkpoint (file or run folder)")
    p.add_argument("--init", metavar="WEIGHTS", help="start from the networks of this weights file")
    default_val = str(DATASETS / val) if val else ""
    p.add_argument("--val", default=default_val, metavar="DIR",
                   help=f"validation images ('' to skip; default: {val or 'none'})")
    p.add_argument("--val-images", type=int, default=val_images, help="at most this many validation images (default: %(default)s)")
    p.add_argument("--val-every", type=parse_every, default=parse_every(val_every), metavar="N|Mm",
                   help=f"validate every N steps or M minutes, and at the end (default: {val_every})")
    p.add_argument("--checkpoint-every", type=parse_every, default=parse_every(checkpoint_every), metavar="N|Mm",
                   help=f"checkpoint every N steps or M minutes, and at the end (default: {checkpoint_every})")
    p.add_argument("--log-every", type=int, default=50, help="steps between log lines (default: %(default)s)")
    p.add_argument("--threads", type=int, default=None,
                   help="torch threads (per worker; default: re-checks 1 vs all cores as the machine's load changes)")
    p.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N, or auto (cuda when there is one; default: %(default)s)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-progress", action="store_true", help="no tqdm progress bar")


def add_codec_arguments(p: argparse.ArgumentParser, *, codec: str = "jpeg", quality: str = "10-60",
                        scale: int = 2, scales=(1, 2, 3, 4)) -> None:
    p.add_argument("--codec", default=codec, type=parse_codec,
                   help="the real codec of the degradation, or none: clean bicubic LR (default: %(default)s)")
    p.add_argument("--quality", type=parse_quality, default=parse_quality(quality),
                   help=f"codec quality, or a range LOW-HIGH drawn per patch (default: {quality})")
    p.add_argument("--scale", type=int, default=scale, choices=scales, help="downscaling factor (default: %(default)s)")


def data_dirs(args) -> list[str]:
    return args.data or [str(DATASETS / "train")]


def check_crop(args, multiple: int) -> None:
    if args.crop % multiple:
        raise BadOptionError(f"--crop {args.crop} must be a multiple of {multiple}")
