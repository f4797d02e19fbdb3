"""Factorized prior (Balle et al. 2018, "Variational image compression with a scale hyperprior", baseline).

::

    x --g_a--> y --gain--> round --[learned per-channel density]--> bytes
    bytes --> y_hat --inverse gain--> g_s --> x_hat
"""

from srcodec.models.base import LearnedModel
from srcodec.models.latent_codecs import FactorizedLatent


class FactorizedPrior(LearnedModel):
    arch = "factorized"
    stride = 16

    def build_latent(self, n, m):
        return FactorizedLatent(m, radius=128, name="y")
