"""The one training engine of ``srcodec train``: every kind is a :class:`Task` run by :func:`run_task`.

The engine owns what all trainings share; a task owns what differs::

    run_task(task)
      ├─ --init: task.init_from(file)          ├─ --resume: nets, Adam, step, time, sampler/task/torch RNG
      ├─ torchrun? join the gloo group, rank 0 broadcasts the parameters
      └─ until --steps or --minutes (wall clock, validation included; both survive --resume):
           lr = peak × warm-up × cosine(progress)          (Budget)
           batch = sampler.batch(n)                        (task.make_sampler(): rank-sharded or rank-seeded)
           scalars = task.step(batch)                      (forward, loss, backward: the task's)
           [world > 1: gradients averaged over workers] → clip → Adam
           every --log-every: RUN/log.txt   every --val-every (steps or minutes): task.validate → RUN/val.jsonl
           every --checkpoint-every: RUN/checkpoint.pt (the full state) and task.export → RUN/weights.safetensors

A task sets ``kind``, ``nets`` (stage name -> network from the registry, :mod:`srcodec.archs`) and
``trainable``, and defines ``make_sampler()``, ``step(batch)`` and, unless the default full-image
PSNR validation fits (``validate_image``), ``validate(images)``. The weights it exports are a stage
file (:func:`srcodec.archs.save_stages`), the one format of every network srcodec runs. Threads:
``--threads N``, or a :class:`~srcodec.train.harness.ThreadTuner` that re-checks 1 against all cores.
Data-parallel training (``torchrun --nproc_per_node K -m srcodec train ...``, gloo on CPU): the
engine averages the gradients of the trainable parameters over the workers after each backward
(an all-reduce per parameter, written here because tasks drive their networks directly; the
arithmetic of ``DistributedDataParallel`` without its bucketing), rank 0 validates, checkpoints and
logs, and all stop together.
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

import numpy as np
import torch
import torch.distributed as torch_dist
from torch import nn
from tqdm import tqdm

from srcodec.archs import build_arch, load_stages, save_stages, stage_spec
from srcodec.errors import BadOptionError, InputError
from srcodec.train.harness import (Budget, Dist, Meter, RunLog, ThreadTuner, cleanup_distributed, load_checkpoint,
                                resolve_device, save_checkpoint, setup_distributed)
from srcodec.train.options import pixel_loss


class Task:
    """What a kind of training does. Subclasses fill ``nets`` and ``trainable`` and define the rest."""

    kind = ""
    #: full validation images are cropped to a multiple of this
    multiple = 1
    #: stages a weights file given to --init may add (besides those built here)
    optional_stages: tuple[str, ...] = ()
    #: validate once before the first step (the curve's starting point)
    validate_at_start = False

    def __init__(self, args):
        self.args = args
        self.loss = pixel_loss(getattr(args, "loss", "l1") or "l1")
        self.nets: dict[str, nn.Module] = {}
        self.trainable: tuple[str, ...] = ()
        #: where the networks run; degradations and real codecs stay on the CPU
        self.device = torch.device("cpu")
        #: this worker among ``world_size`` (set by the engine before ``make_sampler``)
        self.rank, self.world_size = 0, 1

    @property
    def seed(self) -> int:
        """The run's seed, made different per worker (each draws its own samples)."""
        return self.args.seed + 7919 * self.rank

    def tensor(self, image: np.ndarray) -> torch.Tensor:
        """A uint8 image as a 1 x C x H x W tensor on the task's device."""
        from srcodec.io.tensors import image_to_tensor

        return image_to_tensor(image).to(self.device)

    # building -------------------------------------------------------------------------

    def make_sampler(self):
        """An object with ``batch(n)``, ``state()`` and ``load_state(s)``."""
        raise NotImplementedError

    def init_from(self, path: str) -> None:
        """--init: replace the task's stages by those of a weights file (architecture from the file)."""
        nets = load_stages(path)
        used = [s for s in nets if s in self.nets or s in self.optional_stages]
        if not used:
            raise InputError(f"{path}: none of its stages ({', '.join(nets)}) is trained here ({', '.join(self.nets)})")
        for s in used:
            self.nets[s] = nets[s]

    def upgrade_checkpoint(self, ck: dict) -> dict:
        """A checkpoint of an older srcodec in this engine's layout (a task with older runs overrides it)."""
        return ck

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

    def val_shave(self) -> int:
        return getattr(self.args, "scale", 1)

    @torch.no_grad()
    def validate(self, images: list[np.ndarray]) -> dict:
        """Mean PSNR / PSNR-Y of the networks and of the baseline over full images (a row of val.jsonl)."""
        from srcodec.metrics import psnr, psnr_y

        for net in self.nets.values():
            net.eval()
        rng = np.random.default_rng(self.args.seed)
        rows = []
        shave = self.val_shave()
        for img in images:
            h, w = img.shape[:2]
            m = self.multiple
            hr = img[: h - h % m, : w - w % m]
            out, target, base = self.validate_image(hr, rng)
            rows.append((psnr(out, target), psnr_y(out, target, shave), psnr(base, target), psnr_y(base, target, shave)))
        self.train_mode()
        a = np.array(rows) if rows else np.full((1, 4), np.nan)
        return {"psnr": float(a[:, 0].mean()), "psnr_y": float(a[:, 1].mean()),
                "baseline_psnr": float(a[:, 2].mean()), "baseline_psnr_y": float(a[:, 3].mean()), "images": len(rows)}

    def val_text(self, row: dict) -> str:
        """The log line of a validation row."""
        return (f"val step {row['step']}: PSNR-Y {row['psnr_y']:.2f} dB (baseline {row['baseline_psnr_y']:.2f}), "
                f"PSNR {row['psnr']:.2f} dB (baseline {row['baseline_psnr']:.2f})")

    # writing --------------------------------------------------------------------------

    def info(self) -> dict:
        """Free-form facts written into the weights file's metadata."""
        return {"kind": self.kind}

    def export(self, path: Path, step: int, seconds: float) -> Path:
        """The weights file of the run (a stage file of every network)."""
        return save_stages(path, self.nets, {**self.info(), "steps": step, "train_seconds": round(seconds)})

    def state(self) -> dict:
        """Random state of the task itself (e.g. the codec proxy's quality draws), for resume."""
        proxy = getattr(self, "proxy", None)
        return {"proxy_rng": proxy.rng_state()} if proxy is not None else {}

    def load_state(self, state: dict) -> None:
        proxy = getattr(self, "proxy", None)
        if proxy is not None and "proxy_rng" in state:
            proxy.set_rng_state(state["proxy_rng"])


def load_val_images(folder: str, limit: int, prefer: tuple[str, ...] = ()) -> list[np.ndarray]:
    """The validation images: the files named in ``prefer`` that the folder has, else its images in name
    order; at most ``limit``. ``''`` means no validation; a folder that does not exist is an error."""
    from srcodec.io.image import IMAGE_SUFFIXES, load_image, to_rgb

    if not folder:
        return []
    p = Path(folder)
    if not p.is_dir():
        raise InputError(f"{p}: validation folder does not exist (give --val '' to skip validation)")
    files = [p / n for n in prefer if (p / n).is_file()] or sorted(f for f in p.iterdir() if f.suffix.lower() in IMAGE_SUFFIXES)
    return [to_rgb(load_image(f)) for f in files[:limit]]


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


class _Every:
    """``--val-every`` / ``--checkpoint-every``: due every N steps or M minutes since the last time."""

    def __init__(self, every: tuple[float, str], step: int, seconds: float):
        self.value, self.unit = every
        self.last_step, self.last_seconds = step, seconds

    def due(self, step: int, seconds: float) -> bool:
        if self.unit == "steps":
            return step - self.last_step >= self.value
        return seconds - self.last_seconds >= 60 * self.value

    def done(self, step: int, seconds: float) -> None:
        self.last_step, self.last_seconds = step, seconds


def _sync_parameters(nets: dict, dist: Dist) -> None:
    """Every worker starts from rank 0's networks (what DistributedDataParallel does at construction)."""
    if dist.world_size > 1:
        for net in nets.values():
            for t in list(net.parameters()) + list(net.buffers()):
                torch_dist.broadcast(t.data, 0)


def _average_gradients(params, dist: Dist) -> None:
    for p in params:
        if p.grad is None:
            p.grad = torch.zeros_like(p)
        torch_dist.all_reduce(p.grad)
        p.grad /= dist.world_size


def run_task(task: Task) -> int:
    """Train ``task`` as its ``args`` say (in this process, or as one torchrun worker); returns 0."""
    dist = setup_distributed()
    try:
        return _run(task, dist)
    finally:
        cleanup_distributed()


def _run(task: Task, dist: Dist) -> int:
    args = task.args
    if args.steps is None and args.minutes is None:
        raise BadOptionError("give a budget: --steps N and/or --minutes M")
    most = max(1, (os.cpu_count() or 1) // dist.world_size)
    tuner = ThreadTuner((args.threads,) if args.threads else tuple(sorted({1, most})))
    torch.set_num_threads(tuner.choice)
    torch.set_flush_denormal(True)  # subnormal floats in trained weights/activations slow CPU training
    torch.manual_seed(args.seed)
    run = Path(args.out)
    log = RunLog(run, dist.main)
    task.rank, task.world_size = dist.rank, dist.world_size

    if args.init and not args.resume:
        task.init_from(args.init)
    ck = task.upgrade_checkpoint(load_checkpoint(args.resume)) if args.resume else None
    if ck is not None:
        _restore(task, ck)
    task.ready()
    task.device = resolve_device(args.device)
    for net in task.nets.values():
        net.to(task.device)
    _sync_parameters(task.nets, dist)
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
        if dist.main:  # the other workers keep their own (rank-seeded) draws
            if ck.get("sampler") is not None:
                sampler.load_state(ck["sampler"])
            task.load_state(ck.get("task", {}))
            torch.set_rng_state(ck["torch_rng"])
        step, seconds = ck["step"], ck["seconds"]
    val_images = load_val_images(args.val, args.val_images, getattr(task, "val_prefer", ())) if dist.main else []
    budget = Budget(args.steps, args.minutes, warmup_steps=args.warmup)
    n_params = sum(p.numel() for p in params)
    log.line(f"train {task.kind}: {' '.join(f'{k}={v}' for k, v in sorted(vars(args).items()) if k != 'func')}"
             + (f" (resumed at step {step})" if ck is not None else ""))
    stages = ", ".join(f"{s}={getattr(n, 'arch_name', '?')}" for s, n in task.nets.items())
    log.line(f"networks: {stages}; "
             f"{n_params:,} trainable parameters; workers {dist.world_size}, batch {args.batch}x{dist.world_size}")
    log.machine(task.device)

    def checkpoint():
        if dist.main:
            save_checkpoint(run / "checkpoint.pt", _checkpoint(task, opt, sampler, step, seconds))
            task.export(run / "weights.safetensors", step, seconds)

    def validation(bar=None):
        if not val_images:
            return
        row = {"step": step, "seconds": round(seconds, 1), **task.validate(val_images)}
        log.record("val.jsonl", row)
        text = task.val_text(row)
        log.line(text)
        (bar.write if bar is not None else print)(text)

    bar = tqdm(total=args.steps, initial=step, desc=f"train {task.kind}", unit="step",
               disable=args.no_progress or not dist.main, dynamic_ncols=True)
    if step == 0 and task.validate_at_start:
        validation(bar)
    meter = Meter()
    val_clock = _Every(args.val_every, step, seconds)
    ck_clock = _Every(args.checkpoint_every, step, seconds)
    last_val, last_ck = (step if ck is not None or task.validate_at_start else -1), step
    t_start, seconds_start = time.perf_counter(), seconds
    while not dist.any(budget.done(step, seconds)):
        for g in opt.param_groups:
            g["lr"] = args.lr * budget.lr_factor(step, seconds)
        tuner.before_step(step)
        t_step = time.perf_counter()
        batch = tuple(t.to(task.device, non_blocking=True) for t in sampler.batch(args.batch))
        opt.zero_grad(set_to_none=True)
        scalars = task.step(batch)
        if not math.isfinite(scalars["loss"]):
            raise InputError(f"training diverged at step {step + 1} (loss {scalars['loss']}); lower --lr or resume "
                             "from the last checkpoint")
        if dist.world_size > 1:
            _average_gradients(params, dist)
        if args.clip:
            nn.utils.clip_grad_norm_(params, args.clip)
        opt.step()
        step_s = time.perf_counter() - t_step
        tuner.after_step(step, step_s)
        step += 1
        seconds = seconds_start + time.perf_counter() - t_start
        meter.add(**scalars, s_per_step=step_s)
        bar.update(1)
        bar.set_postfix(loss=f"{scalars['loss']:.4f}")
        if step % args.log_every == 0:
            means = meter.means()
            log.line(f"step {step} lr {opt.param_groups[0]['lr']:.2e} threads {torch.get_num_threads()} "
                     + " ".join(f"{k} {v:.5f}" for k, v in means.items()))
            meter.reset()
        if val_clock.due(step, seconds):
            validation(bar)
            val_clock.done(step, seconds)
            last_val = step
        if ck_clock.due(step, seconds):
            checkpoint()
            ck_clock.done(step, seconds)
            last_ck = step
    bar.close()
    if last_val != step:
        validation()
    if last_ck != step or not (run / "weights.safetensors").exists():
        checkpoint()
    log.line(f"done at step {step} after {seconds / 60:.1f} min; weights: {run / 'weights.safetensors'}")
    if dist.main:
        print(f"train {task.kind}: {step} steps, weights in {run / 'weights.safetensors'}")
    return 0
