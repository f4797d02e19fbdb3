"""Quality and rate metrics, computed the way the field computes them.

- ``psnr``: over RGB, the MSE of all channels together, peak 255 (CompressAI's
  ``psnr-rgb``). Identical images give ``inf``.
- ``psnr_y``: on the luma of ITU-R BT.601 in studio range (MATLAB's
  ``rgb2ycbcr``, the convention of super-resolution tables), peak 255,
  optionally ignoring a border of ``shave`` pixels as SR papers do.
- ``ssim``: Gaussian window 11, sigma 1.5 (pytorch-msssim) over all channels;
  for an image smaller than the window, the window shrinks to the largest odd
  size that fits (down to 1).
- ``ms_ssim``: pytorch-msssim's five-scale MS-SSIM. It needs a shorter side of
  more than 160 pixels; for smaller images it is ``nan`` (JSON ``null``) and
  benchmark averages leave it out.
- ``ssimulacra2``: SSIMULACRA2 as libjxl's reference computes it, written here on numpy and
  scipy (:mod:`srcodec.metrics_ssimulacra2`); ``nan`` for a side under 8 pixels. libjxl's
  scale: 90 visually lossless, 70 high, 50 medium.
- ``vmaf``: VMAF (model ``vmaf_v0.6.1``) through libvmaf in imageio-ffmpeg's ffmpeg, on
  BT.709 limited-range YUV (:mod:`srcodec.metrics_vmaf`); ``nan`` for a side under 32 pixels,
  and in :func:`quality_row` where that ffmpeg is not installed.
- ``bpp``: 8 x bytes of the real file / (H x W of the original image).
- ``compression_ratio``: original size / coded size, against raw 24-bit RGB
  (or 8-bit for greyscale) and against the original PNG file.

Images are canonical arrays (see :mod:`srcodec.io.image`): uint8 (H, W, C).
SSIM and MS-SSIM run in float32: much faster than float64 on a CPU, and equal
to it well below the precision any table reports.
"""

from __future__ import annotations

import math

from typing import TYPE_CHECKING

import numpy as np

from srcodec.errors import InputError

if TYPE_CHECKING:  # torch and pytorch-msssim load on the first SSIM / MS-SSIM
    import torch

MS_SSIM_MIN_SIDE = 161


def _check(a: np.ndarray, b: np.ndarray) -> None:
    if a.shape != b.shape:
        raise InputError(f"images differ in shape: {a.shape} vs {b.shape}")


def mse(a: np.ndarray, b: np.ndarray) -> float:
    _check(a, b)
    d = a.astype(np.float64) - b.astype(np.float64)
    return float(np.mean(d * d))


def psnr_from_mse(m: float, peak: float = 255.0) -> float:
    return math.inf if m == 0 else 10.0 * math.log10(peak * peak / m)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    """PSNR in dB over all channels, peak 255."""
    return psnr_from_mse(mse(a, b))


def rgb_to_y(image: np.ndarray) -> np.ndarray:
    """BT.601 studio-range luma (16..235) as float64, from a uint8 RGB or grey image."""
    x = image.astype(np.float64)
    if x.shape[2] == 1:
        x = np.repeat(x, 3, axis=2)
    return 16.0 + (65.481 * x[..., 0] + 128.553 * x[..., 1] + 24.966 * x[..., 2]) / 255.0


def psnr_y(a: np.ndarray, b: np.ndarray, shave: int = 0) -> float:
    """PSNR on BT.601 luma, peak 255, ignoring ``shave`` border pixels."""
    _check(a, b)
    ya, yb = rgb_to_y(a), rgb_to_y(b)
    if shave and min(ya.shape) > 2 * shave:
        ya, yb = ya[shave:-shave, shave:-shave], yb[shave:-shave, shave:-shave]
    return psnr_from_mse(float(np.mean((ya - yb) ** 2)))


def _tensor(image: np.ndarray) -> torch.Tensor:
    import torch

    return torch.from_numpy(image.astype(np.float32)).permute(2, 0, 1)[None]


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """SSIM (Gaussian window 11, sigma 1.5) averaged over channels."""
    _check(a, b)
    win = min(11, min(a.shape[:2]))
    win -= 1 - win % 2
    if win == 1 and min(a.shape[:2]) == 1:
        # pytorch-msssim drops singleton dimensions; with a 1x1 window SSIM is a
        # per-pixel mean, so doubling every pixel leaves it unchanged.
        a, b = (np.repeat(np.repeat(x, 2, axis=0), 2, axis=1) for x in (a, b))
    import torch
    from pytorch_msssim import ssim as _ssim

    with torch.no_grad():
        return float(_ssim(_tensor(a), _tensor(b), data_range=255.0, win_size=max(win, 1)))


def ssim_y(a: np.ndarray, b: np.ndarray, shave: int = 0) -> float:
    """SSIM on BT.601 luma (SR tables), ignoring ``shave`` border pixels."""
    _check(a, b)
    ya, yb = rgb_to_y(a)[:, :, None], rgb_to_y(b)[:, :, None]
    if shave and min(ya.shape[:2]) > 2 * shave:
        ya, yb = ya[shave:-shave, shave:-shave], yb[shave:-shave, shave:-shave]
    return ssim(ya, yb)


def ms_ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Five-scale MS-SSIM; ``nan`` when the shorter side is 160 pixels or less."""
    _check(a, b)
    if min(a.shape[:2]) < MS_SSIM_MIN_SIDE:
        return math.nan
    import torch
    from pytorch_msssim import ms_ssim as _ms_ssim

    with torch.no_grad():
        return float(_ms_ssim(_tensor(a), _tensor(b), data_range=255.0))


def ssimulacra2(a: np.ndarray, b: np.ndarray) -> float:
    """SSIMULACRA2 of ``b`` against ``a`` (100 = identical); ``nan`` when a side is under 8 pixels."""
    from srcodec.metrics_ssimulacra2 import ssimulacra2 as _ssimulacra2

    return _ssimulacra2(a, b)


def vmaf(a: np.ndarray, b: np.ndarray) -> float:
    """VMAF of ``b`` against ``a`` (0..100); ``nan`` when a side is under 32 pixels."""
    from srcodec.metrics_vmaf import vmaf as _vmaf

    return _vmaf(a, b)


def bpp(num_bytes: int, height: int, width: int) -> float:
    """Bits per pixel of a file of ``num_bytes`` for an H x W original."""
    return 8.0 * num_bytes / (height * width)


def compression_ratio(num_bytes: int, image: np.ndarray, png_bytes: int | None = None) -> dict:
    """Original size over coded size: against raw samples and, if given, the original PNG."""
    raw = image.shape[0] * image.shape[1] * image.shape[2]
    out = {"vs_raw": raw / num_bytes}
    if png_bytes is not None:
        out["vs_png"] = png_bytes / num_bytes
    return out


def quality_row(original: np.ndarray, decoded: np.ndarray, num_bytes: int) -> dict:
    """All per-image numbers a benchmark row needs."""
    h, w = original.shape[:2]
    return {
        "bytes": int(num_bytes),
        "bpp": bpp(num_bytes, h, w),
        "psnr": psnr(original, decoded),
        "psnr_y": psnr_y(original, decoded),
        "ssim": ssim(original, decoded),
        "ms_ssim": ms_ssim(original, decoded),
        "ssimulacra2": ssimulacra2(original, decoded),
        "vmaf": vmaf(original, decoded) if vmaf_available() is None else math.nan,
    }


def vmaf_available() -> str | None:
    """``None`` when VMAF can be measured here, else why not."""
    from srcodec.metrics_vmaf import available

    return available()
