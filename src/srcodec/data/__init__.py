"""Training data for srcodec's models: :mod:`.patches` (random crops from folders
of images, any trainer) and :mod:`.degrade` (the degraded inputs of the
restoration networks)."""
