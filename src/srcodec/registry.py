"""One registry helper for everything srcodec finds by name: codecs (pipelines among them), networks, trainers.

A :class:`Registry` maps names to entries of one kind. The modules that define the entries are listed in
one place, :mod:`srcodec.registrations`, and imported on the first look-up, so ``import srcodec`` stays
cheap and no registration depends on what happened to be imported before::

    CODECS = Registry("codec", registrations.CODECS)

    @CODECS.register            # keyed by the class's ``name``
    class MyCodec(Codec): name = "mine"

    CODECS.get("mine")          # a one-line error naming the known ones when unknown
"""

from __future__ import annotations

import importlib
from typing import Callable, Generic, Iterator, TypeVar

from srcodec.errors import UnknownNameError

T = TypeVar("T")


class Registry(Generic[T]):
    """Names -> entries of one ``kind``; ``modules`` (dotted names) define them and load on first look-up."""

    def __init__(self, kind: str, modules: tuple[str, ...] = ()):
        self.kind = kind
        self.modules = tuple(modules)
        self._entries: dict[str, T] = {}
        self._loaded = False

    def add(self, name: str, entry: T) -> T:
        """Register ``entry`` under ``name``; another entry under a taken name is an error (the same one is not)."""
        if name in self._entries and self._entries[name] is not entry:
            raise ValueError(f"{self.kind} name {name!r} registered twice")
        self._entries[name] = entry
        return entry

    def register(self, cls: T) -> T:
        """Class decorator: register ``cls`` under its ``name`` attribute."""
        return self.add(cls.name, cls)

    def named(self, name: str) -> Callable[[T], T]:
        """Decorator: register under ``name``."""
        return lambda entry: self.add(name, entry)

    def load(self) -> None:
        """Import the modules that register entries (once)."""
        if self._loaded:
            return
        self._loaded = True
        for module in self.modules:
            importlib.import_module(module)

    def get(self, name: str) -> T:
        self.load()
        try:
            return self._entries[name]
        except KeyError:
            raise UnknownNameError(f"unknown {self.kind} {name!r} (known: {', '.join(self.names())})") from None

    def names(self) -> list[str]:
        self.load()
        return list(self._entries)

    def items(self) -> Iterator[tuple[str, T]]:
        self.load()
        return iter(list(self._entries.items()))

    def __contains__(self, name: str) -> bool:
        self.load()
        return name in self._entries
