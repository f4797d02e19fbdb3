"""The parts the training engine's loop (:func:`srcodec.train.engine.run_task`) is built from; no loop here.

- :class:`Budget`: ``--steps`` / ``--minutes`` (wall clock of the loop, validation included; both survive
  ``--resume``) and the learning rate, a linear warm-up then a cosine decay to ``lr * final_lr_ratio``;
- :func:`setup_distributed` / :class:`Dist`: a plain launch, or one process per worker under
  ``torchrun --nproc_per_node K`` (gloo on CPU);
- :func:`save_checkpoint` / :func:`load_checkpoint`: the full state, written atomically;
- :class:`RunLog` (``RUN/log.txt``, ``RUN/val.jsonl``), :class:`Meter` (running means between log lines),
  :class:`ThreadTuner` (torch threads), :func:`machine_description`, :func:`resolve_device` (``--device``).

When checkpoints are written (``--checkpoint-every``) and validation runs (``--val-every``) is the
engine's business: ``srcodec train KIND --help`` lists the flags.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.distributed as dist

from srcodec.errors import BadOptionError, InputError, UnknownNameError


@dataclass
class Budget:
    steps: int | None
    minutes: float | None
    warmup_steps: int = 200
    final_lr_ratio: float = 0.02

    def progress(self, step: int, seconds: float) -> float:
        parts = []
        if self.steps:
            parts.append(step / self.steps)
        if self.minutes:
            parts.append(seconds / (60 * self.minutes))
        return min(max(parts), 1.0) if parts else 0.0

    def done(self, step: int, seconds: float) -> bool:
        return (self.steps is not None and step >= self.steps) or (self.minutes is not None and seconds >= 60 * self.minutes)

    def lr_factor(self, step: int, seconds: float) -> float:
        warm = min(1.0, (step + 1) / max(1, self.warmup_steps))
        p = self.progress(step, seconds)
        cos = self.final_lr_ratio + (1 - self.final_lr_ratio) * 0.5 * (1 + math.cos(math.pi * p))
        return warm * cos


@dataclass
class Dist:
    rank: int = 0
    world_size: int = 1

    @property
    def main(self) -> bool:
        return self.rank == 0

    def any(self, flag: bool) -> bool:
        """True on every worker when it is true on one (stop together)."""
        if self.world_size == 1:
            return flag
        t = torch.tensor([1.0 if flag else 0.0])
        dist.all_reduce(t)
        return bool(t.item() > 0)


def setup_distributed() -> Dist:
    """Join the process group when started by torchrun (WORLD_SIZE > 1)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1:
        if not dist.is_initialized():
            dist.init_process_group("gloo")
        return Dist(dist.get_rank(), dist.get_world_size())
    return Dist()


def cleanup_distributed() -> None:
    """Leave the process group, every worker together: a gloo worker whose peer tears the group down while it
    still waits on it aborts ("terminate called without an active exception"), so a barrier (bounded: a peer
    that failed is not waited for) comes first."""
    if dist.is_initialized():
        try:
            dist.monitored_barrier(timeout=datetime.timedelta(seconds=60))
        except RuntimeError:
            pass  # a peer failed: torchrun reports it
        dist.destroy_process_group()


def save_checkpoint(path: Path, state: dict) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: str | os.PathLike) -> dict:
    p = Path(path)
    if p.is_dir():
        p = p / "checkpoint.pt"
    if not p.is_file():
        raise InputError(f"{p}: no such checkpoint")
    return torch.load(p, map_location="cpu", weights_only=False)


def machine_description() -> str:
    """``"2 CPUs (<model name>), 24 GB RAM[, GPU <name>]"`` of this machine."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
        mem = f", {mem_kb / 2**20:.0f} GB RAM"
    except (OSError, StopIteration, ValueError):
        mem = ""
    gpu = f", GPU {torch.cuda.get_device_name(0)}" if torch.cuda.is_available() else ", no GPU"
    return f"{os.cpu_count()} CPUs ({model or 'unknown model'}){mem}{gpu}"


class RunLog:
    """Appends to RUN/log.txt and RUN/val.jsonl (rank 0 only)."""

    def __init__(self, run_dir: Path, enabled: bool):
        self.dir = run_dir
        self.enabled = enabled
        if enabled:
            run_dir.mkdir(parents=True, exist_ok=True)

    def line(self, text: str) -> None:
        if self.enabled:
            stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
            with open(self.dir / "log.txt", "a") as fh:
                fh.write(f"{stamp} {text}\n")

    def machine(self, device: torch.device | str = "cpu") -> None:
        """One log line saying where the run trains (for the model cards)."""
        self.line(f"machine: {machine_description()}; torch {torch.__version__}, {torch.get_num_threads()} threads, device {device}")

    def record(self, name: str, row: dict) -> None:
        if self.enabled:
            with open(self.dir / name, "a") as fh:
                fh.write(json.dumps(row) + "\n")


class ThreadTuner:
    """Pick the torch thread count that trains fastest right now, and keep re-checking.

    On a shared machine, two OpenMP threads fighting other processes for two
    cores can be several times slower than one thread (every parallel region
    waits for its slowest thread), and the load changes by the minute. The
    tuner times ``probe`` steps with each candidate count and keeps the faster
    one; it probes again every ``period`` steps, and at once when the recent
    steps get ``slack`` times slower than the probe said. Probe steps are
    ordinary training steps, nothing is wasted.
    """

    def __init__(self, candidates: tuple[int, ...], period: int = 200, probe: int = 3, slack: float = 2.0):
        self.candidates = candidates
        self.period, self.probe, self.slack = period, probe, slack
        self.choice = candidates[-1]
        self.reference = None
        self.recent: list[float] = []
        self.schedule: list[int] = []
        self.times: dict[int, list[float]] = {}
        self.since_probe = 0
        self._start_probe()

    def _start_probe(self) -> None:
        if len(self.candidates) > 1:
            self.schedule = [c for c in self.candidates for _ in range(self.probe)]
            self.times = {}

    def before_step(self, step: int) -> None:
        torch.set_num_threads(self.schedule[0] if self.schedule else self.choice)

    def after_step(self, step: int, seconds: float) -> None:
        if self.schedule:
            current = self.schedule.pop(0)
            self.times.setdefault(current, []).append(seconds)
            if not self.schedule:
                best = {c: sorted(t)[len(t) // 2] for c, t in self.times.items()}
                self.choice = min(best, key=best.get)
                self.reference = best[self.choice]
                self.recent, self.since_probe = [], 0
            return
        self.since_probe += 1
        self.recent = (self.recent + [seconds])[-8:]
        slow = len(self.recent) == 8 and self.reference and sorted(self.recent)[4] > self.slack * self.reference
        if self.since_probe >= self.period or slow:
            self._start_probe()


@dataclass
class Meter:
    """Running means of a few scalars, reset at each log line."""

    sums: dict = field(default_factory=dict)
    count: int = 0

    def add(self, **values: float) -> None:
        for k, v in values.items():
            self.sums[k] = self.sums.get(k, 0.0) + float(v)
        self.count += 1

    def means(self) -> dict:
        return {k: v / max(1, self.count) for k, v in self.sums.items()}

    def reset(self) -> None:
        self.sums, self.count = {}, 0


def resolve_device(name: str) -> torch.device:
    """``--device``: cpu, cuda, cuda:N, or auto (cuda when there is one); a one-line error otherwise."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(name)
    except RuntimeError:
        raise UnknownNameError(f"--device {name!r}: not a device name (cpu, cuda, cuda:N, auto)") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise BadOptionError(f"--device {name}: no CUDA device here")
    return dev
