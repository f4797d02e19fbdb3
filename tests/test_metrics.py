"""Metrics match their textbook definitions."""

import math

import numpy as np

from srcodec import metrics
from tests.conftest import smooth_image


def test_psnr_known_value():
    a = np.zeros((4, 4, 3), dtype=np.uint8)
    b = a.copy()
    b[0, 0, 0] = 16  # MSE = 256 / 48
    assert math.isclose(metrics.psnr(a, b), 10 * math.log10(255**2 / (256 / 48)), rel_tol=1e-12)
    assert metrics.psnr(a, a) == math.inf


def test_psnr_y_uses_bt601_studio_range():
    white = np.full((2, 2, 3), 255, dtype=np.uint8)
    assert np.allclose(metrics.rgb_to_y(white), 235.0)
    assert np.allclose(metrics.rgb_to_y(np.zeros_like(white)), 16.0)
    a = smooth_image(40, 40)
    b = np.clip(a.astype(int) + 3, 0, 255).astype(np.uint8)
    assert metrics.psnr_y(a, b, shave=4) > 30


def test_ssim_and_ms_ssim_ranges():
    a = smooth_image(200, 200)
    noisy = np.clip(a + np.random.default_rng(1).normal(0, 20, a.shape), 0, 255).astype(np.uint8)
    assert metrics.ssim(a, a) > 0.9999
    assert 0.0 < metrics.ssim(a, noisy) < 0.9
    assert metrics.ms_ssim(a, a) > 0.9999
    assert metrics.ms_ssim(a, noisy) < metrics.ms_ssim(a, a)


def test_small_images_have_defined_metrics():
    tiny = smooth_image(1, 1)
    assert math.isnan(metrics.ms_ssim(tiny, tiny))
    assert metrics.ssim(tiny, tiny) > 0.999
    small = smooth_image(7, 30)
    assert math.isnan(metrics.ms_ssim(small, small))
    assert metrics.ssim(small, small) > 0.999


def test_bpp_and_ratio():
    assert metrics.bpp(1000, 100, 80) == 1.0
    img = np.zeros((10, 10, 3), dtype=np.uint8)
    r = metrics.compression_ratio(30, img, png_bytes=60)
    assert r == {"vs_raw": 10.0, "vs_png": 2.0}
