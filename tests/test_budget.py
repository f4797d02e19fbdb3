"""auto's time budget (issue 27): measured costs leave out what cannot fit; large images are searched on a sample."""

import pytest

import srcodec
import srcodec.pipelines.auto as auto
import srcodec.pipelines.costs as costs
from srcodec.codecs import get_codec
from srcodec.metrics import psnr
from srcodec.targets import NotReached, Target, encode_for_quality, encode_sampled, sample_of
from tests.conftest import run_cli, smooth_image


def test_a_sample_is_tiles_of_the_image_and_only_of_large_ones():
    img = smooth_image(1100, 1500)
    sample = sample_of(img, megapixels=0.3)
    assert sample is not None and sample.shape[0] * sample.shape[1] <= 0.45e6
    tile = sample[:256, :256]
    assert (tile == img[:256, :256]).all()  # the first tile is the image's corner
    assert sample_of(img, megapixels=1.0) is None  # not larger than twice the sample


def test_a_sampled_search_reaches_the_target_in_few_real_encodes():
    img = smooth_image(1100, 1500)
    jpeg = get_codec("jpeg")
    data, q, value, real = encode_sampled(jpeg, img, 36.0, "psnr", tolerance=2.0, megapixels=0.3)
    assert psnr(img, jpeg.decode(data)) == value >= 36.0
    assert 1 <= real <= 6
    full, q_full, _ = encode_for_quality(jpeg, img, 36.0, "psnr", tolerance=2.0)
    assert len(data) <= 1.1 * len(full)  # about the full search's file, at a fraction of its encodes
    with pytest.raises(NotReached, match="best it reaches"):
        encode_sampled(jpeg, img, 80.0, "psnr", tolerance=5.0, megapixels=0.3)


@pytest.fixture
def table(monkeypatch):
    """A cost table in which jpegli is cheap and webp takes a minute per megapixel to encode."""
    rows = {"jpegli": dict(encode_s_per_mp=0.01, encode_s_fixed=0.0, decode_s_per_mp=0.01, decode_s_fixed=0.0,
                         peak_mb_per_mp=10, peak_mb_fixed=100),
            "webp": dict(encode_s_per_mp=60.0, encode_s_fixed=0.0, decode_s_per_mp=0.01, decode_s_fixed=0.0,
                         peak_mb_per_mp=10, peak_mb_fixed=100)}
    monkeypatch.setattr(costs, "_table", lambda: rows)
    monkeypatch.setattr(auto, "CANDIDATES", ())
    monkeypatch.setattr(auto, "COMPETING", ("jpeg", "webp"))


def test_a_candidate_that_cannot_fit_the_budget_is_left_out_and_said(table):
    img = smooth_image(96, 128)
    codec = get_codec("auto")
    found = codec.encode_to(img, Target(metric="psnr", value=30.0))
    assert srcodec.identify(found.data) == "jpeg"
    assert "webp" in found.report.outdone and "left out at effort 2" in found.report.why["webp"]
    every = get_codec("auto:effort=max").encode_to(img, Target(metric="psnr", value=30.0)).report  # no budget
    assert {r.candidate for r in every.rows} | set(every.outdone) == {"jpegli", "webp"}  # both searched
    assert "left out" not in " ".join(every.why.values())
    assert get_codec("auto:effort=max").opts["effort"] == 3


def test_formats_tries_every_format_named_whatever_the_budget(table):
    report = get_codec("auto:formats=jpeg,webp").encode_to(smooth_image(96, 128), Target(metric="psnr", value=30.0)).report
    assert {r.candidate for r in report.rows} | set(report.outdone) == {"jpegli", "webp"}
    assert "left out" not in " ".join(report.why.values())


def test_when_nothing_fits_the_cheapest_is_still_tried(table, monkeypatch):
    monkeypatch.setattr(auto, "BUDGET", {**auto.BUDGET, 2: ((0.0, 0.0), (0.0, 0.0))})
    codec = get_codec("auto")
    report = auto.Report()
    kept = codec._within_budget(["webp", "jpegli"], smooth_image(96, 128), "psnr", report)
    assert kept == ["jpegli"] and report.outdone == ["webp"]


def test_the_default_file_is_named_after_the_winning_format(table, tmp_path):
    from srcodec.io.image import save_png

    save_png(smooth_image(96, 128), tmp_path / "a.png")
    proc = run_cli("compress", str(tmp_path / "a.png"), "--codec", "auto:formats=jpeg", "--target-psnr", "30")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "a.jpg").exists() and not (tmp_path / "a.srz").exists()


def test_a_good_guess_saves_steps_and_a_prior_is_read_from_the_table(tmp_path, monkeypatch):
    img = smooth_image(64, 96)
    jpeg = get_codec("jpeg")
    calls = []
    real = jpeg.encode
    monkeypatch.setattr(jpeg, "encode", lambda im, q: calls.append(q) or real(im, q))
    _, q, _ = encode_for_quality(jpeg, img, 34.0, "psnr", tolerance=2.0)
    blind = len(calls)
    calls.clear()
    data, q2, value = encode_for_quality(jpeg, img, 34.0, "psnr", tolerance=2.0, guess=q)
    assert len(calls) < blind and value >= 34.0 and abs(q2 - q) <= 2.0
    table = tmp_path / "costs.json"
    table.write_text('{"costs": {}, "priors": {"jpeg": {"psnr": [10.0, 2.0]}}}')
    monkeypatch.setattr(costs, "_file", lambda: __import__("json").loads(table.read_text()))
    assert costs.guess("jpeg", "psnr", 30.0) == 70.0 and costs.guess("webp", "psnr", 30.0) is None


def test_a_bad_effort_is_a_one_line_error():
    from srcodec.errors import BadOptionError

    with pytest.raises(BadOptionError, match="option effort"):
        get_codec("auto:effort=fast")
    with pytest.raises(BadOptionError, match="outside 1..3"):
        get_codec("auto:effort=4")
    proc = run_cli("compress", "nothing.png", "--codec", "auto:effort=fast")
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1


def test_a_vvc_pipeline_takes_the_heaviest_preset_that_fits(monkeypatch):
    """Preset per size: a pipeline takes its inner codec's effort options as its own, and auto falls back on them."""
    pipeline = get_codec("vvc-restored:preset=fast")
    assert pipeline.inner == "vvc:preset=fast" and pipeline.settings()["inner_settings"]["preset"] == "fast"
    assert get_codec("vvc-restored").lighter() == ["vvc-restored:preset=fast", "vvc-restored:preset=faster"]
    assert get_codec("avif-restored").lighter() == []  # its network was trained on one AVIF setting
    row = dict(encode_s_fixed=0.0, decode_s_per_mp=0.01, decode_s_fixed=0.0, peak_mb_per_mp=10, peak_mb_fixed=100)
    rows = {"vvc-restored": {**row, "encode_s_per_mp": 60.0}, "vvc-restored:preset=fast": {**row, "encode_s_per_mp": 6.0},
            "vvc-restored:preset=faster": {**row, "encode_s_per_mp": 0.5}}
    monkeypatch.setattr(costs, "_table", lambda: rows)
    monkeypatch.setattr(get_codec("vvc-restored").__class__, "probe", lambda self: None)  # searched for real
    auto_codec = get_codec("auto")
    small, large = smooth_image(64, 64), smooth_image(768, 1024)
    assert auto_codec._within_budget(["vvc-restored"], small, "psnr", auto.Report()) == ["vvc-restored"]
    assert auto_codec._within_budget(["vvc-restored"], large, "psnr", auto.Report()) == ["vvc-restored:preset=faster"]
    monkeypatch.setattr(auto, "BUDGET", {**auto.BUDGET, 2: ((40.0, 0.0), (1.0, 0.0))})
    assert auto_codec._within_budget(["vvc-restored"], large, "psnr", auto.Report()) == ["vvc-restored:preset=fast"]


def test_a_bad_preset_of_a_pipeline_is_a_one_line_error(tmp_path):
    from srcodec.io.image import save_png

    save_png(smooth_image(32, 48), tmp_path / "a.png")
    for spec, option in (("vvc-restored:preset=warp", "preset"), ("vvc-restored:adapt=2", "adapt")):
        proc = run_cli("compress", str(tmp_path / "a.png"), "--codec", spec)
        assert proc.returncode == 2 and proc.stderr.strip().count("\n") == 0 and "Traceback" not in proc.stderr
        assert option in proc.stderr and not (tmp_path / "a.srz").exists()
