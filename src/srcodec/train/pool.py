"""Decoded training pools: each training image through the real codec once, cached on disk.

A restoration network learns to undo what one codec does. Coding a batch with
the real codec at every step spends the CPU on the codec (VVenC takes about a
second for a small image); a *pool* does that work once::

    training images ─► (JPEG: ↓2 antialiased, unless full_resolution) ─► crop to a multiple of 8·s
                   ─► (s > 1: bicubic ↓s, or a learned downscaler: the ×s pipeline's pre-stage)
                   ─► codec.encode(q) at K qualities per image ─► what the decoder gives
                      (VVC: its Y, Cb, Cr planes; other codecs: RGB) ─► one .npz per image

and the trainer then draws random crops from it for as many epochs as it
likes (:class:`PoolSampler`). The K qualities of an image are stratified over
the quality range with a random offset per image, so the pool covers the range
evenly and the network sees every rate on every kind of content.

The cache folder is ``<cache>/pools/<codec spec>-<key>/`` (``SRCODEC_CACHE``,
default ``~/.cache/srcodec``): a ``pool.json`` with the settings, the build
time and size, and one ``NNNNN.npz`` per image. Building is resumable (images
already there are skipped) and runs in parallel processes.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import torch

from srcodec.errors import InputError


def pool_qualities(index: int, count: int, lo: float, hi: float, seed: int, integer: bool) -> list[float]:
    """``count`` qualities for image ``index``: one in each of ``count`` equal slices of [lo, hi]."""
    u = np.random.default_rng([seed, index]).random(count)
    qs = [lo + (j + u[j]) * (hi - lo) / count for j in range(count)]
    return [float(round(q)) if integer else float(q) for q in qs]


_DOWNSCALERS: dict[str, torch.nn.Module] = {}


def downscale(img: np.ndarray, scale: int, downscaler: str | None) -> np.ndarray:
    """``img`` as a ×``scale`` pipeline's pre-stage gives it to its codec: bicubic ↓, or the ``down`` stage of
    the weights file ``downscaler`` (frozen, loaded once per process)."""
    from srcodec.pre.shrink import shrink

    net = None
    if downscaler is not None:
        if downscaler not in _DOWNSCALERS:
            from srcodec.archs import load_stages

            _DOWNSCALERS[downscaler] = load_stages(downscaler, only=("down",))["down"].eval()
        net = _DOWNSCALERS[downscaler]
    return shrink(img, scale, net)


def _encode_one(job: tuple) -> tuple[int, str | None]:
    """Worker: code one image at its qualities and write its .npz; (index, error or None)."""
    index, path, out, codec_spec, qualities, scale, downscaler, full_resolution = job
    from srcodec.codecs import get_codec
    from srcodec.data.patches import load_training_image
    from srcodec.post.restorer import decoder_planes

    torch.set_num_threads(1)
    try:
        img = load_training_image(Path(path), halve_jpeg=not full_resolution)
        h, w = img.shape[:2]
        m = 8 * scale
        img = np.ascontiguousarray(img[: h - h % m, : w - w % m])
        if min(img.shape[:2]) < 16 * scale:
            return index, f"{path}: too small after cropping"
        small = downscale(img, scale, downscaler)
        codec = get_codec(codec_spec)
        arrays = {"original": img, "quality": np.array(qualities, np.float32),
                  "bytes": np.zeros(len(qualities), np.int64)}
        for k, q in enumerate(qualities):
            data = codec.encode(small, q)
            arrays["bytes"][k] = len(data)
            for name, plane in decoder_planes(codec, data).items():
                arrays[f"{name}{k}"] = plane
        tmp = Path(out).with_suffix(".tmp.npz")
        np.savez(tmp, **arrays)
        os.replace(tmp, out)
    except Exception as exc:  # one bad image is reported, the pool goes on
        return index, f"{path}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return index, None


def pool_folder(codec_spec: str, settings: dict, files: list[Path], per_image: int, qrange: tuple, seed: int,
                scale: int = 1, downscaler: str | None = None, full_resolution: bool = False) -> Path:
    from srcodec.data.patches import pool_cache_dir

    cache = pool_cache_dir()
    if cache is None:
        raise InputError("decoded pools need a cache folder: set SRCODEC_CACHE to a folder (it is empty)")
    qrange = [int(q) if float(q).is_integer() else float(q) for q in qrange]  # 13 and 13.0: one pool
    fields = {"codec": codec_spec, "settings": settings, "files": [str(f) for f in files],
              "per_image": per_image, "qrange": qrange, "seed": seed}
    if scale != 1:
        fields["scale"] = scale
    if full_resolution:  # only when set: the keys of earlier pools stay what they were
        fields["full_resolution"] = True
    if downscaler is not None:
        from srcodec.archs import weights_identity

        fields["downscaler"] = weights_identity(downscaler).hex()
    key = json.dumps(fields, sort_keys=True)
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return cache / "pools" / f"{codec_spec.replace(':', '_').replace('=', '-')}-{digest}"


def build_pool(codec_spec: str, dirs: list[str], *, per_image: int = 3, qrange: tuple[float, float] | None = None,
               seed: int = 0, jobs: int = 2, max_images: int | None = None, scale: int = 1,
               downscaler: str | None = None, full_resolution: bool = False, log=print) -> Path:
    """Code every training image under ``dirs`` (JPEGs at their own resolution with ``full_resolution``, else ↓2;
    ↓``scale`` first: bicubic, or the ``down`` stage of the weights
    file ``downscaler``) at ``per_image`` qualities (cached); returns the pool folder."""
    from tqdm import tqdm

    from srcodec.codecs import get_codec
    from srcodec.data.patches import find_images

    codec = get_codec(codec_spec)
    lo, hi = qrange if qrange is not None else codec.quality_range
    files = find_images(dirs)
    if max_images:
        files = files[:max_images]
    folder = pool_folder(codec.spec, codec.settings(), files, per_image, (lo, hi), seed, scale, downscaler,
                         full_resolution)
    folder.mkdir(parents=True, exist_ok=True)
    meta_path = folder / "pool.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    if meta.get("complete"):
        log(f"pool {folder.name}: reused ({meta['images']} images x {meta['per_image']} qualities, built in "
            f"{meta['build_seconds'] / 60:.1f} min, {meta['bytes'] / 1e6:.0f} MB)")
        return folder
    jobs_todo = [(i, str(f), str(folder / f"{i:05d}.npz"), codec.spec,
                  pool_qualities(i, per_image, lo, hi, seed, codec.integer_quality), scale, downscaler,
                  full_resolution)
                 for i, f in enumerate(files) if not (folder / f"{i:05d}.npz").exists()]
    log(f"pool {folder.name}: {len(files)} images x {per_image} qualities in {lo:g}..{hi:g} of {codec.spec}; "
        f"{len(files) - len(jobs_todo)} already coded, {len(jobs_todo)} to code with {jobs} processes")
    t0 = time.time()
    errors = []
    with ProcessPoolExecutor(max_workers=jobs) as ex:
        for index, err in tqdm(ex.map(_encode_one, jobs_todo, chunksize=4), total=len(jobs_todo), desc="pool",
                               unit="image", dynamic_ncols=True):
            if err:
                errors.append(err)
    seconds = meta.get("build_seconds", 0.0) + time.time() - t0
    size = sum(p.stat().st_size for p in folder.glob("*.npz"))
    meta = {"codec": codec.spec, "settings": codec.settings(), "images": len(files), "per_image": per_image,
            "quality_range": [lo, hi], "seed": seed, "scale": scale, "downscaler": downscaler,
            "full_resolution": full_resolution, "dirs": [str(d) for d in dirs], "build_seconds": seconds,
            "bytes": size, "skipped": errors, "complete": True}
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    log(f"pool {folder.name}: built in {seconds / 60:.1f} min (all sessions), {size / 1e6:.0f} MB on disk, "
        f"{len(errors)} images skipped")
    return folder


class Pool:
    """A built pool, in memory: per image the original RGB and, per quality, the decoder's planes."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        meta_path = self.folder / "pool.json"
        if not meta_path.exists():
            raise InputError(f"{self.folder}: not a built pool (no pool.json)")
        self.meta = json.loads(meta_path.read_text())
        self.items = []
        for f in sorted(self.folder.glob("[0-9]*.npz")):
            with np.load(f) as z:
                self.items.append({k: z[k] for k in z.files})
        if not self.items:
            raise InputError(f"{self.folder}: the pool holds no image")
        self.per_image = int(self.meta["per_image"])
        #: the planes are of the bicubic ↓scale image; the originals are full size
        self.scale = int(self.meta.get("scale", 1))

    def __len__(self) -> int:
        return len(self.items)


class PoolSampler:
    """Random crops of a pool: (original RGB, decoder planes, quality), with flips; resumable state."""

    def __init__(self, pool: Pool, crop: int, seed: int = 0):
        if crop % (2 * pool.scale):
            raise InputError(f"--crop {crop} must be a multiple of {2 * pool.scale} (4:2:0 chroma of the ×{pool.scale} pool)")
        self.pool = pool
        self.crop = crop
        self.items = [it for it in pool.items if min(it["original"].shape[:2]) >= crop]
        if not self.items:
            raise InputError(f"no pool image is at least {crop}x{crop}")
        self.rng = np.random.default_rng(seed)

    def state(self) -> dict:
        return {"rng": self.rng.bit_generator.state}

    def load_state(self, state: dict) -> None:
        self.rng.bit_generator.state = state["rng"]

    def one(self) -> tuple[np.ndarray, dict[str, np.ndarray], float]:
        it = self.items[self.rng.integers(len(self.items))]
        k = int(self.rng.integers(self.pool.per_image))
        h, w = it["original"].shape[:2]
        c, a = self.crop, 2 * self.pool.scale
        y0 = a * int(self.rng.integers((h - c) // a + 1))
        x0 = a * int(self.rng.integers((w - c) // a + 1))
        orig = it["original"][y0:y0 + c, x0:x0 + c]
        planes = {}
        for name in ("y", "cb", "cr", "rgb"):
            a = it.get(f"{name}{k}")
            if a is None:
                continue
            f = self.pool.scale * (2 if name in ("cb", "cr") else 1)
            planes[name] = a[y0 // f:(y0 + c) // f, x0 // f:(x0 + c) // f]
        flip_v, flip_h = self.rng.random(2) < 0.5
        if flip_v:
            orig = orig[::-1]
            planes = {n: p[::-1] for n, p in planes.items()}
        if flip_h:
            orig = orig[:, ::-1]
            planes = {n: p[:, ::-1] for n, p in planes.items()}
        return orig, planes, float(it["quality"][k])

    def batch(self, size: int) -> tuple[torch.Tensor, ...]:
        from srcodec.post.restorer import planes_to_tensors

        samples = [self.one() for _ in range(size)]
        target = torch.from_numpy(np.stack([np.ascontiguousarray(s[0]) for s in samples])).permute(0, 3, 1, 2).float() / 255.0
        inputs = planes_to_tensors([s[1] for s in samples])
        q = torch.tensor([s[2] for s in samples], dtype=torch.float32)
        return (target, *inputs, q)
