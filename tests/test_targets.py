"""The rate/quality target search (srcodec.targets.search): exact boundaries, few encodes."""

import math
import random

import pytest

from srcodec.targets import NotReached, search


class FakeCodec:
    def __init__(self, integer: bool):
        self.integer_quality = integer
        self.quality_range = (0, 63) if integer else (1.0, 8.0)
        self.sweep = tuple(range(5, 60, 7)) if integer else tuple(float(q) for q in range(1, 9))


CURVES = {"linear": lambda t: t, "concave": lambda t: math.log1p(9 * t), "convex": lambda t: math.expm1(3 * t),
          "staircase": lambda t: math.floor(20 * t) / 20}


@pytest.mark.parametrize("curve", list(CURVES))
@pytest.mark.parametrize("integer", [True, False])
def test_the_boundary_is_exact_and_cheap(curve, integer):
    codec = FakeCodec(integer)
    lo, hi = codec.quality_range
    calls = []
    for trial in range(300):
        rnd = random.Random(trial)
        scale = rnd.uniform(0.5, 20)
        f = lambda q: scale * CURVES[curve]((q - lo) / (hi - lo))  # noqa: E731 (grows with q)
        target = rnd.uniform(f(lo), f(hi))
        for want in ("lowest-reaching", "highest-under"):
            seen = []
            q, v = search(codec, lambda q: (seen.append(q), f(q))[1], lambda v: v, target, want=want)
            assert len(seen) == len(set(seen))  # never the same quality twice
            calls.append(len(seen))
            step = 1.0 if integer else 0.01 * (hi - lo)
            if want == "lowest-reaching":
                assert v >= target and (q == lo or f(q - step) < target)
            else:
                assert v <= target and (q == hi or f(q + step) > target)
            if integer:
                assert q == int(q)
    # a bisection from the two ends of the range takes 8 encodes (integer, 64 levels) or 9 (fractional)
    bisection = 8 if integer else 9
    assert sum(calls) / len(calls) < bisection - 1 and max(calls) <= 2 * bisection


def test_unreachable_targets_say_how_close_they_came():
    codec = FakeCodec(True)
    with pytest.raises(NotReached) as exc:
        search(codec, lambda q: q / 2, lambda v: v, 40.0, want="lowest-reaching")
    assert exc.value.best[0] == 63 and exc.value.best[2] == 31.5
    with pytest.raises(NotReached) as exc:
        search(codec, lambda q: q + 10, lambda v: v, 5.0, want="highest-under")
    assert exc.value.best[0] == 0
    q, v = search(codec, lambda q: q, lambda v: v, -1.0, want="lowest-reaching")  # the whole range reaches it
    assert q == 0
