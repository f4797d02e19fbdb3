"""Training data for srcodec's models: :mod:`.patches` (random crops from folders
of images, any trainer) and :mod:`.degrade` (the degraded inputs of the
restoration networks)."""

from pathlib import Path

#: ``../shared/datasets`` beside the project root (test sets and the training pool; see its README)
DATASETS = Path(__file__).resolve().parents[3].parent / "shared" / "datasets"
