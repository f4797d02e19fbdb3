"""``srcodec train codec``: train a learned codec, variable rate from one set of weights.

Each image of a batch gets its own quality ``q`` (half the time an integer
level, half the time anywhere between levels) and is trained with the
rate-distortion loss ``lambda(q) * 255^2 * MSE + bpp``, ``lambda`` interpolated
geometrically between the levels (``--lambdas``; default CompressAI's eight,
:data:`srcodec.models.LAMBDAS`). ``--init`` may start a model with more levels
below the trained ones: their gain vectors are extrapolated from the two lowest.
The rate is the noisy-latent likelihood; the synthesis sees straight-through
rounded latents. It runs on the one engine (:mod:`srcodec.train.engine`: Adam,
warm-up + cosine LR decay, gradient clipping, checkpoints, torchrun).

Validation (every ``--val-every``, default 5 minutes, and before the first step) codes a few Kodak
images at each level in evaluation mode (rounding, model-estimated bits) and records each
level's bpp/PSNR and the PSNR interpolated at 0.4 bpp in ``RUN/val.jsonl``. The weights file,
``RUN/weights.safetensors``, is a stage file with one stage, ``codec`` (entropy tables frozen):
what ``SRCODEC_LEARNED_WEIGHTS`` or ``srcodec/weights/<model id>.safetensors`` take.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
import torch

from srcodec.errors import InputError
from srcodec.models import DEFAULT_ARCH, LAMBDAS, build_model, codec_arch_names
from srcodec.models.weights import STAGE, export_weights, load_weights
from srcodec.train.engine import Task, run_task
from srcodec.train.options import add_common_arguments, data_dirs
from srcodec.train.samplers import HRSampler

#: the Kodak images validated by default (a spread of content)
DEFAULT_VAL = ("kodim01.png", "kodim08.png", "kodim15.png", "kodim23.png")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--arch", default=DEFAULT_ARCH, choices=codec_arch_names(), help="model architecture (default: %(default)s)")
    p.add_argument("-N", "--channels", dest="n", type=int, default=64, help="transform width N (default: %(default)s)")
    p.add_argument("-M", "--latent", dest="m", type=int, default=128, help="latent channels M (default: %(default)s)")
    p.add_argument("--lambdas", type=parse_lambdas, default=LAMBDAS, metavar="L1,L2,...",
                   help="rate-distortion trade-offs of the quality levels, increasing (default: CompressAI's eight, 0.0018..0.18)")
    p.add_argument("--model-id", default=None, help="id of the exported weights (default: <arch>-n<N>-m<M>)")
    add_common_arguments(p, crop=128, batch=8, lr=1e-3, loss=None, warmup=200, val="kodak", val_images=len(DEFAULT_VAL),
                         val_every="5m", checkpoint_every="5m")


def parse_lambdas(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of numbers: {text!r}") from None
    if len(values) < 2 or any(v <= 0 for v in values) or any(b <= a for a, b in zip(values, values[1:])):
        raise argparse.ArgumentTypeError(f"need at least two positive, increasing lambdas: {text!r}")
    return values


def lambdas_for(q: torch.Tensor, lambdas: tuple[float, ...]) -> torch.Tensor:
    """lambda at real quality levels q (0-based), geometric between levels."""
    log_l = torch.log(torch.tensor(lambdas, dtype=torch.float32, device=q.device))
    lo = q.floor().long().clamp(0, len(lambdas) - 2)
    t = q - lo.float()
    return torch.exp(log_l[lo] * (1 - t) + log_l[lo + 1] * t)


def sample_q(batch: int, levels: int, gen: torch.Generator) -> torch.Tensor:
    q = torch.rand(batch, generator=gen) * (levels - 1)
    integer = torch.rand(batch, generator=gen) < 0.5
    return torch.where(integer, torch.randint(0, levels, (batch,), generator=gen).float(), q)


def init_from(model, trained) -> None:
    """Load ``trained``'s weights into ``model``, whose levels are the trained ones with possibly more below
    (:meth:`~srcodec.models.layers.GainUnits.extend_from`)."""
    below = model.levels - trained.levels
    if below < 0 or model.lambdas[below:] != trained.lambdas:
        raise InputError(f"--init weights have lambdas {list(trained.lambdas)}; the new levels {list(model.lambdas)} "
                         "must be the same, or the same with more below")
    state = {k: v for k, v in trained.state_dict().items() if not k.startswith("gains.")}
    state.update({f"gains.{k}": v for k, v in model.gains.state_dict().items()})
    model.load_state_dict(state)
    model.gains.extend_from(trained.gains)


def rd_loss(out: dict, x: torch.Tensor, q: torch.Tensor, lambdas: tuple[float, ...]) -> tuple[torch.Tensor, dict]:
    b, _, h, w = x.shape
    mse = ((out["x_hat"] - x) ** 2).flatten(1).mean(1)
    bits = sum(-torch.log2(lik).flatten(1).sum(1) for lik in out["likelihoods"].values())
    bpp = bits / (h * w)
    loss = (lambdas_for(q, lambdas) * 255**2 * mse + bpp).mean()
    psnr = (10 * torch.log10(1.0 / mse.detach().clamp_min(1e-10))).mean()
    return loss, {"loss": loss.item(), "bpp": bpp.mean().item(), "psnr": psnr.item()}


@torch.no_grad()
def validate_levels(model, images: list[torch.Tensor]) -> dict:
    """Mean estimated bpp and PSNR per level, and PSNR interpolated at 0.4 bpp."""
    model.eval()
    rows = []
    for level in range(model.levels):
        bpps, mses = [], []
        for x in images:
            x = x.to(next(model.parameters()).device)
            out = model(x, float(level))
            bits = sum(float(-torch.log2(lik.double()).sum()) for lik in out["likelihoods"].values())
            bpps.append(bits / (x.shape[2] * x.shape[3]))
            x_hat = torch.round(out["x_hat"].clamp(0, 1) * 255) / 255
            mses.append(float(((x_hat - x) ** 2).mean()))
        psnrs = [10 * math.log10(1 / max(m, 1e-12)) for m in mses]
        rows.append({"level": level, "bpp": float(np.mean(bpps)), "psnr": float(np.mean(psnrs))})
    model.train()
    bpp = np.array([r["bpp"] for r in rows])
    psnr = np.array([r["psnr"] for r in rows])
    at = float(np.interp(math.log(0.4), np.log(bpp), psnr)) if bpp.min() <= 0.4 <= bpp.max() and np.all(np.diff(bpp) > 0) else None
    return {"levels": rows, "psnr_at_0.4bpp": at}


class CodecTask(Task):
    """Images -> learned codec (noisy latents, likelihoods) -> the rate-distortion loss."""

    kind = "codec"
    validate_at_start = True
    val_prefer = DEFAULT_VAL

    def __init__(self, args):
        super().__init__(args)
        self.nets = {STAGE: build_model(args.arch, args.n, args.m, args.lambdas)}
        self.trainable = (STAGE,)
        self.model_id = args.model_id
        self.gen = torch.Generator()

    @property
    def model(self):
        return self.nets[STAGE]

    def init_from(self, path: str) -> None:
        trained, cfg, _ = load_weights(path)
        arch, n, m = self.args.arch, self.args.n, self.args.m
        if (cfg["arch"], cfg["N"], cfg["M"]) != (arch, n, m):
            raise InputError(f"{path}: weights are {cfg['arch']} N={cfg['N']} M={cfg['M']}, not {arch} N={n} M={m}")
        init_from(self.model, trained)

    def upgrade_checkpoint(self, ck: dict) -> dict:
        """Checkpoints of srcodec's earlier codec trainer (keys model/optimizer/config) in the engine's layout."""
        if "model" not in ck or "config" not in ck:
            return ck
        cfg = ck["config"]
        spec = {"arch": cfg["arch"], "config": {"n": cfg["N"], "m": cfg["M"], "lambdas": list(cfg.get("lambdas", LAMBDAS))}}
        self.model_id = self.model_id or ck.get("model_id")
        return {"kind": self.kind, "step": ck["step"], "seconds": ck["seconds"], "specs": {STAGE: spec},
                "nets": {STAGE: ck["model"]}, "opt": ck["optimizer"], "sampler": ck.get("sampler"),
                "task": {"q_generator": ck["q_generator"]} if "q_generator" in ck else {},
                "torch_rng": torch.get_rng_state()}

    def ready(self) -> None:
        if self.args.crop % self.model.stride:
            raise InputError(f"--crop {self.args.crop} must be a multiple of the model stride {self.model.stride}")
        self.multiple = self.model.stride
        self.model_id = self.model_id or f"{self.model.arch}-n{self.model.n}-m{self.model.m}"
        self.gen.manual_seed(self.args.seed * 7919 + self.rank * 104729)

    def make_sampler(self):
        return HRSampler(data_dirs(self.args), self.args.crop, self.args.seed, rank=self.rank, world_size=self.world_size)

    def step(self, batch) -> dict:
        (x,) = batch
        q = sample_q(x.shape[0], self.model.levels, self.gen).to(x.device)
        loss, stats = rd_loss(self.model(x, q), x, q, self.model.lambdas)
        loss.backward()
        return stats

    def validate(self, images: list[np.ndarray]) -> dict:
        m = self.model.stride
        xs = [torch.from_numpy(img[: img.shape[0] // m * m, : img.shape[1] // m * m].copy()).permute(2, 0, 1)[None].float() / 255
              for img in images]
        return validate_levels(self.model, xs)

    def val_text(self, row: dict) -> str:
        pts = " ".join(f"{r['bpp']:.3f}/{r['psnr']:.2f}" for r in row["levels"])
        return f"val step {row['step']}: PSNR at 0.4 bpp {row['psnr_at_0.4bpp']}; bpp/PSNR per level: {pts}"

    def export(self, path: Path, step: int, seconds: float) -> Path:
        return export_weights(self.model, path, self.model_id, extra={"kind": self.kind, "steps": step,
                                                                      "train_seconds": round(seconds)})

    def state(self) -> dict:
        return {"q_generator": self.gen.get_state()}

    def load_state(self, state: dict) -> None:
        if "q_generator" in state:
            self.gen.set_state(state["q_generator"])


def run(args: argparse.Namespace) -> int:
    return run_task(CodecTask(args))
