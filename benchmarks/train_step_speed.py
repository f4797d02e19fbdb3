"""Seconds per training step of the learned codec on this machine, for choosing a design.

One step = forward, rate-distortion loss, backward and Adam on a batch of
``--batch`` random ``--crop``-pixel patches with a random quality per patch,
as ``srcodec train codec`` does. Prints the median over ``--steps`` steps
(after 2 warm-up steps) for each (N, M) of the checkerboard model, then the
effect of flushing subnormal floats on the shipped (trained) weights.

    python benchmarks/train_step_speed.py --threads 2
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from srcodec.codecs.learned import default_weights_path
from srcodec.models import build_model
from srcodec.models.weights import load_weights
from srcodec.train.codec import rd_loss, sample_q


def step_times(model, batch: int, crop: int, steps: int) -> float:
    opt = torch.optim.Adam(model.parameters(), 1e-4)
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(batch, 3, crop, crop, generator=gen)
    times = []
    model.train()
    for i in range(steps + 2):
        t = time.perf_counter()
        q = sample_q(batch, model.levels, gen)
        loss, _ = rd_loss(model(x, q), x, q, model.lambdas)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if i >= 2:
            times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--crop", type=int, default=128)
    ap.add_argument("--steps", type=int, default=5)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    print(f"checkerboard model, batch {args.batch} x {args.crop}^2, {args.threads} threads: median s/step")
    for n, m in ((48, 96), (64, 96), (64, 128), (96, 128), (128, 192)):
        torch.manual_seed(0)
        model = build_model("checkerboard", n, m)
        params = sum(p.numel() for p in model.parameters())
        print(f"  N={n:3d} M={m:3d} params={params:8d}  {step_times(model, args.batch, args.crop, args.steps):.3f}")
    path = default_weights_path()
    if path.is_file():
        model = load_weights(path)[0]
        for flush in (False, True):
            torch.set_flush_denormal(flush)
            print(f"shipped weights, flush denormals={flush}: {step_times(model, args.batch, args.crop, args.steps):.3f} s/step")
        torch.set_flush_denormal(False)


if __name__ == "__main__":
    main()
