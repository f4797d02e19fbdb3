"""Pre-stages, before the codec: learned downscalers, compact-image networks, pre-filters.

==================  ============================================  ===========================
module              network                                       paper
==================  ============================================  ===========================
``downscaler``      bicubic + learned residual downscaler          stands in for Sun & Chen 2020
``comcnn``          ComCNN (compact image, stride 2)               Jiang et al. 2017
``modifynet``       Modify-Net (JPEG pre-filter, VDSR-like)        Nagasaki et al.
==================  ============================================  ===========================

Every network takes float tensors in [0, 1], NCHW, RGB and is built by name
through :mod:`srcodec.archs`.
"""
