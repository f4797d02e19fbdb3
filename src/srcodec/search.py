"""The monotone search behind every target: where a measurement of a codec's real files crosses a target as
its quality knob moves.

Both kinds of target look for where a monotone measurement of the real file crosses a target as the
codec's quality knob moves::

    rate target:    the highest quality whose file has at most N bytes      (bytes grow with quality)
    quality target: the lowest quality whose decode reaches X (PSNR, MS-SSIM, SSIMULACRA2, VMAF)
                                                                               (both grow with quality)

Each encode costs seconds for the strong codecs (VVenC: ``python benchmarks/codec_costs.py``), so the search is
a safeguarded secant method rather than a bisection from the ends of the range: it starts at a
guess (the middle of the codec's sweep), steps outwards until the target is bracketed (the step
from the slope it has seen), then interpolates inside the bracket -- on log-bytes for sizes, on the
metric for qualities, both close to linear in the quality knob -- and bisects instead whenever the
last step did not halve the bracket (so it is never much slower than a bisection). It stops when the bracket is one step wide (one quality level for integer codecs).
The result is always a file that was encoded and measured: never over N bytes, never under X. A
perceptual metric need not grow strictly with the quality knob; where a step measures worse than a
lower quality did, the search keeps stepping, and the file it returns is still one measured at X or more.
"""

from __future__ import annotations

import math

from srcodec.errors import SrcodecError


class NotReached(SrcodecError):
    """No quality of the codec meets the target; ``best`` is the (quality, result) closest to it."""

    def __init__(self, message: str, best):
        super().__init__(message)
        self.best = best


def default_step(codec) -> float:
    """The quality step where a search stops unless told otherwise (``--target-...`` of one codec): one
    quality level of an integer knob, else a hundredth of the codec's range."""
    lo, hi = (float(v) for v in codec.quality_range)
    return 1.0 if codec.integer_quality else 0.01 * (hi - lo)


def search(codec, attempt, value, target: float, *, want: str, guess: float | None = None,
           tolerance: float | None = None):
    """Where ``value(attempt(q))`` (growing with q) crosses ``target``; returns (q, result).

    ``want="lowest-reaching"``: the lowest q with value >= target; ``want="highest-under"``: the
    highest q with value <= target. ``attempt(q)`` is called at most once per quality. Raises
    :class:`NotReached` when no quality of the codec's range qualifies.
    """
    lo, hi = (float(v) for v in codec.quality_range)
    integer = bool(codec.integer_quality)
    tol = tolerance if tolerance is not None else default_step(codec)
    tol = max(tol, 1.0) if integer else tol
    reaching = want == "lowest-reaching"
    if want not in ("lowest-reaching", "highest-under"):
        raise ValueError(f"want must be 'lowest-reaching' or 'highest-under', got {want!r}")

    def snap(q: float) -> float:
        q = min(hi, max(lo, q))
        return float(round(q)) if integer else q

    seen: dict[float, tuple] = {}

    def at(q: float):
        q = snap(q)
        if q not in seen:
            result = attempt(q)
            seen[q] = (result, float(value(result)))
        return q, seen[q][0], seen[q][1]

    def good(v: float) -> bool:
        return v >= target if reaching else v <= target

    # a guess from elsewhere (a prior) is trusted to be close: the first step away from it is two stops long
    step = (hi - lo) / 8 if guess is None else 2 * tol
    if guess is None:
        sweep = sorted(codec.sweep or (lo, hi))
        guess = sweep[len(sweep) // 2]
    q, r, v = at(guess)
    # the bracket: the good side and the bad side, each (q, result, value)
    good_end = (q, r, v) if good(v) else None
    bad_end = None if good(v) else (q, r, v)
    prev = (q, v)
    while good_end is None or bad_end is None:
        known = good_end or bad_end
        # reaching: good lies above the bad side; highest-under: good lies below the bad side
        up = (good_end is None) == reaching
        edge = hi if up else lo
        if known[0] == edge:
            break
        slope = None
        if prev[0] != known[0] and prev[1] != known[2]:
            slope = (known[2] - prev[1]) / (known[0] - prev[0])
        if slope is not None and slope > 0:
            jump = abs(target - known[2]) / slope * 1.25 + (1.0 if integer else 0.0)
            jump = min(max(jump, step / 4), hi - lo)
        else:
            jump = step
        prev = (known[0], known[2])
        nq = snap(known[0] + jump if up else known[0] - jump)
        if nq == known[0]:
            nq = snap(known[0] + (1 if up else -1) * (1.0 if integer else tol))
        q, r, v = at(nq)
        if good(v):
            good_end = (q, r, v) if good_end is None or (q < good_end[0]) == reaching else good_end
        else:
            bad_end = (q, r, v)
        if good_end is not None and bad_end is not None and (bad_end[0] < good_end[0]) != reaching:
            bad_end = None  # a bad result on the good side of a good one: not monotone here; keep stepping
        step *= 2
    if good_end is None:
        best = max(seen.items(), key=lambda kv: kv[1][1] if reaching else -kv[1][1])
        raise NotReached("no quality meets the target", (best[0], best[1][0], best[1][1]))
    if bad_end is None:  # the edge of the range itself is good
        return good_end[0], good_end[1]
    # inside the bracket: a secant step, or a bisection when the last step did not halve the bracket
    # (a secant estimate lands half a step past the crossing, on the side of the end that did not move
    # last, so that an accurate estimate closes the bracket in two steps instead of creeping up on it)
    secant, moved_good = True, True
    while abs(good_end[0] - bad_end[0]) > tol:
        a, b = bad_end, good_end
        span = b[0] - a[0]
        if secant and b[2] != a[2]:
            nq = a[0] + min(max((target - a[2]) / (b[2] - a[2]), 0.0), 1.0) * span
            nq += math.copysign(tol / 2, -span if moved_good else span)
        else:
            nq = a[0] + span / 2
        low, high = sorted((a[0], b[0]))
        if integer:
            nq = min(max(float(round(nq)), low + 1), high - 1)
        else:
            nq = min(max(nq, low + tol / 4), high - tol / 4)
        q, r, v = at(nq)
        moved_good = good(v)
        if moved_good:
            good_end = (q, r, v)
        else:
            bad_end = (q, r, v)
        secant = abs(good_end[0] - bad_end[0]) <= abs(span) / 2
    return good_end[0], good_end[1]


__all__ = ["NotReached", "default_step", "search"]
