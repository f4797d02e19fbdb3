"""``srcodec train car``: a compression-artifact remover (DnCNN, ARCNN, ARCNN-ASPP, EDSR x1) on real decoded images.

Input: bicubic ↓scale (none at --scale 1) then the real --codec at --quality;
target: the image before the codec. Jin et al.'s step 1 (``--arch dncnn-17``),
or the network of ``jiang-arcnn`` / ``jiang-arcnn-aspp`` (``--arch arcnn`` /
``arcnn-aspp --scale 1``). Writes the stage ``car``. Runs on the engine of :mod:`srcodec.train.engine`.
"""

from __future__ import annotations

from srcodec.archs import build_preset
from srcodec.data.degrade import Degradation, DegradedSampler, tensor_to_image
from srcodec.train.engine import Task, run_task
from srcodec.train.options import add_codec_arguments, add_common_arguments, check_crop, data_dirs


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
        return DegradedSampler(data_dirs(self.args), self.args.crop, self.degradation, seed=self.seed)

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


def add_arguments(p) -> None:
    p.add_argument("--arch", default="dncnn-17", help="network preset or architecture (default: %(default)s; "
                   "also dncnn-compact, arcnn, arcnn-aspp; see srcodec.archs)")
    add_codec_arguments(p, scale=2)
    add_common_arguments(p, crop=96, batch=16, lr=1e-4)


def run(args) -> int:
    return run_task(CARTask(args))
