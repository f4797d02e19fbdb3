"""``srcodec train restorer``: a quality-aware post-filter for one codec, trained on a decoded pool.

::

    srcodec train restorer --codec vvc --quality 13-46 --out runs/vvc-restorer --minutes 60

First the training images go through the real codec once (:mod:`srcodec.train.pool`: cached,
resumable, ``--per-image`` qualities per image stratified over ``--quality``); then the network
(:mod:`srcodec.post.restorer`, preset ``--arch``) learns decoded planes + quality -> original RGB
on random crops of that pool, for as many epochs as the budget allows, on the one engine of
:mod:`srcodec.train.engine` (checkpoints, ``--resume``, budget, LR schedule, logs).

Validation codes each validation image once per ``--val-qualities`` value with the real codec
(cached for the run) and records, per quality, the RGB PSNR of the network and of the plain decode;
``val.jsonl`` rows carry ``gain_db`` (mean over qualities) and ``gain_db_q<Q>``: the learning curve.
Writes the stage ``restorer``, the weights of ``<codec>-restored``. With ``--scale 2 --down-weights FILE`` the
codec sees a learned downscaler's image instead of bicubic ↓2 (the frozen ``down`` stage of FILE, e.g.
Tun et al.'s of ``tun2023-x2``), in the pool and in validation, and the weights file holds both stages: the
weights of ``vvc-x2-learned``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from srcodec.archs import build_preset
from srcodec.errors import BadOptionError
from srcodec.train.engine import Task, run_task
from srcodec.train.options import add_common_arguments, data_dirs, parse_quality


def _qualities(text: str) -> list[float]:
    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise BadOptionError(f"--val-qualities must be numbers separated by commas, got {text!r}") from None


def add_arguments(p) -> None:
    p.add_argument("--codec", default="vvc", help="the codec (a spec: name[:key=value...]) whose decodes are restored (default: %(default)s)")
    p.add_argument("--quality", type=parse_quality, default=parse_quality("13-46"),
                   help="quality range of the pool, LOW-HIGH (default: 13-46, VVC's QP 50..17)")
    p.add_argument("--scale", type=int, default=1, choices=(1, 2),
                   help="1: restore at the codec's resolution; 2: the codec codes the bicubic ↓2 image and the "
                        "network enlarges its decode (default: %(default)s)")
    p.add_argument("--down-weights", metavar="WEIGHTS",
                   help="with --scale 2: a learned downscaler (a weights file with a 'down' stage, frozen) instead of "
                        "bicubic ↓2 before the codec; the output holds it too")
    p.add_argument("--per-image", type=int, default=3, help="qualities per training image in the pool (default: %(default)s)")
    p.add_argument("--pool-jobs", type=int, default=2, help="processes that build the pool (default: %(default)s)")
    p.add_argument("--full-resolution", action="store_true",
                   help="code the training JPEGs at their own resolution (default: ↓2 first, as every other trainer)")
    p.add_argument("--max-images", type=int, default=None, help="use only the first N training images")
    p.add_argument("--arch", default=None, help="network preset (default: qrestorer-yuv420 for vvc, else qrestorer-rgb; "
                                                "the planes it reads always follow the codec)")
    p.add_argument("--val-qualities", default=None,
                   help="comma-separated qualities validated (default: four spread over --quality)")
    add_common_arguments(p, crop=128, batch=16, lr=4e-4, loss="l2", val_every="500", checkpoint_every="250")


def _q_range(args) -> tuple[float, float]:
    q = args.quality
    return (float(q[0]), float(q[1])) if isinstance(q, tuple) else (float(q), float(q))


class RestorerTask(Task):
    """Decoder planes + quality -> original RGB, from a pre-computed pool of real decodes."""

    kind = "restorer"
    multiple = 8
    optional_stages = ("down",)

    def __init__(self, args):
        super().__init__(args)
        from srcodec.codecs import get_codec

        self.codec = get_codec(args.codec)
        lo, hi = _q_range(args)
        self.codec.check_quality(lo)
        self.codec.check_quality(hi)
        planes = self.codec.planes  # what the codec's decoder gives a restorer
        arch = args.arch or f"qrestorer-{planes}"
        self.nets = {"restorer": build_preset(arch, quality_range=(lo, hi), planes=planes, scale=args.scale)}
        if args.down_weights:
            from srcodec.archs import load_stages

            self.nets["down"] = load_stages(args.down_weights, only=("down",))["down"]
        self.multiple = 8 * args.scale
        self.trainable = ("restorer",)
        if args.val_qualities:
            self.val_qualities = _qualities(args.val_qualities)
        else:
            qs = np.linspace(lo, hi, 6)[1:-1]
            self.val_qualities = [float(round(q)) if self.codec.integer_quality else float(q) for q in qs]
        self._val_cache: dict = {}

    def ready(self) -> None:
        net = self.nets["restorer"]
        want = self.codec.planes
        if net.arch_name != "qrestorer" or net.planes != want:
            raise BadOptionError(f"the restorer for {self.codec.name} reads {want} planes; this network reads "
                                   f"{getattr(net, 'planes', net.arch_name)}")
        if net.scale != self.args.scale:
            raise BadOptionError(f"the network enlarges x{net.scale}, but --scale is {self.args.scale}")
        down = self.nets.get("down")
        if down is not None:
            if not self.args.down_weights:
                raise BadOptionError("the pool of a learned downscaler is built from its file: give --down-weights")
            if down.scale != self.args.scale:
                raise BadOptionError(f"the downscaler divides by {down.scale}, but --scale is {self.args.scale}")
            down.eval().requires_grad_(False)

    def make_sampler(self):
        from srcodec.train.pool import Pool, PoolSampler, build_pool

        a = self.args
        folder = build_pool(a.codec, data_dirs(a), per_image=a.per_image, qrange=_q_range(a), seed=a.seed,
                            jobs=a.pool_jobs, max_images=a.max_images, scale=a.scale, downscaler=a.down_weights,
                            full_resolution=a.full_resolution, log=print)
        import shutil

        shutil.copyfile(folder / "pool.json", Path(a.out) / "pool.json")  # the pool's size and build time, for the card
        return PoolSampler(Pool(folder), a.crop, seed=self.seed)

    def step(self, batch) -> dict:
        target, *inputs = batch
        out = self.nets["restorer"](*inputs)
        loss = self.loss(out, target)
        loss.backward()
        return {"loss": loss.item()}

    # validation: each image coded once per quality, the decodes kept for the run

    def _decoded(self, index: int, hr: np.ndarray, q: float) -> dict[str, np.ndarray]:
        from srcodec.post.restorer import decoder_planes

        from srcodec.train.pool import downscale

        key = (index, hr.shape, q)
        if key not in self._val_cache:
            small = downscale(hr, self.args.scale, self.args.down_weights)
            self._val_cache[key] = decoder_planes(self.codec, self.codec.encode(small, q))
        return self._val_cache[key]

    @torch.no_grad()
    def validate(self, images: list[np.ndarray]) -> dict:
        from srcodec.metrics import psnr
        from srcodec.post.restorer import planes_to_tensors
        from srcodec.io.tensors import tensor_to_image

        net = self.nets["restorer"]
        net.eval()
        per_q = {}
        for q in self.val_qualities:
            gains, outs, bases = [], [], []
            for i, img in enumerate(images):
                h, w = img.shape[:2]
                hr = img[: h - h % self.multiple, : w - w % self.multiple]
                planes = planes_to_tensors([self._decoded(i, hr, q)])
                planes = tuple(t.to(self.device) for t in planes)
                out = tensor_to_image(net(*planes, torch.tensor([q], device=self.device)))
                base = tensor_to_image(net.base(*planes))
                po, pb = psnr(out, hr), psnr(base, hr)
                outs.append(po)
                bases.append(pb)
                gains.append(po - pb)
            per_q[q] = (float(np.mean(outs)), float(np.mean(bases)), float(np.mean(gains)))
        self.train_mode()
        row = {"psnr": float(np.mean([v[0] for v in per_q.values()])),
               "baseline_psnr": float(np.mean([v[1] for v in per_q.values()])),
               "gain_db": float(np.mean([v[2] for v in per_q.values()])), "images": len(images)}
        for q, v in per_q.items():
            row[f"gain_db_q{q:g}"] = v[2]
        return row

    def val_text(self, row: dict) -> str:
        return (f"val step {row['step']}: PSNR {row['psnr']:.3f} dB (baseline {row['baseline_psnr']:.3f}), gain "
                f"{row['gain_db']:+.3f} dB (" + ", ".join(f"{k[9:]}: {v:+.3f}" for k, v in row.items()
                                                       if k.startswith("gain_db_q")) + ")")

    def info(self) -> dict:
        a = self.args
        return {"kind": self.kind, "codec": self.codec.spec, "codec_settings": self.codec.settings(),
                "quality": a.quality, "per_image": a.per_image, "scale": a.scale,
                "full_resolution": a.full_resolution,
                "downscaler": "bicubic" if not a.down_weights else f"learned ({Path(a.down_weights).name})"}


def run(args) -> int:
    return run_task(RestorerTask(args))
