"""``srcodec train sr``: EDSR on decoded low-resolution images (Jin et al.'s steps 2 and 3).

Input: bicubic ↓scale, then the real --codec at --quality, decoded; target: HR.
``--car-weights FILE`` puts a trained artifact remover (frozen) in front of
EDSR (step 2); ``--joint`` trains both end to end (step 3, usually with
``--init`` from step 2). ``--down-weights FILE`` (or an ``--init`` file with a
``down`` stage) replaces bicubic ↓ by a frozen learned downscaler: the second
step of ``tun2023-x<s>``, EDSR tuned on what the real learned codec makes of
the downscaler's images. Writes the stages ``sr`` (and ``car``), the weights of
``jin-<codec>-x<scale>``. See :mod:`srcodec.train.restore`.
"""

from __future__ import annotations

from srcodec.train.restore import SRTask, add_codec_arguments, add_common_arguments, run_task


def add_arguments(p) -> None:
    p.add_argument("--arch", default="edsr-baseline", help="EDSR preset (default: %(default)s; also edsr-compact)")
    p.add_argument("--car-weights", metavar="WEIGHTS", help="artifact remover in front of EDSR (a file with a 'car' stage)")
    p.add_argument("--down-weights", metavar="WEIGHTS",
                   help="a learned downscaler (a file with a 'down' stage, frozen) instead of bicubic ↓: "
                        "tun2023's SR fine-tuned on the real codec")
    p.add_argument("--joint", action="store_true", help="train the artifact remover too (Jin's step 3)")
    add_codec_arguments(p, scale=2)
    add_common_arguments(p, crop=96, batch=16, lr=1e-4)


def run(args) -> int:
    return run_task(SRTask(args))
