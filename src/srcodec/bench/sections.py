"""Markdown pages assembled from generated sections, each script rewriting only its own.

A page such as ``docs/results.md`` holds several sections, each written by one
benchmark script between two markers::

    # Results

    <!-- begin kodak_anchors -->
    ... written by benchmarks/kodak_anchors.py ...
    <!-- end kodak_anchors -->

    <!-- begin kodak_pipelines -->
    ...
    <!-- end kodak_pipelines -->

:func:`write_section` replaces what lies between one pair of markers and
leaves the rest of the page as it is; a section not yet on the page is
appended at its end (a page that does not exist yet is created with a title).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from srcodec.errors import InputError
from srcodec.io.files import write_atomic

_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def markers(name: str) -> tuple[str, str]:
    """The begin and end marker lines of section ``name``."""
    if not _NAME.match(name):
        raise ValueError(f"bad section name {name!r} (letters, digits, _ . - only)")
    return f"<!-- begin {name} -->", f"<!-- end {name} -->"


def replace_section(text: str, name: str, body: str) -> str:
    """``text`` with section ``name`` holding ``body`` (replaced in place, or appended at the end)."""
    begin, end = markers(name)
    block = f"{begin}\n{body.strip(chr(10))}\n{end}"
    lines = text.split("\n")
    starts = [i for i, ln in enumerate(lines) if ln.strip() == begin]
    ends = [i for i, ln in enumerate(lines) if ln.strip() == end]
    if not starts and not ends:
        head = text.rstrip("\n")
        return (head + "\n\n" if head else "") + block + "\n"
    if len(starts) != 1 or len(ends) != 1 or ends[0] < starts[0]:
        raise InputError(f"section {name!r}: expected one {begin!r} followed by one {end!r} "
                         f"(found {len(starts)} and {len(ends)})")
    return "\n".join(lines[: starts[0]] + [block] + lines[ends[0] + 1:])


def read_section(text: str, name: str) -> str | None:
    """The body of section ``name`` in ``text``, or None when it is not there."""
    begin, end = markers(name)
    lines = text.split("\n")
    try:
        i = next(k for k, ln in enumerate(lines) if ln.strip() == begin)
        j = next(k for k, ln in enumerate(lines) if ln.strip() == end and k > i)
    except StopIteration:
        return None
    return "\n".join(lines[i + 1: j])


def write_section(path: str | os.PathLike, name: str, body: str, title: str = "# Results") -> Path:
    """Rewrite section ``name`` of the Markdown file ``path`` (atomically); the other sections stay as they are."""
    p = Path(path)
    text = p.read_text(encoding="utf-8") if p.exists() else f"{title}\n"
    return write_atomic(p, replace_section(text, name, body).encode("utf-8"))


def bench_then_write(tag: str, command: list[str], root: str | os.PathLike, write, skip_bench: bool = False) -> int:
    """What a section script does: run its ``srcodec bench ...`` command (resuming) unless
    ``skip_bench``, then ``write()`` its section; the bench's exit status if it failed, else 0."""
    import subprocess
    import sys

    if not skip_bench:
        proc = subprocess.run([sys.executable, "-m", "srcodec", *command[1:]], cwd=root)
        if proc.returncode != 0:
            print(f"{tag}: the bench failed (exit {proc.returncode})", file=sys.stderr)
            return proc.returncode
    write()
    return 0


def keep_curves(run: str | os.PathLike, keep: str | os.PathLike, names: list[str]) -> Path:
    """Copy the per-codec curves ``names`` and the settings of the bench run folder ``run`` into ``keep`` (a
    folder in the repository: a few kB that later sections compare against without running them again)."""
    run, keep = Path(run), Path(keep)
    keep.mkdir(parents=True, exist_ok=True)
    for name in [*names, "settings"]:
        src = run / f"{name}.json"
        if src.exists():
            write_atomic(keep / src.name, src.read_bytes())
    return keep
