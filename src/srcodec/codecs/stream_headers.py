"""A coded file's quality, read back from its headers: the quality input of ``srcodec restore``.

::

    .266 / .avif bytes ─► ffmpeg -c copy -bsf:v trace_headers (ffmpeg's own header parsers; nothing decoded)
                      ─► the syntax elements that set the quantizer ─► srcodec's quality knob of that codec

- VVC: QP = 26 + ``pps_init_qp_minus26`` + the picture's or first slice's ``qp_delta``; VVenC codes an
  all-intra picture at that slice QP = its requested QP - 3 (its intra QP offset; the same at every preset
  and QP, ``tests/test_restorer.py``), so srcodec's quality = 63 - (slice QP + 3).
- AVIF (AV1): ``base_q_idx`` of the first frame header. libavif maps a quality 0..100 to aom's quantizer
  63..0 as ``((100 - q) * 63 + 50) // 100`` and aom maps a quantizer to ``base_q_idx`` by its
  ``quantizer_to_qindex`` table (4 x quantizer, then 249 and 255): the quality is the middle of the
  qualities that give this index.

Written by hand (the two mappings are the libraries' own formulas; the parsing is ffmpeg's). JPEG's
quality comes from its quantization tables instead: :mod:`srcodec.codecs.jpeg_tables`.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

VVENC_INTRA_QP_OFFSET = 3
_FIELD = re.compile(rb"\]\s+\d+\s+([A-Za-z_][A-Za-z0-9_.\[\]]*)\s+[01]+ = (-?\d+)")


def trace_fields(data: bytes, suffix: str, names: tuple[str, ...]) -> dict[str, int]:
    """The first value of each header field in ``names`` that ffmpeg's ``trace_headers`` shows for the
    first picture of ``data`` (a file ending ``suffix``); {} when ffmpeg cannot read it."""
    from srcodec.codecs.vvc import ffmpeg_exe

    with tempfile.TemporaryDirectory(prefix="srcodec-headers-") as tmp:
        src = Path(tmp) / f"in{suffix}"
        src.write_bytes(data)
        try:
            err = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(src), "-frames:v", "1",
                                  "-c", "copy", "-bsf:v", "trace_headers", "-f", "null", "-"],
                                 capture_output=True, timeout=60).stderr
        except (ImportError, OSError, subprocess.SubprocessError):
            return {}
    found: dict[str, int] = {}
    for key, value in _FIELD.findall(err):
        name = key.decode()
        if name in names:
            found.setdefault(name, int(value))
    return found


def vvc_quality(data: bytes) -> float | None:
    """srcodec's ``vvc`` quality (63 - QP) of a VVC bitstream, or ``None`` when its headers cannot be read."""
    f = trace_fields(data, ".266", ("pps_init_qp_minus26", "ph_qp_delta", "sh_qp_delta"))
    if "pps_init_qp_minus26" not in f:
        return None
    qp = 26 + f["pps_init_qp_minus26"] + f.get("ph_qp_delta", f.get("sh_qp_delta", 0)) + VVENC_INTRA_QP_OFFSET
    return float(min(63, max(0, 63 - qp)))


def _avif_qindex(quality: int) -> int:
    quantizer = ((100 - quality) * 63 + 50) // 100
    return 255 if quantizer == 63 else 249 if quantizer == 62 else 4 * quantizer


def avif_quality(data: bytes) -> float | None:
    """srcodec's ``avif`` quality (0..100) of an AVIF file: the middle of the qualities whose quantizer
    gives its ``base_q_idx``; ``None`` when its headers cannot be read or no quality gives that index."""
    f = trace_fields(data, ".avif", ("base_q_idx",))
    if "base_q_idx" not in f:
        return None
    matches = [q for q in range(101) if _avif_qindex(q) == f["base_q_idx"]]
    return (matches[0] + matches[-1]) / 2 if matches else None


__all__ = ["avif_quality", "trace_fields", "vvc_quality"]
