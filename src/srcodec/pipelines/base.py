"""What a pipeline is: pre-stage -> inner codec -> post-stage, seen from outside as one codec.

A :class:`Pipeline` is a :class:`~srcodec.codecs.base.Codec`: ``encode`` turns
an image into the bytes of a ``.srz`` file, ``decode`` turns them back, and
the CLI, the API and the benchmark use it by name like any codec::

    encode: image ─► to RGB, pad to a multiple of the scale ─► pre(x) ─► inner codec.encode(q) ─► .srz
    decode: .srz ─► inner codec.decode ─► post(lr) ─► crop to the original size (grey if it was grey)

The ``.srz`` header (:mod:`srcodec.container.srz`) records the pipeline's name
(so :func:`srcodec.decompress` finds it), the weights id and hash, the original
size and channels, the padding, the quality, and in its ``extra`` field the
inner codec and the scale (ASCII ``"<inner> x<scale>"``, e.g. ``jpeg x2``);
the single payload stream is the inner codec's own file, byte for byte. A
pipeline without weights writes an empty model id and a zero hash (the header
is then about 75 bytes).

A pipeline with networks (``stages``) loads them from its weights file
``srcodec/weights/<name>.safetensors`` (see :mod:`srcodec.archs` for the
format). Without that file it reports itself unavailable, with the reason and
the command that trains the weights, instead of failing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar

from typing import TYPE_CHECKING

import numpy as np

from srcodec.codecs.base import CODECS, Codec, Option, codec_class, get_codec, register_codec
from srcodec.errors import BadOptionError, InputError, UnknownNameError
from srcodec.io.image import to_pil, to_rgb
from srcodec.tiling import run_chain
from srcodec.io.resample import pad_to_multiple

if TYPE_CHECKING:  # torch is imported only when a network runs
    import torch

#: shipped weights; SRCODEC_PIPELINE_WEIGHTS_DIR points elsewhere (to try weights before shipping them)
WEIGHTS_DIR = Path(__file__).resolve().parents[1] / "weights"
NO_WEIGHTS_HASH = b"\x00" * 8


#: weights file -> ((inode, mtime, size), networks): loaded once per process, again when the file changes
_LOADED: dict[str, tuple] = {}


def _file_key(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return st.st_ino, st.st_mtime_ns, st.st_size


#: a pipeline's quality knob is its inner codec's: these attributes are copied from it
INNER_QUALITY_ATTRS = ("quality_help", "quality_range", "default_quality", "sweep", "integer_quality")


class Pipeline(Codec):
    """pre-stage -> inner codec -> post-stage, written as a ``.srz`` file."""

    extension = ".srz"
    keeps = frozenset({"exif", "xmp", "icc", "alpha"})  # the .srz metadata section
    grey_modes = frozenset({"L", "LA"})
    #: the paper (or baseline) the pipeline follows, one line
    paper: ClassVar[str] = ""
    #: the inner codec: a name in the codec registry, or a spec with options (``avif:speed=6``)
    inner: ClassVar[str] = "jpeg"
    #: which points of the inner codec's sweep are the pipeline's (benchmark points)
    sweep_points: ClassVar[slice] = slice(1, None, 2)
    #: the image side is divided by ``scale`` before the codec
    scale: ClassVar[int] = 1
    #: short descriptions of the two stages, for listings
    pre_label: ClassVar[str] = "-"
    post_label: ClassVar[str] = "-"
    #: the networks the weights file must hold; empty = needs no weights
    stages: ClassVar[tuple[str, ...]] = ()
    #: for each stage, the architectures it may have
    stage_archs: ClassVar[dict[str, tuple[str, ...]]] = {}
    #: options of the pipeline itself (its ``options`` are these and its inner codec's effort options)
    own_options: ClassVar[tuple[Option, ...]] = ()

    def __init__(self, **options):
        super().__init__(**options)
        own = {o.name for o in self.own_options}
        inner = {k: self.opts[k] for k in options if k not in own}
        if inner:  # the inner codec's effort options (Codec.effort_options), taken as this pipeline's own
            self.inner = get_codec(type(self).inner, **inner).spec
        _copy_quality_knob(self, codec_class(self.inner))
        self._nets: dict[str, torch.nn.Module] | None = None

    # -- identity ---------------------------------------------------------

    @classmethod
    def structure(cls) -> str:
        return f"{cls.pre_label} → {cls.inner} → {cls.post_label}"

    @classmethod
    def weights_path(cls) -> Path:
        folder = os.environ.get("SRCODEC_PIPELINE_WEIGHTS_DIR") or WEIGHTS_DIR
        return Path(folder) / f"{cls.name}.safetensors"

    @classmethod
    def unavailable_reason(cls) -> str | None:
        try:
            inner = codec_class(cls.inner)
        except UnknownNameError:
            return f"its inner codec {cls.inner!r} is not part of this srcodec"
        reason = inner.unavailable_reason()
        if reason:
            return f"its inner codec {cls.inner!r} is unavailable ({reason})"
        if cls.stages and not cls.weights_path().is_file():
            return (f"its weights are not shipped ({cls.weights_path()} is missing); train them with the commands of "
                    f"recipes/{cls.name}.sh (in srcodec's repository)")
        if cls.stages:
            return cls._weights_problem()
        return None

    @classmethod
    def _weights_problem(cls) -> str | None:
        """Why the weights file does not fit this pipeline (its header only), or None."""
        from srcodec.archs import STAGES_KEY, read_metadata

        path = cls.weights_path()
        try:
            specs = read_metadata(path)[STAGES_KEY]
        except InputError as exc:
            return str(exc)
        missing = [s for s in cls.stages if s not in specs]
        if missing:
            return f"{path} has no stage {', '.join(missing)} (it has {', '.join(specs)})"
        for stage, allowed in cls.stage_archs.items():
            if specs[stage]["arch"] not in allowed:
                return f"{path}: stage {stage!r} is a {specs[stage]['arch']}, {cls.name} needs {' or '.join(allowed)}"
        return None

    def settings(self) -> dict:
        # the weights' hash too: the bench measures a pipeline again when its weights change
        own = {o.name: self.opts[o.name] for o in self.own_options if self.opts[o.name] != o.default}
        return {"pipeline": self.name, "inner": self.inner, "scale": self.scale,
                "weights_sha256_8": self.weights_hash().hex() if self.stages else None,
                "inner_settings": get_codec(self.inner).settings(), **own}

    def weights_hash(self) -> bytes:
        """The weights file's identity, :func:`srcodec.archs.weights_identity` (itself cached by file; zeros
        for a pipeline without weights)."""
        if not self.stages:
            return NO_WEIGHTS_HASH
        from srcodec.archs import weights_identity

        return weights_identity(self.weights_path())

    def uses(self) -> tuple[str, ...]:
        return (self.inner,)

    def weights_files(self) -> tuple[Path, ...]:
        return (self.weights_path(),) if self.stages else ()

    def model_id(self) -> str:
        """The weights' id (the pipeline name), or empty for a pipeline without weights."""
        return self.name if self.stages else ""

    def _extra(self) -> bytes:
        return f"{codec_class(self.inner).name} x{self.scale}".encode("ascii")

    def extra_for(self, image: np.ndarray, inner: bytes, quality: float, padded: tuple[int, int]) -> bytes:
        """The header's ``extra`` field for a file of ``image`` (its inner codec's file ``inner``, the padded size
        ``padded``): the pipeline's layout, and whatever it fits to the image at encode time."""
        return self._extra()

    def extra_ok(self, extra: bytes) -> bool:
        """Whether a file's ``extra`` header field is this pipeline's layout."""
        return extra == self._extra()

    # -- networks ---------------------------------------------------------

    @property
    def nets(self) -> dict[str, torch.nn.Module]:
        """The stage networks, loaded from the weights file on first use (eval mode)."""
        if self._nets is None:
            from srcodec.archs import load_stages

            path = self.weights_path()
            hit = _LOADED.get(str(path))
            if hit is not None and hit[0] == _file_key(path):
                self._nets = hit[1]
                return hit[1]
            nets = load_stages(path, only=self.stages)
            for stage, allowed in self.stage_archs.items():
                if nets[stage].arch_name not in allowed:
                    raise InputError(f"{self.weights_path()}: stage {stage!r} is a {nets[stage].arch_name}, "
                                     f"{self.name} needs {' or '.join(allowed)}")
            self.check_nets(nets)
            _LOADED[str(path)] = (_file_key(path), nets)
            self._nets = nets
        return self._nets

    def check_nets(self, nets: dict[str, torch.nn.Module]) -> None:
        """Refuse weights that do not fit this pipeline (e.g. an SR net of another scale)."""
        sr = nets.get("sr")
        if sr is not None and getattr(sr, "scale", self.scale) != self.scale:
            raise InputError(f"{self.weights_path()}: its SR network enlarges x{sr.scale}, {self.name} needs x{self.scale}")

    #: networks applied one after the other to a uint8 image, in tiles (:func:`srcodec.tiling.run_chain`)
    run_nets = staticmethod(run_chain)

    # -- the two stages -----------------------------------------------------

    def probe(self):
        """This pipeline around its inner codec's stand-in (the same networks, the same files' layout), built by
        its constructor from the stand-in's effort options, and the inner codec's offsets; ``None`` when the inner
        codec has no stand-in (or the stand-in differs in more than what this pipeline takes as options)."""
        found = get_codec(self.inner).probe()
        if found is None:
            return None
        options = {k: found[0].opts[k] for k in self.opts if k in found[0].opts}
        stand_in = type(self)(**options)
        if stand_in.inner != found[0].spec:
            return None
        offsets = dict(found[1])
        offsets["psnr"] = offsets.get("psnr", 0.0) / self.scale  # enlarging's own error dilutes the codec's gain
        return stand_in, offsets

    def lighter(self) -> list[str]:
        """This pipeline around each of its inner codec's faster settings (its effort options)."""
        out = []
        for spec in get_codec(self.inner).lighter():
            inner = get_codec(spec)
            own = {o.name: self.opts[o.name] for o in self.own_options}
            out.append(type(self)(**{k: inner.opts[k] for k in self.opts if k in inner.opts}, **own).spec)
        return out

    def wrapped_codec(self) -> str | None:
        # ×1 without a pre-stage: the inner codec codes the RGB image itself, and the .srz holds its file
        if self.scale == 1 and type(self).pre is Pipeline.pre:
            return get_codec(self.inner).spec
        return None

    def unwrap(self, data: bytes) -> bytes:
        return self.unpack(data)[1]

    def pre(self, rgb: np.ndarray) -> np.ndarray:
        """HR RGB uint8 (sides multiples of ``scale``) -> the image given to the inner codec."""
        return rgb

    def post(self, lr: np.ndarray) -> np.ndarray:
        """The decoded inner image (RGB uint8) -> the restored image, ``scale`` times larger."""
        return lr

    # -- Codec ------------------------------------------------------------

    def encode(self, image: np.ndarray, quality: float) -> bytes:
        from srcodec.container import srz

        q = self.check_quality(quality)
        h, w, c = image.shape
        rgb = pad_to_multiple(to_rgb(image), self.scale)
        inner_bytes = get_codec(self.inner).encode(self.pre(rgb), q)
        return srz.pack(self.name, self.model_id(), self.weights_hash(), h, w, c, [inner_bytes],
                        pad_bottom=rgb.shape[0] - h, pad_right=rgb.shape[1] - w, quality=q,
                        extra=self.extra_for(image, inner_bytes, q, rgb.shape[:2]))

    def unpack(self, data: bytes):
        """(header, inner codec's file) of one of this pipeline's ``.srz`` files, after every consistency check."""
        from srcodec.container import srz

        header, streams = srz.unpack(data)
        if header.codec != self.name:
            raise InputError(f"this .srz file was written by {header.codec!r}, not by the pipeline {self.name!r}")
        if not self.extra_ok(header.extra) or len(streams) != 1:
            raise InputError(f"corrupted .srz header (not the layout of pipeline {self.name!r})")
        if header.model_id != self.model_id():
            raise InputError(f"corrupted .srz header (model id {header.model_id!r}, expected {self.model_id()!r})")
        try:
            self.check_quality(header.quality)
        except BadOptionError:
            raise InputError(f"corrupted .srz header (quality {header.quality} is outside this pipeline's range)") from None
        if (header.pad_bottom >= self.scale or header.pad_right >= self.scale
                or (header.height + header.pad_bottom) % self.scale or (header.width + header.pad_right) % self.scale):
            raise InputError("corrupted .srz header (padding does not match the pipeline's scale)")
        if header.weights_hash != self.weights_hash():
            raise InputError(f"{self.name}: this file was coded with other weights (hash {header.weights_hash.hex()},"
                             f" installed {self.weights_hash().hex()}); decode it with the srcodec that wrote it")
        return header, streams[0]

    @staticmethod
    def finish(out: np.ndarray, height: int, width: int, channels: int) -> np.ndarray:
        """The restored (padded) RGB image -> the original size and channel count (a header's fields)."""
        out = out[:height, :width]
        if channels == 1:
            out = np.asarray(to_pil(np.ascontiguousarray(out)).convert("L"))[:, :, None]
        return np.ascontiguousarray(out)

    def decode(self, data: bytes) -> np.ndarray:
        header, inner = self.unpack(data)
        ph, pw = header.height + header.pad_bottom, header.width + header.pad_right
        lr = to_rgb(get_codec(self.inner).decode(inner))
        if lr.shape[:2] != (ph // self.scale, pw // self.scale):
            raise InputError(f"corrupted .srz file (inner image is {lr.shape[1]}x{lr.shape[0]}, "
                             f"expected {pw // self.scale}x{ph // self.scale})")
        return self.finish(self.post(lr), header.height, header.width, header.channels)


def _copy_quality_knob(target, inner: type[Codec]) -> None:
    """A pipeline's quality knob is its inner codec's; so is its benchmark sweep, except that a
    pipeline with networks measures every other point of it (four: each decode is a CNN pass), or
    the points its ``sweep_points`` slice picks."""
    for attr in INNER_QUALITY_ATTRS:
        setattr(target, attr, getattr(inner, attr))
    if target.stages:
        target.sweep = tuple(inner.sweep[target.sweep_points])


def register_pipeline(cls: type[Pipeline]) -> type[Pipeline]:
    """Register a pipeline as a codec (by its name) and in the list of pipelines.

    The quality settings shown in listings are the inner codec's (copied here
    when it is registered already, else on instantiation).
    """
    try:
        inner = codec_class(cls.inner)
    except UnknownNameError:
        inner = None
    if inner is not None:
        _copy_quality_knob(cls, inner)
    return register_codec(cls)


def pipeline_names() -> list[str]:
    """The registered codecs that are pipelines, in catalogue order."""
    return [name for name, cls in CODECS.items() if isinstance(cls, type) and issubclass(cls, Pipeline)]


def pipeline_class(name: str) -> type[Pipeline]:
    if name not in pipeline_names():
        raise UnknownNameError(f"unknown pipeline {name!r} (known: {', '.join(pipeline_names())})")
    return CODECS.get(name)
