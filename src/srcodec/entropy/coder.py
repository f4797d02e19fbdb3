"""Range coding of integer symbols with ``constriction``.

A latent is coded as integer symbols, each with the index of the integer table
(:mod:`srcodec.entropy.tables`) that models it. Symbols are grouped by table
(stable order inside a group), so each group is one vectorised call into
``constriction``'s range coder with one ``Categorical`` model. A symbol outside
its table's ``-radius..radius`` is sent as the escape symbol, and its value
follows in a bypass code (bit count, then bits, with uniform models).

Encoder and decoder calls must come in the same order with the same indices;
:class:`SymbolEncoder` and :class:`SymbolDecoder` mirror each other.
"""

from __future__ import annotations

import numpy as np
import constriction

cmodel = constriction.stream.model
queue = constriction.stream.queue

from srcodec.errors import InputError

_BITS_MODEL = cmodel.Uniform(40)


def _zigzag(v: int) -> int:
    return 2 * v if v >= 0 else -2 * v - 1


def _unzigzag(u: int) -> int:
    return u // 2 if u % 2 == 0 else -(u + 1) // 2


class _Tables:
    """Count tables turned into ``constriction`` models once, lazily."""

    def __init__(self, tables: list[np.ndarray]):
        self.tables = tables
        self.radius = np.array([(t.size - 2) // 2 for t in tables], dtype=np.int64)
        self._models: dict[int, object] = {}

    def model(self, i: int):
        m = self._models.get(i)
        if m is None:
            m = cmodel.Categorical(self.tables[i].astype(np.float64), perfect=False)
            self._models[i] = m
        return m


class SymbolEncoder:
    """Accumulates groups of symbols into one range-coded stream."""

    def __init__(self):
        self._enc = queue.RangeEncoder()

    def encode(self, values: np.ndarray, indices: np.ndarray, tables: "_Tables | list[np.ndarray]") -> None:
        tables = tables if isinstance(tables, _Tables) else _Tables(tables)
        # int32: the same symbols in the same order as int64 would give, in half the memory (an 8K image has
        # 16.6 million latents)
        values = np.asarray(values, dtype=np.int32).ravel()
        indices = np.asarray(indices, dtype=np.int32).ravel()
        order = np.argsort(indices, kind="stable")
        values, indices = values[order], indices[order]
        bounds = np.flatnonzero(np.diff(indices)) + 1
        for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, values.size]):
            if hi <= lo:
                continue
            i = int(indices[lo])
            r = int(tables.radius[i])
            v = values[lo:hi]
            sym = v + r
            escape = (sym < 0) | (sym > 2 * r)
            sym[escape] = 2 * r + 1
            self._enc.encode(sym.astype(np.int32), tables.model(i))
            for x in v[escape]:
                self._bypass(int(x))

    def _bypass(self, x: int) -> None:
        u = _zigzag(x)
        n = u.bit_length()
        self._enc.encode(np.array([n], dtype=np.int32), _BITS_MODEL)
        while n > 0:  # 16 bits at a time
            k = min(n, 16)
            self._enc.encode(np.array([u & ((1 << k) - 1)], dtype=np.int32), cmodel.Uniform(1 << k))
            u >>= k
            n -= k

    def finish(self) -> bytes:
        return self._enc.get_compressed().tobytes()


class SymbolDecoder:
    """Reads back what :class:`SymbolEncoder` wrote, given the same indices."""

    def __init__(self, data: bytes):
        if len(data) % 4:
            raise InputError("corrupted .srz stream (length is not a multiple of 4)")
        self._data = bytes(data)
        self._calls: list[tuple[np.ndarray, np.ndarray, _Tables]] = []
        self._dec = queue.RangeDecoder(np.frombuffer(data, dtype=np.uint32).copy())

    def finish(self) -> None:
        """Check that the stream is exactly what the encoder writes for the decoded symbols.

        The symbols are coded again and the bytes compared, so an over-long stream, an empty one or
        one cut short (its missing words read as zeros) is an error even when a forger recomputed the
        file's CRC. The one exception is equivalent, not different: words of zeros after the end,
        which the range coder reads as it would read nothing, decode to the same image and pass.
        """
        enc = SymbolEncoder()
        for values, indices, tables in self._calls:
            enc.encode(values, indices, tables)
        again = enc.finish()
        if self._data.rstrip(b"\x00") != again.rstrip(b"\x00"):
            raise InputError("corrupted .srz stream (its bytes are not those of the symbols it decodes to)")

    def decode(self, indices: np.ndarray, tables: "_Tables | list[np.ndarray]") -> np.ndarray:
        tables = tables if isinstance(tables, _Tables) else _Tables(tables)
        indices = np.asarray(indices, dtype=np.int64).ravel()
        if not self._data and indices.size:
            raise InputError("corrupted .srz stream (empty, but it should hold symbols)")
        order = np.argsort(indices, kind="stable")
        sorted_idx = indices[order]
        out_sorted = np.empty(indices.size, dtype=np.int64)
        bounds = np.flatnonzero(np.diff(sorted_idx)) + 1
        try:
            for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, indices.size]):
                if hi <= lo:
                    continue
                i = int(sorted_idx[lo])
                r = int(tables.radius[i])
                sym = np.asarray(self._dec.decode(tables.model(i), int(hi - lo)), dtype=np.int64)
                v = sym - r
                for j in np.flatnonzero(sym == 2 * r + 1):
                    v[j] = self._bypass()
                out_sorted[lo:hi] = v
        except (ValueError, RuntimeError, AssertionError) as exc:
            raise InputError(f"corrupted .srz stream ({exc})") from None
        out = np.empty_like(out_sorted)
        out[order] = out_sorted
        self._calls.append((out, indices, tables))
        return out

    def _bypass(self) -> int:
        n = int(self._dec.decode(_BITS_MODEL, 1)[0])
        u, shift = 0, 0
        while n > 0:
            k = min(n, 16)
            u |= int(self._dec.decode(cmodel.Uniform(1 << k), 1)[0]) << shift
            shift += k
            n -= k
        return _unzigzag(u)


def tables(count_tables: list[np.ndarray]) -> _Tables:
    """Wrap count tables for repeated use by the encoder and decoder."""
    return _Tables(count_tables)
