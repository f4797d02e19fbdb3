"""``srcodec train prefilter``: Modify-Net, the JPEG pre-filter of ``nagasaki-jpeg`` (Nagasaki et al.).

::

    HR ─► Modify-Net(x, q) ─► 8-bit (straight-through) ─┬─► proxy decode ─► distortion vs HR
                                                        └─► DCT coefficients ─► rate proxy (bpp)
    loss = distortion + rate_weight × [slope_q ×] bpp

``--proxy diffjpeg``: the exact differentiable JPEG of
:mod:`srcodec.proxies.jpeg_diff`, rounding straight-through (``--rounding
ste``), replaced by uniform noise (``noise``) or by Shin & Song's cubic. ``--proxy
jpegnet --emulator W``: Nagasaki et al.'s learned emulator JPEG-Net
(:mod:`srcodec.proxies.jpeg_emulator`, from ``srcodec train jpegnet``),
frozen. The rate term is the same for both: the JPEG rate proxy
(:func:`~srcodec.proxies.jpeg_diff.rate_proxy`) of the filtered image's real
quantized coefficients. The quality is drawn per step from ``--quality``.

Why a rate term, and in which units: Nagasaki et al. optimise the distortion
alone at a fixed quality factor, and the filtered image then costs *more*
bits than the original at that quality -- their result loses to JPEG at equal
rate. A pre-filter can only win at equal bpp by moving below JPEG's own
rate-distortion curve. With ``--rate-units slope`` (default) the rate is
priced per image at JPEG's own exchange rate there: ``slope_q = (D(q-d) -
D(q)) / (R(q) - R(q-d))``, the chord of plain JPEG's distortion-rate curve
from q down to q - d (d = 10 % of q) on the same image, measured with the same
proxy (so the proxy's calibration cancels out): the distortion JPEG itself
adds to save those bits by lowering its quality. With ``--rate-weight 1`` a
filter that lowers ``D + slope_q R`` below plain JPEG's value beats plain JPEG
at the filtered file's bpp, to first order in the change (the real check is
the validation below); larger weights favour smaller files. ``--rate-units bpp`` uses ``rate_weight × bpp`` as it is.
The logged ``gain`` is plain JPEG's ``D + w slope R`` minus the filtered
image's (positive: better than JPEG).

Validation uses the real JPEG (libjpeg through Pillow) at ``--val-quality``:
``val.jsonl`` has the PSNR of the filtered and of the plain image's JPEG;
``val_jpeg.jsonl`` (and the log) adds the bpp of both and the PSNR plain JPEG
reaches at the filtered file's bpp (interpolated between qualities): the
equal-rate comparison. Writes the stage ``pre``. Runs on the engine of :mod:`srcodec.train.engine`
for the engine and the common options.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from srcodec.archs import build_preset, load_stages
import srcodec.proxies.jpeg_emulator  # noqa: F401  (registers the jpegnet architecture)
from srcodec.proxies.jpeg_diff import DiffJPEG, jpeg_roundtrip, rate_proxy, ste_round
from srcodec.data.degrade import Degradation, codec_roundtrip, tensor_to_image
from srcodec.errors import BadOptionError
from srcodec.metrics import bpp, psnr
from srcodec.train.engine import Task, run_task
from srcodec.train.harness import RunLog
from srcodec.train.options import add_common_arguments, data_dirs, mid_quality, parse_quality
from srcodec.train.samplers import HRSampler


def per_image(kind: str, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """The pixel loss of each image of a batch (shape (N,))."""
    d = (a - b).abs() if kind == "l1" else (a - b).square()
    return d.flatten(1).mean(1)


def plain_jpeg_psnr_at(image: np.ndarray, nbytes: int, quality: int) -> float:
    """The PSNR plain JPEG reaches at a file of ``nbytes``: linear between the two qualities whose sizes bracket it."""
    def point(q):
        decoded, n = codec_roundtrip(image, "jpeg", q)
        return n, psnr(decoded, image)

    q = int(quality)
    cur = point(q)
    step = -1 if cur[0] > nbytes else 1
    while 1 <= q + step <= 100:
        q += step
        nxt = point(q)
        if (nxt[0] - nbytes) * (cur[0] - nbytes) <= 0:
            (n0, p0), (n1, p1) = cur, nxt
            return p0 if n1 == n0 else p0 + (p1 - p0) * (nbytes - n0) / (n1 - n0)
        cur = nxt
    return math.nan


class PrefilterTask(Task):
    """Modify-Net before a differentiable JPEG stand-in, distortion + priced rate."""

    kind = "prefilter"

    def __init__(self, args):
        super().__init__(args)
        if args.crop % 16:
            raise BadOptionError(f"--crop {args.crop} must be a multiple of 16 (JPEG's 4:2:0 macroblock)")
        Degradation(1, "jpeg", args.quality).check()
        if args.val_quality is not None:
            Degradation(1, "jpeg", args.val_quality).check()
        q = args.quality
        self.proxy = DiffJPEG((int(q[0]), int(q[1])) if isinstance(q, tuple) else int(q), rounding=args.rounding,
                              seed=args.seed)
        self.nets = {"pre": build_preset(args.arch)}
        self.trainable = ("pre",)
        self.emulator = None
        if args.proxy == "jpegnet" and args.rounding != "ste":
            raise BadOptionError("--rounding is for --proxy diffjpeg (JPEG-Net makes its own decode)")
        if args.proxy == "jpegnet":
            if not args.emulator:
                raise BadOptionError("--proxy jpegnet needs --emulator WEIGHTS "
                                       "(a 'jpegnet' stage, from srcodec train jpegnet)")
            self.emulator = load_stages(args.emulator, only=("jpegnet",))["jpegnet"].requires_grad_(False)
        elif args.emulator:
            raise BadOptionError("--emulator is only used with --proxy jpegnet")
        self.val_quality = int(args.val_quality if args.val_quality is not None else mid_quality(q))
        self.steps_done = 0
        self._val_rows: list[dict] = []
        self.last_val: dict = {}

    def ready(self) -> None:
        if getattr(self.nets["pre"], "arch_name", "") != "modifynet":
            raise BadOptionError(f"the 'pre' stage is a {self.nets['pre'].arch_name}, train prefilter trains a modifynet")

    def make_sampler(self):
        return HRSampler(data_dirs(self.args), self.args.crop, self.seed)

    # -- the loss -----------------------------------------------------------------------

    def _objective(self, decoded, target, bits, price) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(D + price R, D, R) per image; R in proxy bits per pixel."""
        dist = per_image(self.args.loss, decoded, target)
        rate = bits / (target.shape[-1] * target.shape[-2])
        return dist + price * rate, dist, rate

    @torch.no_grad()
    def plain_jpeg(self, hr: torch.Tensor, q: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Plain JPEG at q, per image: (distortion, proxy bpp, -dD/dR in loss units per proxy bpp).

        The slope is the chord of plain JPEG's distortion-rate curve from q down
        to q - d (d = 10 % of q, at least 2; upwards where q - d < 1): what JPEG
        itself pays in distortion to save bits there.
        """
        def point(k):
            dec, coefs = jpeg_roundtrip(hr, k, return_coefficients=True)
            return self._objective(dec, hr, rate_proxy(coefs), 0.0)[1:]

        d_q, r_q = point(q)
        other = max(1, q - max(2, round(0.1 * q)))
        other = other if other < q else q + max(2, round(0.1 * q))
        d_o, r_o = point(other)
        slope = ((d_o - d_q) / (r_q - r_o)).nan_to_num(0.0).clamp(min=0.0)
        return d_q, r_q, slope

    def step(self, batch) -> dict:
        (hr,) = batch
        if self.emulator is not None and next(self.emulator.parameters()).device != hr.device:
            self.emulator.to(hr.device)  # frozen, in eval mode, outside the stages run_task moves
        q = self.proxy.draw_quality()
        plain_d, plain_r, slope = self.plain_jpeg(hr, q)
        price = self.args.rate_weight * (slope if self.args.rate_units == "slope" else 1.0)
        pre = self.nets["pre"](hr, q)
        x8 = ste_round(pre.clamp(0, 1) * 255.0) / 255.0
        decoded, coefs = jpeg_roundtrip(x8, q, rounding=self.proxy.rounding, return_coefficients=True)
        if self.emulator is not None:
            decoded = self.emulator(x8, q)
        obj, dist, rate = self._objective(decoded, hr, rate_proxy(coefs), price)
        loss = obj.mean()
        loss.backward()
        self.steps_done += 1
        return {"loss": loss.item(), "dist": dist.mean().item(), "bpp_proxy": rate.mean().item(),
                "plain_bpp_proxy": plain_r.mean().item(),
                "gain": (plain_d + price * plain_r - obj.detach()).mean().item()}

    # -- validation with the real JPEG --------------------------------------------------

    def validate_image(self, hr, rng):
        q = self.val_quality
        filtered = tensor_to_image(self.nets["pre"](self.tensor(hr), q))
        out, nbytes = codec_roundtrip(filtered, "jpeg", q)
        base, plain_bytes = codec_roundtrip(hr, "jpeg", q)
        h, w = hr.shape[:2]
        self._val_rows.append({"bpp": bpp(nbytes, h, w), "psnr": psnr(out, hr), "plain_bpp": bpp(plain_bytes, h, w),
                               "plain_psnr": psnr(base, hr), "plain_psnr_at_bpp": plain_jpeg_psnr_at(hr, nbytes, q)})
        return out, hr, base

    def validate(self, images) -> dict:
        row = super().validate(images)
        if self._val_rows:  # the real-JPEG rows validate_image collected
            self._report_val()
        return row

    def _report_val(self) -> None:
        rows, self._val_rows = self._val_rows, []
        mean = {k: float(np.nanmean([r[k] for r in rows])) for k in rows[0]}
        self.last_val = {"step": self.steps_done, "quality": self.val_quality, "images": len(rows), **mean,
                         "gain_at_bpp_db": mean["psnr"] - mean["plain_psnr_at_bpp"]}
        log = RunLog(Path(self.args.out), True)
        log.record("val_jpeg.jsonl", self.last_val)
        text = (f"val step {self.steps_done} real JPEG q={self.val_quality}: filtered {mean['bpp']:.4f} bpp "
                f"{mean['psnr']:.2f} dB, plain {mean['plain_bpp']:.4f} bpp {mean['plain_psnr']:.2f} dB; plain JPEG at "
                f"the filtered bpp {mean['plain_psnr_at_bpp']:.2f} dB ({self.last_val['gain_at_bpp_db']:+.2f} dB)")
        log.line(text)
        tqdm.write(text)

    def val_shave(self) -> int:
        return 0

    def state(self) -> dict:
        return {**super().state(), "steps_done": self.steps_done}

    def load_state(self, state: dict) -> None:
        super().load_state(state)
        self.steps_done = state.get("steps_done", 0)

    def info(self) -> dict:
        a = self.args
        out = {"kind": self.kind, "paper": "Nagasaki et al. (Modify-Net)", "proxy": a.proxy, "quality": a.quality,
               "rounding": a.rounding, "rate_weight": a.rate_weight, "rate_units": a.rate_units, "preset": a.arch,
               "loss": a.loss}
        if a.emulator:
            out["emulator"] = a.emulator
        out.update({f"val_{k}": v for k, v in self.last_val.items() if k != "step"})
        return out


def add_arguments(p) -> None:
    p.add_argument("--arch", default="modifynet-compact", help="Modify-Net preset (default: %(default)s; also modifynet)")
    p.add_argument("--proxy", choices=("diffjpeg", "jpegnet"), default="diffjpeg",
                   help="differentiable JPEG stand-in: the exact DiffJPEG, or the learned JPEG-Net emulator "
                        "(default: %(default)s)")
    p.add_argument("--rounding", choices=("ste", "noise", "cubic"), default="ste",
                   help="how DiffJPEG rounds the coefficients in training: straight-through, additive uniform "
                        "noise, or Shin & Song's cubic (default: %(default)s)")
    p.add_argument("--emulator", metavar="WEIGHTS", help="JPEG-Net weights (a 'jpegnet' stage) for --proxy jpegnet")
    p.add_argument("--quality", type=parse_quality, default=parse_quality("10-90"),
                   help="JPEG quality, or a range LOW-HIGH drawn per step (default: 10-90)")
    p.add_argument("--rate-weight", type=float, default=1.0,
                   help="weight of the rate term (default: %(default)s: JPEG's own exchange rate with --rate-units slope)")
    p.add_argument("--rate-units", choices=("slope", "bpp"), default="slope",
                   help="slope: rate priced at plain JPEG's distortion-rate slope per image and quality; "
                        "bpp: rate-weight x proxy bpp as it is (default: %(default)s)")
    p.add_argument("--val-quality", type=float, default=None,
                   help="real-JPEG quality of the validation (default: mid-range)")
    add_common_arguments(p, crop=96, batch=16, lr=1e-4, loss="l2")


def run(args) -> int:
    return run_task(PrefilterTask(args))
