"""The differentiable JPEG: libjpeg's tables, agreement with Pillow's real JPEG, gradients, rate proxy."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from PIL import Image

from conftest import smooth_image
from srcodec.codecs import get_codec
from srcodec.proxies.jpeg_diff import DiffJPEG, jpeg_roundtrip, noise_round, quant_tables, rate_proxy, ste_round
from srcodec.data.degrade import image_to_tensor, tensor_to_image
from srcodec.metrics import psnr


@pytest.mark.parametrize("quality", [1, 10, 25, 50, 75, 90, 100])
def test_quantization_tables_are_the_ones_pillow_writes(quality):
    buf = io.BytesIO()
    Image.fromarray(np.zeros((16, 16, 3), np.uint8)).save(buf, "JPEG", quality=quality, subsampling="4:2:0")
    with Image.open(io.BytesIO(buf.getvalue())) as im:
        tables = im.quantization
    luma, chroma = quant_tables(quality)
    assert list(tables[0]) == luma.flatten().tolist()
    assert list(tables[1]) == chroma.flatten().tolist()


@pytest.mark.parametrize("shape, quality", [((64, 64), 50), ((64, 64), 20), ((64, 64), 90), ((61, 77), 50)])
def test_close_to_pillow_decode(shape, quality):
    img = smooth_image(*shape)
    codec = get_codec("jpeg")
    real = codec.decode(codec.encode(img, quality))
    with torch.no_grad():
        ours = tensor_to_image(jpeg_roundtrip(image_to_tensor(img), quality))
    assert ours.shape == img.shape
    assert psnr(ours, real) > 40.0
    # and it is really lossy: both lose about the same against the original
    assert abs(psnr(ours, img) - psnr(real, img)) < 0.5


def test_greyscale_is_one_component():
    img = smooth_image(40, 24)[:, :, :1]
    codec = get_codec("jpeg")
    real = codec.decode(codec.encode(img, 60))
    with torch.no_grad():
        ours = tensor_to_image(jpeg_roundtrip(image_to_tensor(img), 60))
    assert ours.shape == (40, 24, 1) and psnr(ours, real) > 40.0


def test_straight_through_rounding():
    x = torch.tensor([0.2, 1.6, -2.5], requires_grad=True)
    y = ste_round(x)
    assert y.tolist() == torch.round(x).tolist()
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0]


def test_gradient_flows_to_the_input_through_codec_and_rate():
    x = image_to_tensor(smooth_image(32, 48)).requires_grad_(True)
    out, bits = DiffJPEG(quality=(20, 80), seed=0)(x)
    ((out - 0.5) ** 2).mean().add(1e-5 * bits.sum()).backward()
    g = x.grad
    assert g is not None and torch.isfinite(g).all() and g.abs().sum() > 0
    assert g[:, :, -1].abs().sum() > 0 and g[:, :, :, -1].abs().sum() > 0  # the padded border too


def test_rate_proxy_follows_the_real_size():
    img = smooth_image(64, 64)
    x = image_to_tensor(img)
    codec = get_codec("jpeg")
    proxies, sizes = [], []
    for q in (10, 30, 50, 75, 95):
        with torch.no_grad():
            _, coefs = jpeg_roundtrip(x, q, return_coefficients=True)
        proxies.append(float(rate_proxy(coefs)[0]))
        sizes.append(len(codec.encode(img, q)))
    assert proxies == sorted(proxies) and sizes == sorted(sizes)
    assert 0.2 < proxies[-1] / 8 / sizes[-1] < 2.0


def test_noise_rounding_is_bounded_unbiased_noise_with_identity_gradient():
    torch.manual_seed(0)
    x = (torch.rand(20000) * 10 - 5).requires_grad_(True)
    y = noise_round(x)
    err = (y - x).detach()
    assert err.abs().max() <= 0.5 and abs(float(err.mean())) < 0.02 and float(err.std()) > 0.25
    y.sum().backward()
    assert torch.equal(x.grad, torch.ones_like(x))
    img = torch.rand(1, 3, 16, 16)
    a, b = jpeg_roundtrip(img, 50, rounding="noise"), jpeg_roundtrip(img, 50, rounding="noise")
    clean = jpeg_roundtrip(img, 50, rounding="none")
    noise_err, round_err = (a - clean).square().mean(), (jpeg_roundtrip(img, 50) - clean).square().mean()
    assert not torch.equal(a, b) and 0.3 < float(noise_err / round_err) < 3  # an error of rounding's size
