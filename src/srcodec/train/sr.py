"""``srcodec train sr``: EDSR on decoded low-resolution images (Jin et al.'s steps 2 and 3).

Input: bicubic ↓scale, then the real --codec at --quality, decoded; target: HR.
``--car-weights FILE`` puts a trained artifact remover (frozen) in front of
EDSR (step 2); ``--joint`` trains both end to end (step 3, usually with
``--init`` from step 2). ``--down-weights FILE`` (or an ``--init`` file with a
``down`` stage) replaces bicubic ↓ by a frozen learned downscaler: the second
step of ``tun2023-x<s>``, EDSR tuned on what the real learned codec makes of
the downscaler's images. Writes the stages ``sr`` (and ``car``), the weights of
``jin-<codec>-x<scale>``. Runs on the engine of :mod:`srcodec.train.engine`.
"""

from __future__ import annotations

import torch

from srcodec.archs import build_preset, load_stages
from srcodec.data.degrade import Degradation, DegradedSampler, bicubic_up, tensor_to_image
from srcodec.errors import BadOptionError
from srcodec.train.engine import Task, run_task
from srcodec.train.options import add_codec_arguments, add_common_arguments, check_crop, data_dirs


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
        return DegradedSampler(data_dirs(self.args), self.args.crop, self.degradation, seed=self.seed)

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


def add_arguments(p) -> None:
    p.add_argument("--arch", default="edsr-baseline", help="EDSR preset (default: %(default)s; also edsr-compact)")
    p.add_argument("--car-weights", metavar="WEIGHTS", help="artifact remover in front of EDSR (a file with a 'car' stage)")
    p.add_argument("--down-weights", metavar="WEIGHTS",
                   help="a learned downscaler (a file with a 'down' stage, frozen) instead of bicubic ↓: "
                        "tun2023's SR fine-tuned on the real codec")
    p.add_argument("--joint", action="store_true", help="train the artifact remover too (Jin's step 3)")
    add_codec_arguments(p, scale=2)
    add_common_arguments(p, crop=96, batch=16, lr=1e-4)


def run(args) -> int:
    return run_task(SRTask(args))
