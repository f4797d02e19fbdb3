"""The rate/quality target search (srcodec.targets.search): exact boundaries, few encodes."""

import math
import random

import numpy as np
import pytest

from srcodec.search import NotReached, search


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


class FakeFiles:
    """A codec whose files are ``q`` written into ``size(q)`` bytes and whose decodes "measure" ``value(q)``
    (``srcodec.targets.measure`` is replaced by the identity on these decodes)."""

    integer_quality, quality_range, sweep, plain_decode = True, (0, 63), tuple(range(5, 60, 7)), False

    def __init__(self, size, value):
        self.size, self.value, self.encodes = size, value, []

    def encode(self, image, q):
        self.encodes.append(q)
        return str(int(q)).encode().ljust(max(int(self.size(q)), 3), b" ")

    def decode_like(self, data, image):
        return self.value(int(data.split(b" ")[0]))


@pytest.mark.parametrize("prior", [0.0, 0.5, 1.5])  # the probe's offset is 0.5 dB; priors right and wrong
@pytest.mark.parametrize("want", ["quality", "rate"])
def test_a_probed_search_meets_the_target_exactly_with_few_real_encodes(monkeypatch, prior, want):
    import srcodec.targets as targets

    monkeypatch.setattr(targets, "measure", lambda image, decoded, metric: decoded)
    worst = 0
    for trial in range(100):
        rnd = random.Random(trial)
        slope, gain, ratio = rnd.uniform(0.2, 1.0), 0.5 + rnd.uniform(-0.1, 0.1), rnd.uniform(0.93, 1.0)
        real = FakeFiles(lambda q: 100 * 1.12 ** q * ratio, lambda q: 20 + slope * q + gain)
        probe = FakeFiles(lambda q: 100 * 1.12 ** q, lambda q: 20 + slope * q)
        offsets = {"psnr": prior, "bytes": 0.98}
        if want == "quality":
            goal = rnd.uniform(25, 20 + slope * 60)
            plan = targets.probe_search(probe, offsets, None, target=goal)
            data, q, value = targets.encode_probed(real, probe, plan, None)
            assert plan.real_encodes == len(real.encodes)  # what auto reports
            assert value >= goal and (q == 0 or real.value(q - 1) < goal)  # the lowest quality that reaches it
        else:
            goal = int(rnd.uniform(300, 100 * 1.12 ** 60))
            plan = targets.probe_search(probe, offsets, None, limit=goal)
            data, q, value = targets.encode_probed(real, probe, plan, None)
            assert plan.real_encodes == len(real.encodes)
            assert len(data) <= goal and (q == 63 or len(real.encode(None, q + 1)) > goal)  # the highest that fits
            real.encodes.pop()
        worst = max(worst, len(real.encodes))
    # right prior: one or two real encodes; a prior off by 1 dB costs a few more, still far fewer than a search
    assert worst <= (2 if (prior == 0.5 or want == "rate") else 4)


def test_a_real_codec_whose_steps_are_smaller_than_the_probes_still_gets_the_exact_boundary(monkeypatch):
    """The real codec's quality moves 0.8 times as fast per step as its stand-in's (as a ×2 pipeline's
    MS-SSIM does against VVenC faster): the stand-in then predicts the next step short of the target when it
    is not; the stand-in was off at the step before by about as much, so a step predicted to miss by less
    than that (at most half a step) is tried for real."""
    import srcodec.targets as targets

    monkeypatch.setattr(targets, "measure", lambda image, decoded, metric: decoded)
    for trial in range(100):
        rnd = random.Random(trial)
        slope = rnd.uniform(0.2, 1.0)
        real = FakeFiles(lambda q: 98 * 1.12 ** q, lambda q: 26 + 0.8 * slope * q)
        probe = FakeFiles(lambda q: 100 * 1.12 ** q, lambda q: 20 + slope * q)
        goal = rnd.uniform(30, 25 + 0.8 * slope * 60)
        plan = targets.probe_search(probe, {"psnr": 0.5}, None, target=goal)
        data, q, value = targets.encode_probed(real, probe, plan, None)
        assert value >= goal and (q == 0 or real.value(q - 1) < goal)  # the lowest quality that reaches it


class FakePipeline(FakeFiles):
    """FakeFiles with a network: ``decode_plain`` is the decode without it, ``gain(q)`` below the full one."""

    plain_decode = True

    def __init__(self, size, value, gain):
        super().__init__(size, value)
        self.gain, self.full_decodes = gain, 0

    def decode_like(self, data, image):
        self.full_decodes += 1
        return super().decode_like(data, image)

    def decode_plain(self, data):
        q = int(data.split(b" ")[0])
        return self.value(q) - self.gain(q)


def test_a_probe_with_a_plain_decode_runs_its_network_once(monkeypatch):
    """The probe's network runs once (its gain over the plain decode); the real encodes still meet the target
    exactly, whichever way the gain drifts with the quality, in one or two real encodes when it drifts little."""
    import srcodec.targets as targets

    monkeypatch.setattr(targets, "measure", lambda image, decoded, metric: decoded)
    worst = 0
    for trial in range(60):
        rnd = random.Random(trial)
        slope, g0, g1 = rnd.uniform(0.2, 1.0), rnd.uniform(0.05, 1.0), rnd.uniform(-0.01, 0.01)
        value = lambda q: 20 + slope * q  # noqa: E731
        probe = FakePipeline(lambda q: 100 * 1.12 ** q, value, lambda q: g0 + g1 * q)
        real = FakeFiles(lambda q: 98 * 1.12 ** q, lambda q: value(q) + 0.4)
        goal = rnd.uniform(25, 20 + slope * 60)
        plan = targets.probe_search(probe, {"psnr": 0.4}, None, target=goal)
        assert probe.full_decodes == 1
        data, q, v = targets.encode_probed(real, probe, plan, None)
        assert probe.full_decodes == 1  # the real encodes' steps are predicted from plain decodes plus the gain
        assert v >= goal and (q == 0 or real.value(q - 1) < goal)
        worst = max(worst, len(real.encodes))
    assert worst <= 2


@pytest.mark.parametrize("with_network", [False, "flat gain", "growing gain"])
def test_a_probed_search_given_a_size_to_beat_stops_only_when_it_cannot_beat_it(monkeypatch, with_network):
    """``beat``: the search stops (Outdone) only when its answer would have had at least that many bytes,
    and then with fewer probe encodes than the whole search -- also when the network's gain grows with the
    quality (a ×2 restorer's MS-SSIM gain), so that its gain at the first file understates it higher up."""
    import srcodec.targets as targets

    monkeypatch.setattr(targets, "measure", lambda image, decoded, metric: decoded)
    stopped = 0
    for trial in range(80):
        rnd = random.Random(trial)
        slope = rnd.uniform(0.2, 1.0)

        def make():
            if with_network == "growing gain":
                return FakePipeline(lambda q: 100 * 1.12 ** q, lambda q: 20 + slope * q, lambda q: 0.1 * q)
            if with_network:
                return FakePipeline(lambda q: 100 * 1.12 ** q, lambda q: 20 + slope * q, lambda q: 0.3)
            return FakeFiles(lambda q: 100 * 1.12 ** q, lambda q: 20 + slope * q)

        goal = rnd.uniform(25, 20 + slope * 60)
        whole = make()
        plan = targets.probe_search(whole, {"psnr": 0.4}, None, target=goal)
        beat = int(rnd.uniform(0.3, 1.7) * plan.bytes)
        cut = make()
        # the truth: the probe's lowest quality whose decode (with its network) reaches the moved target
        true_q = next((q for q in range(64) if 20 + slope * q >= goal - 0.4), 63)
        try:
            found = targets.probe_search(cut, {"psnr": 0.4}, None, target=goal, beat=beat)
        except targets.Outdone:
            stopped += 1
            assert 100 * 1.12 ** true_q >= beat  # left only where it could not have won
            # no more probe encodes than the whole search (two more at most where it started again on a new gain)
            assert len(cut.encodes) <= len(whole.encodes) + (2 if with_network == "growing gain" else 0)
        else:
            if with_network == "growing gain":  # a search started again on the gain measured higher up
                assert found.quality <= plan.quality
            else:
                assert found.bytes == plan.bytes and found.quality == plan.quality
    assert stopped > 10  # it does stop, on the curves where it cannot win


def test_perceptual_targets_say_before_any_encode_when_an_image_is_too_small():
    from srcodec.errors import BadOptionError
    from srcodec.targets import check_measurable, measure

    check_measurable(np.zeros((8, 8, 3), np.uint8), "ssimulacra2")
    with pytest.raises(BadOptionError, match="SSIMULACRA2 needs an image of at least 8 pixels"):
        check_measurable(np.zeros((7, 40, 3), np.uint8), "ssimulacra2")
    with pytest.raises(BadOptionError, match="VMAF needs an image of at least 32 pixels"):
        check_measurable(np.zeros((31, 40, 3), np.uint8), "vmaf")
    with pytest.raises(BadOptionError, match="--metric must be one of psnr, ms-ssim, ssimulacra2, vmaf"):
        measure(np.zeros((8, 8, 3), np.uint8), np.zeros((8, 8, 3), np.uint8), "lpips")


def test_a_target_is_one_of_a_quality_a_size_or_a_value_to_reach_and_every_codec_meets_it():
    from srcodec.codecs import get_codec
    from srcodec.errors import BadOptionError
    from srcodec.metrics import psnr
    from srcodec.targets import Target
    from tests.conftest import smooth_image

    assert Target().kind == "quality" and Target(bpp=0.5).kind == "size" and Target.of(target_vmaf=90).kind == "reach"
    for bad in ({"quality": 50, "bpp": 1.0}, {"max_bytes": 900, "target_psnr": 30}, {"target_psnr": float("nan")},
                {"target_ssimulacra2": 70, "target_vmaf": 90}):
        with pytest.raises(BadOptionError):
            Target.of(**bad)
    img, jpeg = smooth_image(64, 96), get_codec("jpeg")
    found = jpeg.encode_to(img, Target(metric="psnr", value=32.0))
    assert found.value == psnr(img, jpeg.decode(found.data)) >= 32.0 and found.report is None
    assert found.data == jpeg.encode(img, found.quality)  # the quality it says is the one that made the file
    fitted = jpeg.encode_to(img, Target(max_bytes=1500))
    assert len(fitted.data) <= 1500 and len(jpeg.encode(img, fitted.quality + 1)) > 1500  # the best that fits
    plain = jpeg.encode_to(img, Target())
    assert plain.quality == jpeg.default_quality and plain.data == jpeg.encode(img, jpeg.default_quality)
