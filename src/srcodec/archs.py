"""The registry of every network srcodec runs, and their one weights-file format.

Every network -- the learned codec's models (``models/``) as much as the
networks of ``pre/`` and ``post/`` -- registers its class under a short
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
write and read it. The learned codec's weights are such a file too, with
one stage, ``codec`` (:mod:`srcodec.models.weights`).

A weights file's *identity* (:func:`weights_identity`, 8 bytes) is what a ``.srz``
file records, so that it is never decoded with other weights: the first 8
bytes of the file's sha256, or, for a file converted from an older format, the
identity of the file it was converted from (``srcodec.identity`` in the
metadata: the tensors are the same, so the files written with it still decode).
Learned-codec files of the older format (config as JSON under ``srcodec``,
tensors without a stage prefix) are still read, as a ``codec`` stage.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from typing import TYPE_CHECKING

from srcodec import registrations
from srcodec.errors import BadOptionError, InputError, UnknownNameError
from srcodec.registry import Registry

if TYPE_CHECKING:  # reading a weights file's metadata needs no torch; building a network imports it
    from torch import nn

#: every network class by architecture name (its modules: :data:`srcodec.registrations.NETWORKS`; the lab's
#: proxies, JPEG-Net in :mod:`srcodec.proxies.jpeg_emulator`, register into it when the lab imports them --
#: the runtime never imports the lab)
NETWORKS: Registry[type[nn.Module]] = Registry("network architecture", registrations.NETWORKS)

#: named configurations: preset name -> (arch name, config)
PRESETS: dict[str, tuple[str, dict]] = {}


STAGES_KEY = "srcodec.stages"
IDENTITY_KEY = "srcodec.identity"
#: the metadata key of the older learned-codec weights format (config JSON; tensors without a stage prefix)
LEGACY_CODEC_KEY = "srcodec"


def register_arch(name: str, **presets: dict):
    """Class decorator: make a network buildable as ``name``; ``presets`` name configurations.

    Preset names use ``-`` (``edsr_baseline=...`` registers ``edsr-baseline``).
    """
    def deco(cls):
        NETWORKS.add(name, cls)
        for key, cfg in presets.items():
            PRESETS[key.replace("_", "-")] = (name, dict(cfg))
        return cls
    return deco


def arch_names(base: type | None = None) -> list[str]:
    """Registered architecture names (only subclasses of ``base`` when given)."""
    return sorted(n for n, cls in NETWORKS.items() if base is None or issubclass(cls, base))


def preset_names() -> list[str]:
    NETWORKS.load()
    return sorted(PRESETS)


def build_arch(name: str, **config) -> nn.Module:
    """A fresh network of architecture ``name`` built with ``config``."""
    cls = NETWORKS.get(name)
    try:
        net = cls(**config)
    except TypeError as exc:
        raise BadOptionError(f"bad configuration for {name!r}: {exc}") from None
    net.arch_name = name
    net.arch_config = dict(config)
    return net


def build_preset(preset: str, **overrides) -> nn.Module:
    """A network from a named configuration (``edsr-baseline``, ``dncnn-compact``, ...) or an arch name."""
    NETWORKS.load()
    if preset in PRESETS:
        arch, cfg = PRESETS[preset]
        return build_arch(arch, **{**cfg, **overrides})
    if preset in NETWORKS:
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
            tensors[f"{stage}.{key}"] = t.detach().cpu().contiguous().clone()  # no shared storage
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
    if STAGES_KEY not in meta and LEGACY_CODEC_KEY in meta:
        return _legacy_codec_metadata(path, meta)
    if STAGES_KEY not in meta:
        raise InputError(f"{path}: weights file has no srcodec architecture metadata")
    meta[STAGES_KEY] = json.loads(meta[STAGES_KEY])
    return meta


def _legacy_codec_metadata(path, meta: dict) -> dict:
    """The metadata of an older learned-codec weights file, as that of a stage file with one stage ``codec``."""
    try:
        cfg = json.loads(meta.pop(LEGACY_CODEC_KEY))
        spec = {"arch": cfg.pop("arch"), "config": {"n": int(cfg.pop("N")), "m": int(cfg.pop("M")),
                                                     "lambdas": [float(v) for v in cfg.pop("lambdas")]}}
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{path}: weights file has no readable srcodec configuration ({exc})") from None
    cfg.pop("levels", None)
    return {**{k: str(v) for k, v in cfg.items()}, STAGES_KEY: {"codec": spec}, "srcodec.legacy": "1"}


_IDENTITIES: dict[str, tuple] = {}


def weights_identity(path: str | os.PathLike) -> bytes:
    """The 8-byte identity of a weights file (see the module docstring), cached by path, size and time;
    reads no tensor and needs no torch."""
    import hashlib

    p = Path(path)
    try:
        stat = p.stat()
    except OSError:
        raise InputError(f"{p}: no such weights file") from None
    key = (stat.st_mtime_ns, stat.st_size)
    hit = _IDENTITIES.get(str(p.resolve()))
    if hit is None or hit[0] != key:
        recorded = read_metadata(p).get(IDENTITY_KEY)
        digest = bytes.fromhex(recorded) if recorded else hashlib.sha256(p.read_bytes()).digest()[:8]
        hit = (key, digest)
        _IDENTITIES[str(p.resolve())] = hit
    return hit[1]


def convert_legacy(src: str | os.PathLike, dst: str | os.PathLike) -> Path:
    """Rewrite an older learned-codec weights file as a stage file (stage ``codec``), keeping its identity."""
    meta = read_metadata(src)
    if meta.get("srcodec.legacy") != "1":
        raise InputError(f"{src}: already a stage file")
    identity = weights_identity(src)
    nets = load_stages(src)
    info = {k: v for k, v in meta.items() if k not in (STAGES_KEY, "srcodec.legacy")}
    return save_stages(dst, nets, {**info, IDENTITY_KEY: identity.hex()})


def load_stages(path: str | os.PathLike, only: tuple[str, ...] | None = None) -> dict[str, nn.Module]:
    """Rebuild the networks of a stage file, weights loaded, in eval mode."""
    from safetensors.torch import load_file

    meta = read_metadata(path)
    tensors = load_file(str(path))
    legacy = meta.get("srcodec.legacy") == "1"  # one stage, tensors without its prefix
    nets = {}
    for stage, spec in meta[STAGES_KEY].items():
        if only is not None and stage not in only:
            continue
        net = build_arch(spec["arch"], **spec["config"])
        prefix = "" if legacy else f"{stage}."
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

