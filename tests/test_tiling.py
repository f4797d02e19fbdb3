"""Tiled networks: the same output as one pass, in the memory of one tile."""

import numpy as np
import torch

from srcodec.archs import build_preset
from srcodec.codecs import get_codec
from srcodec.pipelines.base import Pipeline
from srcodec.post.restorer import decoder_planes, restore
from tests.conftest import smooth_image
from tests.learned_helpers import tiny_weights


def test_learned_transforms_in_tiles_equal_one_pass(tmp_path):
    from srcodec.models.weights import load_weights

    model, _, _ = load_weights(tiny_weights(tmp_path / "t.safetensors"))
    x = torch.from_numpy(smooth_image(192, 256).astype(np.float32)).permute(2, 0, 1)[None] / 255
    with torch.no_grad():
        y = model.g_a(x)
        # equal up to float rounding (a tile's convolutions may sum in another order)
        assert torch.allclose(model.analyse(x, tile=64), y, atol=1e-5)
        assert torch.allclose(model.synthesise(y, tile=64), model._decoder_synthesis()(y), atol=1e-5)


def test_learned_codec_files_are_the_same_tiled_or_not(tmp_path, monkeypatch):
    import srcodec.models.base as base

    monkeypatch.setenv("SRCODEC_LEARNED_WEIGHTS", str(tiny_weights(tmp_path / "t.safetensors")))
    img = smooth_image(130, 200)
    codec = get_codec("learned")
    whole = codec.encode(img, 4)
    out_whole = codec.decode(whole)
    monkeypatch.setattr(base, "TILE", 64)
    codec = get_codec("learned")
    assert codec.encode.__func__  # same class; TILE is read at call time
    tiled = codec.encode(img, 4)
    assert tiled == whole
    assert np.array_equal(codec.decode(tiled), out_whole)


def test_pipeline_network_chains_in_tiles_equal_one_pass():
    torch.manual_seed(0)
    car, sr = build_preset("dncnn-compact").eval(), build_preset("edsr-compact", scale=2).eval()
    for net in (car, sr):
        for p in net.parameters():
            p.data.add_(0.01 * torch.randn_like(p))
    img = smooth_image(100, 140)
    for nets in ((car, sr), (build_preset("downscaler-x2").eval(),)):
        diff = np.abs(Pipeline.run_nets(img, *nets, tile=32).astype(int) - Pipeline.run_nets(img, *nets))
        assert diff.max() <= 1 and (diff > 0).mean() < 1e-3  # float rounding only (see below)


def test_restorer_in_tiles_equals_one_pass():
    torch.manual_seed(0)
    net = build_preset("qrestorer-tiny", planes="rgb", quality_range=(0, 100)).eval()
    for p in net.parameters():
        p.data.add_(0.05 * torch.randn_like(p))
    codec = get_codec("jpeg")
    planes = decoder_planes(codec, codec.encode(smooth_image(96, 128), 30))
    diff = np.abs(restore(net, planes, 30, tile=32).astype(int) - restore(net, planes, 30))
    # the same up to float rounding: a tile's convolutions may sum in another order, which can move a
    # value that lies on a rounding step to the next level
    assert diff.max() <= 1 and (diff > 0).mean() < 1e-3


def test_x2_restorer_in_tiles_equals_one_pass():
    torch.manual_seed(0)
    net = build_preset("qrestorer-tiny", planes="rgb", scale=2, quality_range=(0, 100)).eval()
    for p in net.parameters():
        p.data.add_(0.05 * torch.randn_like(p))
    codec = get_codec("jpeg")
    planes = decoder_planes(codec, codec.encode(smooth_image(48, 64), 30))
    whole = restore(net, planes, 30)
    assert whole.shape == (96, 128, 3)
    diff = np.abs(restore(net, planes, 30, tile=16).astype(int) - whole)
    assert diff.max() <= 1 and (diff > 0).mean() < 1e-3


def test_the_tiler_places_each_tiles_own_part_at_any_size_ratio():
    """One tiler for every network: a result of another size (x2, /2) is placed by the ratio of the first tile."""
    from srcodec.tiling import run_tiled, tiles

    img = np.arange(40 * 52 * 3, dtype=np.int64).reshape(40, 52, 3)
    assert sum((t.y1 - t.y0) * (t.x1 - t.x0) for t in tiles(40, 52, 16, 4)) == 40 * 52  # they cover it once
    up = run_tiled(40, 52, lambda t: img[t.ya:t.yb, t.xa:t.xb].repeat(2, 0).repeat(2, 1), tile=16, margin=4)
    assert np.array_equal(up, img.repeat(2, 0).repeat(2, 1))
    down = run_tiled(40, 52, lambda t: img[t.ya:t.yb:2, t.xa:t.xb:2], tile=16, margin=4)
    assert np.array_equal(down, img[::2, ::2])
    batch = torch.from_numpy(img).permute(2, 0, 1)[None]
    same = run_tiled(40, 52, lambda t: batch[..., t.ya:t.yb, t.xa:t.xb] * 1, tile=16, margin=4, layout="chw")
    assert torch.equal(same, batch)
