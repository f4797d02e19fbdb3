"""Entropy models and coding: exact round trips, real bits close to the model's estimate."""

import numpy as np
import pytest
import torch

from srcodec.entropy import FactorizedDensity, GaussianConditional, SymbolDecoder, SymbolEncoder
from srcodec.entropy.coder import tables
from srcodec.entropy.quantize import ste_round
from srcodec.entropy.tables import TOTAL, bits_of, gaussian_counts
from srcodec.errors import InputError
from srcodec.models import build_model, codec_arch_names


def test_gaussian_tables_are_exact_integer_distributions():
    for s in (0.11, 1.0, 37.0, 256.0):
        c = gaussian_counts(s)
        assert c.sum() == TOTAL and c.min() >= 1 and c.size % 2 == 0


def test_coder_round_trip_with_escapes():
    rng = np.random.default_rng(1)
    scales = [0.2, 1.0, 5.0, 40.0]
    t = tables([gaussian_counts(s) for s in scales])
    idx = rng.integers(0, 4, 5000)
    v = np.round(rng.normal(0, np.array(scales)[idx])).astype(np.int64)
    v[[3, 10, 11]] = [100000, -77777, 2**30]  # far outside every table: escapes
    enc = SymbolEncoder()
    enc.encode(v, idx, t)
    enc.encode(v[:100] * 0, idx[:100], t)  # a second group of calls in the same stream
    data = enc.finish()
    dec = SymbolDecoder(data)
    assert np.array_equal(dec.decode(idx, t), v)
    assert np.array_equal(dec.decode(idx[:100], t), v[:100] * 0)


def test_real_bits_match_table_estimate():
    rng = np.random.default_rng(2)
    scales = [0.5, 2.0, 9.0]
    t = tables([gaussian_counts(s) for s in scales])
    idx = rng.integers(0, 3, 20000)
    v = np.round(rng.normal(0, np.array(scales)[idx])).astype(np.int64)
    enc = SymbolEncoder()
    enc.encode(v, idx, t)
    real = 8 * len(enc.finish())
    est = sum(bits_of(t.tables[i])[x + t.radius[i]] for x, i in zip(v, idx))
    assert abs(real - est) / est < 0.01


def test_corrupt_stream_is_an_input_error_or_garbage_not_a_crash():
    with pytest.raises(InputError):
        SymbolDecoder(b"abc")


def test_factorized_density_is_a_distribution():
    d = FactorizedDensity(3)
    x = torch.arange(-400, 401, dtype=torch.float32).view(1, 1, -1, 1).expand(1, 3, -1, 1)
    total = d.likelihood(x.contiguous()).sum(dim=2)
    assert torch.allclose(total, torch.ones_like(total), atol=1e-3)
    for c in d.integer_tables(8):
        assert c.sum() == TOTAL


def test_gaussian_likelihood_and_scale_index():
    g = GaussianConditional()
    y = torch.zeros(1, 1, 1, 1)
    assert 0.99 < float(g.likelihood(y, torch.full_like(y, 0.11))) <= 1.0
    idx = g.scale_index(torch.tensor([0.0, 0.11, 1.0, 1e6]))
    assert idx[0] == 0 and idx[-1] == g.scale_table.numel() - 1
    t = g.scale_table
    assert abs(torch.log(t[idx[2]])) <= abs(torch.log(t[idx[2] - 1])) and abs(torch.log(t[idx[2]])) <= abs(torch.log(t[idx[2] + 1]))


def test_straight_through_rounding():
    x = torch.tensor([0.3, 1.7], requires_grad=True)
    mu = torch.tensor([0.5, 0.5])
    y = ste_round(x, mu)
    assert torch.allclose(y, torch.tensor([0.5, 1.5]))
    y.sum().backward()
    assert torch.allclose(x.grad, torch.ones(2))


@pytest.mark.parametrize("arch", codec_arch_names())
def test_model_streams_decode_exactly_and_match_estimate(arch):
    torch.manual_seed(0)
    model = build_model(arch, 8, 12).eval()
    model.update_tables()
    x = torch.rand(1, 3, 128, 192)
    streams, est = model.compress(x, 3.0)
    x_hat = model.decompress(streams, 3.0, 128, 192)
    ref = model(x, 3.0)["x_hat"].clamp(0, 1)
    assert torch.allclose(x_hat, ref, atol=1e-5)
    real = 8 * sum(len(s) for s in streams)
    # small payloads: a few bytes of coder flush per stream on top of the estimate
    assert abs(real - est) <= 0.05 * est + 64 * len(streams)
