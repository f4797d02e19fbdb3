"""Checkerboard context on the mean-scale hyperprior (He et al. 2021, "Checkerboard context
model for efficient learned image compression") -- the default model.

::

    x --g_a--> y --h_a--> z --round--[factorized]--> bytes(z)
                             z_hat --h_s--> hyper features
    pass 1 (anchors, (i+j) even):  (sigma, mu) = ep(hyper, 0)
    pass 2 (non-anchors):          (sigma, mu) = ep(hyper, ctx5x5(anchor y_hat))
    y --round(y - mu) + mu--[Gaussian(mu, sigma)]--> bytes(y) --> y_hat --g_s--> x_hat

Both passes are fully parallel, so decoding costs two cheap passes of the
entropy-parameter network instead of one per latent position.
"""

from srcodec.models.base import LearnedModel
from srcodec.models.latent_codecs import CheckerboardLatent, HyperLatent


class CheckerboardHyperprior(LearnedModel):
    arch = "checkerboard"
    stride = 64

    def build_latent(self, n, m):
        h_a, h_s = self.hyper_transforms(n, m, abs_input=False, out=2 * m)
        return HyperLatent(h_a, h_s, n, CheckerboardLatent(m, 2 * m), abs_input=False)
