"""``srcodec train car``: a compression-artifact remover (DnCNN, ARCNN, ARCNN-ASPP, EDSR x1) on real decoded images.

Input: bicubic ↓scale (none at --scale 1) then the real --codec at --quality;
target: the image before the codec. Jin et al.'s step 1 (``--arch dncnn-17``),
or the network of ``jiang-arcnn`` / ``jiang-arcnn-aspp`` (``--arch arcnn`` /
``arcnn-aspp --scale 1``). Writes the stage ``car``. See :mod:`srcodec.train.restore`.
"""

from __future__ import annotations

from srcodec.train.restore import CARTask, add_codec_arguments, add_common_arguments, run_task


def add_arguments(p) -> None:
    p.add_argument("--arch", default="dncnn-17", help="network preset or architecture (default: %(default)s; "
                   "also dncnn-compact, arcnn, arcnn-aspp; see srcodec.archs)")
    add_codec_arguments(p, scale=2)
    add_common_arguments(p, crop=96, batch=16, lr=1e-4)


def run(args) -> int:
    return run_task(CARTask(args))
