"""Learned image compression models, by architecture name.

=================  ==================================================  ======
arch               paper                                                stride
=================  ==================================================  ======
``factorized``     Balle et al. 2018 (factorized prior baseline)          16
``hyperprior``     Balle et al. 2018 (scale hyperprior)                   64
``mean-scale``     Minnen et al. 2018 (mean-scale hyperprior)             64
``checkerboard``   He et al. 2021 on the mean-scale hyperprior (default)  64
=================  ==================================================  ======

All take ``n`` (transform width) and ``m`` (latent channels) and carry gain
units for its quality levels, one per lambda (see :mod:`srcodec.models.base`).
They are architectures of the one network registry, :mod:`srcodec.archs`, like
every other network; their weights files are stage files with one stage,
``codec`` (:mod:`srcodec.models.weights`).
"""

from __future__ import annotations

from srcodec.archs import arch_names, build_arch, register_arch
from srcodec.errors import UnknownNameError
from srcodec.models.base import LAMBDAS, QUALITY_RANGE, LearnedModel
from srcodec.models.checkerboard import CheckerboardHyperprior
from srcodec.models.factorized import FactorizedPrior
from srcodec.models.hyperprior import ScaleHyperprior
from srcodec.models.mean_scale import MeanScaleHyperprior

for _cls in (FactorizedPrior, ScaleHyperprior, MeanScaleHyperprior, CheckerboardHyperprior):
    register_arch(_cls.arch)(_cls)
DEFAULT_ARCH = "checkerboard"


def codec_arch_names() -> list[str]:
    """The registered architectures that are learned codecs."""
    return arch_names(base=LearnedModel)


def build_model(arch: str = DEFAULT_ARCH, n: int = 128, m: int = 192, lambdas: tuple[float, ...] = LAMBDAS) -> LearnedModel:
    """A fresh learned codec model from the registry (its config recorded for the weights file)."""
    if arch not in codec_arch_names():
        raise UnknownNameError(f"unknown model architecture {arch!r} (known: {', '.join(codec_arch_names())})")
    return build_arch(arch, n=int(n), m=int(m), lambdas=[float(v) for v in lambdas])


__all__ = ["DEFAULT_ARCH", "LAMBDAS", "QUALITY_RANGE", "LearnedModel", "build_model", "codec_arch_names"]
