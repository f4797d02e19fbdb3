"""``srcodec train codec``: train a learned codec, variable rate from one set of weights.

Each image of a batch gets its own quality ``q`` (half the time an integer
level, half the time anywhere between levels) and is trained with the
rate-distortion loss ``lambda(q) * 255^2 * MSE + bpp``, ``lambda`` interpolated
geometrically between the levels (``--lambdas``; default CompressAI's eight,
:data:`srcodec.models.LAMBDAS`). ``--init`` may start a model with more levels
below the trained ones: their gain vectors are extrapolated from the two lowest.
The rate is the noisy-latent likelihood; the synthesis sees straight-through
rounded latents. Adam, warm-up + cosine LR decay, gradient clipping.

Validation (rank 0, every ``--val-minutes``) codes a few Kodak images at each
level in evaluation mode (rounding, model-estimated bits) and records
each level's bpp/PSNR and the PSNR interpolated at 0.4 bpp in ``RUN/val.jsonl``.
"""

from __future__ import annotations

import argparse
import math
import os
import time
from pathlib import Path

import numpy as np
import torch
from torch.nn.parallel import DistributedDataParallel
from tqdm import tqdm

from srcodec.data import DATASETS
from srcodec.data.patches import PatchSampler
from srcodec.errors import InputError
from srcodec.io.image import load_image, to_rgb
from srcodec.models import ARCHS, DEFAULT_ARCH, LAMBDAS, build_model
from srcodec.models.weights import export_weights
from srcodec.train.loop import (Budget, Meter, RunLog, ThreadTuner, cleanup_distributed, load_checkpoint, resolve_device,
                                save_checkpoint, setup_distributed)

DEFAULT_VAL = ("kodim01.png", "kodim08.png", "kodim15.png", "kodim23.png")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--arch", default=DEFAULT_ARCH, choices=list(ARCHS), help="model architecture (default: %(default)s)")
    p.add_argument("-N", "--channels", dest="n", type=int, default=64, help="transform width N (default: %(default)s)")
    p.add_argument("-M", "--latent", dest="m", type=int, default=128, help="latent channels M (default: %(default)s)")
    p.add_argument("--data", action="append", required=True, metavar="DIR", help="training image folder (repeatable; searched recursively)")
    p.add_argument("--out", required=True, metavar="RUN", help="run folder: log, checkpoint, weights")
    p.add_argument("--steps", type=int, default=None, help="stop after this many steps")
    p.add_argument("--minutes", type=float, default=None, help="stop after this many minutes of training")
    p.add_argument("--batch", type=int, default=8, help="patches per step and worker (default: %(default)s)")
    p.add_argument("--crop", type=int, default=128, help="patch size, a multiple of the model stride (default: %(default)s)")
    p.add_argument("--lr", type=float, default=1e-3, help="peak learning rate (default: %(default)s)")
    p.add_argument("--warmup", type=int, default=200, help="warm-up steps (default: %(default)s)")
    p.add_argument("--clip", type=float, default=1.0, help="gradient norm clipping (default: %(default)s)")
    p.add_argument("--resume", metavar="CKPT", help="continue from a checkpoint (file or run folder)")
    p.add_argument("--init", metavar="WEIGHTS", help="start from exported weights (.safetensors)")
    p.add_argument("--lambdas", type=parse_lambdas, default=LAMBDAS, metavar="L1,L2,...",
                   help="rate-distortion trade-offs of the quality levels, increasing (default: CompressAI's eight, 0.0018..0.18)")
    p.add_argument("--model-id", default=None, help="id of the exported weights (default: <arch>-n<N>-m<M>)")
    p.add_argument("--val", default=str(DATASETS / "kodak"), metavar="DIR", help="validation images folder ('' to skip)")
    p.add_argument("--val-images", type=int, default=len(DEFAULT_VAL), help="how many validation images (default: %(default)s)")
    p.add_argument("--val-minutes", type=float, default=5.0, help="validate every this many minutes (default: %(default)s)")
    p.add_argument("--checkpoint-minutes", type=float, default=5.0, help="checkpoint every this many minutes (default: %(default)s)")
    p.add_argument("--log-every", type=int, default=50, help="steps between log lines (default: %(default)s)")
    p.add_argument("--threads", type=int, default=None,
                   help="torch threads per worker (default: auto, re-checks 1 vs cores/workers as the machine's load changes)")
    p.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N, or auto (cuda when there is one; default: %(default)s)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-progress", action="store_true", help="no tqdm progress bar")


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


def load_validation(folder: str, count: int) -> list[torch.Tensor]:
    if not folder:
        return []
    d = Path(folder)
    if not d.is_dir():
        return []
    names = [n for n in DEFAULT_VAL if (d / n).exists()] or sorted(p.name for p in d.glob("*.png"))
    out = []
    for n in names[:count]:
        img = to_rgb(load_image(d / n))
        h, w = (img.shape[0] // 64) * 64, (img.shape[1] // 64) * 64
        out.append(torch.from_numpy(np.ascontiguousarray(img[:h, :w])).permute(2, 0, 1)[None].float() / 255)
    return out


@torch.no_grad()
def validate(model, images: list[torch.Tensor]) -> dict:
    """Mean estimated bpp and PSNR per level, and PSNR interpolated at 0.4 bpp."""
    model.eval()
    rows = []
    for level in range(model.levels):
        bpps, mses = [], []
        for x in images:
            x = x.to(next(model.parameters()).device)
            out = model(x, float(level))
            bits = sum(float(-torch.log2(l.double()).sum()) for l in out["likelihoods"].values())
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


def run(args: argparse.Namespace) -> int:
    dist_info = setup_distributed()
    try:
        return _train(args, dist_info)
    finally:
        cleanup_distributed()


def _train(args, dist_info) -> int:
    if args.steps is None and args.minutes is None:
        raise InputError("give --steps or --minutes (or both)")
    most = max(1, (os.cpu_count() or 1) // dist_info.world_size)
    tuner = ThreadTuner((args.threads,) if args.threads else tuple(sorted({1, most})))
    torch.set_num_threads(tuner.choice)
    torch.manual_seed(args.seed)
    torch.set_flush_denormal(True)  # subnormal floats in trained weights/activations slow CPU training ~30 %
    run_dir = Path(args.out)
    log = RunLog(run_dir, dist_info.main)

    ckpt = load_checkpoint(args.resume) if args.resume else None
    if ckpt is not None:
        cfg = ckpt["config"]
        arch, n, m, lambdas = cfg["arch"], cfg["N"], cfg["M"], tuple(cfg.get("lambdas", LAMBDAS))
    else:
        arch, n, m, lambdas = args.arch, args.n, args.m, args.lambdas
    model = build_model(arch, n, m, lambdas)
    if args.crop % model.stride:
        raise InputError(f"--crop {args.crop} must be a multiple of the model stride {model.stride}")
    if args.init and ckpt is None:
        from srcodec.models.weights import load_weights

        init_model, init_cfg, _ = load_weights(args.init)
        if (init_cfg["arch"], init_cfg["N"], init_cfg["M"]) != (arch, n, m):
            raise InputError(f"{args.init}: weights are {init_cfg['arch']} N={init_cfg['N']} M={init_cfg['M']}, not {arch} N={n} M={m}")
        init_from(model, init_model)
    model_id = args.model_id or (ckpt or {}).get("model_id") or f"{arch}-n{n}-m{m}"
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    step, seconds = 0, 0.0
    if ckpt is not None:
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["optimizer"])
        step, seconds = ckpt["step"], ckpt["seconds"]
    device = resolve_device(args.device)
    model.to(device)
    if ckpt is not None:  # Adam's moments follow the parameters to the device
        opt.load_state_dict(ckpt["optimizer"])
    model.train()
    net = DistributedDataParallel(model) if dist_info.world_size > 1 else model

    sampler = PatchSampler(args.data, args.crop, rank=dist_info.rank, world_size=dist_info.world_size, seed=args.seed + step)
    gen = torch.Generator().manual_seed(args.seed * 7919 + dist_info.rank * 104729 + step)
    if ckpt is not None and dist_info.main and "sampler" in ckpt:
        sampler.load_state(ckpt["sampler"])
        gen.set_state(ckpt["q_generator"])
    budget = Budget(args.steps, args.minutes, warmup_steps=args.warmup)
    val_images = load_validation(args.val, args.val_images) if dist_info.main else []
    if dist_info.main:
        log.line(f"{'resume' if ckpt else 'start'} arch={arch} N={n} M={m} params={sum(p.numel() for p in model.parameters())} "
                 f"levels={model.levels} images={len(sampler)}x{dist_info.world_size} (skipped {sampler.skipped}) batch={args.batch}x{dist_info.world_size} "
                 f"crop={args.crop} lr={args.lr} threads={torch.get_num_threads()} step={step} seconds={seconds:.0f}")
        log.machine(device)

    def checkpoint():
        if not dist_info.main:
            return
        state = {"model": model.state_dict(), "optimizer": opt.state_dict(), "step": step, "seconds": seconds,
                 "config": model.config(), "model_id": model_id, "sampler": sampler.state(), "q_generator": gen.get_state(),
                 "args": vars(args)}
        save_checkpoint(run_dir / "checkpoint.pt", state)
        export_weights(model, run_dir / f"{model_id}.safetensors", model_id, extra={"steps": step, "train_seconds": round(seconds)})
        log.line(f"checkpoint step={step} seconds={seconds:.0f}")

    def validation():
        if dist_info.main and val_images:
            res = validate(model, val_images)
            res.update(step=step, seconds=round(seconds, 1))
            log.record("val.jsonl", res)
            pts = " ".join(f"{r['bpp']:.3f}/{r['psnr']:.2f}" for r in res["levels"])
            log.line(f"val step={step} psnr@0.4={res['psnr_at_0.4bpp']} bpp/psnr: {pts}")

    meter = Meter()
    last_ckpt = last_val = seconds
    bar = tqdm(total=args.steps, initial=step, disable=args.no_progress or not dist_info.main, dynamic_ncols=True, desc="train codec")
    if step == 0:
        validation()
    t_start, seconds_start = time.perf_counter(), seconds
    while not dist_info.any(budget.done(step, seconds)):
        for g in opt.param_groups:
            g["lr"] = args.lr * budget.lr_factor(step, seconds)
        tuner.before_step(step)
        t_step = time.perf_counter()
        x = sampler.batch(args.batch).to(device, non_blocking=True)
        q = sample_q(args.batch, model.levels, gen).to(device)
        out = net(x, q)
        loss, stats = rd_loss(out, x, q, model.lambdas)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if args.clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        opt.step()
        step_s = time.perf_counter() - t_step
        tuner.after_step(step, step_s)
        step += 1
        seconds = seconds_start + time.perf_counter() - t_start  # wall clock, validation included
        if not math.isfinite(stats["loss"]):
            raise InputError(f"training diverged at step {step} (loss {stats['loss']}); lower --lr or resume from the last checkpoint")
        meter.add(**stats, step_s=step_s)
        bar.update(1)
        bar.set_postfix(loss=f"{stats['loss']:.3f}", bpp=f"{stats['bpp']:.3f}", psnr=f"{stats['psnr']:.2f}")
        if step % args.log_every == 0 and dist_info.main:
            mm = meter.means()
            log.line(f"step={step} t={seconds:.0f}s lr={opt.param_groups[0]['lr']:.2e} threads={torch.get_num_threads()} loss={mm['loss']:.4f} bpp={mm['bpp']:.4f} "
                     f"psnr={mm['psnr']:.2f} s/step={mm['step_s']:.3f}")
            meter.reset()
        if seconds - last_ckpt >= 60 * args.checkpoint_minutes:
            checkpoint()
            last_ckpt = seconds
        if seconds - last_val >= 60 * args.val_minutes:
            validation()
            last_val = seconds
    bar.close()
    validation()
    checkpoint()
    if dist_info.main:
        log.line(f"done step={step} seconds={seconds:.0f}")
    return 0
