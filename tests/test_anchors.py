"""The published anchors ship with the package and every section's BD-rate cell comes from one place."""

import pytest

from srcodec.bench import bdrate
from srcodec.bench.anchors import ANCHORS, anchor_cells, bd_cell, bd_value, percent_cell, reference


def test_every_anchor_ships_and_loads():
    for name in ANCHORS:
        curve = reference(name)
        assert len(curve.results["bpp"]) >= 4
        assert curve.label == ANCHORS[name][1]


def test_the_rerun_needs_more_bits_than_the_published_vtm():
    # the reason the rerun is an anchor at all: users re-running vtm.json's command get a lower PSNR
    value, reason = bd_value(reference("vtm"), reference("vtm-rerun"), "psnr-rgb")
    assert reason == "" and value > 3.0
    assert bd_value(reference("vtm-rerun"), reference("coolchic"), "psnr-rgb")[0] < 0


def test_cells():
    assert percent_cell(None) == "n/a"
    assert percent_cell(-5.25) == "-5.2\u00a0%" or percent_cell(-5.25) == "-5.3\u00a0%"
    low = bdrate.Curve("low", {"bpp": [0.1, 0.2], "psnr-rgb": [20.0, 21.0]})
    high = bdrate.Curve("high", {"bpp": [1.0, 2.0], "psnr-rgb": [40.0, 41.0]})
    assert bd_cell(low, high, "psnr-rgb") == "n/a"  # no common quality range
    assert bd_value(None, high, "psnr-rgb") == (None, "not run")
    same = bd_cell(reference("vtm"), reference("vtm"), "psnr-rgb")
    assert same in ("+0.0\u00a0%", "-0.0\u00a0%")
    assert len(anchor_cells(reference("vtm"))) == len(ANCHORS)


def test_an_unknown_reference_is_an_input_error():
    from srcodec.errors import InputError

    with pytest.raises(InputError):
        reference("no-such-curve")
