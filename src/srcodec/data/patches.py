"""Random training patches from folders of images, for any model srcodec trains.

Every image under the given folders (recursively) is loaded once into memory
as uint8 RGB. JPEG sources are downscaled by 2 with antialiasing first, which
removes most of their compression artefacts; lossless sources (PNG, BMP, TIFF)
are used as they are. Images smaller than the crop are skipped.

:class:`PatchSampler` draws random crops with random horizontal/vertical flips.
With ``rank``/``world_size`` each distributed worker keeps its own shard of the
images (every ``world_size``-th one, like ``DistributedSampler``) and its own
random stream, so workers never see the same patch.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from srcodec.errors import InputError
from srcodec.io.image import load_image, to_rgb

JPEG_SUFFIXES = {".jpg", ".jpeg"}
LOSSLESS_SUFFIXES = {".png", ".bmp", ".tif", ".tiff", ".ppm", ".webp"}


def find_images(dirs: list[str | os.PathLike]) -> list[Path]:
    """All image files under ``dirs``, recursively, in a stable order."""
    found: list[Path] = []
    for d in dirs:
        p = Path(d)
        if not p.is_dir():
            raise InputError(f"{p}: training data folder does not exist")
        found += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in JPEG_SUFFIXES | LOSSLESS_SUFFIXES)
    if not found:
        raise InputError(f"no images found under {', '.join(map(str, dirs))}")
    return found


def load_training_image(path: Path, halve_jpeg: bool = True) -> np.ndarray:
    """Canonical RGB array; JPEGs downscaled x2 with a Lanczos (antialiasing) filter unless ``halve_jpeg`` is off
    (then at the resolution of the file, faint JPEG artefacts included)."""
    img = to_rgb(load_image(path))
    if halve_jpeg and path.suffix.lower() in JPEG_SUFFIXES:
        h, w = img.shape[:2]
        pil = Image.fromarray(img).resize((max(1, w // 2), max(1, h // 2)), Image.LANCZOS)
        img = np.asarray(pil)
    return img


def pool_cache_dir() -> Path | None:
    """Where decoded training pools are cached: ``$SRCODEC_CACHE`` (empty = no cache) or ``~/.cache/srcodec``."""
    env = os.environ.get("SRCODEC_CACHE")
    if env is not None:
        return Path(env) if env else None
    return Path.home() / ".cache" / "srcodec"


def load_pool(paths: list[Path]) -> list[np.ndarray]:
    """:func:`load_training_image` of every path, through an on-disk cache of the decoded pool.

    Decoding and downscaling every JPEG of the training pool is the slow part
    of starting a training run; the cache (one ``.npy`` of all pixels and one
    of the shapes, keyed by the paths, sizes and modification times of the
    files) is read instead from the second run on. A cache that cannot be
    read or written is ignored.
    """
    import hashlib

    folder = pool_cache_dir()
    key = hashlib.sha256()
    for p in paths:
        st = p.stat()
        key.update(f"{p.resolve()}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    key.update(b"v1 lanczos x2 for jpeg")
    stem = folder / f"pool-{key.hexdigest()[:20]}" if folder is not None else None
    if stem is not None:
        try:
            shapes = np.load(f"{stem}.shapes.npy")
            flat = np.load(f"{stem}.pixels.npy")
            ends = np.cumsum([int(np.prod(sh)) for sh in shapes])
            if len(shapes) == len(paths) and ends[-1] == flat.size:
                return [flat[e - int(np.prod(sh)):e].reshape(sh) for e, sh in zip(ends, shapes)]
        except (OSError, ValueError, IndexError):
            pass
    images = [load_training_image(p) for p in paths]
    if stem is not None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for suffix, arr in ((".pixels.npy", np.concatenate([im.reshape(-1) for im in images])),
                                (".shapes.npy", np.array([im.shape for im in images], dtype=np.int64))):
                tmp = Path(f"{stem}{suffix}.{os.getpid()}.tmp")
                with open(tmp, "wb") as fh:
                    np.save(fh, arr)
                os.replace(tmp, f"{stem}{suffix}")
        except OSError:
            pass
    return images


class PatchSampler:
    """Random ``crop x crop`` patches (float tensors in [0, 1], NCHW) from a set of images."""

    def __init__(self, dirs: list[str | os.PathLike], crop: int, *, rank: int = 0, world_size: int = 1, seed: int = 0):
        self.crop = crop
        paths = find_images(dirs)[rank::world_size]
        self.images = []
        self.skipped = 0
        for img in load_pool(paths):
            if min(img.shape[:2]) < crop:
                self.skipped += 1
                continue
            self.images.append(img)
        if not self.images:
            raise InputError(f"no training image is at least {crop}x{crop} pixels")
        weights = np.array([im.shape[0] * im.shape[1] for im in self.images], dtype=np.float64)
        self.weights = weights / weights.sum()  # big images give more patches
        self.rng = np.random.default_rng(seed + 1000003 * rank)

    def __len__(self) -> int:
        return len(self.images)

    def batch(self, size: int) -> torch.Tensor:
        c = self.crop
        out = np.empty((size, c, c, 3), dtype=np.uint8)
        for k, i in enumerate(self.rng.choice(len(self.images), size=size, p=self.weights)):
            img = self.images[i]
            y = self.rng.integers(0, img.shape[0] - c + 1)
            x = self.rng.integers(0, img.shape[1] - c + 1)
            patch = img[y:y + c, x:x + c]
            if self.rng.random() < 0.5:
                patch = patch[:, ::-1]
            if self.rng.random() < 0.5:
                patch = patch[::-1]
            out[k] = patch
        return torch.from_numpy(out).permute(0, 3, 1, 2).float().div_(255.0)

    def state(self) -> dict:
        return {"rng": self.rng.bit_generator.state}

    def load_state(self, state: dict) -> None:
        self.rng.bit_generator.state = state["rng"]
