"""Weights files of the learned models: safetensors + config, named by model id.

A weights file holds every tensor of the model's state dict, including the
integer entropy-coding tables, and its config (arch, N, M, levels, lambdas,
model id) as JSON in the safetensors metadata. A small ``<id>.json`` next to it
repeats the config for people. :func:`weights_hash` (first 8 bytes of the
file's sha256) is what ``.srz`` files record, so a file is never decoded with
other weights.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import save as st_save

from srcodec.errors import InputError
from srcodec.io.files import write_atomic
from srcodec.models import LearnedModel, build_model


def weights_hash(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()[:8]


def export_weights(model: LearnedModel, path: str | os.PathLike, model_id: str, extra: dict | None = None) -> Path:
    """Freeze the entropy tables and write ``path`` (.safetensors) and its .json."""
    model.update_tables()
    config = {**model.config(), "model_id": model_id, **(extra or {})}
    tensors = {k: v.detach().cpu().contiguous().clone() for k, v in model.state_dict().items()}
    data = st_save(tensors, metadata={"srcodec": json.dumps(config)})
    p = write_atomic(path, data)
    config["sha256_8"] = weights_hash(data).hex()
    write_atomic(Path(path).with_suffix(".json"), (json.dumps(config, indent=2) + "\n").encode())
    return p


def load_weights(path: str | os.PathLike) -> tuple[LearnedModel, dict, bytes]:
    """(model in eval mode, config, weights hash) from a weights file."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{p}: cannot read weights ({exc.strerror or exc})") from None
    try:
        with safe_open(str(p), framework="pt") as fh:
            config = json.loads((fh.metadata() or {})["srcodec"])
            state = {k: fh.get_tensor(k) for k in fh.keys()}
        model = build_model(config["arch"], config["N"], config["M"], tuple(config["lambdas"]))
        model.load_state_dict(state)
    except Exception as exc:  # not safetensors, no srcodec config, or tensors that do not fit it
        raise InputError(f"{p}: not a weights file of a srcodec learned model ({type(exc).__name__})") from None
    model.eval()
    return model, config, weights_hash(data)
