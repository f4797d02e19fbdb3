"""Training of the restoration networks: ``srcodec train sr | car | resampler | comcnn``.

One engine, four kinds. Each kind is a :class:`Task` that owns its networks
(the stages of a pipeline, by stage name), makes its training pairs on the fly
with the *real* degradation (:mod:`srcodec.data.degrade`), computes its loss
and knows how to validate itself on full images:

==========  ===================================  ========================================  ==============
kind        input -> output                      target, loss                              stages written
==========  ===================================  ========================================  ==============
car         decoded LR -> clean LR               bicubic LR (Jin step 1; at ×1: HR)        car
sr          decoded LR [-> CAR] -> HR            HR (Jin step 2 with --car-weights,        sr [, car]
                                                 step 3 with --joint; tun2023's step 2    [, down]
                                                 with --down-weights)
resampler   HR -> downscaler -> codec proxy      HR, + LR kept near bicubic, + rate        down, sr
            -> EDSR -> HR
comcnn      HR -> ComCNN -> JPEG -> ↑2 -> RecCNN  HR (RecCNN on real JPEG, ComCNN through  com, rec
                                                 the differentiable JPEG)
==========  ===================================  ========================================  ==============

Built on the same engine, in their own modules: ``prefilter`` and ``jpegnet``
(:mod:`srcodec.train.prefilter`, :mod:`srcodec.train.jpegnet`) and
``latent-sr`` (:mod:`srcodec.train.latent_sr`).

Jin et al.'s three steps, for ``jin-jpeg-x2``::

    srcodec train car --codec jpeg --scale 2 --out runs/jin-car
    srcodec train sr  --codec jpeg --scale 2 --car-weights runs/jin-car/weights.safetensors --out runs/jin-sr
    srcodec train sr  --codec jpeg --scale 2 --init runs/jin-sr/weights.safetensors --joint --out runs/jin

The engine (:func:`run_task`): Adam, L1 or L2 loss, warm-up + cosine decay and
the step/minute budget of :mod:`srcodec.train.loop`, gradient clipping, a tqdm
bar, ``RUN/log.txt``, validation on Set5 (PSNR-Y with the SR border shave, and
the same number for the no-network baseline) into ``RUN/val.jsonl``,
``RUN/checkpoint.pt`` (everything needed by ``--resume``) and
``RUN/weights.safetensors``: the stages with their architectures in the
metadata (:func:`srcodec.archs.save_stages`), the file a pipeline ships as
``srcodec/weights/<pipeline>.safetensors``. Single process (no torchrun);
``--device cuda`` runs the networks on a GPU while the degradations (real
codecs) stay on the CPU.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm import tqdm

from srcodec.archs import build_arch, build_preset, load_stages, save_stages, stage_spec
from srcodec.proxies.jpeg_diff import DiffJPEG, ste_round
from srcodec.data import DATASETS
from srcodec.data.degrade import (Degradation, DegradedSampler, batch_to_images, bicubic_down, bicubic_up,
                                  codec_roundtrip, image_to_tensor, images_to_batch, tensor_to_image)
from srcodec.errors import BadOptionError, InputError
from srcodec.io.image import IMAGE_SUFFIXES, load_image, to_rgb
from srcodec.metrics import psnr, psnr_y
from srcodec.train.loop import Budget, Meter, RunLog, load_checkpoint, resolve_device, save_checkpoint



# -- command-line options shared by the kinds -----------------------------------------

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


def add_common_arguments(p: argparse.ArgumentParser, *, crop: int = 96, batch: int = 16, lr: float = 1e-4) -> None:
    p.add_argument("--data", action="append", metavar="DIR",
                   help=f"training image folder, repeatable, searched recursively (default: {DATASETS / 'train'})")
    p.add_argument("--out", required=True, metavar="RUN", help="run folder: log, checkpoint, weights.safetensors")
    p.add_argument("--steps", type=int, default=None, help="stop after this many steps")
    p.add_argument("--minutes", type=float, default=None, help="stop after this many minutes of training")
    p.add_argument("--batch", type=int, default=batch, help="patches per step (default: %(default)s)")
    p.add_argument("--crop", type=int, default=crop, help="HR patch size, a multiple of the scale (default: %(default)s)")
    p.add_argument("--lr", type=float, default=lr, help="peak learning rate of Adam (default: %(default)s)")
    p.add_argument("--warmup", type=int, default=100, help="warm-up steps (default: %(default)s)")
    p.add_argument("--loss", choices=("l1", "l2"), default="l1", help="pixel loss (default: %(default)s)")
    p.add_argument("--clip", type=float, default=1.0, help="gradient norm clipping, 0 = none (default: %(default)s)")
    p.add_argument("--resume", metavar="CKPT", help="continue from a checkpoint (file or run folder)")
    p.add_argument("--init", metavar="WEIGHTS", help="start the stages found in this weights file from it")
    p.add_argument("--val", default=str(DATASETS / "set5"), metavar="DIR", help="validation images ('' to skip; default: Set5)")
    p.add_argument("--val-images", type=int, default=5, help="at most this many validation images (default: %(default)s)")
    p.add_argument("--val-every", type=int, default=1000, help="validate every this many steps, and at the end (default: %(default)s)")
    p.add_argument("--checkpoint-every", type=int, default=500, help="checkpoint every this many steps, and at the end (default: %(default)s)")
    p.add_argument("--log-every", type=int, default=50, help="steps between log lines (default: %(default)s)")
    p.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
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


# -- the task interface ------------------------------------------------------------

def pixel_loss(kind: str):
    return F.l1_loss if kind == "l1" else F.mse_loss


def _val_quality(codec: str, q) -> float:
    """The middle of --quality (the proxy's range) if the validation codec takes it, else its default quality."""
    from srcodec.codecs import codec_class

    cls = codec_class(codec)
    mid = _mid_quality(q)
    lo, hi = cls.quality_range
    return mid if lo <= mid <= hi else float(cls.default_quality)


def _mid_quality(q) -> float:
    return float(round((q[0] + q[1]) / 2)) if isinstance(q, (tuple, list)) else float(q)


class Task:
    """What a kind of training does. Subclasses fill ``nets`` and ``trainable`` and define the rest."""

    kind = ""
    #: full images are cropped to a multiple of this before validation
    multiple = 1
    #: stages a weights file given to --init may add (besides those built here)
    optional_stages: tuple[str, ...] = ()

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.loss = pixel_loss(args.loss)
        self.nets: dict[str, nn.Module] = {}
        self.trainable: tuple[str, ...] = ()
        #: where the networks run; degradations and real codecs stay on the CPU
        self.device = torch.device("cpu")

    def tensor(self, image: np.ndarray) -> torch.Tensor:
        """A uint8 image as a 1 x C x H x W tensor on the task's device."""
        return image_to_tensor(image).to(self.device)

    # building -------------------------------------------------------------------------

    def make_sampler(self):
        """An object with ``batch(n)``, ``state()`` and ``load_state(s)``."""
        raise NotImplementedError

    def frozen(self) -> list[nn.Module]:
        """Parts of the trainable stages that stay as they are (none unless a task says so)."""
        return []

    def parameters(self):
        fixed = {id(p) for m in self.frozen() for p in m.parameters()}
        return [p for s in self.trainable if s in self.nets for p in self.nets[s].parameters() if id(p) not in fixed]

    def ready(self) -> None:
        """Called once the stages are final (after --init / --resume): refuse what cannot train."""

    def train_mode(self) -> None:
        for s, net in self.nets.items():
            net.train(s in self.trainable)
            for p in net.parameters():
                p.requires_grad_(s in self.trainable)
        for m in self.frozen():
            m.requires_grad_(False)

    # stepping -------------------------------------------------------------------------

    def step(self, batch) -> dict:
        """Forward, loss, ``backward()``; returns the scalars to log (``loss`` first)."""
        raise NotImplementedError

    # validating -----------------------------------------------------------------------

    def validate_image(self, hr: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(network output, target, no-network baseline) for one full uint8 RGB image."""
        raise NotImplementedError

    def info(self) -> dict:
        """Free-form facts written into the weights file's metadata."""
        return {"kind": self.kind}

    def state(self) -> dict:
        """Random state of the task itself (e.g. the codec proxy's quality draws), for resume."""
        proxy = getattr(self, "proxy", None)
        return {"proxy_rng": proxy.rng_state()} if proxy is not None else {}

    def load_state(self, state: dict) -> None:
        proxy = getattr(self, "proxy", None)
        if proxy is not None and "proxy_rng" in state:
            proxy.set_rng_state(state["proxy_rng"])

    def val_shave(self) -> int:
        return getattr(self.args, "scale", 1)


def _val_images(folder: str, limit: int) -> list[np.ndarray]:
    if not folder:
        return []
    p = Path(folder)
    if not p.is_dir():
        raise InputError(f"{p}: validation folder does not exist (give --val '' to skip validation)")
    files = sorted(f for f in p.iterdir() if f.suffix.lower() in IMAGE_SUFFIXES)[:limit]
    return [to_rgb(load_image(f)) for f in files]


@torch.no_grad()
def validate(task: Task, images: list[np.ndarray], seed: int = 0) -> dict:
    """Mean PSNR / PSNR-Y of the networks and of the baseline over full images.

    A task with its own ``validate_many(images) -> row`` (e.g. several qualities per image) is asked for it.
    """
    if hasattr(task, "validate_many"):
        return task.validate_many(images)
    for net in task.nets.values():
        net.eval()
    rng = np.random.default_rng(seed)
    rows = []
    shave = task.val_shave()
    for img in images:
        h, w = img.shape[:2]
        m = task.multiple
        hr = img[: h - h % m, : w - w % m]
        out, target, base = task.validate_image(hr, rng)
        rows.append((psnr(out, target), psnr_y(out, target, shave), psnr(base, target), psnr_y(base, target, shave)))
    task.train_mode()
    a = np.array(rows) if rows else np.full((1, 4), np.nan)
    return {"psnr": float(a[:, 0].mean()), "psnr_y": float(a[:, 1].mean()),
            "baseline_psnr": float(a[:, 2].mean()), "baseline_psnr_y": float(a[:, 3].mean()), "images": len(rows)}


# -- the engine ----------------------------------------------------------------------

def _load_init(task: Task, path: str) -> None:
    """Replace the task's stages by those found in a weights file (architecture from the file)."""
    nets = load_stages(path)
    used = [s for s in nets if s in task.nets or s in task.optional_stages]
    if not used:
        raise InputError(f"{path}: none of its stages ({', '.join(nets)}) is trained here ({', '.join(task.nets)})")
    for s in used:
        task.nets[s] = nets[s]


def _checkpoint(task: Task, opt, sampler, step: int, seconds: float) -> dict:
    return {"kind": task.kind, "step": step, "seconds": seconds,
            "specs": {s: stage_spec(n) for s, n in task.nets.items()},
            "nets": {s: n.state_dict() for s, n in task.nets.items()},
            "opt": opt.state_dict(), "sampler": sampler.state(), "task": task.state(), "torch_rng": torch.get_rng_state()}


def _restore(task: Task, ck: dict) -> None:
    if ck.get("kind") != task.kind:
        raise InputError(f"checkpoint is from 'srcodec train {ck.get('kind')}', not 'train {task.kind}'")
    for s, spec in ck["specs"].items():
        net = build_arch(spec["arch"], **spec["config"])
        net.load_state_dict(ck["nets"][s])
        task.nets[s] = net


def export(task: Task, path: Path, step: int) -> Path:
    return save_stages(path, task.nets, {**task.info(), "steps": step})


def run_task(task: Task) -> int:
    """Train ``task`` as its ``args`` say; returns 0."""
    args = task.args
    if args.steps is None and args.minutes is None:
        raise BadOptionError("give a budget: --steps N and/or --minutes M")
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)  # subnormal floats slow CPU training (see train.codec)
    torch.manual_seed(args.seed)
    run = Path(args.out)
    log = RunLog(run, True)

    if args.init:
        _load_init(task, args.init)
    ck = load_checkpoint(args.resume) if args.resume else None
    if ck is not None:
        _restore(task, ck)
    task.ready()
    task.device = resolve_device(args.device)
    for net in task.nets.values():
        net.to(task.device)
    task.train_mode()
    params = task.parameters()
    opt = torch.optim.Adam(params, lr=args.lr)
    sampler = task.make_sampler()
    step, seconds = 0, 0.0
    if ck is not None:
        try:
            opt.load_state_dict(ck["opt"])
        except ValueError as exc:  # other trainable parameters than the run had (e.g. --freeze-synthesis differs)
            raise InputError(f"{args.resume}: the checkpoint's optimizer holds other parameters than this command "
                             f"trains ({exc}); resume with the options of the run, or start from it with --init") from None
        sampler.load_state(ck["sampler"])
        task.load_state(ck.get("task", {}))
        torch.set_rng_state(ck["torch_rng"])
        step, seconds = ck["step"], ck["seconds"]
    val_images = _val_images(args.val, args.val_images)
    budget = Budget(args.steps, args.minutes, warmup_steps=args.warmup)
    log.line(f"train {task.kind}: {' '.join(f'{k}={v}' for k, v in sorted(vars(args).items()) if k != 'func')}"
             + (f" (resumed at step {step})" if ck is not None else ""))
    log.machine(task.device)

    bar = tqdm(total=args.steps, initial=step, desc=f"train {task.kind}", unit="step", disable=args.no_progress,
               dynamic_ncols=True)
    meter = Meter()
    last_ck, last_val = step, step
    while not budget.done(step, seconds):
        t0 = time.perf_counter()
        for g in opt.param_groups:
            g["lr"] = args.lr * budget.lr_factor(step, seconds)
        batch = tuple(t.to(task.device, non_blocking=True) for t in sampler.batch(args.batch))
        opt.zero_grad(set_to_none=True)
        scalars = task.step(batch)
        if args.clip:
            nn.utils.clip_grad_norm_(params, args.clip)
        opt.step()
        step += 1
        seconds += time.perf_counter() - t0
        meter.add(**scalars)
        bar.update(1)
        bar.set_postfix(loss=f"{scalars['loss']:.4f}")
        if step % args.log_every == 0:
            means = meter.means()
            log.line(f"step {step} lr {opt.param_groups[0]['lr']:.2e} " + " ".join(f"{k} {v:.5f}" for k, v in means.items()))
            meter.reset()
        if val_images and step % args.val_every == 0:
            _record_val(task, log, val_images, step, args.seed, bar)
            last_val = step
        if step % args.checkpoint_every == 0:
            save_checkpoint(run / "checkpoint.pt", _checkpoint(task, opt, sampler, step, seconds))
            export(task, run / "weights.safetensors", step)
            last_ck = step
    bar.close()
    if val_images and last_val != step:
        _record_val(task, log, val_images, step, args.seed, None)
    if last_ck != step or not (run / "weights.safetensors").exists():
        save_checkpoint(run / "checkpoint.pt", _checkpoint(task, opt, sampler, step, seconds))
        export(task, run / "weights.safetensors", step)
    log.line(f"done at step {step} after {seconds / 60:.1f} min; weights: {run / 'weights.safetensors'}")
    print(f"train {task.kind}: {step} steps, weights in {run / 'weights.safetensors'}")
    return 0


def _record_val(task: Task, log: RunLog, images, step: int, seed: int, bar) -> None:
    row = {"step": step, **validate(task, images, seed)}
    log.record("val.jsonl", row)
    text = (f"val step {step}: PSNR-Y {row['psnr_y']:.2f} dB (baseline {row['baseline_psnr_y']:.2f}), "
            f"PSNR {row['psnr']:.2f} dB (baseline {row['baseline_psnr']:.2f})")
    if "gain_db" in row:  # tasks validated over several qualities: the gain at each
        text = (f"val step {step}: PSNR {row['psnr']:.3f} dB (baseline {row['baseline_psnr']:.3f}), gain "
                f"{row['gain_db']:+.3f} dB (" + ", ".join(f"{k[9:]}: {v:+.3f}" for k, v in row.items()
                                                       if k.startswith("gain_db_q")) + ")")
    log.line(text)
    (bar.write if bar is not None else print)(text)


# -- samplers ------------------------------------------------------------------------

class HRSampler:
    """Plain HR patches (no degradation): the kinds that degrade inside their own step."""

    def __init__(self, dirs, crop: int, seed: int):
        from srcodec.data.patches import PatchSampler

        self.patches = PatchSampler(dirs, crop, seed=seed)

    def batch(self, size: int) -> tuple[torch.Tensor]:
        return (self.patches.batch(size),)

    def state(self) -> dict:
        return self.patches.state()

    def load_state(self, state: dict) -> None:
        self.patches.load_state(state)


def data_dirs(args) -> list[str]:
    return args.data or [str(DATASETS / "train")]


def check_crop(args, multiple: int) -> None:
    if args.crop % multiple:
        raise BadOptionError(f"--crop {args.crop} must be a multiple of {multiple}")


# -- the kinds -----------------------------------------------------------------------

class CARTask(Task):
    """Artifact removal: decoded image -> clean image at the codec's resolution."""

    kind = "car"

    def __init__(self, args):
        super().__init__(args)
        check_crop(args, args.scale)
        self.degradation = Degradation(args.scale, args.codec, args.quality).check()
        self.multiple = args.scale
        self.nets = {"car": build_preset(args.arch)}
        self.trainable = ("car",)

    def make_sampler(self):
        return DegradedSampler(data_dirs(self.args), self.args.crop, self.degradation, seed=self.args.seed)

    def step(self, batch) -> dict:
        _, clean, decoded = batch
        loss = self.loss(self.nets["car"](decoded), clean)
        loss.backward()
        return {"loss": loss.item()}

    def validate_image(self, hr, rng):
        clean, decoded, _ = self.degradation(hr, rng)
        out = tensor_to_image(self.nets["car"](self.tensor(decoded)))
        return out, clean, decoded

    def val_shave(self) -> int:
        return 0

    def info(self) -> dict:
        a = self.args
        return {"kind": self.kind, "codec": a.codec, "quality": a.quality, "scale": a.scale, "preset": a.arch}


class SRTask(Task):
    """Super-resolution of decoded LR images, optionally behind a (frozen or jointly trained) CAR net."""

    kind = "sr"
    optional_stages = ("car", "down")

    def __init__(self, args):
        super().__init__(args)
        check_crop(args, args.scale)
        self.degradation = Degradation(args.scale, args.codec, args.quality).check()
        self.multiple = args.scale
        self.nets = {"sr": build_preset(args.arch, scale=args.scale)}
        if args.car_weights:
            self.nets["car"] = load_stages(args.car_weights, only=("car",))["car"]
        if args.down_weights:
            self.nets["down"] = load_stages(args.down_weights, only=("down",))["down"]
        self.trainable = ("car", "sr") if args.joint else ("sr",)

    def ready(self) -> None:
        if self.args.joint and "car" not in self.nets:
            raise BadOptionError("--joint fine-tunes CAR and SR together: give --car-weights, or --init with a car stage")
        if self.nets["sr"].scale != self.args.scale:
            raise BadOptionError(f"the SR network enlarges x{self.nets['sr'].scale}, but --scale is {self.args.scale}")
        down = self.nets.get("down")
        if down is not None:  # tun2023: the codec sees the learned downscaler's image, not bicubic
            if down.scale != self.args.scale:
                raise BadOptionError(f"the downscaler divides by {down.scale}, but --scale is {self.args.scale}")
            down.eval().requires_grad_(False)
            self.degradation.downscaler = down

    def make_sampler(self):
        return DegradedSampler(data_dirs(self.args), self.args.crop, self.degradation, seed=self.args.seed)

    def forward(self, decoded: torch.Tensor) -> torch.Tensor:
        x = decoded
        if "car" in self.nets:
            if "car" in self.trainable:
                x = self.nets["car"](x)
            else:
                with torch.no_grad():
                    x = self.nets["car"](x)
        return self.nets["sr"](x)

    def step(self, batch) -> dict:
        hr, _, decoded = batch
        loss = self.loss(self.forward(decoded), hr)
        loss.backward()
        return {"loss": loss.item()}

    def validate_image(self, hr, rng):
        _, decoded, _ = self.degradation(hr, rng)
        out = tensor_to_image(self.forward(self.tensor(decoded)))
        return out, hr, bicubic_up(decoded, self.args.scale)

    def info(self) -> dict:
        a = self.args
        return {"kind": self.kind, "codec": a.codec, "quality": a.quality, "scale": a.scale, "preset": a.arch,
                "joint": a.joint, "stages": ",".join(self.nets)}


class ResamplerTask(Task):
    """A learned downscaler and EDSR trained jointly through a differentiable codec proxy.

    loss = L(EDSR(proxy(down(HR))), HR) + lr_weight * L(down(HR), bicubic(HR)) + rate_weight * bpp_proxy

    ``--proxy jpeg``: the differentiable JPEG of :mod:`srcodec.proxies.jpeg_diff`
    at a quality drawn from ``--quality``, with its rate estimate;
    ``--proxy round``: 8-bit rounding only (straight-through), the codec left
    out. Validation runs the real ``--codec`` between the networks.
    """

    kind = "resampler"

    def __init__(self, args):
        super().__init__(args)
        s = args.scale
        check_crop(args, s)
        self.multiple = s
        self.val_degradation = Degradation(s, args.codec, _val_quality(args.codec, args.quality)).check()
        self.nets = {"down": build_preset(f"downscaler-x{s}"), "sr": build_preset(args.arch, scale=s)}
        self.trainable = ("down", "sr")
        self.proxy = DiffJPEG(args.quality if isinstance(args.quality, tuple) else int(args.quality),
                              seed=args.seed) if args.proxy == "jpeg" else None

    def make_sampler(self):
        return HRSampler(data_dirs(self.args), self.args.crop, self.args.seed)

    def step(self, batch) -> dict:
        (hr,) = batch
        s = self.args.scale
        lr = self.nets["down"](hr)
        lr_q = ste_round(lr.clamp(0, 1) * 255.0) / 255.0
        bits = torch.zeros(hr.shape[0], device=hr.device)
        if self.proxy is not None:
            lr_q, bits = self.proxy(lr_q)
        out = self.nets["sr"](lr_q)
        rec = self.loss(out, hr)
        guide = self.loss(lr, F.interpolate(hr, scale_factor=1 / s, mode="bicubic", align_corners=False, antialias=True))
        bpp = bits.mean() / (hr.shape[-1] * hr.shape[-2])  # bits of the LR image per HR pixel
        loss = rec + self.args.lr_weight * guide + self.args.rate_weight * bpp
        loss.backward()
        return {"loss": loss.item(), "rec": rec.item(), "guide": guide.item(), "bpp_proxy": bpp.item()}

    def validate_image(self, hr, rng):
        s = self.args.scale
        lr = tensor_to_image(self.nets["down"](self.tensor(hr)))
        q = self.val_degradation.quality
        decoded, _ = codec_roundtrip(lr, self.args.codec, q)
        out = tensor_to_image(self.nets["sr"](self.tensor(decoded)))
        base, _ = codec_roundtrip(bicubic_down(hr, s), self.args.codec, q)
        return out, hr, bicubic_up(base, s)

    def info(self) -> dict:
        a = self.args
        return {"kind": self.kind, "proxy": a.proxy, "quality": a.quality, "scale": a.scale, "preset": a.arch,
                "val_codec": a.codec}


class ComCNNTask(Task):
    """ComCNN + RecCNN around a real JPEG (Jiang et al. 2017's alternating scheme, in one step).

    Per step: RecCNN learns to rebuild HR from the *real* JPEG decode of the
    (detached) compact image; ComCNN learns through the differentiable JPEG
    and the current RecCNN (whose weights get no gradient from that term).
    """

    kind = "comcnn"
    multiple = 2

    def __init__(self, args):
        super().__init__(args)
        check_crop(args, 2)
        self.degradation = Degradation(1, args.codec, args.quality).check()
        if args.codec != "jpeg":
            raise BadOptionError("train comcnn: ComCNN's gradient goes through the differentiable JPEG, so --codec must be jpeg")
        self.nets = {"com": build_preset(args.arch), "rec": build_preset(args.rec_arch)}
        self.trainable = ("com", "rec")
        self.proxy = DiffJPEG(args.quality if isinstance(args.quality, tuple) else int(args.quality), seed=args.seed)

    def make_sampler(self):
        return HRSampler(data_dirs(self.args), self.args.crop, self.args.seed)

    def step(self, batch) -> dict:
        from srcodec.post.reccnn import upscale_bicubic

        (hr,) = batch
        com, rec = self.nets["com"], self.nets["rec"]
        compact = com(hr)
        q = self.proxy.draw_quality()
        # ComCNN through the differentiable JPEG; RecCNN's parameters must not learn from the proxy
        proxy_dec, _ = self.proxy(compact.clamp(0, 1), quality=q)
        loss_com = self.loss(rec(upscale_bicubic(proxy_dec, 2)), hr)
        loss_com.backward()
        for p in rec.parameters():
            p.grad = None
        # RecCNN on the real JPEG decode of the compact image
        compact_img = batch_to_images(compact.detach())
        real = images_to_batch([codec_roundtrip(c, "jpeg", q)[0] for c in compact_img]).to(hr.device)
        loss_rec = self.loss(rec(upscale_bicubic(real, 2)), hr)
        loss_rec.backward()
        return {"loss": loss_rec.item(), "com": loss_com.item()}

    def validate_image(self, hr, rng):
        from srcodec.post.reccnn import upscale_bicubic

        q = _mid_quality(self.args.quality)
        compact = tensor_to_image(self.nets["com"](self.tensor(hr)))
        decoded, _ = codec_roundtrip(compact, "jpeg", q)
        out = tensor_to_image(self.nets["rec"](upscale_bicubic(self.tensor(decoded), 2)))
        base, _ = codec_roundtrip(bicubic_down(hr, 2), "jpeg", q)
        return out, hr, bicubic_up(base, 2)

    def val_shave(self) -> int:
        return 2

    def info(self) -> dict:
        a = self.args
        return {"kind": self.kind, "codec": a.codec, "quality": a.quality, "preset": a.arch, "rec_arch": a.rec_arch}


__all__ = ["CARTask", "SRTask", "ResamplerTask", "ComCNNTask", "Task", "run_task", "validate",
           "add_common_arguments", "add_codec_arguments", "parse_quality"]
