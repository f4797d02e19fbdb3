"""Training for everything srcodec learns.

:mod:`.loop` is the shared machinery (distributed setup, time/step budget, LR
schedule, checkpoints and resume, progress bar, logs); each kind of model has
its own module exposing ``add_arguments(parser)`` and ``run(args)``:

- :mod:`.codec` -- the learned codec (``srcodec train codec``).
"""
