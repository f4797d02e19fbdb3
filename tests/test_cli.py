"""The command line as a user meets it: real files, one-line errors, exit codes."""

import shutil

import numpy as np

from srcodec.io.image import load_image, save_png
from srcodec.metrics import psnr
from tests.conftest import ROOT, assert_one_line_error, run_cli, smooth_image


def test_roundtrip_prints_bytes_bpp_psnr(tmp_path):
    save_png(smooth_image(64, 96), tmp_path / "in.png")
    proc = run_cli("roundtrip", str(tmp_path / "in.png"), "--codec", "webp", "--out-dir", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    fields = dict(line.split(None, 1) for line in proc.stdout.splitlines())
    coded = tmp_path / "out" / "in.webp"
    raw_ratio = 64 * 96 * 3 / coded.stat().st_size
    assert fields["ratio"].startswith(f"{raw_ratio:.1f}:1 vs raw") and "vs png" in fields["ratio"]
    assert int(fields["bytes"]) == coded.stat().st_size
    assert abs(float(fields["bpp"]) - 8 * coded.stat().st_size / (64 * 96)) < 1e-3
    decoded = load_image(tmp_path / "out" / "in.decoded.png")
    assert abs(float(fields["psnr"].split()[0]) - psnr(load_image(tmp_path / "in.png"), decoded)) < 0.01


def test_compress_decompress_file(tmp_path):
    src = tmp_path / "a.png"
    save_png(smooth_image(40, 56), src)
    before = src.read_bytes()
    proc = run_cli("compress", str(src), "--codec", "jpeg", "-q", "90")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "a.jpg").exists() and "bpp" in proc.stdout
    proc = run_cli("decompress", str(tmp_path / "a.jpg"), "-o", str(tmp_path / "b.png"))
    assert proc.returncode == 0, proc.stderr
    assert psnr(load_image(src), load_image(tmp_path / "b.png")) > 30
    assert src.read_bytes() == before  # the input is never touched
    proc = run_cli("info", str(tmp_path / "a.jpg"))
    assert proc.returncode == 0 and "jpeg" in proc.stdout


def test_folder_reports_each_failure_and_exits_nonzero(tmp_path):
    d = tmp_path / "imgs"
    d.mkdir()
    save_png(smooth_image(20, 20), d / "good.png")
    (d / "bad.png").write_text("not an image")
    proc = run_cli("compress", str(d), "-o", str(tmp_path / "out"), "--codec", "jpeg")
    assert proc.returncode == 1
    assert (tmp_path / "out" / "good.jpg").exists()
    assert not (tmp_path / "out" / "bad.jpg").exists()
    assert "bad.png" in proc.stderr and "1 of 2 files failed" in proc.stderr


def test_bad_input_missing_file(tmp_path):
    assert_one_line_error(run_cli("compress", str(tmp_path / "missing.png"), "--codec", "jpeg"))


def test_bad_input_text_file_as_image(tmp_path):
    p = tmp_path / "notes.png"
    p.write_text("hello\n")
    assert_one_line_error(run_cli("compress", str(p), "--codec", "jpeg"))
    assert_one_line_error(run_cli("decompress", str(p)))


def test_bad_input_unknown_codec(tmp_path):
    save_png(smooth_image(8, 8), tmp_path / "a.png")
    proc = run_cli("compress", str(tmp_path / "a.png"), "--codec", "nosuchcodec")
    assert_one_line_error(proc)
    assert "unknown codec" in proc.stderr


def test_bad_input_unwritable_output(tmp_path):
    save_png(smooth_image(8, 8), tmp_path / "a.png")
    assert_one_line_error(run_cli("compress", str(tmp_path / "a.png"), "--codec", "jpeg", "-o", str(tmp_path / "no" / "dir" / "x.jpg")))
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        if not shutil.os.access(ro, shutil.os.W_OK):  # root can write anyway
            assert_one_line_error(run_cli("compress", str(tmp_path / "a.png"), "--codec", "jpeg", "-o", str(ro / "x.jpg")))
    finally:
        ro.chmod(0o700)
    assert_one_line_error(run_cli("compress", str(tmp_path / "a.png"), "--codec", "jpeg", "-o", "/proc/x.jpg"))


def test_bad_options(tmp_path):
    save_png(smooth_image(8, 8), tmp_path / "a.png")
    assert_one_line_error(run_cli("compress", str(tmp_path / "a.png"), "--frobnicate"))
    assert_one_line_error(run_cli("compress", str(tmp_path / "a.png"), "--codec", "jpeg", "-q", "1000"))
    assert_one_line_error(run_cli("compress", str(tmp_path / "a.png"), "--codec", "jpeg", "--bpp", "-1"))
    assert_one_line_error(run_cli("nosuchcommand"))


def test_truncated_coded_file(tmp_path):
    save_png(smooth_image(64, 64), tmp_path / "a.png")
    assert run_cli("compress", str(tmp_path / "a.png"), "--codec", "webp").returncode == 0
    data = (tmp_path / "a.webp").read_bytes()
    (tmp_path / "t.webp").write_bytes(data[: len(data) // 3])
    assert_one_line_error(run_cli("decompress", str(tmp_path / "t.webp")))


def test_sample_image_is_shipped():
    img = load_image(ROOT / "assets" / "sample.png")
    assert img.shape == (512, 768, 3) and img.dtype == np.uint8
