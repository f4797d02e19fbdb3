"""Training data: image folders turned into random patches (see :mod:`.patches`)."""
