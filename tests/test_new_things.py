"""docs/architecture.md's "where a new thing goes", checked: a toy codec in one module, a toy benchmark section."""

import sys
from pathlib import Path

import numpy as np
import pytest

import srcodec
from srcodec.codecs.base import CODECS, Codec, get_codec

ROOT = Path(__file__).resolve().parents[1]


class ToyCodec(Codec):
    """A whole codec in one class: raw pixels behind a 4-byte magic, quality ignored."""

    name = "toy-raw"
    extension = ".toy"
    quality_range = (0, 1)
    default_quality = 1

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        return head[:4] == b"TOY0"

    def encode(self, image, quality):
        h, w, c = image.shape
        return b"TOY0" + bytes([c]) + h.to_bytes(2, "big") + w.to_bytes(2, "big") + image.tobytes()

    def decode(self, data):
        c, h, w = data[4], int.from_bytes(data[5:7], "big"), int.from_bytes(data[7:9], "big")
        return np.frombuffer(data[9:], np.uint8).reshape(h, w, c).copy()


@pytest.fixture
def toy(monkeypatch):
    CODECS.load()
    monkeypatch.setattr(CODECS, "_entries", {**CODECS._entries})  # registered for this test only
    CODECS.register(ToyCodec)


def test_a_new_codec_is_one_class(toy, tmp_path):
    from srcodec.cli import main
    from srcodec.io.image import save_png

    img = np.random.default_rng(0).integers(0, 256, (12, 16, 3), dtype=np.uint8)
    data = get_codec("toy-raw").encode(img, 1)
    assert srcodec.identify(data) == "toy-raw"  # its own sniff: api needs no change
    assert np.array_equal(srcodec.decompress(data), img)
    save_png(img, tmp_path / "a.png")
    assert main(["compress", str(tmp_path / "a.png"), "--codec", "toy-raw"]) == 0
    assert (tmp_path / "a.toy").exists()  # its extension
    (tmp_path / "a.png").unlink()
    assert main(["decompress", str(tmp_path)]) == 0  # a folder: its suffix is taken as a coded file
    assert np.array_equal(srcodec.load_image(tmp_path / "a.png"), img)


def test_a_new_benchmark_section_is_one_declaration_and_one_render(tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT))
    try:
        import benchmarks.catalogue as catalogue
    finally:
        sys.path.remove(str(ROOT))
    from srcodec.bench.sections import read_section, write_section

    toy = catalogue.Section("toy_section", "a toy: the number of Kodak images", data="kodak", writes=str(tmp_path / "r.md"))
    monkeypatch.setattr(catalogue, "SECTIONS", (*catalogue.SECTIONS, toy))

    def render(count: int) -> str:  # the section's render: numbers in, Markdown out
        return f"## Toy\n\n{count} images.\n"

    page = tmp_path / "r.md"
    page.write_text("# Results\n\nkept by hand\n")
    write_section(page, catalogue.section("toy_section").name, render(24))
    assert read_section(page.read_text(), "toy_section").strip() == render(24).strip()
    assert "kept by hand" in page.read_text()  # the rest of the page is left as it was
