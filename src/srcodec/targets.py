"""Rate and quality targets, met on real files: the search behind ``--bpp``, ``--max-bytes``,
``--target-psnr``, ``--target-ms-ssim``, ``--target-ssimulacra2`` and ``--target-vmaf`` (and ``auto``'s
per-candidate searches).

The search itself (a safeguarded secant method on the quality knob) is :func:`srcodec.search.search`; this
module holds the targets (:class:`Target`, and what an encode to one gives: :class:`Encoded`) and the encoders
that meet them on real files, alone or through a fast stand-in (``auto``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from srcodec.errors import BadOptionError, SrcodecError
from srcodec.search import NotReached, search


#: the quality metrics a target can name, as the CLI and errors spell them
METRICS = {"psnr": "PSNR", "ms-ssim": "MS-SSIM", "ssimulacra2": "SSIMULACRA2", "vmaf": "VMAF"}


@dataclass(frozen=True)
class Target:
    """What an encode aims at: a codec ``quality``; a size (``max_bytes``, or ``bpp`` of this image); or a
    ``value`` to reach in ``metric`` (psnr, ms-ssim, ssimulacra2, vmaf). Nothing set: the codec's default
    quality. :meth:`of` makes one from the CLI's and the API's options."""

    quality: float | None = None
    max_bytes: int | None = None
    bpp: float | None = None
    metric: str | None = None
    value: float | None = None

    @classmethod
    def of(cls, quality: float | None = None, *, bpp: float | None = None, max_bytes: int | None = None,
           target_psnr: float | None = None, target_ms_ssim: float | None = None,
           target_ssimulacra2: float | None = None, target_vmaf: float | None = None) -> Target:
        """The target the options name; more than one is a one-line error."""
        reach = [(m, t) for m, t in (("psnr", target_psnr), ("ms-ssim", target_ms_ssim),
                                     ("ssimulacra2", target_ssimulacra2), ("vmaf", target_vmaf)) if t is not None]
        if sum(x is not None for x in (quality, bpp, max_bytes)) + len(reach) > 1:
            raise BadOptionError("give only one of quality, bpp, max_bytes and a target metric value")
        if reach:
            metric, value = reach[0]
            _check_metric(metric)
            if not math.isfinite(value):
                raise BadOptionError(f"the quality target must be a number, got {value}")
            return cls(metric=metric, value=float(value))
        return cls(quality=quality, max_bytes=max_bytes, bpp=bpp)

    @property
    def kind(self) -> str:
        """"reach" (a metric value), "size" (bytes or bpp) or "quality"."""
        if self.metric is not None:
            return "reach"
        return "size" if self.max_bytes is not None or self.bpp is not None else "quality"

    def limit(self, h: int, w: int) -> int:
        """The byte budget of a size target for an ``h`` x ``w`` image."""
        return byte_limit(h, w, self.bpp, self.max_bytes)


@dataclass(frozen=True)
class Encoded:
    """What an encode to a :class:`Target` gives: the file, the codec quality used, the value reached in the
    target's metric (None where nothing was measured), and the report of a codec that chose among candidates
    (``auto``: :class:`srcodec.pipelines.auto.Report`), else None."""

    data: bytes
    quality: float
    value: float | None = None
    report: object | None = None


class Outdone(SrcodecError):
    """A search stopped early: what it can still find cannot beat a file already in hand (``auto``)."""


def byte_limit(h: int, w: int, bpp: float | None, max_bytes: int | None) -> int:
    """The byte budget of a rate target (``bpp`` for this image, or ``max_bytes``)."""
    if bpp is not None:
        if not (bpp > 0 and math.isfinite(bpp)):
            raise BadOptionError(f"--bpp must be a positive number, got {bpp}")
        return int(bpp * h * w / 8)
    if max_bytes is None or max_bytes <= 0:
        raise BadOptionError(f"--max-bytes must be a positive integer, got {max_bytes}")
    return int(max_bytes)


def encode_for_target(codec, image: np.ndarray, *, bpp: float | None = None,
                      max_bytes: int | None = None, tolerance: float | None = None) -> tuple[bytes, float]:
    """The best quality whose real file fits the target (``max_bytes``, or ``bpp`` for this image).

    Returns the bytes and the quality used; an error if even the lowest quality does not fit.
    """
    limit = byte_limit(image.shape[0], image.shape[1], bpp, max_bytes)
    return encode_for_limit(codec, image, limit, tolerance=tolerance)


def encode_for_limit(codec, image: np.ndarray, limit: int, *, tolerance: float | None = None, measure_with=None,
                     beat: float | None = None):
    """:func:`encode_for_target` with the byte budget given. With ``measure_with(data) -> value`` and ``beat``
    (``auto``): each file is measured too, and the search gives up (:class:`Outdone`) as soon as a file that
    does not fit already measures no more than ``beat`` -- every file that fits is smaller, so worse.
    Returns (bytes, quality), or (bytes, quality, value) with ``measure_with``."""
    def attempt(q):
        data = codec.encode(image, q)
        if measure_with is None:
            return data
        value = measure_with(data)
        if beat is not None and len(data) > limit and value <= beat:
            raise Outdone(f"{codec.name}: cannot beat {beat:.4g} within {limit} bytes")
        return data, value

    size = (lambda r: len(r)) if measure_with is None else (lambda r: len(r[0]))
    try:
        q, found = search(codec, attempt, lambda r: math.log(max(size(r), 1)), math.log(limit), want="highest-under",
                          tolerance=tolerance)
    except NotReached as exc:
        raise SrcodecError(f"{codec.name}: even the lowest quality needs {size(exc.best[1])} bytes, more than the "
                           f"target {limit}") from None
    data = found if measure_with is None else found[0]
    if len(data) > limit:  # log rounding at the boundary: never over the limit
        raise SrcodecError(f"{codec.name}: no quality fits {limit} bytes")
    return (data, q) if measure_with is None else (data, q, found[1])


def _check_metric(metric: str) -> None:
    if metric not in METRICS:
        raise BadOptionError(f"--metric must be one of {', '.join(METRICS)}, got {metric!r}")


def check_measurable(image: np.ndarray, metric: str) -> None:
    """A one-line error before any encode when ``metric`` is unknown or cannot measure this image (MS-SSIM's
    five scales need a shorter side over 160 pixels, SSIMULACRA2 8, VMAF 32 and imageio-ffmpeg's libvmaf)."""
    from srcodec.metrics import MS_SSIM_MIN_SIDE
    from srcodec.metrics_ssimulacra2 import MIN_SIDE as SSIMULACRA2_MIN_SIDE
    from srcodec.metrics_vmaf import MIN_SIDE as VMAF_MIN_SIDE

    _check_metric(metric)
    need = {"ms-ssim": MS_SSIM_MIN_SIDE, "ssimulacra2": SSIMULACRA2_MIN_SIDE, "vmaf": VMAF_MIN_SIDE}.get(metric, 1)
    if min(image.shape[:2]) < need:
        raise BadOptionError(f"{METRICS[metric]} needs an image of at least {need} pixels on its shorter side; "
                             f"this one is {image.shape[1]}x{image.shape[0]} (use PSNR)")
    if metric == "vmaf":
        from srcodec.metrics_vmaf import available

        if available() is not None:
            raise BadOptionError(available())


def measure(image: np.ndarray, decoded: np.ndarray, metric: str) -> float:
    """The quality ``metric`` (a key of :data:`METRICS`; "psnr" is over RGB) of a decode."""
    from srcodec import metrics

    _check_metric(metric)
    return {"psnr": metrics.psnr, "ms-ssim": metrics.ms_ssim, "ssimulacra2": metrics.ssimulacra2,
            "vmaf": metrics.vmaf}[metric](image, decoded)


def encode_for_quality(codec, image: np.ndarray, target: float, metric: str = "psnr",
                       tolerance: float | None = None, beat: int | None = None,
                       guess: float | None = None) -> tuple[bytes, float, float]:
    """The smallest file whose real decode reaches ``target`` in ``metric``. Returns (bytes, codec quality,
    measured value); an error naming the best reachable value when no quality reaches it (:class:`NotReached`,
    whose ``best`` is that file: (bytes, quality, value)).
    ``tolerance``: the quality step where the search stops. ``beat`` (``auto``): give up
    (:class:`Outdone`) as soon as a file that falls short already has at least ``beat`` bytes -- every
    file that reaches the target is larger. ``guess``: the quality to start from (the middle of the codec's sweep
    otherwise); a good one saves steps."""
    if not math.isfinite(target):
        raise BadOptionError(f"the quality target must be a number, got {target}")
    check_measurable(image, metric)

    def attempt(q):
        data = codec.encode(image, q)
        value = measure(image, codec.decode_like(data, image), metric)
        if beat is not None and value < target and len(data) >= beat:
            raise Outdone(f"{codec.name}: cannot reach {metric} {target:g} in fewer than {beat} bytes")
        return data, value

    try:
        q, (data, value) = search(codec, attempt, lambda r: r[1], target, want="lowest-reaching", tolerance=tolerance,
                                  guess=guess)
    except NotReached as exc:
        best_q, (best_data, _), best_value = exc.best
        raise NotReached(f"{codec.name}: the best it reaches is {METRICS[metric]} {best_value:.4g}, under the "
                         f"target {target:g}", (best_data, best_q, best_value)) from None
    return data, q, value


#: side of the square tiles a large image's sample is made of (:func:`sample_of`)
SAMPLE_TILE = 256


def sample_of(image: np.ndarray, megapixels: float = 1.0) -> np.ndarray | None:
    """A stand-in of a large image for quality searches: :data:`SAMPLE_TILE`-pixel tiles spread evenly over it
    on a grid, side by side, about ``megapixels`` in all; None when the image is not larger than twice that."""
    h, w = image.shape[:2]
    t = SAMPLE_TILE
    if h * w <= 2 * megapixels * 1e6 or min(h, w) < 2 * t:
        return None
    n = max(1, int(megapixels * 1e6 // (t * t)))
    rows = max(1, min(h // t, int(round(math.sqrt(n * h / w)))))
    cols = max(1, min(w // t, -(-n // rows)))
    ys = np.linspace(0, h - t, rows).astype(int)
    xs = np.linspace(0, w - t, cols).astype(int)
    return np.ascontiguousarray(np.concatenate(
        [np.concatenate([image[y:y + t, x:x + t] for x in xs], axis=1) for y in ys], axis=0))


def encode_sampled(codec, image: np.ndarray, target: float, metric: str = "psnr", *, tolerance: float | None = None,
                   megapixels: float = 1.0, beat: int | None = None, min_gain: int = 1,
                   margin: float = 0.0, guess: float | None = None) -> tuple[bytes, float, float, int]:
    """:func:`encode_for_quality` for a large image at the cost of about two real encodes: the quality is searched
    on :func:`sample_of` the image (its measured curve kept), the image itself is encoded at the sample's answer,
    the sample's curve is moved by what that real file measured and the image encoded again where the moved curve
    crosses the target (when that is at least ``min_gain`` steps from the first, or the first fell short); then
    one step higher at a time while no real file reaches it. ``margin``: the sample is searched for the target plus
    this, so that the first real file usually reaches the target (an image and its sample differ a little).
    Returns (bytes, quality,
    measured value, real encodes): the smallest real file that reaches the target (or :class:`NotReached`). An
    image no larger than the sample gets :func:`encode_for_quality` itself (real encodes: 0 counted apart)."""
    sample = sample_of(image, megapixels)
    if sample is None:
        return (*encode_for_quality(codec, image, target, metric, tolerance=tolerance, beat=beat, guess=guess), 0)
    check_measurable(sample, metric)
    lo, hi = (float(v) for v in codec.quality_range)
    integer = bool(codec.integer_quality)
    step = tolerance if tolerance is not None else (1.0 if integer else 0.01 * (hi - lo))
    step = max(step, 1.0) if integer else step
    curve: dict[float, float] = {}

    def on_sample(q):
        value = measure(sample, codec.decode_like(codec.encode(sample, q), sample), metric)
        curve[q] = value
        return value

    try:
        q0 = search(codec, on_sample, lambda v: v, target + margin, want="lowest-reaching", tolerance=tolerance,
                    guess=guess)[0]
    except NotReached as exc:
        q0 = exc.best[0]  # the sample's best: the image itself may still reach it
    real: dict[float, tuple[bytes, float]] = {}

    def on_image(q):
        q = min(hi, max(lo, float(round(q)) if integer else q))
        if q not in real:
            data = codec.encode(image, q)
            real[q] = (data, measure(image, codec.decode_like(data, image), metric))
        return q

    on_image(q0)
    shift = real[q0][1] - curve.get(q0, real[q0][1])  # the image against its sample, where both were measured
    qs, vs = zip(*sorted(curve.items()))
    grid = np.arange(lo, hi + step / 2, step)
    moved = np.interp(grid, qs, vs) + shift
    if (moved >= target).any():
        q1 = float(grid[int(np.argmax(moved >= target))])
        if real[q0][1] < target or abs(q1 - q0) >= min_gain * step - 1e-9:
            on_image(q1)
    while not any(v >= target for _, v in real.values()):
        top = max(real)
        best = max(real.items(), key=lambda kv: kv[1][1])
        if beat is not None and len(real[top][0]) >= beat:
            raise Outdone(f"{codec.name}: cannot reach {metric} {target:g} in fewer than {beat} bytes")
        if top >= hi:
            raise NotReached(f"{codec.name}: the best it reaches is {METRICS[metric]} {best[1][1]:.4g}, under the "
                             f"target {target:g}", (best[1][0], best[0], best[1][1]))
        on_image(top + step)
    # a real file fell short below a real file that reaches: narrow the bracket on the image itself, a secant
    # step first, then halves (the curve of a codec's quality knob may bend sharply near its top)
    for k in range(3):
        good = min(q for q, (_, v) in real.items() if v >= target)
        below = [q for q, (_, v) in real.items() if v < target and q < good]
        if not below or good - max(below) <= step:
            break
        bad = max(below)
        vb, vg = real[bad][1], real[good][1]
        nq = bad + (target - vb) / (vg - vb) * (good - bad) if k == 0 and vg > vb else (bad + good) / 2
        nq = min(max(nq, bad + step), good - step)
        if on_image(nq) in (bad, good):
            break
    q, (data, value) = min(((q, dv) for q, dv in real.items() if dv[1] >= target), key=lambda t: len(t[1][0]))
    return data, q, value, len(real)


@dataclass
class ProbePlan:
    """A probed search's state (``auto``, efforts 1-2): what :func:`probe_search` found on a candidate's fast
    stand-in and every file and measurement it made, which :func:`encode_probed` reads when it makes the real
    files. A candidate without a stand-in has only its ``final`` file (from its own full search)."""

    #: the metric of a quality target ("psnr", "ms-ssim", "ssimulacra2", "vmaf")
    metric: str = "psnr"
    #: the stand-in's prior offsets against the real codec (``bytes`` ratio, and one per metric)
    offsets: dict = field(default_factory=dict)
    #: the byte budget of a size target, or None
    limit: int | None = None
    #: the value of a quality target, or None
    target: float | None = None
    #: give up (:class:`Outdone`) when a stand-in file short of the target has at least this many bytes
    beat: int | None = None
    #: quality -> (bytes, value) of each stand-in file measured (value NaN where only its size was needed)
    curve: dict = field(default_factory=dict)
    #: quality -> the stand-in's file, encoded once
    files: dict = field(default_factory=dict)
    #: quality -> the value of the stand-in's file decoded without its network (:func:`_search_plain`)
    plain: dict = field(default_factory=dict)
    #: the stand-in's plain decoder, where its search measured plain decodes
    decode_plain: Callable | None = None
    #: the network's gain over the plain decode, last measured (None before any)
    gain: float | None = None
    #: the stand-in's quality, bytes and value at the end of its search (what ``auto`` ranks candidates by)
    quality: float = math.nan
    bytes: int = 0
    value: float = math.nan
    #: real encodes :func:`encode_probed` made (None before it ran)
    real_encodes: int | None = None
    #: (bytes, quality, value) of a candidate searched on its own real files (no stand-in), else None
    final: tuple | None = None


def probe_search(probe, offsets: dict, image: np.ndarray, *, limit: int | None = None, target: float | None = None,
                 metric: str = "psnr", tolerance: float | None = None, beat: int | None = None) -> ProbePlan:
    """The first half of a probed search: the whole search on ``probe`` (a fast stand-in of a codec,
    :meth:`Codec.probe`), for the target moved by the prior ``offsets`` (a byte ``limit``, or a quality
    ``target`` in ``metric``). Returns a plan for :func:`encode_probed`: the probe's quality, its file's
    size and measured value (what ``auto`` ranks candidates by) and every probe file and measurement made
    (``curve``: quality -> (bytes, value); a rate search measures only its last file).

    ``beat`` (quality targets, ``auto``): give up (:class:`Outdone`) as soon as a probe file falls short of
    the (moved) target with at least ``beat`` bytes -- every probe file that reaches it is larger."""
    plan = ProbePlan(metric=metric, offsets=offsets, limit=limit, target=target,
                     beat=None if limit is not None else beat)
    plain = probe.decode_plain if limit is None and probe.plain_decode else None
    try:
        if limit is not None:
            q, _ = search(probe, lambda q: _probe_point(probe, image, plan, q, value=False),
                          lambda r: math.log(max(r[0], 1)), math.log(limit / offsets["bytes"]),
                          want="highest-under", tolerance=tolerance)
        elif plain is None:
            def attempt(q):
                point = _probe_point(probe, image, plan, q)
                _check_beaten(plan, point[0], point[1], target - offsets[metric])
                return point

            q, _ = search(probe, attempt, lambda r: r[1], target - offsets[metric], want="lowest-reaching",
                          tolerance=tolerance)
        else:
            q = _search_plain(probe, plain, image, plan, target - offsets[metric], tolerance)
    except NotReached as exc:
        q = exc.best[0]  # the real codec may still make it: its encodes start from the closest probe
    plan.quality = q
    plan.bytes, plan.value = _stand_in_point(probe, image, plan, q)
    return plan


class _GainMoved(Exception):
    """The stand-in's network measured another gain than the one the search was using: search again."""


def _search_plain(probe, plain, image, plan: ProbePlan, target: float, tolerance) -> float:
    """A quality search whose steps measure the probe's file decoded without its network (``plain``: no
    restorer run, a fraction of the cost), the target lowered by the network's gain over the plain decode,
    measured with the network on the first file the search makes. One network run per candidate instead of
    one per step: a ×1 restorer's gain barely moves with the quality (the differences of ``vvc-restored``'s and
    ``vvc``'s points in the section of ``python benchmarks/kodak_restored.py``), and the real encodes that follow are measured with
    the network anyway (:func:`encode_probed`). A ×2 restorer's gain over bicubic enlarging moves more (its
    MS-SSIM gain grows with the quality), so a candidate is never left (``beat``) on an estimate: where the
    plain decode plus the gain says it cannot win, the network measures that file, and either it is left on
    that measurement or the search starts again with the gain measured there (on the files already made).
    The stand-in's value anywhere else is its plain decode's plus the last gain measured (``plan.gain``,
    :func:`_stand_in_point`)."""
    sweep = sorted(probe.sweep or probe.quality_range)
    q = sweep[len(sweep) // 2]
    plan.plain, plan.decode_plain = {}, plain
    plan.gain = _probe_point(probe, image, plan, q)[1] - _plain_value(probe, image, plan, q)
    for again in (True, True, False):
        goal = target - plan.gain

        def attempt(q, goal=goal, again=again):
            value = _plain_value(probe, image, plan, q)
            size = len(_probe_file(probe, image, plan, q))
            if plan.beat is not None and value < goal and size >= plan.beat:  # the estimate says: left
                measured = _probe_point(probe, image, plan, q)[1]
                _check_beaten(plan, size, measured, target)  # ... and so does the network: left
                if again:
                    plan.gain = measured - value
                    raise _GainMoved(q)
                return measured - plan.gain  # its measured value, on the scale of this search
            return value

        try:
            q, _ = search(probe, attempt, lambda v: v, goal, want="lowest-reaching", tolerance=tolerance, guess=q)
            return q
        except _GainMoved as moved:
            q = moved.args[0]
    return q


def _plain_value(probe, image, plan: ProbePlan, q: float) -> float:
    """The probe's file at ``q`` decoded without its network, measured (once per plan)."""
    if q not in plan.plain:
        plan.plain[q] = measure(image, plan.decode_plain(_probe_file(probe, image, plan, q)), plan.metric)
    return plan.plain[q]


def _stand_in_point(probe, image, plan: ProbePlan, q: float, value: bool = True) -> tuple[int, float]:
    """(bytes, value) of the probe at ``q`` as the searches use it: measured with the network where it ran
    there, else its plain decode plus the plan's gain where :func:`_search_plain` measured one, else measured."""
    if not value or plan.gain is None or (q in plan.curve and not math.isnan(plan.curve[q][1])):
        return _probe_point(probe, image, plan, q, value)
    return len(_probe_file(probe, image, plan, q)), _plain_value(probe, image, plan, q) + plan.gain


def _check_beaten(plan: ProbePlan, size: int, value: float, goal: float) -> None:
    """Outdone when a probe file short of ``goal`` already has the plan's ``beat`` bytes or more."""
    if plan.beat is not None and value < goal and size >= plan.beat:
        raise Outdone(f"its fast stand-in is still under the target at {size} bytes, more than {plan.beat}")


def _probe_file(probe, image, plan: ProbePlan, q: float) -> bytes:
    """The probe's file at ``q``: encoded once per plan."""
    if q not in plan.files:
        plan.files[q] = probe.encode(image, q)
    return plan.files[q]


def _probe_point(probe, image, plan: ProbePlan, q: float, value: bool = True) -> tuple[int, float]:
    """(bytes, value) of the probe at ``q``, encoded (and measured, with ``value``) when not yet in the plan."""
    curve = plan.curve
    if q not in curve or (value and math.isnan(curve[q][1])):
        data = _probe_file(probe, image, plan, q)
        curve[q] = (len(data), measure(image, probe.decode_like(data, image), plan.metric) if value else math.nan)
    return curve[q]


def encode_probed(codec, probe, plan: ProbePlan, image: np.ndarray, *, tolerance: float | None = None):
    """The second half of a probed search: real encodes of ``codec`` starting at the probe's quality,
    each measured, moving one step at a time -- towards the safe side after a miss, towards the better
    side while the probe's curve, shifted by the offset this encode measured, predicts that the next step
    still meets the target. Usually one or two real encodes (counted in ``plan.real_encodes``).
    Returns (bytes, quality, measured value):
    never over ``limit`` bytes, never under ``target``; :class:`NotReached` otherwise.

    Offsets measured by ``python benchmarks/probe_offsets.py`` (VVenC medium against faster, same QP,
    restored pipelines, 4 training images x 4 QPs): see ``srcodec.codecs.vvc.PROBE_OFFSETS``."""
    lo, hi = (float(v) for v in codec.quality_range)
    step = float(max(round(tolerance or 0.0), 1)) if codec.integer_quality else (tolerance or 0.01 * (hi - lo))
    limit, target, metric = plan.limit, plan.target, plan.metric

    rate = limit is not None
    better = 1.0 if rate else -1.0  # rate: a higher quality is better; quality target: a lower one

    def predicted_ok(q, here, measured, nq, doubt: float = 0.0) -> bool:
        # the probe's curve at nq, moved by what the real encode at q measured against the probe at q; a
        # quality target missed by less than ``doubt`` (at most half the probe's own step from q to nq) counts as met
        there = _stand_in_point(probe, image, plan, nq, value=not rate)
        if rate:
            return measured * there[0] / max(here[0], 1) <= limit
        return there[1] + (measured - here[1]) >= target - min(doubt, 0.5 * abs(here[1] - there[1]))

    q, best, tried, closest = plan.quality, None, set(), None
    while lo <= q <= hi and q not in tried:
        tried.add(q)
        plan.real_encodes = len(tried)
        data = codec.encode(image, q)
        here = _stand_in_point(probe, image, plan, q, value=not rate)
        if rate and len(data) > limit:
            ok, measured = False, len(data)
        else:
            value = measure(image, codec.decode_like(data, image), metric)
            ok, measured = (True, len(data)) if rate else (value >= target, value)
            if not rate and (closest is None or value > closest[2]):
                closest = (data, q, value)
        if ok:
            best = (data, q, value)
            nq = q + better * step
            # the stand-in is as far off at the next step as it just was here (its prior offset against
            # what this encode measured; a ×2 pipeline's MS-SSIM offset spreads from 0.0013 to 0.0085 between
            # quartiles around the prior 0.002, ``python benchmarks/probe_offsets.py --pipelines
            # vvc-x2-learned``): a step predicted to miss the target by less than that (and less than half a
            # step) is tried for real -- a file one step too good costs that step's bytes
            doubt = 0.0 if rate else abs(measured - here[1] - plan.offsets[metric])
            if lo <= nq <= hi and nq not in tried and predicted_ok(q, here, measured, nq, doubt):
                q = nq
                continue
            break
        if best is not None:  # the step before was good: it is the answer
            break
        # a miss: the first quality on the safe side that the probe, moved by this miss, predicts to be good
        nq = q - better * step
        while lo <= nq - better * step <= hi and not predicted_ok(q, here, measured, nq):
            nq -= better * step
        q = nq
    if best is None:
        if closest is not None:
            raise NotReached(f"{codec.name}: the best it reaches is {METRICS[metric]} {closest[2]:.4g}, under the "
                             f"target {target:g}", closest)
        goal = f"{limit} bytes" if rate else f"{METRICS[metric]} {target:g}"
        raise NotReached(f"{codec.name}: no quality meets {goal}", None)
    return best


__all__ = ["METRICS", "Encoded", "NotReached", "Outdone", "ProbePlan", "Target", "byte_limit", "encode_for_limit", "encode_for_quality",
           "encode_for_target", "encode_probed", "check_measurable", "measure", "probe_search", "search"]
