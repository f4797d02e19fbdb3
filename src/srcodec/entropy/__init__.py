"""Entropy models and entropy coding for the learned codec.

One module, one job:

- :mod:`.quantize`   -- noise in training, rounding at inference, straight-through rounding
- :mod:`.factorized` -- a learned per-channel density (Balle et al. 2018) for hyper-latents
- :mod:`.gaussian`   -- a Gaussian conditional with a fixed log-spaced scale table
- :mod:`.tables`     -- integer probability tables (what the coder really sees)
- :mod:`.coder`      -- range coding of integer symbols with ``constriction``
"""

from srcodec.entropy.coder import SymbolDecoder, SymbolEncoder
from srcodec.entropy.factorized import FactorizedDensity
from srcodec.entropy.gaussian import GaussianConditional
from srcodec.entropy.quantize import noisy, ste_round

__all__ = ["FactorizedDensity", "GaussianConditional", "SymbolDecoder", "SymbolEncoder", "noisy", "ste_round"]
