"""``srcodec train comcnn``: ComCNN and RecCNN around JPEG (Jiang et al. 2017; the stages of ``jiang-comcnn``).

RecCNN learns on real JPEG decodes of ComCNN's compact image; ComCNN learns
through the differentiable JPEG of :mod:`srcodec.proxies.jpeg_diff`. Writes
the stages ``com`` and ``rec``. Runs on the engine of :mod:`srcodec.train.engine`.
"""

from __future__ import annotations

from srcodec.archs import build_preset
from srcodec.data.degrade import (Degradation, batch_to_images, bicubic_down, bicubic_up, codec_roundtrip,
                                  images_to_batch, tensor_to_image)
from srcodec.errors import BadOptionError
from srcodec.proxies.jpeg_diff import DiffJPEG
from srcodec.train.engine import Task, run_task
from srcodec.train.options import add_common_arguments, check_crop, data_dirs, mid_quality, parse_quality
from srcodec.train.samplers import HRSampler


class ComCNNTask(Task):
    """ComCNN + RecCNN around a real JPEG (Jiang et al. 2017's alternating scheme, in one step).

    Per step: RecCNN learns to rebuild HR from the *real* JPEG decode of the
    (detached) compact image; ComCNN learns through the differentiable JPEG
    and the current RecCNN (whose weights get no gradient from that term).
    """

    kind = "comcnn"
    multiple = 2

    def __init__(self, args):
        super().__init__(args)
        check_crop(args, 2)
        self.degradation = Degradation(1, args.codec, args.quality).check()
        if args.codec != "jpeg":
            raise BadOptionError("train comcnn: ComCNN's gradient goes through the differentiable JPEG, so --codec must be jpeg")
        self.nets = {"com": build_preset(args.arch), "rec": build_preset(args.rec_arch)}
        self.trainable = ("com", "rec")
        self.proxy = DiffJPEG(args.quality if isinstance(args.quality, tuple) else int(args.quality), seed=args.seed)

    def make_sampler(self):
        return HRSampler(data_dirs(self.args), self.args.crop, self.seed)

    def step(self, batch) -> dict:
        from srcodec.post.reccnn import upscale_bicubic

        (hr,) = batch
        com, rec = self.nets["com"], self.nets["rec"]
        compact = com(hr)
        q = self.proxy.draw_quality()
        # ComCNN through the differentiable JPEG; RecCNN's parameters must not learn from the proxy
        proxy_dec, _ = self.proxy(compact.clamp(0, 1), quality=q)
        loss_com = self.loss(rec(upscale_bicubic(proxy_dec, 2)), hr)
        loss_com.backward()
        for p in rec.parameters():
            p.grad = None
        # RecCNN on the real JPEG decode of the compact image
        compact_img = batch_to_images(compact.detach())
        real = images_to_batch([codec_roundtrip(c, "jpeg", q)[0] for c in compact_img]).to(hr.device)
        loss_rec = self.loss(rec(upscale_bicubic(real, 2)), hr)
        loss_rec.backward()
        return {"loss": loss_rec.item(), "com": loss_com.item()}

    def validate_image(self, hr, rng):
        from srcodec.post.reccnn import upscale_bicubic

        q = mid_quality(self.args.quality)
        compact = tensor_to_image(self.nets["com"](self.tensor(hr)))
        decoded, _ = codec_roundtrip(compact, "jpeg", q)
        out = tensor_to_image(self.nets["rec"](upscale_bicubic(self.tensor(decoded), 2)))
        base, _ = codec_roundtrip(bicubic_down(hr, 2), "jpeg", q)
        return out, hr, bicubic_up(base, 2)

    def val_shave(self) -> int:
        return 2

    def info(self) -> dict:
        a = self.args
        return {"kind": self.kind, "codec": a.codec, "quality": a.quality, "preset": a.arch, "rec_arch": a.rec_arch}


def add_arguments(p) -> None:
    p.add_argument("--arch", default="comcnn", help="ComCNN preset (default: %(default)s; also comcnn-compact)")
    p.add_argument("--rec-arch", default="reccnn", help="RecCNN preset (default: %(default)s; also reccnn-compact)")
    p.add_argument("--codec", default="jpeg", choices=("jpeg",), help="the codec between the networks")
    p.add_argument("--quality", type=parse_quality, default=parse_quality("10-60"),
                   help="JPEG quality, or a range LOW-HIGH drawn per step (default: 10-60)")
    add_common_arguments(p, crop=96, batch=16, lr=1e-4)


def run(args) -> int:
    return run_task(ComCNNTask(args))
