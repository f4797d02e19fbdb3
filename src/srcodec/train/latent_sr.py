"""``srcodec train latent-sr``: the latent-domain SR decoder of ``upenik-x<s>`` (Upenik et al.).

::

    HR patch ─► bicubic ↓s (Pillow, 8 bits, as the pipeline) ─► pad to 64 ─► frozen learned codec:
        ŷ = round(g_a(x)·gain[q] - μ) + μ, × inverse gain[q]   (what the decoder gets, without the entropy coder)
    ŷ ─► latent-SR decoder ─► crop ─► loss vs HR

The learned codec (``--codec-weights``, default: the installed one) is frozen;
each patch gets its own quality, drawn uniformly (fractions included: the
gain vectors interpolate) from ``--quality`` (1..8, the codec's scale; the
model's gain index is ``model.level(quality)``). The decoder starts as the codec's own
synthesis followed by bicubic ×s (:meth:`~srcodec.post.latent_sr.LatentSR.init_from_synthesis`),
so short trainings improve on "decode, then bicubic" from the first step.
Validation codes full images for real (``.srz`` bytes, entropy decoding) at
``--val-quality``; the baseline is the decoded LR image enlarged with bicubic.

Writes the stage ``sr`` (architecture ``latent-sr``) and, in the metadata, the
hash of the codec weights it was trained on: ``upenik-x<s>`` refuses to run
with any other codec weights. Runs on the engine of :mod:`srcodec.train.engine`.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from srcodec.archs import build_preset
from srcodec.codecs.learned import LearnedCodec, default_weights_path
from srcodec.data.degrade import batch_to_images, bicubic_down, bicubic_up, images_to_batch, tensor_to_image
from srcodec.errors import BadOptionError
from srcodec.models.weights import load_weights
from srcodec.pipelines.upenik import CODEC_HASH_KEY
from srcodec.train.engine import Task, run_task
from srcodec.train.options import add_common_arguments, check_crop, data_dirs, mid_quality, parse_quality
from srcodec.train.samplers import HRSampler


class LatentSRTask(Task):
    """Latent-domain SR on the frozen learned codec's coded latents."""

    kind = "latent-sr"

    def __init__(self, args):
        super().__init__(args)
        s = args.scale
        if args.crop is None:
            args.crop = 64 * s
        check_crop(args, s)
        self.multiple = s
        path = args.codec_weights or default_weights_path()
        self.codec = LearnedCodec(weights=path)
        for q in (args.quality if isinstance(args.quality, tuple) else (args.quality,)):
            self.codec.check_quality(q)
        self.val_quality = float(args.val_quality if args.val_quality is not None else mid_quality(args.quality))
        self.codec.check_quality(self.val_quality)
        self.model, config, digest = load_weights(path)  # our own copy: it may move to a GPU, the codec's stays
        self.model.requires_grad_(False)
        self.codec_id, self.codec_hash = config["model_id"], digest.hex()
        net = build_preset(args.arch, scale=s, n=self.model.n, m=self.model.m)
        self.nets = {"sr": net.init_from_synthesis(self.model.g_s)}
        self.trainable = ("sr",)
        self.rng = np.random.default_rng(args.seed + 29)

    def ready(self) -> None:
        net = self.nets["sr"]
        if getattr(net, "arch_name", "") != "latent-sr":
            raise BadOptionError(f"the 'sr' stage is a {net.arch_name}, train latent-sr trains a latent-sr decoder")
        if net.scale != self.args.scale:
            raise BadOptionError(f"the decoder enlarges x{net.scale}, but --scale is {self.args.scale}")
        if (net.n, net.m) != (self.model.n, self.model.m):
            raise BadOptionError(f"the decoder is built for N={net.n}, M={net.m}; "
                                   f"the codec has N={self.model.n}, M={self.model.m}")

    def make_sampler(self):
        return HRSampler(data_dirs(self.args), self.args.crop, self.seed)

    def frozen(self):
        return [self.nets["sr"].synthesis] if self.args.freeze_synthesis else []

    def draw_qualities(self, n: int) -> torch.Tensor:
        q = self.args.quality
        lo, hi = q if isinstance(q, tuple) else (q, q)
        return torch.from_numpy(self.rng.uniform(lo, hi, size=n)).float()

    @torch.no_grad()
    def coded_latent(self, hr: torch.Tensor, quality: torch.Tensor) -> torch.Tensor:
        """The latent the decoder receives for a batch of HR patches, as the pipeline would code them."""
        s = self.args.scale
        lr = images_to_batch([bicubic_down(im, s) for im in batch_to_images(hr)]).to(hr.device)
        st = self.model.stride
        h, w = lr.shape[-2:]
        lr = F.pad(lr, (0, (-w) % st, 0, (-h) % st), mode="replicate") if (h % st or w % st) else lr
        return self.model.coded_latent(lr, self.model.level(quality).to(hr.device))

    def step(self, batch) -> dict:
        (hr,) = batch
        if next(self.model.parameters()).device != hr.device:
            self.model.to(hr.device)
        self.model.eval()
        latent = self.coded_latent(hr, self.draw_qualities(hr.shape[0]))
        net = self.nets["sr"]
        if self.args.freeze_synthesis:
            with torch.no_grad():
                f = net.features(latent)
            out = net.reconstruct(f)
        else:
            out = net(latent)
        out = out[..., : hr.shape[-2], : hr.shape[-1]]
        loss = self.loss(out, hr)
        loss.backward()
        return {"loss": loss.item()}

    def validate_image(self, hr, rng):
        s = self.args.scale
        data = self.codec.encode(bicubic_down(hr, s), self.val_quality)
        latent, _ = self.codec.decode_latent(data)
        h, w = hr.shape[:2]
        out = tensor_to_image(self.nets["sr"](latent.to(self.device)))[:h, :w]
        return out, hr, bicubic_up(self.codec.decode(data), s)

    def state(self) -> dict:
        return {"rng": self.rng.bit_generator.state}

    def load_state(self, state: dict) -> None:
        if "rng" in state:
            self.rng.bit_generator.state = state["rng"]

    def info(self) -> dict:
        a = self.args
        return {"kind": self.kind, "paper": "Upenik et al. (latent-domain SR)", "scale": a.scale, "quality": a.quality,
                "preset": a.arch, "codec_model_id": self.codec_id, CODEC_HASH_KEY: self.codec_hash}


def add_arguments(p) -> None:
    p.add_argument("--scale", type=int, choices=(2, 4), default=2, help="downscaling factor (default: %(default)s)")
    p.add_argument("--arch", default="latent-sr", help="latent-SR preset (default: %(default)s; also latent-sr-compact, latent-sr-lr)")
    p.add_argument("--quality", type=parse_quality, default=parse_quality("1-8"),
                   help="learned-codec quality, or a range LOW-HIGH drawn uniformly per patch (default: 1-8)")
    p.add_argument("--val-quality", type=float, default=None, help="quality of the validation coding (default: mid-range)")
    p.add_argument("--codec-weights", metavar="WEIGHTS",
                   help="the learned codec (default: the installed one, or $SRCODEC_LEARNED_WEIGHTS)")
    p.add_argument("--freeze-synthesis", action="store_true",
                   help="keep the synthesis stages as copied from the codec; train only the two heads")
    add_common_arguments(p, crop=None, batch=8, lr=1e-4)
    for action in p._actions:
        if action.dest == "crop":
            action.help = "HR patch size, a multiple of the scale (default: 64 x scale, one 64-pixel LR block)"


def run(args) -> int:
    return run_task(LatentSRTask(args))
