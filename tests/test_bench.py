"""The benchmark runner and its commands, on a few tiny images."""

import csv
import json
import math

import numpy as np
import pytest
from PIL import Image

from srcodec.bench import runner
from srcodec.bench.runner import ROW_FIELDS, run_benchmark
from srcodec.cli import main
from srcodec.codecs import Codec, get_codec, register_codec
from srcodec.io.image import load_image, save_png
from srcodec.metrics import psnr, ssimulacra2, vmaf
from tests.conftest import REFERENCE, assert_one_line_error, run_cli, smooth_image

QUALITIES = [20.0, 50.0, 85.0]


@register_codec
class _Missing(Codec):
    """A codec whose plugin is never installed."""

    name = "test-missing"

    @classmethod
    def unavailable_reason(cls):
        return "install the imaginary plugin"

    def encode(self, image, quality):
        raise AssertionError("never called")

    def decode(self, data):
        raise AssertionError("never called")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """Two 64x64 images (MS-SSIM undefined) and one 168x168 (MS-SSIM defined)."""
    root = tmp_path_factory.mktemp("data")
    save_png(smooth_image(64, 64, seed=1), root / "a.png")
    save_png(smooth_image(64, 64, seed=2), root / "b.png")
    save_png(smooth_image(168, 168, seed=3), root / "c.png")
    (root / "notes.txt").write_text("not an image")
    return root


@pytest.fixture(scope="module")
def run(dataset, tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "bench"
    result = run_benchmark(dataset, ["jpeg", "webp"], out, qualities=QUALITIES, progress=False)
    return result, out


def read_csv(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_rows_are_real_measurements(run, dataset):
    result, out = run
    rows = read_csv(out / "rows.csv")
    assert len(rows) == 3 * 2 * 3 and result.measured == 18 and not result.failures
    assert list(rows[0]) == list(ROW_FIELDS)
    as_json = json.loads((out / "rows.json").read_text())
    assert len(as_json) == 18
    for row in as_json:
        image = load_image(dataset / row["image"])
        codec = get_codec(row["codec"])
        data = codec.encode(image, row["quality"])  # the codecs are deterministic
        assert row["bytes"] == len(data)
        assert row["bpp"] == pytest.approx(8 * len(data) / (image.shape[0] * image.shape[1]))
        assert row["psnr"] == pytest.approx(psnr(image, codec.decode_like(data, image)), abs=1e-9)
        assert 0 < row["ssim"] <= 1 and row["encode_s"] > 0 and row["decode_s"] > 0
        decoded = codec.decode_like(data, image)
        assert row["ssimulacra2"] == pytest.approx(ssimulacra2(image, decoded), abs=1e-9)
        assert row["vmaf"] == pytest.approx(vmaf(image, decoded), abs=1e-6)
        if row["image"] == "c.png":
            assert 0.5 < row["ms_ssim"] <= 1
        else:
            assert row["ms_ssim"] is None  # 64 px: MS-SSIM undefined, JSON null
    assert {r["ms_ssim"] for r in rows if r["image"] == "a.png"} == {""}


def test_per_codec_curve_is_the_mean_over_images_in_compressai_layout(run):
    _, out = run
    rows = json.loads((out / "rows.json").read_text())
    curve = json.loads((out / "jpeg.json").read_text())
    assert curve["name"] == "jpeg" and "libjpeg-turbo" in curve["description"]
    res = curve["results"]
    assert set(res) >= {"bpp", "psnr-rgb", "ms-ssim-rgb", "psnr-y", "ssim-rgb", "encoding_time", "decoding_time"}
    assert res["quality"] == QUALITIES
    for i, q in enumerate(QUALITIES):
        mine = [r for r in rows if r["codec"] == "jpeg" and r["quality"] == q]
        assert res["bpp"][i] == pytest.approx(np.mean([r["bpp"] for r in mine]))
        assert res["psnr-rgb"][i] == pytest.approx(np.mean([r["psnr"] for r in mine]))
        assert res["psnr-y"][i] == pytest.approx(np.mean([r["psnr_y"] for r in mine]))
        # MS-SSIM: only the one image large enough has it
        assert res["ms-ssim-rgb"][i] == pytest.approx(next(r["ms_ssim"] for r in mine if r["image"] == "c.png"))
    assert res["bpp"] == sorted(res["bpp"]) and res["psnr-rgb"] == sorted(res["psnr-rgb"])


def test_settings_bdrate_and_plots_are_written(run):
    _, out = run
    settings = json.loads((out / "settings.json").read_text())
    assert settings["codecs"]["jpeg"]["settings"] == {"optimize": True, "subsampling": "4:2:0"}
    assert settings["codecs"]["webp"]["label"].startswith("WebP")
    assert settings["codecs"]["webp"]["qualities"] == QUALITIES
    assert settings["versions"]["Pillow"] and settings["versions"]["lib:jpg"]
    assert sorted(settings["images"]) == ["a.png", "b.png", "c.png"]
    table = json.loads((out / "bdrate.json").read_text())
    assert table["anchor"] == "jpeg"
    rows = {r["name"]: r for r in table["rows"]}
    assert rows["jpeg"]["psnr-rgb"] == pytest.approx(0.0)
    assert math.isfinite(rows["webp"]["psnr-rgb"])
    assert "BD-rate against **JPEG" in (out / "bdrate.md").read_text()
    for name in ("rd_psnr", "rd_msssim"):
        im = np.asarray(Image.open(out / f"{name}.png").convert("L"))
        assert im.shape[0] > 300 and im.std() > 10  # a drawn figure, not a blank page
        assert (out / f"{name}.svg").read_text().lstrip().startswith("<?xml")


def test_rerun_resumes_and_measures_only_missing_rows(run, dataset, tmp_path):
    _, out = run
    again = run_benchmark(dataset, ["jpeg", "webp"], out, qualities=QUALITIES, progress=False)
    assert again.measured == 0 and again.done_before == 18
    # lose two rows (as if interrupted), then resume into a copy
    copy = tmp_path / "copy"
    copy.mkdir()
    rows = json.loads((out / "rows.json").read_text())
    kept = [r for r in rows if not (r["image"] == "b.png" and r["codec"] == "webp" and r["quality"] != 50.0)]
    (copy / "rows.json").write_text(json.dumps(kept))
    resumed = run_benchmark(dataset, ["jpeg", "webp"], copy, qualities=QUALITIES, progress=False)
    assert resumed.measured == 2 and resumed.done_before == 16
    key = lambda r: (r["image"], r["codec"], r["quality"], r["bytes"])  # noqa: E731
    assert sorted(map(key, json.loads((copy / "rows.json").read_text()))) == sorted(map(key, rows))
    assert len(read_csv(copy / "rows.csv")) == 18
    assert json.loads((copy / "webp.json").read_text())["results"]["bpp"] == \
        json.loads((out / "webp.json").read_text())["results"]["bpp"]


def test_interrupted_run_keeps_finished_rows(dataset, tmp_path, monkeypatch):
    real, calls = runner.measure, []

    def stop_after_four(task):
        if len(calls) == 4:
            raise KeyboardInterrupt
        calls.append(task)
        return real(task)

    monkeypatch.setattr(runner, "measure", stop_after_four)
    with pytest.raises(KeyboardInterrupt):
        run_benchmark(dataset, ["jpeg"], tmp_path / "r", qualities=QUALITIES, progress=False)
    assert len(json.loads((tmp_path / "r" / "rows.json").read_text())) == 4
    assert len(read_csv(tmp_path / "r" / "rows.csv")) == 4
    monkeypatch.setattr(runner, "measure", real)
    done = run_benchmark(dataset, ["jpeg"], tmp_path / "r", qualities=QUALITIES, progress=False)
    assert done.done_before == 4 and done.measured == 5


def test_single_image_limit_anchor_file_and_unavailable_codec(dataset, tmp_path, capsys):
    code = main(["bench", str(dataset / "c.png"), "--codecs", "webp,test-missing,jpeg", "--out", str(tmp_path / "one"),
                 "--qualities", "30", "60", "90", "--anchor", str(REFERENCE / "webp.json"), "--quiet"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.err.strip().splitlines() == \
        ["srcodec: skipping codec test-missing: install the imaginary plugin"]
    rows = read_csv(tmp_path / "one" / "rows.csv")
    assert {r["image"] for r in rows} == {"c.png"} and len(rows) == 6
    table = json.loads((tmp_path / "one" / "bdrate.json").read_text())
    assert table["anchor"] == "WebP" and [r["name"] for r in table["rows"]] == ["webp", "jpeg"]
    assert "| WebP" in captured.out  # the BD-rate table is printed
    limited = run_benchmark(dataset, ["jpeg"], tmp_path / "lim", qualities=[50], limit=2, progress=False)
    assert limited.images == ["a.png", "b.png"]


@pytest.mark.parametrize("args, needle", [
    (["--codecs", "jpeg,nosuchcodec"], "unknown codec 'nosuchcodec'"),
    (["--codecs", "jpeg", "--anchor", "webp"], "--anchor 'webp'"),
    (["--codecs", "jpeg", "--qualities", "500"], "outside"),
    (["--codecs", "jpeg", "--jobs", "0"], "--jobs"),
    (["--codecs", "jpeg", "--targets", "sharpness:30"], "--targets 'sharpness:30'"),
    (["--codecs", "jpeg", "--targets", "psnr:"], "--targets 'psnr:'"),
    (["--codecs", "jpeg", "--targets", "psnr:30", "--qualities", "50"], "not both"),
    (["--codecs", "jpeg", "--every", "0"], "--every"),
    (["--codecs", "jpeg", "--threads", "0"], "--threads"),
])
def test_bad_options_fail_before_any_work(dataset, tmp_path, capsys, args, needle):
    out = tmp_path / "never"
    assert main(["bench", str(dataset), "--out", str(out), *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("srcodec: error: ") and needle in err[0], err
    assert not out.exists()


def test_missing_dataset_and_unwritable_out(dataset, tmp_path, capsys):
    assert main(["bench", str(tmp_path / "nowhere"), "--codecs", "jpeg", "--out", str(tmp_path / "o")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    blocker = tmp_path / "file.txt"
    blocker.write_text("a file, not a folder")
    assert main(["bench", str(dataset), "--codecs", "jpeg", "--out", str(blocker / "sub"), "--qualities", "50"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot create folder" in err[0]
    (tmp_path / "empty").mkdir()
    assert main(["bench", str(tmp_path / "empty"), "--codecs", "jpeg", "--out", str(tmp_path / "o")]) == 2
    assert "no image files" in capsys.readouterr().err


def test_parallel_run_matches_serial_run(run, dataset, tmp_path):
    _, serial = run
    par = run_benchmark(dataset, ["jpeg", "webp"], tmp_path / "par", qualities=QUALITIES, jobs=2, anchor="webp",
                        progress=False)
    assert par.measured == 18 and not par.failures
    key = lambda r: (r["image"], r["codec"], r["quality"], r["bytes"], round(r["psnr"], 9))  # noqa: E731
    assert sorted(map(key, json.loads((tmp_path / "par" / "rows.json").read_text()))) == \
        sorted(map(key, json.loads((serial / "rows.json").read_text())))


def test_unknown_codec_from_a_real_process_is_one_line_exit_2(dataset, tmp_path):
    bad = run_cli("bench", str(dataset), "--codecs", "jpeg,nosuchcodec", "--out", str(tmp_path / "x"))
    assert bad.returncode == 2
    assert_one_line_error(bad)
    assert "unknown codec 'nosuchcodec'" in bad.stderr and not (tmp_path / "x").exists()


def test_plot_command_with_reference(run, tmp_path, capsys):
    _, out = run
    ref = REFERENCE / "vtm.json"
    assert main(["plot", str(out), str(ref), "--ref", str(ref), "--out", str(tmp_path / "fig"), "--title", "t"]) == 0
    written = capsys.readouterr().out.split()
    assert sorted(p.rsplit("/", 1)[-1] for p in written) == \
        ["fig_msssim.png", "fig_msssim.svg", "fig_psnr.png", "fig_psnr.svg", "fig_ssimulacra2.png",
         "fig_ssimulacra2.svg", "fig_vmaf.png", "fig_vmaf.svg"]
    # published curves alone have no SSIMULACRA2 / VMAF: only PSNR and MS-SSIM plots
    assert main(["plot", str(ref), "--out", str(tmp_path / "pub")]) == 0
    assert sorted(p.rsplit("/", 1)[-1] for p in capsys.readouterr().out.split()) == \
        ["pub_msssim.png", "pub_msssim.svg", "pub_psnr.png", "pub_psnr.svg"]
    im = np.asarray(Image.open(tmp_path / "fig_psnr.png").convert("RGB"))
    assert im.std() > 10
    assert main(["plot", str(tmp_path / "nothing"), "--out", str(tmp_path / "fig")]) == 2


def test_rows_measured_with_other_settings_are_measured_again(dataset, tmp_path):
    out = tmp_path / "b"
    run_benchmark(dataset, ["jpeg"], out, qualities=[50.0], limit=1, progress=False)
    settings = json.loads((out / "settings.json").read_text())
    settings["codecs"]["jpeg"]["settings"]["subsampling"] = "4:4:4"  # as if measured with other settings
    (out / "settings.json").write_text(json.dumps(settings))
    again = run_benchmark(dataset, ["jpeg"], out, qualities=[50.0], limit=1, progress=False)
    assert again.done_before == 0 and again.measured == 1
    resumed = run_benchmark(dataset, ["jpeg"], out, qualities=[50.0], limit=1, progress=False)
    assert resumed.done_before == 1 and resumed.measured == 0


def test_a_restored_pipeline_and_its_codec_share_one_encode_with_the_same_rows(dataset, tmp_path, monkeypatch):
    """jpeg-restored's .srz holds the jpeg file byte for byte: benched together, one encode gives both rows,
    and the jpeg rows are those of a run of jpeg alone (a grey image falls back to jpeg's own encode)."""
    from srcodec.codecs import codec_class

    if codec_class("jpeg-restored").unavailable_reason():
        pytest.skip("jpeg-restored weights not installed")
    save_png(smooth_image(48, 40, 1, seed=4), tmp_path / "grey.png")
    for f in ("a.png", "c.png"):
        (tmp_path / f).write_bytes((dataset / f).read_bytes())
    alone = run_benchmark(tmp_path, ["jpeg"], tmp_path / "alone", qualities=QUALITIES, progress=False)
    encodes = []
    real = runner.measure

    def counting(task, image=None):
        encodes.append((task.codec, task.also))
        return real(task, image)

    monkeypatch.setattr(runner, "measure", counting)
    both = run_benchmark(tmp_path, ["jpeg-restored", "jpeg"], tmp_path / "both", qualities=QUALITIES, progress=False)
    assert both.measured == 2 * 3 * len(QUALITIES) and not both.failures
    assert encodes.count(("jpeg-restored", "jpeg")) == 3 * len(QUALITIES)  # every jpeg row rode on a shared encode
    rows = lambda out: {(r["image"], r["quality"]): r for r in json.loads((out / "rows.json").read_text())  # noqa: E731
                        if r["codec"] == "jpeg"}
    a, b = rows(tmp_path / "alone"), rows(tmp_path / "both")
    assert a.keys() == b.keys() and len(a) == alone.measured
    for key in a:
        assert a[key]["bytes"] == b[key]["bytes"] and a[key]["psnr"] == pytest.approx(b[key]["psnr"], abs=1e-9)
    pipe = {(r["image"], r["quality"]): r["bytes"] for r in json.loads((tmp_path / "both" / "rows.json").read_text())
            if r["codec"] == "jpeg-restored"}
    assert all(pipe[k] > b[k]["bytes"] for k in b)  # the .srz: the same file plus its header
    # a rerun after losing the jpeg rows measures them again by jpeg's own encodes
    data = [r for r in json.loads((tmp_path / "both" / "rows.json").read_text()) if r["codec"] != "jpeg"]
    (tmp_path / "both" / "rows.json").write_text(json.dumps(data))
    encodes.clear()
    again = run_benchmark(tmp_path, ["jpeg-restored", "jpeg"], tmp_path / "both", qualities=QUALITIES, progress=False)
    assert again.measured == 3 * len(QUALITIES) and set(encodes) == {("jpeg", None)}


def test_copy_rows_takes_only_rows_measured_with_todays_settings(run, dataset, tmp_path):
    old = tmp_path / "stale"
    run_benchmark(dataset, ["webp"], old, qualities=[60.0], limit=1, progress=False)  # a quality the run lacks
    settings = json.loads((old / "settings.json").read_text())
    settings["codecs"]["webp"]["settings"]["method"] = 0  # as if measured with other settings
    (old / "settings.json").write_text(json.dumps(settings))
    out, earlier = tmp_path / "new", run[1]
    copied = runner.copy_rows(out, ["jpeg", "webp"], dataset, [old, earlier, tmp_path / "absent"])
    n = len(QUALITIES) * len(list(dataset.glob("*.png")))
    assert copied == {str(earlier): 2 * n}  # jpeg and webp from the run; nothing of the stale webp
    resumed = run_benchmark(dataset, ["jpeg", "webp"], out, qualities=QUALITIES, progress=False)
    assert resumed.measured == 0 and resumed.done_before == 2 * n
    assert runner.copy_rows(out, ["jpeg"], dataset, [earlier]) == {}  # nothing new to copy
    assert runner.copy_rows(tmp_path / "other", ["jpeg"], tmp_path, [earlier]) == {}  # another data set


def test_rows_of_an_older_run_without_perceptual_metrics_are_measured_again(dataset, tmp_path, capsys):
    out = tmp_path / "old"
    run_benchmark(dataset, ["jpeg"], out, qualities=[30, 60], progress=False)
    rows = json.loads((out / "rows.json").read_text())
    for row in rows:  # as an older srcodec wrote them
        del row["ssimulacra2"], row["vmaf"]
    (out / "rows.json").write_text(json.dumps(rows))
    again = run_benchmark(dataset, ["jpeg"], out, qualities=[30, 60], progress=False)
    assert again.done_before == 0 and again.measured == 6
    assert "measured before ssimulacra2 and vmaf" in capsys.readouterr().err
    assert all(r["ssimulacra2"] is not None for r in json.loads((out / "rows.json").read_text()))
    curve = json.loads((out / "jpeg.json").read_text())["results"]
    assert len(curve["ssimulacra2"]) == 2 and curve["ssimulacra2"][0] < curve["ssimulacra2"][1]
    assert "ssimulacra2" in json.loads((out / "bdrate.json").read_text())["metrics"]
    assert main(["bdrate", str(out / "jpeg.json"), str(out / "jpeg.json"), "--metric", "ssimulacra2", "--quiet"]) == 0
    assert capsys.readouterr().out.strip() == "+0.00 %"


def test_a_target_run_holds_each_codecs_own_search_and_autos_report(dataset, tmp_path):
    """--targets: each row is the file ``encode_to`` that target writes (what --target-psnr X writes), keyed by the
    target; a codec that chooses among candidates keeps its whole report; the curves are over the targets."""
    from srcodec.targets import Target

    out = tmp_path / "targets"
    code = main(["bench", str(dataset), "--codecs", "jpeg,auto:formats=webp+jpeg", "--targets", "psnr:34,30",
                 "--every", "2", "--out", str(out), "--quiet"])
    assert code == 0
    rows = json.loads((out / "rows.json").read_text())
    assert {r["image"] for r in rows} == {"a.png", "c.png"}  # every 2nd image
    assert sorted({r["target"] for r in rows}) == ["psnr=30", "psnr=34"] and len(rows) == 8
    for r in rows:
        image = load_image(dataset / r["image"])
        assert r["psnr"] >= float(r["target"].split("=")[1])
        if r["codec"] == "jpeg":
            own = get_codec("jpeg").encode_to(image, Target(metric="psnr", value=float(r["target"].split("=")[1])))
            assert (r["bytes"], r["quality"]) == (len(own.data), own.quality) and "report" not in r
        else:
            report = r["report"]
            chosen = [row for row in report["rows"] if row[4]]
            assert report["metric"] == "psnr" and len(chosen) == 1 and chosen[0][0] == r["chosen"]
            assert chosen[0][1] == r["bytes"] and chosen[0][2] == r["quality"]
    curve = json.loads((out / "jpeg.json").read_text())
    assert curve["target"] == "psnr" and curve["results"]["quality"] == [30.0, 34.0]
    settings = json.loads((out / "settings.json").read_text())
    assert settings["targets"] == {"metric": "psnr", "values": [30.0, 34.0]}
    again = run_benchmark(dataset, ["jpeg", "auto:formats=webp+jpeg"], out, targets=("psnr", [30.0, 34.0]), every=2,
                          progress=False)
    assert again.measured == 0 and again.done_before == 8  # resumed by (image, codec, target)


def test_a_run_of_some_codecs_keeps_the_settings_of_the_others_whose_rows_stay(dataset, tmp_path):
    """A section that measures some codecs first and the others later (kodak_auto: auto, then its candidates)
    still has every row's settings, so a changed codec is measured again."""
    out = tmp_path / "two-passes"
    run_benchmark(dataset, ["jpeg", "webp"], out, qualities=[50], limit=1, progress=False)
    run_benchmark(dataset, ["jpeg"], out, qualities=[50], limit=1, progress=False)
    settings = json.loads((out / "settings.json").read_text())
    assert list(settings["codecs"]) == ["jpeg", "webp"]
    old = settings["codecs"]["webp"]["settings"]
    settings["codecs"]["webp"]["settings"] = {**old, "method": -1}  # as if measured with other settings
    (out / "settings.json").write_text(json.dumps(settings))
    again = run_benchmark(dataset, ["webp"], out, qualities=[50], limit=1, progress=False)
    assert again.measured == 1 and again.done_before == 0
