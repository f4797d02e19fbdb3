"""Nothing a photo carries is lost: EXIF, XMP, ICC profile, transparency, greyscale, bit depth (issue 25).

A generated corpus (srcodec.bench.keeps.write_corpus, small images) goes through every codec and a
pipeline of each kind; what goes in comes out, or the command refuses in one line before writing."""

import io
import time

import numpy as np
import pytest
from PIL import Image, ImageCms, ImageOps

import srcodec
from srcodec import api
from srcodec.bench.keeps import CASES, XMP, camera_exif, judge, rgb_profile, write_corpus
from srcodec.cli import main
from srcodec.codecs import codec_class
from srcodec.container import srz
from srcodec.errors import InputError
from srcodec.io.image import load_picture
from srcodec.io.metadata import exif_fields
from tests.conftest import ROOT

#: every standard codec, and one of each kind of .srz/.jpg writer (the others share their code path;
#: python benchmarks/keeps_table.py runs every pipeline)
CODECS = ["jpeg", "jpegli", "webp", "avif", "jpeg2000", "jxl", "heif", "vvc:preset=faster", "learned",
          "bicubic-jpeg-x2", "vvc-restored", "nagasaki-jpeg", "auto", "auto:formats=web", "auto:formats=webp+jpeg"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return write_corpus(tmp_path_factory.mktemp("keeps"))


def _available(spec: str) -> bool:
    return codec_class(spec).unavailable_reason() is None


@pytest.mark.parametrize("spec", CODECS)
def test_no_silent_loss_through_every_codec(spec, corpus):
    if not _available(spec):
        pytest.skip(f"{spec} unavailable here")
    for case in ("phone.jpg", "rgba.png", "la.png", "palette-trns.png", "grey.png", "grey16.png", "rgb16.png",
                 "exif.jpg", "icc.jpg"):
        res = judge(spec, corpus[case])
        lost = {k: v for k, v in res.items() if "LOST" in v}
        assert not lost, (spec, case, res)
        if "error" in res:
            assert "\n" not in res["error"] and res["error"]
        if "alpha" in res and res["alpha"].startswith("kept") and codec_class(spec).extension == ".srz" \
                and not codec_class(spec).searches_itself:  # auto's file may be a standard format's
            assert res["alpha"] == "kept (max error 0)"  # .srz: lossless alpha plane


def test_srz_keeps_everything_and_info_shows_it(corpus, tmp_path, capsys):
    out = tmp_path / "p.srz"
    assert main(["compress", str(corpus["phone.jpg"]), "--codec", "bicubic-jpeg-x2", "-o", str(out)]) == 0
    assert "keeps: EXIF, XMP, ICC profile" in capsys.readouterr().out
    meta = srz.read_meta(out.read_bytes())
    assert meta.icc == rgb_profile() and meta.xmp == XMP
    fields = exif_fields(meta.exif)
    assert fields[0x010F] == "srcodec-phone" and 0x0112 not in fields  # orientation applied, tag gone
    assert main(["info", str(out)]) == 0
    info = capsys.readouterr().out
    assert "icc_profile" in info and "Display P3 (srcodec test)" in info and "exif" in info and "version         2" in info
    png = tmp_path / "p.png"
    assert main(["decompress", str(out), "-o", str(png)]) == 0
    with Image.open(png) as im:  # what any viewer reads: iCCP, eXIf, iTXt XMP; the size as shown (rotated once)
        assert im.info["icc_profile"] == rgb_profile()
        assert im.getexif()[0x010F] == "srcodec-phone" and im.getexif().get(0x0112, 1) == 1
        assert "srcodec test" in im.info["XML:com.adobe.xmp"]
        assert im.size == (24, 32)


def test_default_compress_of_a_phone_jpeg_keeps_exif_and_icc(corpus, tmp_path):
    """The issue's target: `srcodec compress photo.jpg` with the default codec keeps both, and `decompress`
    writes a PNG in the right orientation with both."""
    src = tmp_path / "photo.jpg"
    src.write_bytes(corpus["phone.jpg"].read_bytes())
    assert main(["compress", str(src)]) == 0
    coded = next(p for p in tmp_path.iterdir() if p.name != "photo.jpg")
    assert main(["decompress", str(coded), "-o", str(tmp_path / "out.png")]) == 0
    with Image.open(tmp_path / "out.png") as im:
        assert im.info["icc_profile"] == rgb_profile() and im.getexif()[0x010F] == "srcodec-phone"
        assert im.getexif().get(0x0112, 1) == 1 and im.size == (24, 32)  # orientation 6 applied once


def test_p3_colours_survive(corpus):
    """Pixels stay in the profile's space and the profile travels: through sRGB, the round trip looks the same."""
    data = srcodec.compress(corpus["icc.jpg"], "jpeg", 95)
    out, meta = api.decompress_picture(data)
    src, src_meta = load_picture(corpus["icc.jpg"])
    assert meta.icc == src_meta.icc == rgb_profile()
    p3 = ImageCms.ImageCmsProfile(io.BytesIO(meta.icc))
    srgb = ImageCms.createProfile("sRGB")
    a = np.asarray(ImageCms.profileToProfile(Image.fromarray(src), p3, srgb)).astype(float)
    b = np.asarray(ImageCms.profileToProfile(Image.fromarray(out), p3, srgb)).astype(float)
    naive = np.asarray(Image.fromarray(out)).astype(float)  # read as sRGB: visibly other colours
    assert np.abs(a - b).mean() < 3 < np.abs(a - naive).mean()


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_orientation_is_applied_once(orientation, tmp_path):
    rgb = np.zeros((4, 6, 3), np.uint8)
    rgb[0, 0] = 255  # one marked corner
    p = tmp_path / "o.png"
    Image.fromarray(rgb).save(p, exif=camera_exif(orientation))
    px, meta = load_picture(p)
    want = np.asarray(ImageOps.exif_transpose(Image.open(p)))
    assert want.shape[:2] == ((6, 4) if orientation >= 5 else (4, 6))
    assert np.array_equal(px, want)
    assert exif_fields(meta.exif).get(0x0112, 1) == 1
    back, back_meta = api.decompress_picture(srcodec.compress(p, "bicubic-jpeg-x2"))
    assert back.shape == px.shape and exif_fields(back_meta.exif).get(0x0112, 1) == 1


def test_strip_and_strip_icc(corpus, tmp_path, capsys):
    out = tmp_path / "s.jpg"
    assert main(["compress", str(corpus["phone.jpg"]), "--codec", "jpeg", "--strip", "-o", str(out)]) == 0
    assert "EXIF and XMP dropped (--strip)" in capsys.readouterr().out
    _, meta = api.decompress_picture(out.read_bytes())
    assert not meta.exif and not meta.xmp and meta.icc == rgb_profile()
    assert main(["compress", str(corpus["phone.jpg"]), "--codec", "jpeg", "--strip", "--strip-icc", "-o", str(out), "-y"]) == 0
    _, meta = api.decompress_picture(out.read_bytes())
    assert not meta.parts()


@pytest.mark.parametrize("case, codec, flag", [("rgba.png", "jpeg", "--background"), ("exif.jpg", "jpeg2000", "--strip"),
                                               ("icc.jpg", "jxl", "--strip-icc"), ("truncated-exif.jpg", "jpeg", "--strip"),
                                               ("tiny-icc.png", "jpeg", "--strip-icc")])
def test_refusals_are_one_line_and_write_nothing(case, codec, flag, corpus, tmp_path, capsys):
    out = tmp_path / "x.out"
    assert main(["compress", str(corpus[case]), "--codec", codec, "-o", str(out)]) == 2
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert len(err) == 1 and flag in err[0], err
    assert not out.exists() and not list(tmp_path.iterdir())
    extra = ["--background", "white"] if flag == "--background" else [flag]
    assert main(["compress", str(corpus[case]), "--codec", codec, "-o", str(out), *extra]) == 0


def test_background_composites(corpus):
    px, meta = load_picture(corpus["rgba.png"], background=(255, 255, 255))
    assert meta.alpha is None and "composited" in meta.notes[-1]
    assert (px[:, :10] == 255).all()  # alpha 0 -> the background


def test_alpha_through_the_api_and_pillow(corpus, tmp_path):
    import srcodec.pillow  # noqa: F401

    rgba = np.asarray(Image.open(corpus["rgba.png"]))
    data = srcodec.compress(rgba, "bicubic-jpeg-x2")
    back = srcodec.decompress(data)
    assert back.shape[2] == 4 and np.array_equal(back[:, :, 3], rgba[:, :, 3])
    p = tmp_path / "a.srz"
    Image.open(corpus["phone.jpg"]).save(p, codec="bicubic-jpeg-x2")
    with Image.open(p) as im:
        assert im.info["icc_profile"] == rgb_profile() and im.info["exif"] and im.mode == "RGB"
    Image.fromarray(rgba, "RGBA").save(p, codec="bicubic-jpeg-x2")
    with Image.open(p) as im:
        assert im.mode == "RGBA" and np.array_equal(np.asarray(im)[:, :, 3], rgba[:, :, 3])


def test_auto_keeps_alpha_and_size_targets_count_the_metadata(corpus):
    if not _available("auto"):
        pytest.skip("auto unavailable")
    from srcodec.codecs import get_codec
    from srcodec.pipelines.auto import CANDIDATES

    assert all("alpha" in codec_class(n).keeps for n in CANDIDATES)  # every candidate can keep alpha
    data = srcodec.compress(corpus["rgba.png"], "auto:effort=1", max_bytes=1500)
    # the chosen file (a pipeline's .srz or a standard format's own) holds the alpha plane
    assert len(data) <= 1500 and api.decompress_picture(data)[1].alpha is not None
    codec = get_codec("auto")
    assert set(codec.candidates(needs=frozenset({"alpha"}))) <= set(codec.candidates())  # only those that keep it


def test_version_1_files_still_decode():
    """The container version rule: a .srz written before the metadata section (version 1) decodes the same."""
    data = (ROOT / "tests" / "data" / "v1-bicubic-jpeg-x2.srz").read_bytes()
    assert data[4] == 1
    want = np.load(ROOT / "tests" / "data" / "v1-bicubic-jpeg-x2.decoded.npy")
    assert np.array_equal(srcodec.decompress(data), want)
    assert not api.decompress_picture(data)[1].parts()
    # and a file with nothing beside its pixels is still written as version 1, byte for byte
    header, streams = srz.unpack(data)
    assert srz.pack(header.codec, header.model_id, header.weights_hash, header.height, header.width, header.channels,
                    streams, pad_bottom=header.pad_bottom, pad_right=header.pad_right, quality=header.quality,
                    extra=header.extra) == data


def test_metadata_section_is_crc_protected_and_bounded(corpus):
    data = srcodec.compress(corpus["phone.jpg"], "bicubic-jpeg-x2")
    header, _ = srz.unpack(data)
    start = len(data) - len(header.meta)
    for i in range(start, len(data), max(1, len(header.meta) // 40)):
        bad = bytearray(data)
        bad[i] ^= 0x10
        with pytest.raises(InputError):
            srz.unpack(bytes(bad))
    with pytest.raises(InputError, match="version"):
        srz.unpack(data[:4] + b"\x03" + data[5:])


def test_grey_in_grey_out(corpus):
    for spec in ("avif", "jxl", "heif", "jpeg2000", "jpeg", "bicubic-jpeg-x2"):
        if _available(spec):
            out, _ = api.decompress_picture(srcodec.compress(corpus["grey.png"], spec))
            assert out.shape[2] == 1, spec


def test_corpus_cases_are_read_or_refused_in_one_line(corpus):
    for case in CASES:
        if case not in corpus:
            continue
        try:
            px, meta = load_picture(corpus[case])
        except InputError as exc:
            assert "\n" not in str(exc)
            continue
        assert px.dtype == np.uint8 and px.shape[2] in (1, 3)
        if case.startswith("animated"):
            assert "first frame" in " ".join(meta.notes)
        if "16" in case:  # every sample kept for the codecs that take more (16-bit RGB through PyAV), or said
            assert meta.depth == 16 and (meta.deep is not None or "8 bits" in " ".join(meta.notes))


@pytest.mark.parametrize("spec, bits", [("jxl", 16), ("jpeg2000", 16), ("vvc:preset=faster", 10), ("heif", 10)])
def test_16_bit_grey_is_coded_at_the_codec_depth_and_decodes_to_16_bit_png(spec, bits, corpus, tmp_path, capsys):
    if not _available(spec):
        pytest.skip(f"{spec} unavailable here")
    out = tmp_path / "g.out"
    assert main(["compress", str(corpus["grey16.png"]), "--codec", spec, "-o", str(out)]) == 0
    said = capsys.readouterr().out
    assert (f"coded at {bits} bits" in said) == (bits < 16)
    png = tmp_path / "g.png"
    assert main(["decompress", str(out), "-o", str(png)]) == 0
    src = np.asarray(Image.open(corpus["grey16.png"])).astype(int)
    with Image.open(png) as im:
        assert im.mode.startswith("I;16")
        back = np.asarray(im).astype(int)
    assert len(np.unique(back % 257)) > 1  # not 8-bit samples scaled up (those are all multiples of 257)
    assert np.abs(back - src).mean() < 4096  # lossy at the default quality, but the same picture


@pytest.mark.parametrize("spec", ["vvc:preset=faster", "heif"])
def test_16_bit_rgb_is_coded_at_10_bits_and_decodes_to_16_bit_png(spec, corpus, tmp_path, capsys):
    pytest.importorskip("av")
    if not _available(spec):
        pytest.skip(f"{spec} unavailable here")
    src, meta = load_picture(corpus["rgb16.png"])
    assert meta.deep is not None and meta.deep.shape == (*src.shape[:2], 3)
    assert np.array_equal(meta.deep >> 8, src)  # the 8-bit pixels are the samples' high bytes
    out = tmp_path / "c.out"
    assert main(["compress", str(corpus["rgb16.png"]), "--codec", spec, "-o", str(out)]) == 0
    assert "16-bit samples coded at 10 bits" in capsys.readouterr().out
    back, back_meta = api.decompress_picture(out.read_bytes())
    assert back_meta.deep is not None and back_meta.deep.dtype == np.uint16
    assert np.abs(back_meta.deep.astype(int) - meta.deep.astype(int)).mean() < 2048
    assert len(np.unique(back_meta.deep % 257)) > 1
    png = tmp_path / "c.png"
    assert main(["decompress", str(out), "-o", str(png)]) == 0
    with Image.open(png) as im:
        assert im.mode == "RGB" and im.tile[0].args == "RGB;16B"
    again, again_meta = load_picture(png)
    assert np.array_equal(again_meta.deep, back_meta.deep)


def test_16_bit_grey_through_an_8_bit_codec_is_said(corpus, tmp_path, capsys):
    out = tmp_path / "g.srz"
    assert main(["compress", str(corpus["grey16.png"]), "--codec", "bicubic-jpeg-x2", "-o", str(out)]) == 0
    assert "16-bit samples coded at 8 bits" in capsys.readouterr().out
    assert main(["info", str(out)]) == 0
    assert "16 bits per sample, coded at 8" in capsys.readouterr().out


def test_cmyk_with_a_profile_is_converted_through_it_and_said(tmp_path):
    """A CMYK JPEG with its printer profile: the pixels are the profile's colours (LittleCMS), not Pillow's naive
    formula; the sRGB profile travels; the note says so."""
    from PIL import Image

    from srcodec.bench.keeps import INKS, cmyk_profile
    from srcodec.io.metadata import icc_colour_space

    inks = np.zeros((32, 32 * 4, 4), np.uint8)
    for i in range(4):
        inks[:, 32 * i:32 * (i + 1), i] = 255  # cyan, magenta, yellow, black patches
    path = tmp_path / "inks.jpg"
    Image.fromarray(inks, "CMYK").save(path, "JPEG", quality=100, icc_profile=cmyk_profile())
    pixels, meta = api.read_picture(path)
    centres = pixels[16, 16::32].astype(int)
    want = np.round(np.array(INKS) * 255)
    assert np.abs(centres - want).max() <= 8, centres  # the inks the profile prints
    naive = np.asarray(Image.open(path).convert("RGB"))[16, 16::32].astype(int)
    assert np.abs(naive - want).max() > 60  # what ignoring the profile would give
    assert any("through its ICC profile" in n for n in meta.notes)
    assert icc_colour_space(meta.icc) == "RGB"  # the profile the pixels are now in travels
    time.sleep(1.05)  # LittleCMS dates a profile to the second: the same file reads to the same bytes anyway
    assert api.read_picture(path)[1].icc == meta.icc
    data = srcodec.compress(path, "avif", 90)
    out, back = api.decompress_picture(data)
    assert back.icc == meta.icc and np.abs(out[16, 16::32].astype(int) - want).max() <= 12
