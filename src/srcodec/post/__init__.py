"""Post-stages, after the codec: super-resolution and compression-artifact removal.

=============  ==========================================  ==========================
module         network                                     paper
=============  ==========================================  ==========================
``edsr``       EDSR (x1 / x2 / x3 / x4)                    Lim et al. 2017
``dncnn``      DnCNN, used for artifact removal            Zhang et al. 2017
``arcnn``      ARCNN and ARCNN + ASPP                      Dong et al. 2015
``reccnn``     RecCNN (residual reconstruction)            Jiang et al. 2017
``latent_sr``  latent-domain SR decoder (x2 / x4)          Upenik et al.
=============  ==========================================  ==========================

Every network takes and returns float tensors in [0, 1], NCHW, RGB, of any
size, and is built by name through :mod:`srcodec.archs` -- except the
latent-domain decoder, which takes the learned codec's latent and returns
the image.
"""
