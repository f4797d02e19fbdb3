"""The learned codec's weights: a stage file of :mod:`srcodec.archs` with one stage, ``codec``.

The file holds every tensor of the model's state dict (the integer entropy-coding tables included,
frozen by :meth:`~srcodec.models.base.LearnedModel.update_tables` before writing), the model's
architecture and config in the metadata like every other network, and the model id, training steps
and time as info fields. Its identity (:func:`srcodec.archs.weights_identity`) is what ``.srz`` files
record, so a file is never decoded with other weights.
"""

from __future__ import annotations

import os
from pathlib import Path

from srcodec.archs import load_stages, read_metadata, save_stages, weights_identity
from srcodec.errors import InputError
from srcodec.models.base import LearnedModel

STAGE = "codec"


def export_weights(model: LearnedModel, path: str | os.PathLike, model_id: str, extra: dict | None = None) -> Path:
    """Freeze the entropy tables and write ``path`` (.safetensors)."""
    model.update_tables()
    return save_stages(path, {STAGE: model}, {"model_id": model_id, **(extra or {})})


def load_weights(path: str | os.PathLike) -> tuple[LearnedModel, dict, bytes]:
    """(model in eval mode, config, weights identity) from a weights file."""
    p = Path(path)
    try:
        meta = read_metadata(p)
        if STAGE not in meta["srcodec.stages"]:
            raise InputError(f"no stage {STAGE!r}")
        model = load_stages(p, only=(STAGE,))[STAGE]
    except InputError as exc:
        reason = str(exc).removeprefix(f"{p}: ")
        raise InputError(f"{p}: not a weights file of a srcodec learned model ({reason})") from None
    if not isinstance(model, LearnedModel):
        raise InputError(f"{p}: its {STAGE!r} stage is a {model.arch_name}, not a learned codec model")
    config = {**model.config(), "model_id": meta.get("model_id", model.arch_name)}
    return model, config, weights_identity(p)
