"""Every named pipeline of srcodec, one row each: the catalogue ``srcodec pipelines`` lists.

A row names a pipeline and says what it is made of: the class that holds its behaviour (what its
pre- and post-stage do: :mod:`.bicubic`, :mod:`.jin`, :mod:`.tun2023`, :mod:`.upenik`,
:mod:`.restored`), its inner codec (a codec spec), its scale, its label and stage descriptions, and
the command that trains its weights. Pipelines whose behaviour is their own (Jiang et al."s,
Nagasaki et al."s) are classes that say all of it themselves: ``Own(cls)``. Adding a pipeline is
adding a row (and, only when it behaves differently, a class).

The jin-avif pipelines' inner codec is ``avif:speed=6:tune=default``: their networks were trained on
that AVIF (Pillow"s speed 6, libaom"s own tuning -- the anchor before it was PSNR-tuned), so that is
the AVIF they run on.
"""

from __future__ import annotations

from dataclasses import dataclass

from srcodec.codecs.base import codec_class
from srcodec.pipelines.base import Pipeline, register_pipeline
from srcodec.pipelines.bicubic import BicubicPipeline
from srcodec.pipelines.jiang import JiangARCNN, JiangARCNNASPP, JiangComCNN
from srcodec.pipelines.jin import JinPipeline, SRNoCARPipeline
from srcodec.pipelines.nagasaki import NagasakiJPEG
from srcodec.pipelines.restored import LearnedDownRestoredPipeline, RestoredPipeline
from srcodec.pipelines.tun2023 import TunPipeline
from srcodec.pipelines.upenik import UpenikDecodedAnchor, UpenikPipeline


@dataclass(frozen=True)
class Row:
    """One pipeline: ``name``, behaviour ``cls``, ``inner`` codec spec, ``scale``, ``label``, stage labels, training."""

    name: str
    cls: type[Pipeline]
    inner: str
    scale: int
    label: str
    pre: str | None = None
    post: str | None = None
    train: str | None = None

    def make(self) -> type[Pipeline]:
        inner = codec_class(self.inner)
        attrs = {"name": self.name, "inner": self.inner, "scale": self.scale, "label": self.label,
                 "options": tuple(o for o in inner.options if o.name in inner.effort_options)}
        for key, value in (("pre_label", self.pre), ("post_label", self.post), ("train_hint", self.train)):
            if value is not None:
                attrs[key] = value
        return type("".join(part.title() for part in self.name.split("-")), (self.cls,), attrs)


@dataclass(frozen=True)
class Own:
    """A pipeline class that names and describes itself."""

    cls: type[Pipeline]

    def make(self) -> type[Pipeline]:
        return self.cls


CATALOGUE = (
    Row("bicubic-jpeg-x2", BicubicPipeline, "jpeg", 2, "bicubic ↓2 → jpeg → bicubic ↑2",
        pre="bicubic ↓2", post="bicubic ↑2"),
    Row("bicubic-jpeg-x4", BicubicPipeline, "jpeg", 4, "bicubic ↓4 → jpeg → bicubic ↑4",
        pre="bicubic ↓4", post="bicubic ↑4"),
    Row("bicubic-webp-x2", BicubicPipeline, "webp", 2, "bicubic ↓2 → webp → bicubic ↑2",
        pre="bicubic ↓2", post="bicubic ↑2"),
    Row("bicubic-webp-x4", BicubicPipeline, "webp", 4, "bicubic ↓4 → webp → bicubic ↑4",
        pre="bicubic ↓4", post="bicubic ↑4"),
    Row("bicubic-avif-x2", BicubicPipeline, "avif", 2, "bicubic ↓2 → avif → bicubic ↑2",
        pre="bicubic ↓2", post="bicubic ↑2"),
    Row("bicubic-avif-x4", BicubicPipeline, "avif", 4, "bicubic ↓4 → avif → bicubic ↑4",
        pre="bicubic ↓4", post="bicubic ↑4"),
    Row("bicubic-jpeg2000-x2", BicubicPipeline, "jpeg2000", 2, "bicubic ↓2 → jpeg2000 → bicubic ↑2",
        pre="bicubic ↓2", post="bicubic ↑2"),
    Row("bicubic-jpeg2000-x4", BicubicPipeline, "jpeg2000", 4, "bicubic ↓4 → jpeg2000 → bicubic ↑4",
        pre="bicubic ↓4", post="bicubic ↑4"),
    Row("bicubic-jxl-x2", BicubicPipeline, "jxl", 2, "bicubic ↓2 → jxl → bicubic ↑2",
        pre="bicubic ↓2", post="bicubic ↑2"),
    Row("bicubic-jxl-x4", BicubicPipeline, "jxl", 4, "bicubic ↓4 → jxl → bicubic ↑4",
        pre="bicubic ↓4", post="bicubic ↑4"),
    Row("bicubic-heif-x2", BicubicPipeline, "heif", 2, "bicubic ↓2 → heif → bicubic ↑2",
        pre="bicubic ↓2", post="bicubic ↑2"),
    Row("bicubic-heif-x4", BicubicPipeline, "heif", 4, "bicubic ↓4 → heif → bicubic ↑4",
        pre="bicubic ↓4", post="bicubic ↑4"),
    Own(JiangComCNN),
    Own(JiangARCNN),
    Own(JiangARCNNASPP),
    Row("jin-jpeg-x2", JinPipeline, "jpeg", 2, "Jin et al. JPEG ×2",
        pre="bicubic ↓2", post="DnCNN CAR → EDSR ×2", train="srcodec train car --codec jpeg --scale 2 --out runs/jin-jpeg-x2-car, then train sr --car-weights runs/jin-jpeg-x2-car/weights.safetensors --out runs/jin-jpeg-x2-sr, then train sr --init runs/jin-jpeg-x2-sr/weights.safetensors --joint"),
    Row("jin-jpeg-x4", JinPipeline, "jpeg", 4, "Jin et al. JPEG ×4",
        pre="bicubic ↓4", post="DnCNN CAR → EDSR ×4", train="srcodec train car --codec jpeg --scale 4 --out runs/jin-jpeg-x4-car, then train sr --car-weights runs/jin-jpeg-x4-car/weights.safetensors --out runs/jin-jpeg-x4-sr, then train sr --init runs/jin-jpeg-x4-sr/weights.safetensors --joint"),
    Row("jin-avif-x1", JinPipeline, "avif:speed=6:tune=default", 1, "Jin et al. AVIF ×1",
        pre="-", post="DnCNN CAR → EDSR ×1", train="srcodec train car --codec avif:speed=6:tune=default --scale 1 --out runs/jin-avif-x1-car, then train sr --car-weights runs/jin-avif-x1-car/weights.safetensors --out runs/jin-avif-x1-sr, then train sr --init runs/jin-avif-x1-sr/weights.safetensors --joint"),
    Row("jin-avif-x2", JinPipeline, "avif:speed=6:tune=default", 2, "Jin et al. AVIF ×2",
        pre="bicubic ↓2", post="DnCNN CAR → EDSR ×2", train="srcodec train car --codec avif:speed=6:tune=default --scale 2 --out runs/jin-avif-x2-car, then train sr --car-weights runs/jin-avif-x2-car/weights.safetensors --out runs/jin-avif-x2-sr, then train sr --init runs/jin-avif-x2-sr/weights.safetensors --joint"),
    Row("jin-jpeg-x2-q10", JinPipeline, "jpeg", 2, "Jin et al. JPEG ×2, tuned at Q10",
        pre="bicubic ↓2", post="DnCNN CAR → EDSR ×2 (tuned for JPEG Q10)", train="srcodec train sr --codec jpeg --quality 10 --scale 2 --init runs/jin-jpeg-x2/weights.safetensors --joint --out runs/jin-jpeg-x2-q10"),
    Row("sr-jpeg-x2", SRNoCARPipeline, "jpeg", 2, "EDSR only (no CAR) JPEG ×2",
        pre="bicubic ↓2", post="EDSR ×2 (clean-LR trained, no CAR)", train="srcodec train sr --codec none --scale 2 --out runs/sr-x2, then copy runs/sr-x2/weights.safetensors to the weights folder as sr-jpeg-x2.safetensors"),
    Row("sr-jpeg-x4", SRNoCARPipeline, "jpeg", 4, "EDSR only (no CAR) JPEG ×4",
        pre="bicubic ↓4", post="EDSR ×4 (clean-LR trained, no CAR)", train="srcodec train sr --codec none --scale 4 --out runs/sr-x4, then copy runs/sr-x4/weights.safetensors to the weights folder as sr-jpeg-x4.safetensors"),
    Own(NagasakiJPEG),
    Row("avif-restored", RestoredPipeline, "avif", 1, "AVIF (PSNR-tuned) + restorer",
        post="QRestorer (RGB + quality → RGB)", train="srcodec train restorer --codec avif --quality 5-90 --out runs/avif-restorer (recipes/avif-restored.sh)"),
    Row("jpeg-restored", RestoredPipeline, "jpeg", 1, "JPEG + restorer",
        post="QRestorer (RGB + quality → RGB)", train="srcodec train restorer --codec jpeg --quality 5-95 --per-image 4 --out runs/jpeg-restorer (recipes/jpeg-restored.sh)"),
    Row("vvc-restored", RestoredPipeline, "vvc", 1, "VVC + restorer",
        post="QRestorer (Y/Cb/Cr planes + QP → RGB)", train="srcodec train restorer --codec vvc --out runs/vvc-restorer --minutes 60 (recipes/vvc-restored.sh)"),
    Row("vvc-x2", RestoredPipeline, "vvc", 2, "VVC ×2 + restorer",
        pre="bicubic ↓2", post="QRestorer ×2 (LR Y/Cb/Cr planes + QP → RGB)",
        train="srcodec train restorer --codec vvc --scale 2 --arch qrestorer-x2 --out runs/vvc-x2 (recipes/vvc-x2.sh)"),
    Row("vvc-x2-learned", LearnedDownRestoredPipeline, "vvc", 2, "VVC ×2, learned ↓2, + restorer",
        pre="learned downscaler ↓2 (Tun et al.'s, frozen)", post="QRestorer ×2 (LR Y/Cb/Cr planes + QP → RGB)",
        train="srcodec train restorer --codec vvc --scale 2 --arch qrestorer-x2 --down-weights "
              "src/srcodec/weights/tun2023-x2.safetensors --out runs/vvc-x2-learned (recipes/vvc-x2-learned.sh)"),
    Row("tun2023-x2", TunPipeline, "learned", 2, "Tun et al. 2023 ×2",
        pre="learned downscaler ↓2", post="EDSR ×2", train="srcodec train resampler --scale 2 --out runs/tun-x2"),
    Row("tun2023-x4", TunPipeline, "learned", 4, "Tun et al. 2023 ×4",
        pre="learned downscaler ↓4", post="EDSR ×4", train="srcodec train resampler --scale 4 --out runs/tun-x4"),
    Row("upenik-x2", UpenikPipeline, "learned", 2, "Upenik et al. latent-domain SR ×2",
        pre="bicubic ↓2", post="latent-domain SR ×2 (no LR pixels)", train="srcodec train latent-sr --scale 2 --out runs/upenik-x2"),
    Row("upenik-decoded-x2", UpenikDecodedAnchor, "learned", 2, "Upenik et al. decoded anchor ×2",
        pre="bicubic ↓2", post="decode → EDSR ×2", train="srcodec train sr --codec learned --quality 1-8 --scale 2 --arch edsr-compact --out runs/upenik-decoded-x2"),
    Row("upenik-x4", UpenikPipeline, "learned", 4, "Upenik et al. latent-domain SR ×4",
        pre="bicubic ↓4", post="latent-domain SR ×4 (no LR pixels)", train="srcodec train latent-sr --scale 4 --out runs/upenik-x4"),
    Row("upenik-decoded-x4", UpenikDecodedAnchor, "learned", 4, "Upenik et al. decoded anchor ×4",
        pre="bicubic ↓4", post="decode → EDSR ×4", train="srcodec train sr --codec learned --quality 1-8 --scale 4 --arch edsr-compact --out runs/upenik-decoded-x4"),
)

for _row in CATALOGUE:
    register_pipeline(_row.make())
