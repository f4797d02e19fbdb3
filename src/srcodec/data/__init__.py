"""Training data for srcodec's models: :mod:`.patches` (random crops from folders
of images, any trainer) and :mod:`.degrade` (the degraded inputs of the
restoration networks)."""

import os
from pathlib import Path

#: the data sets: ``$SRCODEC_DATA``, else ``../shared/datasets`` beside the project root (test sets and the
#: training pool; see its README)
DATASETS = Path(os.environ.get("SRCODEC_DATA") or Path(__file__).resolve().parents[3].parent / "shared" / "datasets")


def data_dir(name: str) -> Path:
    """The folder of data set ``name`` (``kodak``, ``set14``, ``train/bsds500``, ...) under :data:`DATASETS`."""
    return DATASETS / name
