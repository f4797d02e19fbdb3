"""``--codec auto``: the best candidate per image, by measurement on real files."""

import pytest

import srcodec
import srcodec.pipelines.auto as auto
from srcodec.codecs import get_codec
from srcodec.errors import SrcodecError
from srcodec.io.image import save_png
from srcodec.metrics import psnr, ssimulacra2, vmaf
from srcodec.targets import Target
from tests.conftest import run_cli, smooth_image


@pytest.fixture(autouse=True)
def cheap_candidates(monkeypatch):
    """Two fast candidates of different kinds (a ×2 baseline and the learned codec), no competing formats."""
    monkeypatch.setattr(auto, "CANDIDATES", ("bicubic-jpeg-x2", "learned"))
    monkeypatch.setattr(auto, "COMPETING", ())


def test_max_bytes_is_never_exceeded_and_the_best_fitting_file_wins():
    img = smooth_image(64, 96)
    codec = get_codec("auto")
    from srcodec.targets import encode_for_target

    for limit in (300, 700, 2000):
        found = codec.encode_to(img, Target(max_bytes=limit))
        data, report = found.data, found.report.rows
        assert len(data) <= limit
        assert sum(r.chosen for r in report) == 1  # candidates that cannot fit the limit at all are left out
        assert len(report) + len(found.report.outdone) == (2 if limit >= 700 else len(report) + len(found.report.outdone))
        chosen = found.report.chosen
        assert (found.quality, found.value) == (chosen.quality, chosen.value)
        assert chosen.value == max(r.value for r in report)  # the highest PSNR among the files that fit
        # leaving a candidate early never changes the choice: each candidate alone does no better
        for name in auto.CANDIDATES:
            try:
                c = get_codec(name)
                alone, _ = encode_for_target(c, img, max_bytes=limit, tolerance=codec.search_step(c))
            except SrcodecError:
                continue
            assert psnr(img, srcodec.decompress(alone)) <= chosen.value + 1e-9
        assert srcodec.identify(data) == chosen.candidate  # the header names the chosen pipeline
        assert abs(psnr(img, srcodec.decompress(data)) - chosen.value) < 1e-9  # what was measured is what you get


def test_target_psnr_is_reached_by_the_smallest_file_or_is_an_error():
    img = smooth_image(64, 96)
    codec = get_codec("auto")
    found = codec.encode_to(img, Target(metric="psnr", value=30.0))
    data = found.data
    assert psnr(img, srcodec.decompress(data)) >= 30.0
    assert len(data) == min(r.bytes for r in found.report.rows) == found.report.chosen.bytes
    from srcodec.targets import encode_for_quality

    for name in auto.CANDIDATES:  # no candidate alone reaches 30 dB with fewer bytes (left early or not)
        c = get_codec(name)
        alone, _, _ = encode_for_quality(c, img, 30.0, tolerance=codec.search_step(c))  # the search auto runs
        assert len(alone) >= len(data)
    with pytest.raises(SrcodecError, match="best it reaches"):
        codec.encode_to(img, Target(metric="psnr", value=99.0))


def test_quality_levels_mean_a_ssimulacra2_for_every_candidate(monkeypatch):
    # SSIMULACRA2 has its six scales from 128 pixels on (on smaller images fewer scales shift its weights,
    # as in libjxl's reference, and scores drop: JPEG q95 scores 34 at 48x64); fast candidates at that size
    monkeypatch.setattr(auto, "CANDIDATES", ("jpeg", "webp"))
    assert (auto.level_ssimulacra2(2), auto.level_ssimulacra2(5), auto.level_ssimulacra2(8)) == (50, 70, 90)
    assert get_codec("auto").default_quality == 5  # SSIMULACRA2 70, libjxl's "high quality"
    img = smooth_image(128, 128)
    codec = get_codec("auto")
    low, found = codec.encode(img, 2), codec.encode_to(img, Target(quality=5))
    high = found.data
    assert any(": SSIMULACRA2 " in line for line in found.report.lines())
    assert ssimulacra2(img, srcodec.decompress(low)) >= auto.level_ssimulacra2(2)
    assert ssimulacra2(img, srcodec.decompress(high)) >= auto.level_ssimulacra2(5)
    assert len(high) > len(low)


def test_perceptual_targets_through_the_cli_never_write_a_file_under_the_target(tmp_path):
    save_png(smooth_image(128, 128), tmp_path / "a.png")
    img = srcodec.load_image(tmp_path / "a.png")
    for codec, out, flag, target, metric in (("jpeg", "a.jpg", "--target-ssimulacra2", "75", ssimulacra2),
                                             ("webp", "a.webp", "--target-vmaf", "90", vmaf)):
        proc = run_cli("compress", str(tmp_path / "a.png"), "--codec", codec, flag, target)
        assert proc.returncode == 0, proc.stderr
        assert metric(img, srcodec.decompress((tmp_path / out).read_bytes())) >= float(target)
    proc = run_cli("compress", str(tmp_path / "a.png"), "--codec", "jpeg", "--target-ssimulacra2", "99.9", "-y")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and proc.stderr.strip().count("\n") == 0
    assert "the best it reaches is SSIMULACRA2" in proc.stderr
    save_png(smooth_image(6, 40), tmp_path / "tiny.png")
    proc = run_cli("compress", str(tmp_path / "tiny.png"), "--codec", "jpeg", "--target-ssimulacra2", "70")
    assert proc.returncode == 2 and "SSIMULACRA2 needs an image of at least 8 pixels" in proc.stderr
    assert not (tmp_path / "tiny.jpg").exists()


def test_auto_rate_target_chooses_by_ssimulacra2(monkeypatch):
    monkeypatch.setattr(auto, "CANDIDATES", ("jpeg", "webp"))
    img = smooth_image(128, 128)
    codec = get_codec("auto:metric=ssimulacra2")
    found = codec.encode_to(img, Target(max_bytes=2500))
    data, chosen = found.data, found.report.chosen
    assert len(data) <= 2500
    assert chosen.value == max(r.value for r in found.report.rows)
    assert ssimulacra2(img, srcodec.decompress(data)) == pytest.approx(chosen.value)
    assert all(": SSIMULACRA2 " in line for line in found.report.lines() if "bytes at quality" in line)


def test_the_report_is_in_the_metric_of_the_target():
    """``--target-ms-ssim``: what was chosen and why is said in MS-SSIM, not in the rate metric's PSNR."""
    from srcodec.metrics import ms_ssim

    codec = get_codec("auto")
    with pytest.raises(SrcodecError, match="MS-SSIM needs an image of at least 161 pixels"):
        codec.encode_to(smooth_image(64, 96), Target(metric="ms-ssim", value=0.95))  # one line, not "ms-ssim nan"
    img = smooth_image(176, 192)
    found = codec.encode_to(img, Target(metric="ms-ssim", value=0.95))
    lines = found.report.lines()
    assert ms_ssim(img, srcodec.decompress(found.data)) >= 0.95
    assert lines and all("PSNR" not in line for line in lines) and any(": MS-SSIM 0." in line for line in lines)
    assert any(": PSNR " in line for line in codec.encode_to(img, Target(metric="psnr", value=30.0)).report.lines())


def test_effort_bounds_the_candidates():
    assert get_codec("auto:effort=1").settings()["candidates"] == ["bicubic-jpeg-x2"]
    assert get_codec("auto").settings()["candidates"] == ["bicubic-jpeg-x2", "learned"]


def test_cli_prints_what_was_chosen_and_why(tmp_path, monkeypatch):
    save_png(smooth_image(48, 64), tmp_path / "a.png")
    code = ("import sys, srcodec.pipelines.auto as a; a.CANDIDATES = ('bicubic-jpeg-x2', 'learned'); a.COMPETING = (); "
            "from srcodec.cli import main; sys.exit(main(sys.argv[1:]))")
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", code, "compress", str(tmp_path / "a.png"), "--codec", "auto",
                           "--max-bytes", "800"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "auto →" in proc.stdout and proc.stdout.count(" bytes at quality ") == 2 and "*" in proc.stdout
    assert (tmp_path / "a.srz").stat().st_size <= 800
    proc = run_cli("info", str(tmp_path / "a.srz"))
    assert proc.returncode == 0 and ("bicubic-jpeg-x2" in proc.stdout or "learned" in proc.stdout)


def test_ms_ssim_target_on_an_image_too_small_for_it_is_a_one_line_error(tmp_path):
    save_png(smooth_image(48, 64), tmp_path / "a.png")
    for codec in ("jpeg", "auto"):
        proc = run_cli("compress", str(tmp_path / "a.png"), "--codec", codec, "--target-ms-ssim", "0.95")
        assert proc.returncode == 2 and "Traceback" not in proc.stderr
        assert proc.stderr.strip().count("\n") == 0 and "MS-SSIM needs an image of at least 161 pixels" in proc.stderr
        assert [f.name for f in tmp_path.iterdir()] == ["a.png"]  # no file written


def test_target_psnr_for_any_codec_through_the_cli(tmp_path):
    save_png(smooth_image(48, 64), tmp_path / "a.png")
    proc = run_cli("compress", str(tmp_path / "a.png"), "--codec", "jpeg", "--target-psnr", "33")
    assert proc.returncode == 0, proc.stderr
    out = srcodec.decompress((tmp_path / "a.jpg").read_bytes())
    assert psnr(srcodec.load_image(tmp_path / "a.png"), out) >= 33
    smaller = get_codec("jpeg").encode(srcodec.load_image(tmp_path / "a.png"), 1)
    assert len(smaller) < (tmp_path / "a.jpg").stat().st_size
    proc = run_cli("compress", str(tmp_path / "a.png"), "--codec", "jpeg", "--target-psnr", "80", "-y")
    assert proc.returncode == 2 and "best it reaches" in proc.stderr and "Traceback" not in proc.stderr


def test_when_the_predicted_winner_fails_the_next_candidate_is_made(monkeypatch):
    """A candidate whose real encodes cannot meet the target does not stop the others from being tried."""
    import srcodec.targets as targets

    img = smooth_image(48, 64)
    codec = get_codec("auto")
    real = targets.encode_probed
    calls = []

    def first_fails(c, probe, plan, image, **kw):
        calls.append(c.name)
        if len(calls) == 1:
            raise targets.NotReached("made to fail", None)
        return real(c, probe, plan, image, **kw)

    monkeypatch.setattr(targets, "encode_probed", first_fails)
    monkeypatch.setattr(auto.AutoCodec, "_full_search", lambda self, *a: (_ for _ in ()).throw(SrcodecError("x")))
    monkeypatch.setattr(type(get_codec("learned")), "probe", lambda self: (self, {"psnr": 0.0, "ms-ssim": 0.0, "bytes": 1.0}), raising=False)
    monkeypatch.setattr(type(get_codec("bicubic-jpeg-x2")), "probe", lambda self: (self, {"psnr": 0.0, "ms-ssim": 0.0, "bytes": 1.0}), raising=False)
    data = codec.encode_to(img, Target(metric="psnr", value=28.0)).data
    assert len(calls) == 2 and psnr(img, srcodec.decompress(data)) >= 28.0


def test_formats_writes_the_smallest_plain_file_of_the_formats(tmp_path):
    from srcodec.targets import encode_for_quality

    img = smooth_image(128, 128)
    save_png(img, tmp_path / "a.png")
    proc = run_cli("compress", str(tmp_path / "a.png"), "--codec", "auto:formats=jpeg+webp", "--target-ssimulacra2", "70")
    assert proc.returncode == 0, proc.stderr
    written = [p for p in tmp_path.iterdir() if p.name != "a.png"]
    assert len(written) == 1 and written[0].suffix in (".jpg", ".webp") and f"-> {written[0]}" in proc.stdout
    assert proc.stdout.count(" bytes at quality ") + proc.stdout.count(" left early") == 2
    data = written[0].read_bytes()
    assert srcodec.identify(data) == ("jpeg" if written[0].suffix == ".jpg" else "webp")  # a plain file, no .srz
    assert ssimulacra2(img, srcodec.decompress(data)) >= 70
    codec = get_codec("auto:formats=jpeg,webp")
    for spec in ("jpegli", "webp"):  # never larger than either format's own search
        c = get_codec(spec)
        alone, _, _ = encode_for_quality(c, img, 70.0, "ssimulacra2", tolerance=codec.search_step(c))
        assert len(data) <= len(alone)
    # the input's name is never the output's: a.jpg in, a.jpg.jpg out when JPEG wins
    (tmp_path / "b.jpg").write_bytes(get_codec("jpeg").encode(img, 95))
    proc = run_cli("compress", str(tmp_path / "b.jpg"), "--codec", "auto:formats=jpeg", "-q", "5")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "b.jpg.jpg").exists()
    bad = run_cli("compress", str(tmp_path / "a.png"), "--codec", "auto:formats=gif")
    assert bad.returncode == 2 and "unknown format 'gif'" in bad.stderr


def test_a_level_no_candidate_reaches_gives_the_best_file_and_says_so(tmp_path):
    """-q is a level, not a promise: on a small grainy image 4:2:0 candidates cannot reach SSIMULACRA2 70;
    the default still writes a file (the best-scoring one) and says so, where --target-ssimulacra2 is an error."""
    img = smooth_image(48, 64)  # 4 scales only, chroma grain: the fixture's candidates stay far under 70
    codec = get_codec("auto")
    found = codec.encode_to(img, Target(quality=5))
    chosen = found.report.chosen
    assert chosen.value == max(r.value for r in found.report.rows) < 70
    assert ssimulacra2(img, srcodec.decompress(found.data)) == pytest.approx(chosen.value)
    assert any("note: no candidate reaches SSIMULACRA2 70" in line for line in found.report.lines())
    with pytest.raises(SrcodecError, match="the best it reaches is SSIMULACRA2"):
        codec.encode_to(img, Target(metric="ssimulacra2", value=70.0))
    assert codec.encode_to(smooth_image(128, 128), Target(quality=2)).report.note == ""  # a level reached


def test_a_bench_row_of_auto_names_the_candidate_it_chose(tmp_path):
    """``srcodec bench --codecs auto``: each row says whose file auto wrote (the runner reads auto's report)."""
    import json

    from srcodec.bench.runner import run_benchmark

    data = tmp_path / "data"
    data.mkdir()
    save_png(smooth_image(64, 96), data / "a.png")
    run_benchmark(data, ["auto", "jpeg"], tmp_path / "run", qualities=[3.0], progress=False)
    rows = {r["codec"]: r for r in json.loads((tmp_path / "run" / "rows.json").read_text())}
    assert rows["auto"]["chosen"] in auto.CANDIDATES and rows["jpeg"]["chosen"] == ""
