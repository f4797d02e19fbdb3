"""The HTML report: one self-contained page that a browser renders with its tables and images."""

import base64
import io
import json
import os
import re
import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image

from srcodec.bench.report import busiest_window, build_report, pick_images
from srcodec.bench.runner import run_benchmark
from srcodec.cli import main
from srcodec.io.image import save_png
from tests.conftest import REFERENCE, smooth_image

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
IMAGES_ON_PAGE = 4 + 3 * 3  # four plots (PSNR, MS-SSIM, SSIMULACRA2, VMAF); three images x (original + two codecs)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    for i in range(4):
        save_png(smooth_image(96, 128, seed=i), data / f"img{i}.png")
    run = tmp_path_factory.mktemp("run")
    run_benchmark(data, ["jpeg", "webp"], run, qualities=[10, 40, 80], progress=False,
                  refs=[str(REFERENCE / "vtm.json")])
    path = build_report(run, run / "page.html", crops=3, crop_bpp=1.0, crop_size=64)
    return path, run


def test_page_is_self_contained_with_tables_plots_and_crops(report):
    path, run = report
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    srcs = re.findall(r'<img[^>]* src="([^"]+)"', page)
    assert len(srcs) == IMAGES_ON_PAGE
    assert all(s.startswith("data:image/png;base64,") for s in srcs)
    for s in srcs:  # every inline image really is a PNG
        assert Image.open(io.BytesIO(base64.b64decode(s.split(",", 1)[1]))).format == "PNG"
    assert not re.search(r'(src|href)="(https?:)?//', page) and "<link" not in page and "<script" not in page
    assert "BD-rate against" in page or "BD-rate" in page
    assert page.count("<table>") == 4  # BD-rate, averages, codec settings, versions
    assert "JPEG (libjpeg-turbo 4:2:0)" in page and "VTM (ref.)" not in page  # legend is inside the plot image
    assert "&quot;subsampling&quot;: &quot;4:2:0&quot;" in page  # settings are shown


def test_crops_are_labelled_with_the_rows_nearest_the_target_rate(report):
    path, run = report
    page = path.read_text(encoding="utf-8")
    rows = json.loads((run / "rows.json").read_text())
    for image in ("img0.png", "img3.png"):  # pick_images spreads 3 over 4: img0, img2, img3
        assert f"<h3>{image}" in page
        for codec in ("jpeg", "webp"):
            mine = [r for r in rows if r["image"] == image and r["codec"] == codec]
            best = min(mine, key=lambda r: abs(np.log(r["bpp"] / 1.0)))
            assert f"q={best['quality']:g} · {best['bpp']:.3f} bpp · {best['psnr']:.2f} dB" in page


def test_crop_helpers():
    assert pick_images(["a", "b", "c", "d", "e"], 3) == ["a", "c", "e"]
    assert pick_images(["a", "b"], 3) == ["a", "b"]
    img = np.zeros((100, 120, 3), np.uint8)
    img[60:90, 70:100] = np.random.default_rng(0).integers(0, 255, (30, 30, 3))
    top, left = busiest_window(img, 32)
    assert 60 - 32 <= top <= 90 and 70 - 32 <= left <= 100


def test_report_command_and_its_errors(report, tmp_path, capsys):
    _, run = report
    assert main(["report", str(run), "-o", str(tmp_path / "r.html"), "--crops", "1"]) == 0
    assert capsys.readouterr().out.strip().endswith("r.html")
    assert (tmp_path / "r.html").read_text().count("<figure>") == 3
    assert main(["report", str(tmp_path / "nowhere")]) == 2
    assert capsys.readouterr().err.strip().startswith("srcodec: error: ")
    assert main(["report", str(tmp_path)]) == 2  # a folder that is no run
    assert "not a benchmark run folder" in capsys.readouterr().err


def _chromium(*args, tmp_path):
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=tmp_path)


@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason="chromium not installed (required in CI)")
def test_page_renders_in_headless_chromium(report, tmp_path):
    assert CHROMIUM, "chromium is required in CI"
    path, _ = report
    dom = _chromium("--dump-dom", path.as_uri(), tmp_path=tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count("<table>") == 4 and dom.stdout.count("<img") == IMAGES_ON_PAGE
    shot = tmp_path / "shot.png"
    proc = _chromium(f"--screenshot={shot}", "--window-size=1400,2400", path.as_uri(), tmp_path=tmp_path)
    assert proc.returncode == 0 and shot.exists(), proc.stderr[-2000:]
    pixels = np.asarray(Image.open(shot).convert("L"), dtype=np.float64)
    assert pixels.shape == (2400, 1400)
    assert pixels.std() > 20  # text, plots and crops, not a blank page
    assert (pixels < 128).mean() > 0.01
