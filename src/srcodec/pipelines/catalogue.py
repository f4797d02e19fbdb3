"""Every named pipeline of srcodec, one row each: the catalogue ``srcodec pipelines`` lists.

A row names a pipeline and says what it is made of: the class that holds its behaviour (what its
pre- and post-stage do: :mod:`.bicubic`, :mod:`.jin`, :mod:`.tun2023`, :mod:`.upenik`,
:mod:`.restored`), its inner codec (a codec spec), its scale, its label and stage descriptions (the
commands that train its weights are ``recipes/<name>.sh``). Pipelines whose behaviour is their own (Jiang et al."s,
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
    """One pipeline: ``name``, behaviour ``cls``, ``inner`` codec spec, ``scale``, ``label``, stage labels; the
    commands that train its weights are ``recipes/<name>.sh``, the one place training commands live."""

    name: str
    cls: type[Pipeline]
    inner: str
    scale: int
    label: str
    pre: str | None = None
    post: str | None = None
    def make(self) -> type[Pipeline]:
        inner = codec_class(self.inner)
        attrs = {"name": self.name, "inner": self.inner, "scale": self.scale, "label": self.label,
                 "options": (*(o for o in inner.options if o.name in inner.effort_options), *self.cls.own_options)}
        for key, value in (("pre_label", self.pre), ("post_label", self.post)):
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
        pre="bicubic ↓2", post="DnCNN CAR → EDSR ×2"),
    Row("jin-jpeg-x4", JinPipeline, "jpeg", 4, "Jin et al. JPEG ×4",
        pre="bicubic ↓4", post="DnCNN CAR → EDSR ×4"),
    Row("jin-avif-x1", JinPipeline, "avif:speed=6:tune=default", 1, "Jin et al. AVIF ×1",
        pre="-", post="DnCNN CAR → EDSR ×1"),
    Row("jin-avif-x2", JinPipeline, "avif:speed=6:tune=default", 2, "Jin et al. AVIF ×2",
        pre="bicubic ↓2", post="DnCNN CAR → EDSR ×2"),
    Row("jin-jpeg-x2-q10", JinPipeline, "jpeg", 2, "Jin et al. JPEG ×2, tuned at Q10",
        pre="bicubic ↓2", post="DnCNN CAR → EDSR ×2 (tuned for JPEG Q10)"),
    Row("sr-jpeg-x2", SRNoCARPipeline, "jpeg", 2, "EDSR only (no CAR) JPEG ×2",
        pre="bicubic ↓2", post="EDSR ×2 (clean-LR trained, no CAR)"),
    Row("sr-jpeg-x4", SRNoCARPipeline, "jpeg", 4, "EDSR only (no CAR) JPEG ×4",
        pre="bicubic ↓4", post="EDSR ×4 (clean-LR trained, no CAR)"),
    Own(NagasakiJPEG),
    Row("avif-restored", RestoredPipeline, "avif", 1, "AVIF (PSNR-tuned) + restorer",
        post="QRestorer (RGB + quality → RGB)"),
    Row("jpeg-restored", RestoredPipeline, "jpeg", 1, "JPEG + restorer",
        post="QRestorer (RGB + quality → RGB)"),
    Row("vvc-restored", RestoredPipeline, "vvc", 1, "VVC + restorer",
        post="QRestorer (Y/Cb/Cr planes + QP → RGB)"),
    Row("vvc-x2", RestoredPipeline, "vvc", 2, "VVC ×2 + restorer",
        pre="bicubic ↓2", post="QRestorer ×2 (LR Y/Cb/Cr planes + QP → RGB)"),
    Row("vvc-x2-learned", LearnedDownRestoredPipeline, "vvc", 2, "VVC ×2, learned ↓2, + restorer",
        pre="learned downscaler ↓2 (Tun et al.'s, frozen)", post="QRestorer ×2 (LR Y/Cb/Cr planes + QP → RGB)"),
    Row("tun2023-x2", TunPipeline, "learned", 2, "Tun et al. 2023 ×2",
        pre="learned downscaler ↓2", post="EDSR ×2"),
    Row("tun2023-x4", TunPipeline, "learned", 4, "Tun et al. 2023 ×4",
        pre="learned downscaler ↓4", post="EDSR ×4"),
    Row("upenik-x2", UpenikPipeline, "learned", 2, "Upenik et al. latent-domain SR ×2",
        pre="bicubic ↓2", post="latent-domain SR ×2 (no LR pixels)"),
    Row("upenik-decoded-x2", UpenikDecodedAnchor, "learned", 2, "Upenik et al. decoded anchor ×2",
        pre="bicubic ↓2", post="decode → EDSR ×2"),
    Row("upenik-x4", UpenikPipeline, "learned", 4, "Upenik et al. latent-domain SR ×4",
        pre="bicubic ↓4", post="latent-domain SR ×4 (no LR pixels)"),
    Row("upenik-decoded-x4", UpenikDecodedAnchor, "learned", 4, "Upenik et al. decoded anchor ×4",
        pre="bicubic ↓4", post="decode → EDSR ×4"),
)

for _row in CATALOGUE:
    register_pipeline(_row.make())
