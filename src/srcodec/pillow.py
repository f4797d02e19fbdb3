"""``.srz`` in any Pillow program: ``import srcodec.pillow`` registers the format.

::

    import srcodec.pillow  # noqa: F401
    from PIL import Image

    im = Image.open("photo.srz")                 # decodes with the codec or pipeline named in the file
    im.save("copy.srz", quality=5)               # auto (the best candidate's file) by default
    im.save("small.srz", codec="vvc-restored", max_bytes=20000)

Opening reads and checks only the header (size, channels; a damaged or foreign file is an
``OSError``/``SyntaxError`` like any bad file in Pillow) and the metadata section (``info["icc_profile"]``,
``info["exif"]``, ``info["xmp"]``; mode ``LA``/``RGBA`` when the file has alpha); the pixels are decoded
on ``load()``. Saving takes ``codec``, and one of ``quality``, ``bpp`` or ``max_bytes`` (as
``srcodec.compress``), and keeps the image's alpha, ``icc_profile`` and ``exif`` (from ``info`` or given
to ``save``), ``strip``/``strip_icc``/``background`` as ``srcodec.compress`` takes them.
Written by hand on Pillow's plugin interface (``ImageFile``, ``PyDecoder``, ``register_save``).
"""

from __future__ import annotations

from PIL import Image, ImageFile

from srcodec.container import is_srz
from srcodec.errors import SrcodecError

FORMAT = "SRZ"


def _accept(prefix: bytes) -> bool:
    return is_srz(prefix)


class SrzImageFile(ImageFile.ImageFile):
    format = FORMAT
    format_description = "srcodec .srz (learned codec or pipeline)"

    def _open(self) -> None:
        from srcodec.container import srz

        data = self.fp.read()
        try:
            header, _ = srz.unpack(data)
        except SrcodecError as exc:
            raise SyntaxError(f"not a valid .srz file: {exc}") from None
        try:
            meta = srz.unpack_meta(header)
        except SrcodecError as exc:
            raise SyntaxError(f"not a valid .srz file: {exc}") from None
        self._mode = ("L" if header.channels == 1 else "RGB") + ("A" if meta.alpha is not None else "")
        self._size = (header.width, header.height)
        self.info["srcodec_codec"] = header.codec
        self.info["srcodec_quality"] = header.quality
        for key, value in (("icc_profile", meta.icc), ("exif", meta.exif), ("xmp", meta.xmp)):
            if value:
                self.info[key] = value
        self.tile = [ImageFile._Tile("srz", (0, 0, header.width, header.height), 0, None)]


class SrzDecoder(ImageFile.PyDecoder):
    _pulls_fd = True

    def decode(self, buffer):
        import srcodec

        self.fd.seek(0)
        try:
            arr = srcodec.decompress(self.fd.read())
        except SrcodecError as exc:
            raise OSError(str(exc)) from None
        raw = arr.tobytes()
        self.set_as_raw(raw, {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}[arr.shape[2]])
        return -1, 0


def _save(im: Image.Image, fp, filename) -> None:
    import srcodec

    info = im.encoderinfo
    src = im.copy()  # what load_picture reads: the pixels, alpha and info; what save() is given wins
    for key in ("icc_profile", "exif", "xmp"):
        if info.get(key):
            value = info[key]
            src.info[key] = value.tobytes() if hasattr(value, "tobytes") else value
    try:
        data = srcodec.compress(src, info.get("codec"), info.get("quality"), bpp=info.get("bpp"),
                                max_bytes=info.get("max_bytes"), strip=bool(info.get("strip")),
                                strip_icc=bool(info.get("strip_icc")), background=info.get("background"))
    except SrcodecError as exc:
        raise OSError(str(exc)) from None
    if not is_srz(data):
        raise OSError(f"codec {info.get('codec')!r} does not write .srz files; save with its own format instead")
    fp.write(data)


Image.register_open(FORMAT, SrzImageFile, _accept)
Image.register_decoder("srz", SrzDecoder)
Image.register_save(FORMAT, _save)
Image.register_extension(FORMAT, ".srz")
Image.register_mime(FORMAT, "image/x-srz")
