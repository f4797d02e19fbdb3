"""The registry of restoration networks, and their weights files.

Every network of ``pre/`` and ``post/`` registers its class under a short
architecture name, so a weights file can say what it holds and be rebuilt
without code changes (the BasicSR idea)::

    @register_arch("edsr")
    class EDSR(nn.Module): ...

    net = build_arch("edsr", scale=2, n_blocks=16, channels=64)
    net = build_preset("edsr-baseline", scale=2)     # a named configuration

A built network remembers ``arch_name`` and ``arch_config``. A *stage file*
(``.safetensors``) holds one or more named networks -- the stages of a
pipeline, e.g. ``{"car": DnCNN, "sr": EDSR}`` -- with their tensors under
``<stage>.<parameter>`` and, in the metadata, ``srcodec.stages`` = JSON
``{stage: {"arch": name, "config": {...}}}`` plus free-form string fields
(paper, training data, steps). :func:`save_stages` / :func:`load_stages`
write and read it.
"""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path

from typing import TYPE_CHECKING

from srcodec.errors import BadOptionError, InputError, UnknownNameError

if TYPE_CHECKING:  # reading a weights file's metadata needs no torch; building a network imports it
    from torch import nn

_ARCHS: dict[str, type[nn.Module]] = {}

#: named configurations: preset name -> (arch name, config)
PRESETS: dict[str, tuple[str, dict]] = {}

#: modules that register architectures; imported on first use
_ARCH_MODULES = ("srcodec.post.edsr", "srcodec.post.dncnn", "srcodec.post.arcnn", "srcodec.post.reccnn",
                 "srcodec.post.latent_sr", "srcodec.post.restorer", "srcodec.pre.downscaler", "srcodec.pre.comcnn", "srcodec.pre.modifynet")
#: (the lab's architectures -- JPEG-Net, :mod:`srcodec.proxies.jpeg_emulator` -- register into the same
#: registry when the lab code that uses them imports their module; the runtime never imports the lab)

STAGES_KEY = "srcodec.stages"


def register_arch(name: str, **presets: dict):
    """Class decorator: make a network buildable as ``name``; ``presets`` name configurations.

    Preset names use ``-`` (``edsr_baseline=...`` registers ``edsr-baseline``).
    """
    def deco(cls):
        if name in _ARCHS and _ARCHS[name] is not cls:
            raise ValueError(f"architecture {name!r} registered twice")
        _ARCHS[name] = cls
        for key, cfg in presets.items():
            PRESETS[key.replace("_", "-")] = (name, dict(cfg))
        return cls
    return deco


def _load_all() -> None:
    for mod in _ARCH_MODULES:
        importlib.import_module(mod)


def arch_names() -> list[str]:
    _load_all()
    return sorted(_ARCHS)


def preset_names() -> list[str]:
    _load_all()
    return sorted(PRESETS)


def build_arch(name: str, **config) -> nn.Module:
    """A fresh network of architecture ``name`` built with ``config``."""
    _load_all()
    if name not in _ARCHS:
        raise UnknownNameError(f"unknown network architecture {name!r} (known: {', '.join(sorted(_ARCHS))})")
    try:
        net = _ARCHS[name](**config)
    except TypeError as exc:
        raise BadOptionError(f"bad configuration for {name!r}: {exc}") from None
    net.arch_name = name
    net.arch_config = dict(config)
    return net


def build_preset(preset: str, **overrides) -> nn.Module:
    """A network from a named configuration (``edsr-baseline``, ``dncnn-compact``, ...) or an arch name."""
    _load_all()
    if preset in PRESETS:
        arch, cfg = PRESETS[preset]
        return build_arch(arch, **{**cfg, **overrides})
    if preset in _ARCHS:
        return build_arch(preset, **overrides)
    raise UnknownNameError(f"unknown network {preset!r} (presets: {', '.join(sorted(PRESETS))})")


def count_parameters(net: nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())


def stage_spec(net: nn.Module) -> dict:
    if not hasattr(net, "arch_name"):
        raise ValueError("network was not made by build_arch, so its architecture cannot be recorded")
    return {"arch": net.arch_name, "config": net.arch_config}


def save_stages(path: str | os.PathLike, nets: dict[str, nn.Module], info: dict | None = None) -> Path:
    """Write networks (by stage name) as one safetensors file, their architectures and ``info`` in the metadata."""
    from safetensors.torch import save

    from srcodec.io.files import write_atomic

    tensors, specs = {}, {}
    for stage, net in nets.items():
        specs[stage] = stage_spec(net)
        for key, t in net.state_dict().items():
            tensors[f"{stage}.{key}"] = t.detach().cpu().contiguous()
    meta = {STAGES_KEY: json.dumps(specs, sort_keys=True)}
    meta.update({k: str(v) for k, v in (info or {}).items() if k != STAGES_KEY})
    return write_atomic(path, save(tensors, metadata=meta))


def read_metadata(path: str | os.PathLike) -> dict:
    """The metadata of a stage file (architectures under ``srcodec.stages``, parsed)."""
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="numpy") as fh:  # the header only: no torch needed
            meta = dict(fh.metadata() or {})
    except FileNotFoundError:
        raise InputError(f"{path}: no such weights file") from None
    except Exception as exc:  # safetensors raises its own error types for foreign files
        raise InputError(f"{path}: not a safetensors weights file ({str(exc).splitlines()[0]})") from None
    if STAGES_KEY not in meta:
        raise InputError(f"{path}: weights file has no srcodec architecture metadata")
    meta[STAGES_KEY] = json.loads(meta[STAGES_KEY])
    return meta


def load_stages(path: str | os.PathLike, only: tuple[str, ...] | None = None) -> dict[str, nn.Module]:
    """Rebuild the networks of a stage file, weights loaded, in eval mode."""
    from safetensors.torch import load_file

    meta = read_metadata(path)
    tensors = load_file(str(path))
    nets = {}
    for stage, spec in meta[STAGES_KEY].items():
        if only is not None and stage not in only:
            continue
        net = build_arch(spec["arch"], **spec["config"])
        prefix = f"{stage}."
        state = {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}
        try:
            net.load_state_dict(state)
        except RuntimeError as exc:
            raise InputError(f"{path}: weights of stage {stage!r} do not fit {spec['arch']} ({str(exc).splitlines()[0]})") from None
        nets[stage] = net.eval()
    if only is not None:
        missing = [s for s in only if s not in nets]
        if missing:
            raise InputError(f"{path}: no stage {', '.join(missing)} in this weights file (has {', '.join(meta[STAGES_KEY])})")
    return nets

