"""``srcodec train comcnn``: ComCNN and RecCNN around JPEG (Jiang et al. 2017; the stages of ``jiang-comcnn``).

RecCNN learns on real JPEG decodes of ComCNN's compact image; ComCNN learns
through the differentiable JPEG of :mod:`srcodec.proxies.jpeg_diff`. Writes
the stages ``com`` and ``rec``. See :mod:`srcodec.train.restore`.
"""

from __future__ import annotations

from srcodec.train.restore import ComCNNTask, add_common_arguments, parse_quality, run_task


def add_arguments(p) -> None:
    p.add_argument("--arch", default="comcnn", help="ComCNN preset (default: %(default)s; also comcnn-compact)")
    p.add_argument("--rec-arch", default="reccnn", help="RecCNN preset (default: %(default)s; also reccnn-compact)")
    p.add_argument("--codec", default="jpeg", choices=("jpeg",), help="the codec between the networks")
    p.add_argument("--quality", type=parse_quality, default=parse_quality("10-60"),
                   help="JPEG quality, or a range LOW-HIGH drawn per step (default: 10-60)")
    add_common_arguments(p, crop=96, batch=16, lr=1e-4)


def run(args) -> int:
    return run_task(ComCNNTask(args))
