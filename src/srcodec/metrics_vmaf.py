"""VMAF of a still image, through libvmaf in the ffmpeg that ``imageio-ffmpeg`` ships.

Both images go to ffmpeg as raw 8-bit RGB, are converted by its ``scale`` filter to YUV 4:4:4
with the **BT.709** matrix in **limited range** (16..235), and are compared by the ``libvmaf``
filter with its built-in default model (``vmaf_v0.6.1``) as one frame. VMAF's features (VIF, ADM;
motion is 0 for a single frame) are computed on luma only, so 4:4:4 or 4:2:0 gives the same
score. Greyscale images are repeated to RGB; an alpha channel, if any, is not measured. The score
runs 0..100 (higher is better); identical images score below 100 on small or flat content
(``vmaf_v0.6.1`` with zero motion), so a target near 100 may be out of reach.

libvmaf needs images of at least ``MIN_SIDE`` pixels on each side (ffmpeg crashes on 16x16);
smaller images get ``nan``. When the ffmpeg binary is missing or lacks libvmaf, :func:`vmaf`
raises :class:`srcodec.errors.InputError` naming the cause (``available()`` says so first).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

import numpy as np

from srcodec.errors import InputError

MIN_SIDE = 32
MODEL = "vmaf_v0.6.1"
_TO_YUV = "scale=out_color_matrix=bt709:out_range=tv,format=yuv444p"


@lru_cache(maxsize=1)
def _ffmpeg() -> tuple[str | None, str | None]:
    """(ffmpeg path, None) when it has libvmaf, else (None, why not)."""
    from srcodec.codecs.vvc import ffmpeg_exe

    try:
        exe = ffmpeg_exe()
    except ImportError:
        return None, "VMAF needs imageio-ffmpeg (pip install imageio-ffmpeg)"
    try:
        out = subprocess.run([exe, "-hide_banner", "-filters"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
        return None, f"VMAF: cannot run imageio-ffmpeg's ffmpeg ({exc})"
    if " libvmaf " not in out:
        return None, f"VMAF: {exe} has no libvmaf filter"
    return exe, None


def available() -> str | None:
    """``None`` when VMAF can be measured here, else the reason it cannot."""
    return _ffmpeg()[1]


def _rgb(image: np.ndarray) -> np.ndarray:
    if image.dtype != np.uint8:
        raise InputError(f"VMAF measures 8-bit images, got {image.dtype}")
    c = image.shape[2]
    rgb = image[..., :3] if c >= 3 else np.repeat(image[..., :1], 3, axis=2)
    return np.ascontiguousarray(rgb)


def vmaf(original: np.ndarray, distorted: np.ndarray) -> float:
    """VMAF (``vmaf_v0.6.1``, BT.709 limited-range YUV) of ``distorted`` against ``original``;
    ``nan`` when a side is under ``MIN_SIDE`` pixels."""
    if original.shape != distorted.shape:
        raise InputError(f"images differ in shape: {original.shape} vs {distorted.shape}")
    h, w = original.shape[:2]
    if min(h, w) < MIN_SIDE:
        return math.nan
    exe, why = _ffmpeg()
    if exe is None:
        raise InputError(why)
    with tempfile.TemporaryDirectory(prefix="srcodec-vmaf-") as tmp:
        ref, dist, log = (Path(tmp) / n for n in ("ref.rgb", "dist.rgb", "vmaf.json"))
        _rgb(original).tofile(ref)
        _rgb(distorted).tofile(dist)
        raw = ["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}", "-i"]
        graph = (f"[0:v]{_TO_YUV}[d];[1:v]{_TO_YUV}[r];"
                 f"[d][r]libvmaf=model=version={MODEL}:log_fmt=json:log_path={log.name}:n_threads=1")
        cmd = [exe, "-hide_banner", "-loglevel", "error", "-nostdin", *raw, str(dist), *raw, str(ref),
               "-lavfi", graph, "-f", "null", "-"]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp, env={**os.environ, "AV_LOG_FORCE_NOCOLOR": "1"})
        if proc.returncode != 0 or not log.exists():
            last = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
            raise InputError(f"VMAF: ffmpeg failed: {last}")
        return float(json.loads(log.read_text(encoding="utf-8"))["pooled_metrics"]["vmaf"]["mean"])
