"""Differentiable stand-ins for real codecs, for training only (part of the lab, never imported by the runtime).

- :mod:`.jpeg_diff` -- baseline JPEG redone in PyTorch with straight-through rounding (DiffJPEG), and a rate proxy;
- :mod:`.jpeg_emulator` -- JPEG-Net, a network trained to imitate libjpeg (Nagasaki et al.'s emulator);
  importing it registers its architecture (``jpegnet``) in :mod:`srcodec.archs`.
"""
