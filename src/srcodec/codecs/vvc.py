"""VVC (H.266) intra coding with Fraunhofer VVenC, as a plain ``.266`` bitstream.

::

    encode: RGB uint8 ─► Y'CbCr (BT.601 matrix, full range, 10 bit; chroma 2×2 mean, centre sited)
                     ─► ffmpeg (imageio-ffmpeg's binary) + libvvenc: one intra picture, QP, qpa off,
                        chroma QP offset -6 (Cb and Cr), wavefront parallel processing
                     ─► Annex-B bitstream (.266), colour signalled in the SPS VUI
    decode: .266 ─► ffmpeg's native VVC decoder in-process (PyAV) ─► Y'CbCr planes
                 ─► RGB with the matrix and range the VUI signals (chroma: bilinear, centre sited)

Why these choices (``python benchmarks/vvc_colour.py``, table in ``benchmarks/results/vvc-colour.md``):
the RGB → 4:2:0 → RGB round trip alone, without any coding, caps the mean RGB PSNR on the Kodak
images; ffmpeg's own conversion (swscale's defaults) caps it lowest; full range with a 2×2 mean
(chroma sited at the centre of its four luma samples, the siting VVC's VUI calls type 1) and
bilinear reconstruction raises that cap most, with the BT.601 matrix (BT.709 a little lower).
VVenC balances luma against chroma for PSNR over Y'CbCr; RGB PSNR weighs chroma more, so both
chroma planes are coded 6 QP finer than luma (``CbQpOffset``/``CrQpOffset``; the joint Cb-Cr offset
stays VVenC's): fewer bits at equal RGB PSNR on training images at preset medium
(``python benchmarks/vvc_settings.py --name chroma``, table in ``benchmarks/results/vvc-settings-chroma.md``;
``chroma_qp_offset=0`` is VVenC's own balance). Wavefront parallel processing lets the encoder's
threads code CTU rows side by side: faster for a rate barely larger (``--name wpp``), and the bitstream
still does not depend on the thread count. Decoding runs in-process through PyAV, faster than the ffmpeg binary as a subprocess (same table).
The file says all of it in its VUI (``MatrixCoefficients``, ``VideoFullRange``,
``ChromaSampleLocType``), so any VVC decoder converts it back the same way.

Sizes: libvvenc codes multiples of 8 from 16×16 up. Other sizes are padded (edge replicated)
and the padding is cut by the bitstream's conformance window, so any decoder shows the true
size -- except one odd column or row, which 4:2:0 cannot crop (the window moves in steps of
two): a stock decoder shows that column/row (a copy of the last one), srcodec crops it. The
true size and the channel count then travel in one NAL unit of type 31 (``UNSPEC_31``, which
the standard tells every decoder to ignore) at the end of the stream: ``srcodec W H C``. The
same unit marks a greyscale image (coded as luma with flat chroma), so greyscale comes back
greyscale. Images whose size is even and that are RGB carry no such unit.

What the photo carries beside its pixels (EXIF, XMP, ICC profile, alpha: an
:class:`~srcodec.io.metadata.ImageMeta`) travels the same way, in one more type-31 unit before the
size marker: ``srcodec-meta`` and the ``.srz`` metadata section (:func:`srcodec.container.srz.pack_meta`,
alpha as a lossless PNG), with the standard's emulation prevention (``00 00 03``) so no start code
appears inside it. Any VVC decoder skips it; srcodec reads it back (:func:`stream_meta`).

The quality knob is ``63 - QP`` (higher = better); the sweep is QP 50 .. 17.
Written by hand: the colour conversion and the marker unit (no library does either for a
bitstream of this shape); the coding itself is VVenC's.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
from dataclasses import replace

import numpy as np

from srcodec.codecs.base import Codec, Option, register_codec
from srcodec.errors import InputError
from srcodec.io.image import MAX_PIXELS

#: Kr, Kb of the matrices the decoder understands, by the VUI's MatrixCoefficients code
MATRICES = {1: (0.2126, 0.0722), 5: (0.299, 0.114), 6: (0.299, 0.114), 9: (0.2627, 0.0593)}
ENCODE_MATRIX = 5  # BT.601 (bt470bg)
PRESETS = ("faster", "fast", "medium", "slow", "slower")
#: the stand-in preset of ``auto``'s searches (the fastest by far per Kodak encode in
#: benchmarks/results/anchor-settings.md, python benchmarks/anchor_settings.py) and the priors of a preset
#: against it at the same QP, rounded to the conservative side from the medians and lower quartiles of
#: ``python benchmarks/probe_offsets.py`` on training images (a ×2 pipeline's PSNR offset is about half:
#: Pipeline.probe; SSIMULACRA2 and VMAF: ``--images 3 --pipelines vvc-restored``)
PROBE_PRESET = "faster"
PROBE_OFFSETS = {"psnr": 0.45, "ms-ssim": 0.002, "ssimulacra2": 3.5, "vmaf": 1.5, "bytes": 0.98}
MIN_SIDE = 16
#: chroma QP offset (Cb and Cr) against luma that gives the lowest BD-rate in RGB PSNR at preset medium on
#: training images (``python benchmarks/vvc_settings.py --name chroma``, benchmarks/results/vvc-settings-chroma.md)
CHROMA_QP_OFFSET = -6
MARKER_PREFIX = b"\x00\x00\x01\x00\xf9srcodec "  # start code, NAL header: type 31, layer 0, tid 1
_MARKER = re.compile(rb"\x00\x00\x01\x00\xf9srcodec (\d{1,6}) (\d{1,6}) ([13])")
META_PREFIX = b"\x00\x00\x01\x00\xf9srcodec-meta "
_EMULATED = re.compile(rb"\x00\x00(?=[\x00-\x03])")
_UNEMULATED = re.compile(rb"\x00\x00\x03(?=[\x00-\x03])")


def ffmpeg_exe() -> str:
    """The ffmpeg binary shipped in the imageio-ffmpeg wheel (ImportError when it is not installed)."""
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


_VVENC_CHECKED: dict[str, str | None] = {}


def _vvenc_problem() -> str | None:
    if "reason" not in _VVENC_CHECKED:
        try:
            exe = ffmpeg_exe()
            out = subprocess.run([exe, "-hide_banner", "-encoders"], capture_output=True, timeout=30).stdout
            _VVENC_CHECKED["reason"] = None if b"libvvenc" in out else f"{exe} has no libvvenc encoder"
        except ImportError:
            _VVENC_CHECKED["reason"] = "install imageio-ffmpeg (its ffmpeg has libvvenc): pip install imageio-ffmpeg"
        except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
            _VVENC_CHECKED["reason"] = f"cannot run imageio-ffmpeg's ffmpeg ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})"
    return _VVENC_CHECKED["reason"]


# -- colour ---------------------------------------------------------------------------

def rgb_to_yuv420(rgb: np.ndarray, matrix: int = ENCODE_MATRIX, peak: int = 255) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """RGB of samples 0..``peak`` (even sides) -> full-range 10-bit Y (H, W) and Cb, Cr (H/2, W/2), uint16."""
    kr, kb = MATRICES[matrix]
    x = rgb.astype(np.float32) * np.float32(1023 / peak)
    y = kr * x[..., 0] + (1 - kr - kb) * x[..., 1] + kb * x[..., 2]
    cb = (x[..., 2] - y) / (2 * (1 - kb))
    cr = (x[..., 0] - y) / (2 * (1 - kr))

    def down(c):
        return 0.25 * (c[0::2, 0::2] + c[1::2, 0::2] + c[0::2, 1::2] + c[1::2, 1::2]) + 512

    planes = (y, down(cb), down(cr))
    return tuple(np.clip(np.rint(p), 0, 1023).astype(np.uint16) for p in planes)


def upsample_centre(c: np.ndarray) -> np.ndarray:
    """Bilinear ×2 of a centre-sited chroma plane (each output sample at ±1/4 of its input sample)."""
    p = np.pad(c, 1, mode="edge")
    rows = np.empty((2 * c.shape[0], p.shape[1]), np.float32)
    rows[0::2] = 0.75 * p[1:-1] + 0.25 * p[:-2]
    rows[1::2] = 0.75 * p[1:-1] + 0.25 * p[2:]
    out = np.empty((rows.shape[0], 2 * c.shape[1]), np.float32)
    out[:, 0::2] = 0.75 * rows[:, 1:-1] + 0.25 * rows[:, :-2]
    out[:, 1::2] = 0.75 * rows[:, 1:-1] + 0.25 * rows[:, 2:]
    return out


def yuv420_to_rgb(y: np.ndarray, cb: np.ndarray, cr: np.ndarray, *, matrix: int = ENCODE_MATRIX,
                  full_range: bool = True, bit_depth: int = 10, peak: int = 255) -> np.ndarray:
    """Planes as a decoder gives them -> RGB (H, W, 3) of the luma plane's size: uint8, or uint16 of samples
    0..``peak`` when ``peak`` is over 255."""
    kr, kb = MATRICES.get(matrix, MATRICES[ENCODE_MATRIX])
    top = float((1 << bit_depth) - 1)
    mid = float(1 << (bit_depth - 1))
    scale = 1 << (bit_depth - 8)
    if full_range:
        yy = y.astype(np.float32) / top
        u_scale = top
    else:
        yy = (y.astype(np.float32) - 16 * scale) / (219 * scale)
        u_scale = 224 * scale
    h, w = y.shape
    cbu = (upsample_centre(cb.astype(np.float32)) - mid)[:h, :w] / u_scale
    cru = (upsample_centre(cr.astype(np.float32)) - mid)[:h, :w] / u_scale
    r = yy + 2 * (1 - kr) * cru
    b = yy + 2 * (1 - kb) * cbu
    g = (yy - kr * r - kb * b) / (1 - kr - kb)
    rgb = np.stack([r, g, b], axis=-1) * float(peak)
    return np.clip(np.rint(rgb), 0, peak).astype(np.uint8 if peak <= 255 else np.uint16)


# -- the codec ------------------------------------------------------------------------

def _pad_sizes(h: int, w: int) -> tuple[int, int]:
    """Coded (padded) height and width: multiples of 8 (VVenC's smallest CU), at least MIN_SIDE."""
    return max(MIN_SIDE, -(-h // 8) * 8), max(MIN_SIDE, -(-w // 8) * 8)


@register_codec
class VVC(Codec):
    name = "vvc"
    label = "VVC (VVenC intra, 4:2:0 10-bit, qpa off)"
    extension = ".266"
    other_suffixes = (".vvc",)
    planes = "yuv420"

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        """An Annex-B stream whose first NAL unit is a VVC parameter set (VPS/SPS/PPS, OPI, or prefix APS/SEI)."""
        start = 4 if head[:4] == b"\x00\x00\x00\x01" else 3 if head[:3] == b"\x00\x00\x01" else 0
        return bool(start) and len(head) > start + 1 and head[start] == 0 and (head[start + 1] >> 3) in (12, 13, 14, 15, 16, 19, 20)

    def describe_quality(self, quality: float) -> str:
        return f"{quality:g} (QP {63 - quality:g})"

    def quality_of_file(self, data: bytes) -> float | None:
        """63 - the QP signalled in the stream (:mod:`srcodec.codecs.stream_headers`)."""
        from srcodec.codecs.stream_headers import vvc_quality

        return vvc_quality(data)
    quality_help = "63 - QP (0..63; VVenC's QP = 63 - quality)"
    quality_range = (0, 63)
    default_quality = 31  # QP 32
    sweep = (13, 18, 23, 28, 33, 37, 41, 46)  # QP 50 45 40 35 30 26 22 17: ~0.04-2.3 bpp on Kodak
    options = (
        Option("preset", "medium", choices=PRESETS, help="VVenC preset (slower = smaller files)"),
        Option("chroma_qp_offset", CHROMA_QP_OFFSET, kind=int, bounds=(-12, 12),
               help="QP offset of both chroma planes against luma (negative = more chroma bits; RGB PSNR weighs "
                    "chroma more than VVenC's own tuning does: python benchmarks/vvc_settings.py --name chroma)"),
        Option("wpp", 1, kind=int, bounds=(0, 1),
               help="1: wavefront parallel processing (CTU rows coded by parallel threads, a stock decoder reads it; a barely larger rate, faster: python benchmarks/vvc_settings.py --name wpp)"),
        Option("threads", 0, kind=int, bounds=(0, 64),
               help="encoder threads (0 = one per CPU core, at most 8); the bitstream does not depend on it"),
    )

    @classmethod
    def unavailable_reason(cls) -> str | None:
        reason = _vvenc_problem()
        if reason:
            return reason
        try:
            import av  # noqa: F401
        except ImportError:
            return "install PyAV (the in-process VVC decoder): pip install av"
        return None

    def settings(self) -> dict:
        # threads are left out: the bitstream is the same whatever their number (tests/test_vvc.py)
        return {**{k: v for k, v in self.opts.items() if k != "threads"}, "qpa": 0, "chroma": "4:2:0", "bit_depth": 10, "matrix": "bt601", "range": "full",
                "chroma_filter": "2x2 mean, centre sited; bilinear up", "intra": "single picture"}

    effort_options = ("preset", "threads")

    def lighter(self) -> list[str]:
        """The faster presets, down to ``faster``."""
        return [VVC(**{**self.opts, "preset": p}).spec for p in reversed(PRESETS[:PRESETS.index(self.opts["preset"])])]

    def probe(self):
        if PRESETS.index(self.opts["preset"]) <= PRESETS.index(PROBE_PRESET):
            return None
        return VVC(**{**self.opts, "preset": PROBE_PRESET}), dict(PROBE_OFFSETS)

    def encode(self, image: np.ndarray, quality: float, deep: np.ndarray | None = None) -> bytes:
        """``deep``: the source's samples at 16 bits (``ImageMeta.deep``), coded at 10 bits instead of ``image``'s 8."""
        q = self.check_quality(quality)
        qp = 63 - int(round(q))
        h, w, c = image.shape
        ch, cw = _pad_sizes(h, w)
        # ffmpeg's libvvenc wrapper sizes its output buffer by the picture: a tiny picture of noise at a
        # low QP can need more; flat padding below the picture (cut by the window) adds room, not bits
        for extra in (0, 1, 3, 7):
            data = self._encode_padded(image if deep is None else deep, qp, ch + extra * max(ch, 64), cw,
                                       peak=255 if deep is None else 65535)
            if data is not None:
                break
        else:
            raise InputError(f"vvc: VVenC could not code this {w}x{h} image at quality {q:g} (QP {qp})")
        if c == 1 or h % 2 or w % 2:
            data += MARKER_PREFIX + f"{w} {h} {c}".encode("ascii")
        return data

    keeps = frozenset({"exif", "xmp", "icc", "alpha"})  # a type-31 unit (see the module docstring)
    grey_modes = frozenset({"L", "LA"})
    max_depth = max_depth_rgb = 10

    def encode_with_meta(self, image: np.ndarray, quality: float, meta) -> bytes:
        deep = meta.deep if meta is not None and meta.deep is not None and meta.deep.shape[2] == image.shape[2] else None
        if deep is not None:
            meta = replace(meta, coded_depth=10)
        return self.attach(self.encode(image, quality, deep), meta)

    def attach(self, data: bytes, meta) -> bytes:
        from srcodec.container import srz

        section = srz.pack_meta(meta) if meta is not None else b""
        if not section:
            return data
        # the unit goes before srcodec's size marker, which stays last; the stop byte 0x80 ends it on a 1 bit
        unit = META_PREFIX + _EMULATED.sub(b"\x00\x00\x03", section) + b"\x80"
        at = data.rfind(MARKER_PREFIX, max(0, len(data) - 40))
        return data + unit if at < 0 else data[:at] + unit + data[at:]

    def decode_with_meta(self, data: bytes):
        y, cb, cr, matrix, full = decode_planes(data)
        image = self._picture(data, y, cb, cr, matrix, full)
        meta = stream_meta(data, *image.shape[:2])
        h, w = image.shape[:2]
        if meta.coded_depth > 8 and image.shape[2] == 1:  # a deeper grey source: its 10-bit luma, at 16 bits
            meta.deep = np.clip(np.rint(_full_luma(y, full)[:h, :w] * (65535 / 1023)), 0, 65535).astype(np.uint16)[:, :, None]
        elif meta.coded_depth > 8:  # a deeper RGB source: its 10-bit planes' RGB at 16 bits
            meta.deep = yuv420_to_rgb(y, cb, cr, matrix=matrix, full_range=full, peak=65535)[:h, :w]
        return image, meta

    def _encode_padded(self, image: np.ndarray, qp: int, ch: int, cw: int, peak: int = 255) -> bytes | None:
        """The bitstream of ``image`` (samples 0..``peak``) padded to ``ch`` x ``cw`` (edge replicated, cut by the
        conformance window as far as 4:2:0 allows), or None when the encoder gave up."""
        h, w, c = image.shape
        if c == 1:  # luma only: grey in, grey out
            padded = np.pad(image[:, :, 0], ((0, ch - h), (0, cw - w)), mode="edge")
            y = np.clip(np.rint(padded.astype(np.float32) * (1023 / peak)), 0, 1023).astype(np.uint16)
            cb = np.full((ch // 2, cw // 2), 512, np.uint16)
            cr = cb
        else:
            y, cb, cr = rgb_to_yuv420(np.pad(image, ((0, ch - h), (0, cw - w), (0, 0)), mode="edge"), peak=peak)
        raw = y.tobytes() + cb.tobytes() + cr.tobytes()
        win_r, win_b = cw - (w + w % 2), ch - (h + h % 2)
        params = (f"ColourPrimaries=5:TransferCharacteristics=6:MatrixCoefficients={ENCODE_MATRIX}:VideoFullRange=1"
                  ":ChromaSampleLocType=1")
        off = self.opts["chroma_qp_offset"]
        if off:
            params += f":CbQpOffset={off}:CrQpOffset={off}"
        if self.opts["wpp"]:
            params += ":WaveFrontSynchro=1"
        if win_r or win_b:
            params += f":ConformanceWindowMode=3:ConfWinRight={win_r}:ConfWinBottom={win_b}"
        cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin",
               "-f", "rawvideo", "-pix_fmt", "yuv420p10le", "-s", f"{cw}x{ch}", "-color_range", "pc", "-i", "pipe:0",
               "-frames:v", "1", "-c:v", "libvvenc", "-preset", self.opts["preset"], "-qp", str(qp), "-qpa", "0",
               "-threads", str(self.opts["threads"] or min(8, os.cpu_count() or 1)), "-vvenc-params", params, "-f", "vvc", "pipe:1"]
        try:
            proc = subprocess.run(cmd, input=raw, capture_output=True, timeout=600)
        except (OSError, subprocess.SubprocessError) as exc:
            raise InputError(f"vvc: cannot run ffmpeg ({str(exc).splitlines()[0]})") from None
        if proc.returncode != 0 or not proc.stdout:
            if b"Error submitting video frame" in proc.stderr:
                return None
            msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise InputError(f"vvc: VVenC failed ({msg[-1] if msg else f'exit status {proc.returncode}'})")
        return proc.stdout

    def decoder_planes(self, data: bytes) -> dict[str, np.ndarray]:
        """The decoder's own planes for a restorer: Y (H×W) and Cb, Cr (H/2×W/2), uint16, 10-bit full range."""
        y, cb, cr, _, _ = decode_planes(data)
        return {"y": y, "cb": cb, "cr": cr}

    def decode(self, data: bytes) -> np.ndarray:
        return self._picture(data, *decode_planes(data))

    def decode_with_planes(self, data: bytes) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        y, cb, cr, matrix, full = decode_planes(data)
        return self._picture(data, y, cb, cr, matrix, full), {"y": y, "cb": cb, "cr": cr}

    @staticmethod
    def _picture(data: bytes, y, cb, cr, matrix: int, full: bool) -> np.ndarray:
        """The canonical image of a stream's decoded planes (its size and channels from srcodec's marker)."""
        h, w, c = picture_size(data, *y.shape)
        if c == 1:
            return np.clip(np.rint(_full_luma(y, full)[:h, :w] * (255 / 1023)), 0, 255).astype(np.uint8)[:, :, None]
        return yuv420_to_rgb(y, cb, cr, matrix=matrix, full_range=full)[:h, :w]


def _full_luma(y: np.ndarray, full: bool) -> np.ndarray:
    """10-bit luma as full-range float (0..1023)."""
    yy = y.astype(np.float32)
    return yy if full else (yy - 64) * (1023 / 876)


def stream_meta(data: bytes, height: int, width: int):
    """What a VVC stream srcodec wrote carries beside its pixels (its ``srcodec-meta`` unit; empty without one)."""
    from srcodec.container import srz
    from srcodec.io.metadata import ImageMeta

    at = data.rfind(META_PREFIX)
    if at < 0:
        return ImageMeta()
    start = at + len(META_PREFIX)
    end = data.find(b"\x00\x00\x01", start)
    unit = data[start: len(data) if end < 0 else end]
    if not unit.endswith(b"\x80"):
        raise InputError("corrupted .266 file (its srcodec metadata unit is cut off)")
    return srz.meta_from_section(_UNEMULATED.sub(b"\x00\x00", unit[:-1]), height, width)


def picture_size(data: bytes, h: int, w: int) -> tuple[int, int, int]:
    """(height, width, channels) of the image a VVC stream whose decoded picture is ``h`` x ``w`` holds:
    srcodec's size marker when it has one (grey or colour, odd sides), else the picture's, colour."""
    marker = _MARKER.search(data[-40:])
    if marker is None:
        return h, w, 3
    mw, mh, c = (int(v) for v in marker.groups())
    if not (mw <= w <= mw + 1 and mh <= h <= mh + 1):
        raise InputError("corrupted .266 file (its srcodec size marker does not fit the picture)")
    return mh, mw, c


def decode_planes(data: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, bool]:
    """Decode the first picture of a VVC bitstream: (Y, Cb, Cr as uint16, matrix code, full range)."""
    import av

    try:
        with av.open(io.BytesIO(data), format="vvc", options={"max_pixels": str(MAX_PIXELS)}) as container:
            stream = container.streams.video[0]
            stream.codec_context.thread_count = 1
            stream.codec_context.options = {"max_pixels": str(MAX_PIXELS)}
            frame = next(iter(container.decode(stream)), None)
    except (av.error.FFmpegError, IndexError, StopIteration, ValueError, OverflowError) as exc:
        raise InputError(f"not a decodable VVC stream ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from None
    if frame is None:
        raise InputError("not a decodable VVC stream (no picture in it)")
    if frame.format.name not in ("yuv420p10le", "yuv420p"):
        raise InputError(f"VVC stream in {frame.format.name}: srcodec decodes 4:2:0 (8 or 10 bit)")
    depth = 10 if frame.format.name.endswith("10le") else 8
    dtype = np.uint16 if depth == 10 else np.uint8
    planes = []
    for plane in frame.planes:
        bytes_per = np.dtype(dtype).itemsize
        arr = np.frombuffer(plane, dtype=dtype).reshape(-1, plane.line_size // bytes_per)[: plane.height, : plane.width]
        planes.append(arr.astype(np.uint16) << (10 - depth) if depth == 8 else arr.copy())
    matrix = int(frame.colorspace) if int(frame.colorspace) in MATRICES else ENCODE_MATRIX
    full = int(frame.color_range) == 2
    return planes[0], planes[1], planes[2], matrix, full
