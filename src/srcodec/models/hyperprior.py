"""Scale hyperprior (Balle et al. 2018, "Variational image compression with a scale hyperprior").

::

    x --g_a--> y --|.|--h_a--> z --round--[factorized]--> bytes(z)
                                  z_hat --h_s--> sigma
    y --round--[Gaussian(0, sigma)]--> bytes(y) --> y_hat --g_s--> x_hat
"""

from torch import nn

from srcodec.models.base import LearnedModel
from srcodec.models.latent_codecs import GaussianLatent, HyperLatent


class ScaleHyperprior(LearnedModel):
    arch = "hyperprior"
    stride = 64

    def build_latent(self, n, m):
        h_a, h_s = self.hyper_transforms(n, m, abs_input=True, out=m)
        h_s.append(nn.ReLU())
        return HyperLatent(h_a, h_s, n, GaussianLatent(means=False), abs_input=True)
