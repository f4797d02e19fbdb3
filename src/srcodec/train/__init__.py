"""Training for everything srcodec learns.

One engine, :mod:`.engine` (``run_task``: budget, LR schedule, checkpoints and
resume, validation, logs, device, threads, torchrun), built from the parts in
:mod:`.loop`, with the shared flags declared once in :mod:`.options`; each kind
of model is a ``Task`` in its own module exposing ``add_arguments(parser)`` and
``run(args)``:

- :mod:`.codec` -- the learned codec (``srcodec train codec``);
- :mod:`.sr`, :mod:`.car`, :mod:`.resampler`, :mod:`.comcnn` -- the networks of
  the resample-and-restore pipelines (tun2023, jin, jiang);
- :mod:`.restorer` -- the quality-aware post-filters of the ``*-restored``
  pipelines, on a decoded pool (:mod:`.pool`);
- :mod:`.prefilter` and :mod:`.jpegnet` -- Nagasaki et al.'s JPEG pre-filter
  and its learned JPEG emulator;
- :mod:`.latent_sr` -- Upenik et al.'s latent-domain SR decoder.

The exact commands behind every shipped weights file are in ``recipes/``.
"""
