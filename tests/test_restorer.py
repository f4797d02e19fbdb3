"""The quality-aware restorer: its network, its trainer on a decoded pool, its pipelines, srcodec restore."""

import json

import numpy as np
import pytest
import torch

import srcodec
from srcodec.archs import build_preset, save_stages
from srcodec.codecs import codec_class, get_codec
from srcodec.errors import SrcodecError
from srcodec.post.restorer import decoder_planes, planes_to_tensors
from tests.conftest import assert_one_line_error, run_cli, smooth_image


def test_an_untrained_restorer_returns_the_plain_decode():
    """The last convolution starts at zero: a new network is the identity on the decoder's RGB."""
    net = build_preset("qrestorer-tiny", planes="rgb", quality_range=(0, 100)).eval()
    planes = decoder_planes(get_codec("jpeg"), get_codec("jpeg").encode(smooth_image(32, 48), 30))
    with torch.no_grad():
        out = net(*planes_to_tensors([planes]), torch.tensor([30.0]))
    assert torch.allclose(out, planes_to_tensors([planes])[0])


@pytest.mark.skipif(codec_class("vvc").unavailable_reason() is not None, reason="vvc unavailable")
def test_yuv_base_is_what_the_vvc_decoder_shows():
    vvc = get_codec("vvc", preset="faster")
    data = vvc.encode(smooth_image(32, 48), 35)
    net = build_preset("qrestorer-tiny", quality_range=(13, 46)).eval()
    with torch.no_grad():
        base = net.base(*planes_to_tensors([decoder_planes(vvc, data)]))
    rgb = base[0].clamp(0, 1).mul(255).round().byte().permute(1, 2, 0).numpy()
    assert np.abs(rgb.astype(int) - vvc.decode(data)).max() <= 1


def test_train_restorer_on_a_pool_then_ship_it(tmp_path, data, monkeypatch):
    monkeypatch.setenv("SRCODEC_CACHE", str(tmp_path / "cache"))
    run = tmp_path / "run"
    proc = run_cli("train", "restorer", "--codec", "jpeg", "--quality", "10-60", "--arch", "qrestorer-tiny",
                   "--data", str(data), "--crop", "32", "--batch", "2", "--steps", "4", "--warmup", "1",
                   "--val", str(data), "--val-every", "2", "--pool-jobs", "1", "--no-progress", "--out", str(run))
    assert proc.returncode == 0, proc.stderr
    pool = json.loads((run / "pool.json").read_text())
    assert pool["images"] == 2 and pool["per_image"] == 3 and pool["codec"] == "jpeg"
    rows = [json.loads(x) for x in (run / "val.jsonl").read_text().splitlines()]
    assert rows[-1]["step"] == 4 and "gain_db" in rows[-1] and len([k for k in rows[-1] if k.startswith("gain_db_q")]) == 4
    # a second run reuses the cached pool
    proc = run_cli("train", "restorer", "--codec", "jpeg", "--quality", "10-60", "--arch", "qrestorer-tiny",
                   "--data", str(data), "--crop", "32", "--batch", "2", "--steps", "6", "--warmup", "1", "--val", "",
                   "--pool-jobs", "1", "--no-progress", "--resume", str(run / "checkpoint.pt"), "--out", str(run))
    assert proc.returncode == 0, proc.stderr
    assert "reused" in proc.stdout


def _tiny_restorer_weights(folder, name, planes):
    torch.manual_seed(0)
    net = build_preset("qrestorer-tiny", planes=planes, quality_range=(0, 100))
    for p in net.parameters():
        p.data.add_(0.01 * torch.randn_like(p))
    save_stages(folder / f"{name}.safetensors", {"restorer": net}, {"kind": "restorer"})


def test_jpeg_restored_pipeline_and_restore_command(tmp_path, weights_dir):
    _tiny_restorer_weights(weights_dir, "jpeg-restored", "rgb")
    img = smooth_image(33, 47)
    data = srcodec.compress(img, "jpeg-restored", 40)
    out = srcodec.decompress(data)
    assert out.shape == img.shape
    # a plain .jpg made elsewhere: restored with the quality its tables say
    jpg = tmp_path / "photo.jpg"
    jpg.write_bytes(get_codec("jpeg").encode(img, 40))
    proc = run_cli("restore", str(jpg))
    assert proc.returncode == 0, proc.stderr
    assert "quality 40" in proc.stdout and (tmp_path / "photo.restored.png").exists()
    assert srcodec.load_image(tmp_path / "photo.restored.png").shape == img.shape
    assert_one_line_error(run_cli("restore", str(jpg)))  # exists now: needs --force
    webp = tmp_path / "x.webp"
    webp.write_bytes(get_codec("webp").encode(img, 50))
    proc = run_cli("restore", str(webp), "-o", str(tmp_path / "x.png"))
    assert_one_line_error(proc)
    assert "no restorer" in proc.stderr


def test_restore_without_weights_says_so(tmp_path, weights_dir):
    jpg = tmp_path / "photo.jpg"
    jpg.write_bytes(get_codec("jpeg").encode(smooth_image(16, 16), 40))
    proc = run_cli("restore", str(jpg))
    assert_one_line_error(proc)
    assert "no JPEG restorer" in proc.stderr


@pytest.mark.skipif(codec_class("vvc").unavailable_reason() is not None, reason="vvc unavailable")
def test_x2_pool_training_and_pipeline(tmp_path, data, monkeypatch, weights_dir):
    monkeypatch.setenv("SRCODEC_CACHE", str(tmp_path / "cache"))
    run = tmp_path / "run"
    proc = run_cli("train", "restorer", "--codec", "vvc:preset=faster", "--scale", "2", "--quality", "20-40",
                   "--arch", "qrestorer-tiny", "--per-image", "1", "--data", str(data), "--crop", "32", "--batch", "2",
                   "--steps", "2", "--warmup", "1", "--val", str(data), "--val-qualities", "30", "--pool-jobs", "1",
                   "--no-progress", "--out", str(run))
    assert proc.returncode == 0, proc.stderr
    assert json.loads((run / "pool.json").read_text())["scale"] == 2
    (weights_dir / "vvc-x2.safetensors").write_bytes((run / "weights.safetensors").read_bytes())
    img = smooth_image(35, 50)
    out = srcodec.decompress(srcodec.compress(img, "vvc-x2", 40))
    assert out.shape == img.shape


@pytest.mark.skipif(codec_class("vvc").unavailable_reason() is not None, reason="vvc unavailable")
def test_a_plain_vvc_file_is_restored_like_the_pipeline_decodes_it(tmp_path, weights_dir):
    from srcodec.codecs.stream_headers import vvc_quality
    from srcodec.codecs.vvc import MARKER_PREFIX
    from srcodec.pipelines.restored import restore_file

    net = build_preset("qrestorer-tiny", quality_range=(13, 46))
    torch.nn.init.normal_(net.tail.weight, std=1e-3)  # not the identity: the test sees which network ran
    save_stages(weights_dir / "vvc-restored.safetensors", {"restorer": net}, {"kind": "restorer"})
    vvc = get_codec("vvc", preset="faster")
    for shape, q in (((33, 47, 3), 20), ((32, 48, 1), 41), ((40, 40, 3), 5)):
        img = smooth_image(*shape[:2]) if shape[2] == 3 else smooth_image(*shape[:2])[:, :, :1]
        data = vvc.encode(img, q)
        assert vvc_quality(data) == q  # the QP read back from the stream's headers
        if q < 13:
            with pytest.raises(SrcodecError, match=r"trained on 13 \(QP 50\)..46 \(QP 17\)"):
                restore_file(data)
            continue
        out, name, quality = restore_file(data)
        assert (name, quality, out.shape) == ("vvc-restored", q, img.shape)
        stand_in, _ = get_codec("vvc-restored").probe()  # vvc-restored around this same faster-preset stream
        srz = stand_in.encode(img, q)
        stream = data[: data.rfind(MARKER_PREFIX)]  # the picture (srcodec's size marker says grey or colour)
        assert stream in srz and np.array_equal(out, get_codec("vvc-restored").decode(srz))
    f = tmp_path / "a.266"
    f.write_bytes(vvc.encode(smooth_image(32, 48), 30))
    proc = run_cli("restore", str(f))
    assert proc.returncode == 0 and "vvc-restored (quality 30" in proc.stdout, proc.stderr
    bad = tmp_path / "bad.266"
    bad.write_bytes(f.read_bytes()[:40])  # a cut stream: its headers cannot be read
    proc = run_cli("restore", str(bad), "-o", str(tmp_path / "bad.png"))
    assert_one_line_error(proc)
    assert not (tmp_path / "bad.png").exists()
    assert vvc_quality(b"\x00\x00\x01garbage") is None


def test_a_plain_avif_file_is_restored_with_its_quality_read_from_the_file(tmp_path, weights_dir):
    from srcodec.codecs.stream_headers import avif_quality
    from srcodec.pipelines.restored import restore_file

    net = build_preset("qrestorer-tiny", planes="rgb", quality_range=(5, 90))
    torch.nn.init.normal_(net.tail.weight, std=1e-3)
    save_stages(weights_dir / "avif-restored.safetensors", {"restorer": net}, {"kind": "restorer"})
    img = smooth_image(33, 46)
    for q in (35, 54):
        data = get_codec("avif").encode(img, q)
        assert avif_quality(data) == q
        out, name, quality = restore_file(data)
        srz = get_codec("avif-restored").encode(img, q)
        assert data in srz and (name, quality) == ("avif-restored", q)
        assert np.array_equal(out, get_codec("avif-restored").decode(srz))  # the pipeline's own decode
    assert 2 <= avif_quality(get_codec("avif").encode(img, 3)) <= 4  # 2..4 share one quantizer
    with pytest.raises(SrcodecError, match="trained on 5..90"):
        restore_file(get_codec("avif").encode(img, 97))
    f = tmp_path / "a.avif"
    f.write_bytes(get_codec("avif").encode(img, 35))
    proc = run_cli("restore", str(f))
    assert proc.returncode == 0 and "avif-restored (quality 35" in proc.stdout, proc.stderr
    (tmp_path / "high.avif").write_bytes(get_codec("avif").encode(img, 97))  # outside the trained range
    proc = run_cli("restore", str(tmp_path / "high.avif"), "-o", str(tmp_path / "high.png"))
    assert_one_line_error(proc)
    assert "trained on 5..90" in proc.stderr and not (tmp_path / "high.png").exists()


@pytest.mark.skipif(codec_class("vvc").unavailable_reason() is not None, reason="vvc unavailable")
def test_x2_with_a_learned_downscaler_builds_its_own_pool_and_ships_both_stages(tmp_path, data, monkeypatch, weights_dir):
    from srcodec.archs import build_arch, load_stages

    monkeypatch.setenv("SRCODEC_CACHE", str(tmp_path / "cache"))
    down = build_arch("downscaler", scale=2, channels=4, n_layers=1)
    torch.nn.init.normal_(down.correction[-1].weight, std=1e-2)  # not plain bicubic
    save_stages(tmp_path / "down.safetensors", {"down": down}, {"kind": "resampler"})
    run = tmp_path / "run"
    common = ["train", "restorer", "--codec", "vvc:preset=faster", "--quality", "20-40", "--arch", "qrestorer-tiny",
              "--per-image", "1", "--data", str(data), "--crop", "32", "--batch", "2", "--steps", "2", "--warmup", "1",
              "--val", str(data), "--val-qualities", "30", "--pool-jobs", "1", "--no-progress"]
    learned = ["--down-weights", str(tmp_path / "down.safetensors")]
    proc = run_cli(*common, "--scale", "2", "--out", str(run), *learned)
    assert proc.returncode == 0, proc.stderr
    assert json.loads((run / "pool.json").read_text())["downscaler"] == str(tmp_path / "down.safetensors")
    assert len(list((tmp_path / "cache" / "pools").iterdir())) == 1
    stages = load_stages(run / "weights.safetensors")
    assert set(stages) == {"down", "restorer"}
    assert all(torch.equal(v, down.state_dict()[k]) for k, v in stages["down"].state_dict().items())  # frozen
    (weights_dir / "vvc-x2-learned.safetensors").write_bytes((run / "weights.safetensors").read_bytes())
    img = smooth_image(35, 50)
    out = srcodec.decompress(srcodec.compress(img, "vvc-x2-learned", 40))
    assert out.shape == img.shape
    # the bicubic pool is another pool; a downscaler with --scale 1 is a one-line error
    proc = run_cli(*common, "--scale", "2", "--out", str(tmp_path / "run2"))
    assert proc.returncode == 0, proc.stderr
    assert len(list((tmp_path / "cache" / "pools").iterdir())) == 2
    proc = run_cli(*common, "--scale", "1", "--out", str(tmp_path / "run3"), *learned)
    assert proc.returncode == 2 and "downscaler divides by 2, but --scale is 1" in proc.stderr
    assert proc.stderr.count("\n") == 1
    proc = run_cli(*common, "--scale", "2", "--out", str(tmp_path / "run4"), "--down-weights", str(tmp_path / "none.st"))
    assert proc.returncode == 2 and "none.st" in proc.stderr and proc.stderr.count("\n") == 1


def test_the_fast_route_gives_the_fp32_image_within_one_level_and_tiles_change_nothing(monkeypatch):
    import torch

    from srcodec.post.restorer import fast_route, restore

    torch.manual_seed(0)
    net = build_preset("qrestorer-tiny", planes="rgb", quality_range=(0, 100)).eval()
    for p in net.parameters():  # a network that changes the image (an untrained one returns the decode)
        torch.nn.init.normal_(p, std=0.05)
    rng = np.random.default_rng(0)
    planes = {"rgb": rng.integers(0, 256, (96, 128, 3), dtype=np.uint8)}
    exact = restore(net, planes, 30, route="fp32")
    fast = restore(net, planes, 30, route="bf16")
    assert np.abs(exact.astype(int) - fast).max() <= 1
    assert (exact != fast).mean() < 0.2
    tiled = restore(net, planes, 30, tile=48, route="fp32")
    assert np.abs(exact.astype(int) - tiled).max() <= 1
    monkeypatch.setenv("SRCODEC_EXACT", "1")
    assert fast_route() == "fp32"


def test_restore_runs_this_cpus_fast_route_by_default(monkeypatch):
    import srcodec.post.restorer as r

    net = build_preset("qrestorer-tiny", planes="rgb", quality_range=(0, 100)).eval()
    routes = []
    real_run = r._run
    monkeypatch.setattr(r, "_run", lambda *a: routes.append(a[-1]) or real_run(*a))
    planes = {"rgb": np.zeros((32, 48, 3), np.uint8)}
    r.restore(net, planes, 30)
    assert routes == [r.fast_route()]


def test_strengths_fitted_to_the_image_are_what_least_squares_finds_and_never_worse():
    from srcodec.metrics import psnr
    from srcodec.post.restorer import STRENGTH_STEPS, apply_strengths, fit_strengths

    rng = np.random.default_rng(3)
    source = rng.integers(40, 200, (24, 32, 3)).astype(np.uint8)
    plain = np.clip(source.astype(int) + rng.integers(-12, 13, source.shape), 0, 255).astype(np.uint8)
    # a network that over-corrects red (twice the error's opposite), is right on green, does nothing on blue
    err = source.astype(float) - plain
    restored = np.clip(np.rint(plain + err * np.array([2.0, 1.0, 0.0]) + rng.normal(0, 0.5, err.shape)), 0, 255)
    codes = fit_strengths(source, plain, restored.astype(np.uint8))
    assert abs(codes[0] - STRENGTH_STEPS / 2) <= 1 and abs(codes[1] - STRENGTH_STEPS) <= 1
    out = apply_strengths(plain, restored.astype(np.uint8), codes)
    assert psnr(source, out) > psnr(source, restored.astype(np.uint8)) + 2  # red halved: the error of the others
    with pytest.raises(ValueError):
        apply_strengths(plain, restored.astype(np.uint8), bytes([0, 200, 0]))


@pytest.mark.skipif(codec_class("vvc").unavailable_reason() is not None, reason="vvc unavailable")
def test_adaptive_restoration_carries_three_bytes_that_any_vvc_restored_reads(weights_dir):
    """vvc-restored:adapt=1: the same VVC file, 5 more header bytes (tag and strengths), a decode at least as
    close as the plain restorer's; the default pipeline decodes it the same; a corrupted strength is one line."""
    from srcodec.errors import InputError
    from srcodec.metrics import psnr

    net = build_preset("qrestorer-tiny", quality_range=(13, 46))
    torch.nn.init.normal_(net.tail.weight, std=2e-2)
    save_stages(weights_dir / "vvc-restored.safetensors", {"restorer": net}, {"kind": "restorer"})
    img = smooth_image(40, 56)
    plain, adaptive = get_codec("vvc-restored:preset=faster"), get_codec("vvc-restored:preset=faster:adapt=1")
    assert adaptive.settings()["adapt"] == 1 and "adapt" not in plain.settings()
    a, b = plain.encode(img, 30), adaptive.encode(img, 30)
    assert len(b) == len(a) + 5 and plain.unwrap(a) == adaptive.unwrap(b)
    out = adaptive.decode(b)
    assert psnr(img, out) >= psnr(img, plain.decode(a)) - 0.01
    assert np.array_equal(out, get_codec("vvc-restored").decode(b)) and np.array_equal(out, srcodec.decompress(b))
    from srcodec.container import srz

    header, streams = srz.unpack(b)
    forged = srz.pack(header.codec, header.model_id, header.weights_hash, header.height, header.width, header.channels,
                      streams, quality=header.quality, extra=header.extra[:-1] + bytes([250]))
    with pytest.raises(InputError, match="strengths"):
        adaptive.decode(forged)
