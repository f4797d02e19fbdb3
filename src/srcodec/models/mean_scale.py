"""Mean-scale hyperprior (Minnen et al. 2018, "Joint autoregressive and hierarchical priors", without context).

::

    x --g_a--> y --h_a--> z --round--[factorized]--> bytes(z)
                             z_hat --h_s--> (sigma, mu)
    y --round(y - mu) + mu--[Gaussian(mu, sigma)]--> bytes(y) --> y_hat --g_s--> x_hat
"""

from srcodec.models.base import LearnedModel
from srcodec.models.latent_codecs import GaussianLatent, HyperLatent


class MeanScaleHyperprior(LearnedModel):
    arch = "mean-scale"
    stride = 64

    def build_latent(self, n, m):
        h_a, h_s = self.hyper_transforms(n, m, abs_input=False, out=2 * m)
        return HyperLatent(h_a, h_s, n, GaussianLatent(means=True), abs_input=False)
