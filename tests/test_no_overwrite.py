"""No output destroys data: existing files, name collisions in a batch, temporary files."""

import signal
import subprocess
import sys

from srcodec.io.image import load_image, save_png
from tests.conftest import assert_one_line_error, run_cli, smooth_image


def test_decompress_never_replaces_an_unrelated_png(tmp_path):
    save_png(smooth_image(16, 16), tmp_path / "src.png")
    assert run_cli("compress", str(tmp_path / "src.png"), "-o", str(tmp_path / "a.jpg"), "--codec", "jpeg").returncode == 0
    keep = tmp_path / "a.png"
    keep.write_bytes(b"precious")
    assert_one_line_error(run_cli("decompress", str(tmp_path / "a.jpg")))
    assert keep.read_bytes() == b"precious"
    proc = run_cli("decompress", str(tmp_path / "a.jpg"), "--force")
    assert proc.returncode == 0, proc.stderr
    assert load_image(keep).shape == (16, 16, 3)


def test_o_onto_an_existing_file_needs_force(tmp_path):
    save_png(smooth_image(16, 16), tmp_path / "a.png")
    out = tmp_path / "out.jpg"
    out.write_bytes(b"keep")
    assert_one_line_error(run_cli("compress", str(tmp_path / "a.png"), "-o", str(out), "--codec", "jpeg"))
    assert out.read_bytes() == b"keep"
    assert run_cli("compress", str(tmp_path / "a.png"), "-o", str(out), "--codec", "jpeg", "-y").returncode == 0
    assert out.read_bytes() != b"keep"


def test_batch_compress_keeps_both_of_two_images_with_one_stem(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    save_png(smooth_image(16, 16, seed=1), d / "a.png")
    from PIL import Image

    Image.fromarray(smooth_image(24, 16, seed=2)).save(d / "a.jpg", quality=95)
    proc = run_cli("compress", str(d), "-o", str(tmp_path / "out"), "--codec", "webp")
    assert proc.returncode == 0, proc.stderr
    outs = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert outs == ["a.jpg.webp", "a.png.webp"]
    assert load_image(tmp_path / "out" / "a.jpg.webp").shape[:2] == (24, 16)
    assert load_image(tmp_path / "out" / "a.png.webp").shape[:2] == (16, 16)


def test_batch_decompress_keeps_an_unrelated_png_and_two_coded_files_with_one_stem(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    save_png(smooth_image(16, 16), d / "x.png")
    assert run_cli("compress", str(d / "x.png"), "-o", str(d / "a.jpg"), "--codec", "jpeg").returncode == 0
    assert run_cli("compress", str(d / "x.png"), "-o", str(d / "a.webp"), "--codec", "webp").returncode == 0
    proc = run_cli("decompress", str(d), "-o", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.jpg.png", "a.webp.png"]
    save_png(smooth_image(16, 16, seed=5), d / "a.png")  # now a.jpg -> a.png would land on this file
    (d / "a.webp").unlink()
    before = (d / "a.png").read_bytes()
    assert_one_line_error(run_cli("decompress", str(d)))
    assert (d / "a.png").read_bytes() == before


def test_batch_with_existing_outputs_stops_before_any_work(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    for i in range(3):
        save_png(smooth_image(16, 16, seed=i), d / f"{i}.png")
    out = tmp_path / "out"
    out.mkdir()
    (out / "1.jpg").write_bytes(b"keep")
    assert_one_line_error(run_cli("compress", str(d), "-o", str(out), "--codec", "jpeg"))
    assert sorted(p.name for p in out.iterdir()) == ["1.jpg"] and (out / "1.jpg").read_bytes() == b"keep"


def test_missing_output_folder_is_reported_before_encoding(tmp_path):
    save_png(smooth_image(16, 16), tmp_path / "a.png")
    proc = run_cli("compress", str(tmp_path / "a.png"), "-o", str(tmp_path / "nope" / "a.jpg"), "--codec", "jpeg")
    assert_one_line_error(proc)
    assert "does not exist" in proc.stderr


def test_sigterm_leaves_no_temporary_file(tmp_path):
    """A process killed while writing atomically removes its hidden .tmp file."""
    code = (
        "import sys, time\n"
        "import srcodec.cli as cli\n"
        "import srcodec.io.files as f\n"
        "real = f.os.replace\n"
        "def slow(a, b):\n"
        "    print('writing', flush=True); time.sleep(30); real(a, b)\n"
        "f.os.replace = slow\n"
        f"sys.exit(cli.main(['compress', {str(tmp_path / 'a.png')!r}, '--codec', 'jpeg']))\n"
    )
    save_png(smooth_image(16, 16), tmp_path / "a.png")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    assert any(p.name.endswith(".tmp") for p in tmp_path.iterdir())
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=20)
    assert proc.returncode != 0
    assert not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())
    assert not (tmp_path / "a.jpg").exists()
