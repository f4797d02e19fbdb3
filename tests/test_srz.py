"""The .srz container: round trip of every field, and one-line errors for damaged files."""

import struct

import pytest

from srcodec.cli import main
from srcodec.container import srz
from srcodec.errors import InputError

HASH = bytes(range(8))


def sample() -> bytes:
    return srz.pack("learned", "tiny-model", HASH, 33, 65, 1, [b"zz" * 3, b"y" * 40], pad_bottom=31, pad_right=63,
                    quality=3.25, extra=b"\x01\x02")


def test_round_trip_of_every_field():
    data = sample()
    assert data[:4] == b"SRZ\x89"
    assert srz.peek_codec_name(data) == "learned"
    header, streams = srz.unpack(data)
    assert streams == [b"zz" * 3, b"y" * 40]
    assert (header.codec, header.model_id, header.weights_hash) == ("learned", "tiny-model", HASH)
    assert (header.height, header.width, header.channels) == (33, 65, 1)
    assert (header.pad_bottom, header.pad_right, header.quality, header.extra) == (31, 63, 3.25, b"\x01\x02")
    info = srz.describe(data)
    assert info["weights_hash"] == HASH.hex() and info["stream_lengths"] == [6, 40] and info["version"] == 1
    assert info["total_bytes"] == len(data)


@pytest.mark.parametrize("cut", [0, 1, 3, 4, 5, 7, 20, 40, -47, -1])
def test_truncation(cut):
    data = sample()
    with pytest.raises(InputError, match="truncated|magic"):
        srz.unpack(data[:cut])


def test_every_single_byte_flip_is_caught():
    data = sample()
    for i in range(4, len(data)):
        bad = bytearray(data)
        bad[i] ^= 0x40
        with pytest.raises(InputError):
            srz.unpack(bytes(bad))


def test_unknown_version():
    bad = bytearray(sample())
    bad[4] = 9
    with pytest.raises(InputError, match="version 9"):
        srz.unpack(bytes(bad))
    with pytest.raises(InputError, match="version 9"):
        srz.peek_codec_name(bytes(bad))


def test_foreign_file():
    with pytest.raises(InputError, match="magic"):
        srz.unpack(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)


def test_trailing_garbage():
    with pytest.raises(InputError):
        srz.unpack(sample() + b"x")


def test_cli_exit_2_on_damaged_files(tmp_path, capsys, monkeypatch):
    from learned_helpers import tiny_weights

    monkeypatch.setenv("SRCODEC_LEARNED_WEIGHTS", str(tiny_weights(tmp_path / "w.safetensors")))
    data = sample()
    cases = {"trunc.srz": data[:30], "crc.srz": data[:-1] + bytes([data[-1] ^ 1]),
             "version.srz": data[:4] + b"\x07" + data[5:]}
    for name, blob in cases.items():
        p = tmp_path / name
        p.write_bytes(blob)
        capsys.readouterr()
        assert main(["decompress", str(p), "-o", str(tmp_path / "out.png")]) == 2, name
        err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
        assert len(err) == 1 and "error" in err[0] and ".srz" in err[0], err
        assert not (tmp_path / "out.png").exists()
    assert struct.calcsize("<IIBHHd") == 21
