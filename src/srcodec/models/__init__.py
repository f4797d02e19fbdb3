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
"""

from __future__ import annotations

from srcodec.errors import UnknownNameError
from srcodec.models.base import LAMBDAS, QUALITY_RANGE, LearnedModel
from srcodec.models.checkerboard import CheckerboardHyperprior
from srcodec.models.factorized import FactorizedPrior
from srcodec.models.hyperprior import ScaleHyperprior
from srcodec.models.mean_scale import MeanScaleHyperprior

ARCHS: dict[str, type[LearnedModel]] = {
    cls.arch: cls for cls in (FactorizedPrior, ScaleHyperprior, MeanScaleHyperprior, CheckerboardHyperprior)
}
DEFAULT_ARCH = "checkerboard"


def build_model(arch: str = DEFAULT_ARCH, n: int = 128, m: int = 192, lambdas: tuple[float, ...] = LAMBDAS) -> LearnedModel:
    try:
        cls = ARCHS[arch]
    except KeyError:
        raise UnknownNameError(f"unknown model architecture {arch!r} (known: {', '.join(ARCHS)})") from None
    return cls(n=n, m=m, lambdas=lambdas)


__all__ = ["ARCHS", "DEFAULT_ARCH", "LAMBDAS", "QUALITY_RANGE", "LearnedModel", "build_model"]
