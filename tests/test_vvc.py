"""The vvc codec: VVenC through imageio-ffmpeg's binary, decoded in-process by PyAV."""

import subprocess

import numpy as np
import pytest

import srcodec
from srcodec.codecs import codec_class, get_codec
from srcodec.codecs import vvc as vvc_module
from srcodec.errors import InputError, UnavailableError
from srcodec.metrics import psnr
from tests.conftest import assert_one_line_error, run_cli, smooth_image

pytestmark = pytest.mark.skipif(codec_class("vvc").unavailable_reason() is not None,
                                reason="vvc unavailable (imageio-ffmpeg / av not installed)")


@pytest.fixture(scope="module")
def vvc():
    return get_codec("vvc", preset="faster")


@pytest.mark.parametrize("shape", [(1, 1, 3), (5, 3, 1), (17, 33, 3), (16, 16, 3), (31, 2, 3), (2, 300, 1), (40, 24, 3)])
def test_any_size_round_trips_with_its_size_and_channels(vvc, shape):
    img = smooth_image(shape[0], shape[1], shape[2], seed=3)
    out = vvc.decode(vvc.encode(img, 50))
    assert out.shape == img.shape and out.dtype == np.uint8
    assert psnr(img, out) > 30


def test_greyscale_stays_greyscale_and_is_coded_as_luma(vvc):
    grey = smooth_image(48, 64, 1)
    data = vvc.encode(grey, 45)
    out = srcodec.decompress(data)  # recognised from its first bytes
    assert out.shape == (48, 64, 1) and psnr(grey, out) > 38


def test_quality_is_higher_is_better(vvc):
    img = smooth_image(64, 96)
    small, big = vvc.encode(img, 15), vvc.encode(img, 45)
    assert len(small) < len(big)
    assert psnr(img, vvc.decode(small)) < psnr(img, vvc.decode(big))


def test_colour_is_signalled_in_the_bitstream(vvc):
    y, cb, cr, matrix, full = vvc_module.decode_planes(vvc.encode(smooth_image(32, 32), 40))
    assert matrix == vvc_module.ENCODE_MATRIX and full
    assert y.shape == (32, 32) and cb.shape == (16, 16) and y.dtype == np.uint16


def test_even_padding_is_cut_by_the_conformance_window(vvc):
    """An even size under 16 or not a multiple of 8: a stock decoder sees the true size (no marker)."""
    data = vvc.encode(smooth_image(10, 18), 40)
    assert b"srcodec " not in data
    y, *_ = vvc_module.decode_planes(data)
    assert y.shape == (10, 18)


def test_colour_conversion_alone_loses_only_chroma_detail():
    img = smooth_image(64, 64)  # independent noise per channel: chroma detail that 4:2:0 drops
    assert psnr(img, vvc_module.yuv420_to_rgb(*vvc_module.rgb_to_yuv420(img))) > 36
    grey = np.repeat(smooth_image(64, 64, 1), 3, axis=2)  # no chroma at all: only 10-bit rounding is left
    assert psnr(grey, vvc_module.yuv420_to_rgb(*vvc_module.rgb_to_yuv420(grey))) > 50


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty-ish"])
def test_corrupted_stream_is_a_one_line_error(vvc, tmp_path, damage):
    data = vvc.encode(smooth_image(32, 48), 40)
    bad = {"truncate": data[:40], "garbage": data[:24] + bytes(range(256)) * 2, "empty-ish": data[:5]}[damage]
    with pytest.raises(InputError):
        vvc.decode(bad)
    p = tmp_path / "bad.266"
    p.write_bytes(bad)
    assert_one_line_error(run_cli("decompress", str(p), "-o", str(tmp_path / "bad.png")))


def test_missing_binary_is_reported_unavailable(monkeypatch):
    monkeypatch.setattr(vvc_module, "_VVENC_CHECKED", {})

    def no_ffmpeg():
        raise ImportError("no imageio_ffmpeg")

    monkeypatch.setattr(vvc_module, "ffmpeg_exe", no_ffmpeg)
    reason = codec_class("vvc").unavailable_reason()
    assert reason and "imageio-ffmpeg" in reason
    with pytest.raises(UnavailableError):
        get_codec("vvc")


def test_stock_ffmpeg_decodes_the_file(vvc, tmp_path):
    img = smooth_image(32, 48)
    p = tmp_path / "a.266"
    p.write_bytes(vvc.encode(img, 45))
    out = tmp_path / "a.png"
    subprocess.run([vvc_module.ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(p), "-frames:v", "1",
                    "-update", "1", str(out)], check=True, timeout=60)
    assert psnr(img, srcodec.load_image(out)) > 35


def test_cli_writes_a_266_file(tmp_path):
    srcodec.save_png(smooth_image(24, 40), tmp_path / "a.png")
    proc = run_cli("compress", str(tmp_path / "a.png"), "--codec", "vvc:preset=faster", "-q", "40")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "a.266").exists()
    proc = run_cli("decompress", str(tmp_path / "a.266"), "-o", str(tmp_path / "b.png"))
    assert proc.returncode == 0, proc.stderr
    assert psnr(srcodec.load_image(tmp_path / "a.png"), srcodec.load_image(tmp_path / "b.png")) > 30


def test_the_bitstream_does_not_depend_on_the_thread_count():
    img = smooth_image(272, 96)  # three rows of CTUs: wavefront threads have rows to share
    one = get_codec("vvc", preset="faster", threads=1).encode(img, 35)
    assert get_codec("vvc", preset="faster", threads=2).encode(img, 35) == one


def test_chroma_qp_offset_is_an_option_recorded_and_signalled_in_the_stream():
    from srcodec.codecs.stream_headers import trace_fields
    from srcodec.errors import BadOptionError

    img = smooth_image(32, 48)
    default = get_codec("vvc", preset="faster")
    assert default.settings()["chroma_qp_offset"] == vvc_module.CHROMA_QP_OFFSET
    fields = ("pps_cb_qp_offset", "pps_cr_qp_offset")
    assert trace_fields(default.encode(img, 40), ".266", fields) == dict.fromkeys(fields, vvc_module.CHROMA_QP_OFFSET)
    plain = get_codec("vvc:preset=faster:chroma_qp_offset=0")
    assert plain.settings()["chroma_qp_offset"] == 0
    assert trace_fields(plain.encode(img, 40), ".266", fields) == {}  # no offset: the PPS leaves them out
    with pytest.raises(BadOptionError, match="chroma_qp_offset=13 is outside"):
        get_codec("vvc:chroma_qp_offset=13")


def test_wavefront_parallel_processing_is_the_default_and_signalled():
    from srcodec.codecs.stream_headers import trace_fields

    img = smooth_image(48, 64)
    flag = ("sps_entropy_coding_sync_enabled_flag",)
    assert trace_fields(get_codec("vvc:preset=faster").encode(img, 40), ".266", flag) == {flag[0]: 1}
    assert trace_fields(get_codec("vvc:preset=faster:wpp=0").encode(img, 40), ".266", flag) == {flag[0]: 0}
    assert get_codec("vvc:wpp=0").settings()["wpp"] == 0
