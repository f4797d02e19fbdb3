"""Pre-stages, before the codec: learned downscalers and compact-image networks.

==================  ============================================  ===========================
module              network                                       paper
==================  ============================================  ===========================
``downscaler``      bicubic + learned residual downscaler          stands in for Sun & Chen 2020
``comcnn``          ComCNN (compact image, stride 2)               Jiang et al. 2017
==================  ============================================  ===========================

Every network takes float tensors in [0, 1], NCHW, RGB and is built by name
through :mod:`srcodec.archs`.
"""
