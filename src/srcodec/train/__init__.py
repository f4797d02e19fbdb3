"""Training for everything srcodec learns.

:mod:`.loop` is the shared machinery (distributed setup, time/step budget, LR
schedule, checkpoints and resume, progress bar, logs); each kind of model has
its own module exposing ``add_arguments(parser)`` and ``run(args)``:

- :mod:`.codec` -- the learned codec (``srcodec train codec``);
- :mod:`.sr`, :mod:`.car`, :mod:`.resampler`, :mod:`.comcnn` -- the networks of
  the resample-and-restore pipelines (tun2023, jin, jiang), on one engine,
  :mod:`.restore`;
- :mod:`.prefilter` and :mod:`.jpegnet` -- Nagasaki et al.'s JPEG pre-filter
  and its learned JPEG emulator;
- :mod:`.latent_sr` -- Upenik et al.'s latent-domain SR decoder.

The exact commands behind every shipped weights file are in ``recipes/``.
"""
