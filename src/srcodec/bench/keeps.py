"""What each codec's file keeps of what a photo carries: a generated corpus, a judge, the table.

:func:`write_corpus` writes small files of every kind people have (a phone JPEG with EXIF, XMP and a
Display-P3 profile; every EXIF orientation; RGBA, LA and palette PNGs; greyscale; 16-bit grey and
colour; CMYK; animated GIF, APNG and WebP; HEIC; a tiny (broken) and a huge ICC profile; a
truncated EXIF block). :func:`judge` codes one of them with one codec, the way ``srcodec compress``
does, decodes the real file the way ``srcodec decompress`` does, and says for each part what
happened: ``kept`` (byte for byte; alpha within a measured error), ``refused`` (a one-line error
before anything was written), ``said`` (changed, with a note on the command's output: a depth
reduction, greyscale coded as RGB) or ``LOST`` (silently: a bug; ``tests/test_keeps.py`` fails on
it). ``python benchmarks/keeps_table.py`` prints the table into ``docs/reliability.md``.

Written by hand: the ICC profile builder (:func:`rgb_profile`: a matrix/TRC display profile, ICC.1
version 2 layout; LittleCMS, through Pillow's ImageCms, reads it back in the tests), since Pillow
builds only sRGB, LAB and XYZ profiles.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

import numpy as np

from srcodec.errors import SrcodecError

#: Display P3's primaries and white (D65), as CIE xy
P3 = ((0.680, 0.320), (0.265, 0.690), (0.150, 0.060), (0.3127, 0.3290))
_D50 = np.array([0.9642, 1.0, 0.8249])
_BRADFORD = np.array([[0.8951, 0.2664, -0.1614], [-0.7502, 1.7135, 0.0367], [0.0389, -0.0685, 1.0296]])


def _s15(v: float) -> bytes:
    return struct.pack(">i", int(round(v * 65536)))


def _xyz(v) -> bytes:
    return b"XYZ \0\0\0\0" + b"".join(_s15(x) for x in v)


def rgb_profile(primaries=P3, gamma: float = 2.2, name: str = "Display P3 (srcodec test)", pad: int = 0) -> bytes:
    """An RGB display ICC profile (version 2, matrix + gamma curves) for the given primaries, adapted to D50
    (Bradford); ``pad`` bytes of a private tag make it as large as wanted."""
    xy = np.array(primaries[:3])
    wx, wy = primaries[3]
    white = np.array([wx / wy, 1.0, (1 - wx - wy) / wy])
    cols = np.stack([[x / y, 1.0, (1 - x - y) / y] for x, y in xy], axis=1)
    m = cols * np.linalg.solve(cols, white)  # columns scaled so that RGB = 1 is the white
    src, dst = _BRADFORD @ white, _BRADFORD @ _D50
    m = np.linalg.inv(_BRADFORD) @ np.diag(dst / src) @ _BRADFORD @ m
    text = name.encode("ascii")
    desc = b"desc\0\0\0\0" + struct.pack(">I", len(text) + 1) + text + b"\0" + b"\0" * 8 + b"\0\0\0" + b"\0" * 67
    curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, int(round(gamma * 256))) + b"\0\0"
    tags = [(b"desc", desc), (b"wtpt", _xyz(_D50)), (b"rXYZ", _xyz(m[:, 0])), (b"gXYZ", _xyz(m[:, 1])),
            (b"bXYZ", _xyz(m[:, 2])), (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve),
            (b"cprt", b"text\0\0\0\0No copyright, use freely\0\0\0\0")]
    if pad:
        tags.append((b"zzzz", b"zzzz\0\0\0\0" + bytes(pad)))
    return _profile(b"mntrRGB XYZ ", tags)


def _profile(kind: bytes, tags: list[tuple[bytes, bytes]]) -> bytes:
    """An ICC version 2 profile: ``kind`` is its device class, colour space and PCS (``b"mntrRGB XYZ "``)."""
    table_end = 128 + 4 + 12 * len(tags)
    offset, entries, body = table_end, b"", b""
    for sig, data in tags:
        entries += sig + struct.pack(">II", offset, len(data))
        body += data + b"\0" * (-len(data) % 4)
        offset = table_end + len(body)
    size = table_end + len(body)
    header = (struct.pack(">I", size) + b"\0\0\0\0" + b"\x02\x10\0\0" + kind + b"\0" * 12 + b"acsp"
              + b"\0" * 24 + struct.pack(">I", 0) + b"".join(_s15(v) for v in _D50) + b"\0" * 48)
    return header + struct.pack(">I", len(tags)) + entries + body


#: the sRGB colour each ink of :func:`cmyk_profile` prints alone (cyan, magenta, yellow, black), 0..1
INKS = ((0.0, 0.63, 0.89), (0.93, 0.0, 0.55), (1.0, 0.95, 0.0), (0.12, 0.12, 0.12))


def cmyk_profile(name: str = "CMYK inks (srcodec test)") -> bytes:
    """A printer ICC profile (version 2, CMYK to Lab through a 2-point-per-ink table, ``mft1``) whose inks print
    :data:`INKS` and mix by multiplying: not Pillow's formula, so a conversion that ignores it shows."""
    from PIL import Image, ImageCms

    corners = []
    for c in (0, 1):  # the first input channel varies slowest
        for m in (0, 1):
            for y in (0, 1):
                for k in (0, 1):
                    rgb = np.ones(3)
                    for on, ink in zip((c, m, y, k), INKS):
                        rgb = rgb * (np.array(ink) if on else 1.0)
                    corners.append(np.round(rgb * 255))
    # the corners in the PCS by LittleCMS: Pillow's 8-bit LAB (D50) holds L as lut8 does, a and b as signed bytes
    # where lut8 adds 128
    rgb = Image.fromarray(np.asarray(corners, np.uint8)[None], "RGB")
    lab = np.asarray(ImageCms.applyTransform(rgb, ImageCms.buildTransform(
        ImageCms.createProfile("sRGB"), ImageCms.createProfile("LAB"), "RGB", "LAB")))[0].copy()
    lab[:, 1:] = (lab[:, 1:].view(np.int8).astype(np.int16) + 128).astype(np.uint8)
    clut = lab.tobytes()
    ramp = bytes(range(256))
    lut = (b"mft1\0\0\0\0" + bytes([4, 3, 2, 0]) + b"".join(_s15(v) for v in (1, 0, 0, 0, 1, 0, 0, 0, 1))
           + ramp * 4 + clut + ramp * 3)
    text = name.encode("ascii")
    desc = b"desc\0\0\0\0" + struct.pack(">I", len(text) + 1) + text + b"\0" + b"\0" * 8 + b"\0\0\0" + b"\0" * 67
    return _profile(b"prtrCMYKLab ", [(b"desc", desc), (b"wtpt", _xyz(_D50)), (b"A2B0", lut),
                                      (b"cprt", b"text\0\0\0\0No copyright, use freely\0\0\0\0")])


def _pattern(h: int, w: int, c: int) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    chans = [128 + 80 * np.sin(xx / (4 + 2 * k) + k) + 40 * np.cos(yy / (5 + k)) for k in range(c)]
    return np.clip(np.stack(chans, axis=2), 0, 255).astype(np.uint8)


def _alpha(h: int, w: int) -> np.ndarray:
    a = np.full((h, w), 255, np.uint8)
    a[:, : w // 3] = 0
    a[:, w // 3: 2 * w // 3] = 128
    return a


XMP = (b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
       b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
       b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>srcodec test</dc:creator></rdf:Description>'
       b'</rdf:RDF></x:xmpmeta><?xpacket end="w"?>')


def camera_exif(orientation: int = 6) -> bytes:
    """A phone's EXIF block: orientation, make, model, capture date (in the Exif sub-IFD), GPS latitude ref."""
    from PIL import Image

    e = Image.Exif()
    e[0x0112] = orientation
    e[0x010F] = "srcodec-phone"
    e[0x0110] = "Model 1"
    e[0x0132] = "2026:12:05 10:00:00"
    e.get_ifd(0x8769)[0x9003] = "2026:12:05 10:00:00"
    return e.tobytes()


def _save(im, path: Path, fmt: str, **kw) -> Path:
    im.save(path, format=fmt, **kw)
    return path


#: corpus case -> what it is (the table's rows are codecs, these its inputs)
CASES = {
    "phone.jpg": "JPEG, EXIF (orientation 6, make, model, dates), XMP, Display-P3 ICC profile",
    "exif.jpg": "JPEG with EXIF only",
    "xmp.jpg": "JPEG with XMP only",
    "icc.jpg": "JPEG with a Display-P3 ICC profile only",
    "rgba.png": "PNG RGBA, alpha 0 / 128 / 255",
    "la.png": "PNG grey + alpha",
    "palette-trns.png": "PNG palette with a transparent entry",
    "palette.png": "PNG palette, opaque",
    "grey.png": "PNG greyscale",
    "grey16.png": "PNG 16-bit greyscale",
    "rgb16.png": "PNG 16-bit RGB",
    "opaque-rgba.png": "PNG RGBA, fully opaque",
    "cmyk.jpg": "JPEG CMYK, no profile",
    "animated.gif": "GIF, 3 frames",
    "animated.png": "APNG, 3 frames",
    "animated.webp": "WebP, 3 frames",
    "phone.heic": "HEIC with EXIF",
    "huge-icc.png": "PNG with a 900 KiB ICC profile",
    "too-huge-icc.png": "PNG with a 2 MiB ICC profile (over Pillow's PNG chunk limit)",
    "tiny-icc.png": "PNG with a 12-byte (broken) ICC profile",
    "truncated-exif.jpg": "JPEG whose EXIF block is cut off",
}


def write_corpus(folder: str | Path, h: int = 24, w: int = 32) -> dict[str, Path]:
    """Write every case of :data:`CASES` (small images) into ``folder``; {name: path} of those made here
    (HEIC needs pillow-heif)."""
    from PIL import Image

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rgb, grey, a = _pattern(h, w, 3), _pattern(h, w, 1)[:, :, 0], _alpha(h, w)
    out = {}
    out["phone.jpg"] = _save(Image.fromarray(rgb), folder / "phone.jpg", "JPEG", quality=92, exif=camera_exif(6),
                             icc_profile=rgb_profile(), xmp=XMP)
    out["exif.jpg"] = _save(Image.fromarray(rgb), folder / "exif.jpg", "JPEG", quality=92, exif=camera_exif(3))
    out["xmp.jpg"] = _save(Image.fromarray(rgb), folder / "xmp.jpg", "JPEG", quality=92, xmp=XMP)
    out["icc.jpg"] = _save(Image.fromarray(rgb), folder / "icc.jpg", "JPEG", quality=92, icc_profile=rgb_profile())
    out["rgba.png"] = _save(Image.fromarray(np.dstack([rgb, a]), "RGBA"), folder / "rgba.png", "PNG")
    out["la.png"] = _save(Image.fromarray(np.dstack([grey, a]), "LA"), folder / "la.png", "PNG")
    pal = Image.fromarray(rgb).quantize(16)
    out["palette.png"] = _save(pal, folder / "palette.png", "PNG")
    out["palette-trns.png"] = _save(pal, folder / "palette-trns.png", "PNG", transparency=0)
    out["grey.png"] = _save(Image.fromarray(grey, "L"), folder / "grey.png", "PNG")
    out["grey16.png"] = _save(Image.fromarray(grey.astype(np.uint16) * 257 + 3), folder / "grey16.png", "PNG")
    out["rgb16.png"] = folder / "rgb16.png"
    out["rgb16.png"].write_bytes(_png16(rgb.astype(np.uint16) * 257 + 5))
    out["opaque-rgba.png"] = _save(Image.fromarray(np.dstack([rgb, np.full((h, w), 255, np.uint8)]), "RGBA"),
                                   folder / "opaque-rgba.png", "PNG")
    out["cmyk.jpg"] = _save(Image.fromarray(rgb).convert("CMYK"), folder / "cmyk.jpg", "JPEG", quality=92)
    frames = [Image.fromarray(np.roll(rgb, 4 * k, axis=1)) for k in range(3)]
    out["animated.gif"] = _save(frames[0], folder / "animated.gif", "GIF", save_all=True, append_images=frames[1:])
    out["animated.png"] = _save(frames[0], folder / "animated.png", "PNG", save_all=True, append_images=frames[1:])
    out["animated.webp"] = _save(frames[0], folder / "animated.webp", "WEBP", save_all=True, append_images=frames[1:],
                                 lossless=True)
    try:
        import pillow_heif

        pillow_heif.register_heif_opener()
        out["phone.heic"] = _save(Image.fromarray(rgb), folder / "phone.heic", "HEIF", quality=90, exif=camera_exif(1))
    except ImportError:
        pass
    out["huge-icc.png"] = _save(Image.fromarray(rgb), folder / "huge-icc.png", "PNG", icc_profile=rgb_profile(pad=900 << 10))
    out["too-huge-icc.png"] = _save(Image.fromarray(rgb), folder / "too-huge-icc.png", "PNG",
                                    icc_profile=rgb_profile(pad=2 << 20))
    out["tiny-icc.png"] = _save(Image.fromarray(rgb), folder / "tiny-icc.png", "PNG", icc_profile=b"\0\0\0\x0cabcd\0\0\0\0")
    jpg = io.BytesIO()
    Image.fromarray(rgb).save(jpg, format="JPEG", quality=92)
    exif = b"Exif\0\0" + camera_exif(1)[6:40]  # the IFD says more entries than the block holds
    out["truncated-exif.jpg"] = folder / "truncated-exif.jpg"
    out["truncated-exif.jpg"].write_bytes(jpg.getvalue()[:2] + struct.pack(">BBH", 0xFF, 0xE1, len(exif) + 2) + exif
                                          + jpg.getvalue()[2:])
    return out


def _png16(arr: np.ndarray) -> bytes:
    """A 16-bit RGB PNG (Pillow writes none): the chunks by hand, the compression zlib's."""
    import zlib

    h, w, _ = arr.shape
    raw = b"".join(b"\0" + arr[y].astype(">u2").tobytes() for y in range(h))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _exif_values(exif: bytes) -> dict:
    """Every EXIF value of the main and the Exif IFD (the offsets that point between them left out)."""
    import warnings

    from PIL import Image

    if not exif:
        return {}
    e = Image.Exif()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e.load(exif)
        out = {k: v for k, v in e.items() if k not in (0x8769, 0x8825)}
        out.update({("exif", k): v for k, v in e.get_ifd(0x8769).items()})
    return out


def judge(codec_spec: str, path: Path, quality: float | None = None) -> dict[str, str]:
    """Part -> outcome of coding ``path`` with ``codec_spec`` and decoding the real file (see the module
    docstring), plus ``error`` (the one-line refusal) or ``notes``."""
    from srcodec import api
    from srcodec.io.image import load_picture
    
    try:
        src, meta = load_picture(path)
    except SrcodecError as exc:
        return {"input": "refused", "error": str(exc)}
    parts = meta.parts() + (["grey"] if src.shape[2] == 1 else []) + (["depth"] if meta.depth > 8 else [])
    try:
        data = api.compress(path, codec_spec, quality)
    except SrcodecError as exc:
        return {**{p: "refused" for p in parts}, "error": str(exc)}
    from srcodec.codecs import get_codec
    from srcodec.codecs.carry import check

    notes = check(get_codec(codec_spec), meta, src.shape[2])
    out, back = api.decompress_picture(data)
    res: dict[str, str] = {"notes": "; ".join(notes)}
    res["size"] = "kept" if out.shape[:2] == src.shape[:2] else f"LOST ({out.shape[1]}x{out.shape[0]})"
    if meta.exif:
        want, got = _exif_values(meta.exif), _exif_values(back.exif)
        want.pop(0x0112, None)  # orientation: applied to the pixels, so it must be gone or 1
        res["exif"] = "kept" if want and all(got.get(k) == v for k, v in want.items()) and got.get(0x0112, 1) == 1 else "LOST"
    if meta.xmp:
        res["xmp"] = "kept" if back.xmp.rstrip(b"\0 \n") == meta.xmp.rstrip(b"\0 \n") else "LOST"
    if meta.icc:
        res["icc"] = "kept" if back.icc == meta.icc else "LOST"
    if meta.alpha is not None:
        res["alpha"] = ("LOST" if back.alpha is None else
                        f"kept (max error {int(np.abs(back.alpha.astype(int) - meta.alpha.astype(int)).max())})")
    if src.shape[2] == 1:
        grey_said = any("greyscale" in n for n in notes)
        res["grey"] = "kept" if out.shape[2] == 1 else ("said (RGB)" if grey_said else "LOST")
    elif out.shape[2] != src.shape[2]:
        res["channels"] = "LOST"
    if meta.depth > 8:
        said = [n for n in notes if "bits" in n]
        if meta.deep is not None and back.deep is not None:
            err = int(np.abs(back.deep.astype(int) - meta.deep.astype(int)).max())
            codec = get_codec(codec_spec)
            bits = min(meta.depth, codec.max_depth if meta.deep.shape[2] == 1 else codec.max_depth_rgb)
            res["depth"] = (f"{'said, ' if said else ''}{bits}-bit (max error {err} of 65535)" if bits > 8 or not said
                            else "LOST")
        else:
            res["depth"] = "said (8-bit)" if any("8 bits" in n for n in said) else "LOST"
    return res


#: the table's columns: (heading, corpus case, part judged)
COLUMNS = (("EXIF", "exif.jpg", "exif"), ("XMP", "xmp.jpg", "xmp"), ("ICC profile", "icc.jpg", "icc"),
           ("alpha", "rgba.png", "alpha"), ("grey", "grey.png", "grey"), ("grey + alpha", "la.png", "grey"),
           ("16-bit grey", "grey16.png", "depth"), ("16-bit RGB", "rgb16.png", "depth"))


def codec_row(codec_spec: str, corpus: dict[str, Path]) -> list[str]:
    """One row of the table: what ``codec_spec``'s file does with each column's part."""
    cells = []
    for _, case, part in COLUMNS:
        r = judge(codec_spec, corpus[case])
        cells.append(r.get(part, "LOST" if "error" not in r else "refused"))
    return cells


def table(codecs: list[str], corpus: dict[str, Path]) -> tuple[str, dict[str, list[str]]]:
    """The Markdown table of what each codec keeps, and its cells by codec."""
    from srcodec.codecs import codec_class

    head = "| codec | " + " | ".join(c[0] for c in COLUMNS) + " |\n|---|" + "---|" * len(COLUMNS) + "\n"
    rows, cells = [], {}
    for name in codecs:
        reason = codec_class(name).unavailable_reason()
        if reason is not None:
            rows.append(f"| {name} | " + " | ".join(["(unavailable here)"] * len(COLUMNS)) + " |")
            continue
        cells[name] = codec_row(name, corpus)
        rows.append(f"| {name} | " + " | ".join(cells[name]) + " |")
    return head + "\n".join(rows) + "\n", cells


def inputs_table(corpus: dict[str, Path]) -> str:
    """How each kind of input is read (the same for every codec): the loader's notes or its one-line refusal."""
    from srcodec.io.image import load_picture

    lines = ["| input | read as |", "|---|---|"]
    for case, what in CASES.items():
        if case not in corpus:
            lines.append(f"| {what} | (not made here: its plugin is missing) |")
            continue
        try:
            px, meta = load_picture(corpus[case])
            said = "; ".join(meta.notes) or "as it is"
            kind = f"{px.shape[1]}x{px.shape[0]}, {px.shape[2] + (meta.alpha is not None)} channels"
            lines.append(f"| {what} | {kind}; {', '.join(meta.parts()) or 'nothing'} beside the pixels; {said} |")
        except SrcodecError as exc:
            lines.append(f"| {what} | refused: {str(exc).split(': ', 1)[-1]} |")
    return "\n".join(lines) + "\n"


__all__ = ["CASES", "COLUMNS", "P3", "camera_exif", "codec_row", "inputs_table", "judge", "rgb_profile", "table",
           "write_corpus"]
