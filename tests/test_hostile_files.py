"""Files from strangers: forged .srz headers (CRCs recomputed), damaged standard files, a corpus
replay under a memory limit. See srcodec.bench.hostile and docs/reliability.md."""

import json
import subprocess
import sys

import numpy as np
import pytest

import srcodec
from srcodec.bench.hostile import judge, seed_corpus
from srcodec.codecs import codec_class, get_codec
from tests.conftest import ROOT, assert_one_line_error, run_cli, smooth_image

#: what the replay may use, whatever a header says (the package, torch and the shipped weights: ~1.5 GB)
MEMORY_LIMIT = 3 << 30


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = tmp_path_factory.mktemp("corpus")
    seed_corpus(d)
    return d


def test_replay_under_a_memory_limit(corpus):
    """Every real file decodes, every forged one is a one-line error -- in a process that cannot grow
    past MEMORY_LIMIT bytes of address space (a forged size would need tens of gigabytes)."""
    code = (
        "import json, resource, sys\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_LIMIT}, {MEMORY_LIMIT}))\n"
        "from srcodec.bench.hostile import replay\n"
        f"print(json.dumps(replay({str(corpus)!r})))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    outcomes = json.loads(proc.stdout)
    assert len(outcomes) >= 20
    for name, (outcome, detail) in outcomes.items():
        if name.startswith("real-") or "-same-" in name:
            assert outcome == "decoded", (name, detail)
        else:
            assert outcome == "rejected", (name, detail)
        assert "MemoryError" not in detail


def test_forged_files_that_may_decode_give_the_original_image(corpus):
    same = sorted(corpus.glob("forged-*-same-*.srz"))
    assert same
    for path in same:
        codec = path.name.split("-same-")[0][len("forged-"):]
        real = corpus / f"real-{codec}.srz"
        assert np.array_equal(srcodec.decompress(real.read_bytes()), srcodec.decompress(path.read_bytes())), path.name


def test_forged_files_fail_fast_through_the_cli(corpus, tmp_path):
    for name in ("forged-learned-size-65535x65535.srz", "forged-learned-quality-nan.srz",
                 "forged-learned-streams-empty.srz", "forged-bicubic-jpeg-x2-pad-1.srz"):
        if (corpus / name).exists():
            assert_one_line_error(run_cli("decompress", str(corpus / name), "-o", str(tmp_path / "x.png")))
            if "size" in name:
                assert_one_line_error(run_cli("info", str(corpus / name)))


def _damaged(data: bytes, rng) -> list[bytes]:
    out = [data[: len(data) // 2], data[:-7], data[:40]]
    for _ in range(6):
        b = bytearray(data)
        for i in rng.integers(12, len(b), 4):
            b[i] ^= 1 << int(rng.integers(8))
        out.append(bytes(b))
    return out


@pytest.mark.parametrize("name", ["jpeg", "webp", "avif", "jpeg2000", "jxl", "heif", "vvc"])
def test_damaged_standard_files_are_one_line_errors_or_images(name):
    if codec_class(name).unavailable_reason() is not None:
        pytest.skip(f"{name} unavailable")
    codec = get_codec(name, preset="faster") if name == "vvc" else get_codec(name)
    data = codec.encode(smooth_image(32, 48), codec.default_quality)
    for bad in _damaged(data, np.random.default_rng(0)):
        outcome, detail = judge(bad)
        assert outcome in ("decoded", "rejected"), detail


def test_batch_decompress_reports_bad_files_and_finishes_the_rest(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    for i in range(3):
        (d / f"good{i}.jpg").write_bytes(get_codec("jpeg").encode(smooth_image(16, 16, seed=i), 80))
    data = get_codec("avif").encode(smooth_image(16, 16), 50)
    (d / "bad.avif").write_bytes(data[: len(data) // 2])
    (d / "bad.jxl").write_bytes(b"\xff\x0a" + bytes(100))
    proc = run_cli("decompress", str(d), "-o", str(tmp_path / "out"))
    assert proc.returncode == 1
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["good0.png", "good1.png", "good2.png"]
    assert "Traceback" not in proc.stderr and proc.stderr.count("srcodec: error:") == 2


def test_real_files_stay_far_below_the_payload_bound():
    """The cheapest real learned files (flat images, lowest quality) hold 10x fewer pixels per payload
    byte than the bound forged headers are refused at."""
    from srcodec.codecs.learned import PIXELS_PER_PAYLOAD_BYTE
    from srcodec.container import srz

    if codec_class("learned").unavailable_reason() is not None:
        pytest.skip("learned codec weights not installed")
    codec = get_codec("learned")
    for value in (0, 128, 255):
        header, streams = srz.unpack(codec.encode(np.full((512, 512, 3), value, np.uint8), 1))
        assert 512 * 512 / sum(len(x) for x in streams) * 10 < PIXELS_PER_PAYLOAD_BYTE


def test_restore_of_a_damaged_jpeg_and_absurd_targets_are_one_line_errors(tmp_path, weights_dir):
    jpg = tmp_path / "bad.jpg"
    jpg.write_bytes(b"\xff\xd8\xff" + bytes(50))
    assert_one_line_error(run_cli("restore", str(jpg), "-o", str(tmp_path / "x.png")))
    png = tmp_path / "a.png"
    srcodec.save_png(smooth_image(16, 16), png)
    for target in ("nan", "inf"):
        assert_one_line_error(run_cli("compress", str(png), "--codec", "jpeg", "--target-psnr", target, "-y"))
