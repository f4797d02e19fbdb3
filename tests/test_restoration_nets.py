"""The restoration networks: shapes at every scale and odd sizes, the paper details, the registry and its files."""

from __future__ import annotations

import pytest
import torch

from srcodec.archs import PRESETS, build_arch, build_preset, load_stages, preset_names, read_metadata, save_stages
from srcodec.errors import BadOptionError, InputError, UnknownNameError
from srcodec.post.edsr import EDSR, ResBlock
from srcodec.pre.downscaler import tensor_bicubic_down

ODD = (13, 17)


@pytest.mark.parametrize("scale", [1, 2, 3, 4])
@pytest.mark.parametrize("preset", ["edsr-compact", "edsr-baseline"])
def test_edsr_enlarges_by_its_scale_at_odd_sizes(preset, scale):
    net = build_preset(preset, scale=scale)
    y = net(torch.rand(2, 3, *ODD))
    assert y.shape == (2, 3, ODD[0] * scale, ODD[1] * scale)


@pytest.mark.parametrize("preset", ["dncnn-compact", "dncnn-17", "arcnn", "arcnn-aspp", "reccnn-compact", "reccnn"])
def test_restoration_nets_keep_the_size(preset):
    x = torch.rand(1, 3, *ODD)
    assert build_preset(preset)(x).shape == x.shape


@pytest.mark.parametrize("preset, s", [("comcnn", 2), ("comcnn-compact", 2), ("downscaler-x2", 2), ("downscaler-x4", 4)])
def test_pre_stages_shrink_to_ceil_size(preset, s):
    y = build_preset(preset)(torch.rand(1, 3, *ODD))
    assert y.shape == (1, 3, -(-ODD[0] // s), -(-ODD[1] // s))


def test_edsr_blocks_scale_their_residual_and_have_no_batch_norm():
    net = build_preset("edsr-baseline", scale=2)
    blocks = [m for m in net.modules() if isinstance(m, ResBlock)]
    assert len(blocks) == 16 and all(b.res_scale == 0.1 for b in blocks)
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in net.modules())
    b = blocks[0]
    x = torch.randn(1, 64, 8, 8)
    with torch.no_grad():
        assert torch.allclose(b(x), x + 0.1 * b.body(x), atol=1e-6)
    assert sum(isinstance(m, torch.nn.PixelShuffle) for m in net.modules()) == 1
    assert sum(isinstance(m, torch.nn.PixelShuffle) for m in build_preset("edsr-compact", scale=4).modules()) == 2
    assert not any(isinstance(m, torch.nn.PixelShuffle) for m in build_preset("edsr-compact", scale=1).modules())


def test_dncnn_and_reccnn_learn_residuals_with_batch_norm():
    dn = build_preset("dncnn-17")
    convs = [m for m in dn.modules() if isinstance(m, torch.nn.Conv2d)]
    assert len(convs) == 17 and sum(isinstance(m, torch.nn.BatchNorm2d) for m in dn.modules()) == 15
    rec = build_preset("reccnn")
    assert len([m for m in rec.modules() if isinstance(m, torch.nn.Conv2d)]) == 20
    x = torch.rand(1, 3, 16, 16)
    with torch.no_grad():  # zero-initialised last layers: both start as the identity
        assert torch.allclose(rec.eval()(x), x)
        assert torch.allclose(dn.eval()(x), x)


def test_arcnn_has_four_layers_and_aspp_dilations():
    arcnn = build_preset("arcnn")
    sizes = [m.kernel_size for m in arcnn.modules() if isinstance(m, torch.nn.Conv2d)]
    assert sizes == [(9, 9), (7, 7), (1, 1), (5, 5)]
    aspp = build_preset("arcnn-aspp")
    dil = sorted(m.dilation[0] for m in aspp.aspp.branches)
    assert dil == [1, 2, 4, 8]
    x = torch.rand(1, 3, 20, 20)
    with torch.no_grad():
        assert torch.allclose(aspp(x), x)  # global residual, zero-initialised reconstruction


def test_untrained_downscaler_and_comcnn_are_bicubic():
    x = torch.rand(1, 3, 16, 20)
    with torch.no_grad():
        assert torch.allclose(build_preset("downscaler-x2")(x), tensor_bicubic_down(x, 2), atol=1e-6)
        assert torch.allclose(build_preset("comcnn").eval()(x), tensor_bicubic_down(x, 2), atol=1e-6)


def test_registry_knows_the_presets_and_refuses_unknown_names():
    for name in ("edsr-baseline", "edsr-compact", "dncnn-17", "arcnn", "arcnn-aspp", "comcnn", "reccnn", "downscaler-x2"):
        assert name in preset_names()
    assert PRESETS["edsr-baseline"] == ("edsr", {"n_blocks": 16, "channels": 64, "res_scale": 0.1})
    net = build_arch("edsr", scale=4, n_blocks=2, channels=8)
    assert isinstance(net, EDSR) and net.arch_config == {"scale": 4, "n_blocks": 2, "channels": 8}
    with pytest.raises(UnknownNameError):
        build_arch("nope")
    with pytest.raises(BadOptionError):
        build_arch("edsr", blocks=3)


def test_stage_files_rebuild_the_same_networks(tmp_path):
    car, sr = build_preset("dncnn-compact"), build_preset("edsr-compact", scale=2)
    for p in list(car.parameters()) + list(sr.parameters()):
        p.data.normal_(0, 0.05)
    path = save_stages(tmp_path / "w.safetensors", {"car": car.eval(), "sr": sr.eval()}, {"paper": "Jin et al."})
    meta = read_metadata(path)
    assert meta["paper"] == "Jin et al."
    assert meta["srcodec.stages"]["sr"] == {"arch": "edsr", "config": {"n_blocks": 8, "channels": 32, "res_scale": 0.1,
                                                                       "bicubic_skip": True, "scale": 2}}
    nets = load_stages(path)
    x = torch.rand(1, 3, 12, 10)
    with torch.no_grad():
        assert torch.allclose(nets["sr"](nets["car"](x)), sr(car(x)))
    with pytest.raises(InputError):
        load_stages(path, only=("down",))
    (tmp_path / "junk.safetensors").write_bytes(b"not weights")
    with pytest.raises(InputError):
        load_stages(tmp_path / "junk.safetensors")


def test_arcnn_starts_as_the_identity_and_still_learns():
    import torch

    from srcodec.archs import build_preset

    net = build_preset("arcnn")
    x = torch.rand(2, 3, 20, 24)
    assert torch.equal(net(x), x)
    net(x).sub(x.flip(-1)).abs().mean().backward()
    convs = [m for m in net.body if isinstance(m, torch.nn.Conv2d)]
    assert all(c.weight.grad.abs().sum() > 0 for c in convs)  # every layer learns from the first step


def test_a_pipeline_with_networks_benchmarks_every_other_point_of_its_codec_sweep():
    from srcodec.codecs import codec_class

    assert codec_class("jin-jpeg-x2").sweep == codec_class("jpeg").sweep[1::2]
    assert codec_class("bicubic-jpeg-x2").sweep == codec_class("jpeg").sweep
