"""Reading inputs and writing outputs safely.

Outputs are written to a temporary file in the destination folder and renamed
into place, so a reader never sees half a file and a crash never leaves one.
An output path that names an input is refused: srcodec never overwrites its
input.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from srcodec.errors import InputError, OutputError


def read_bytes(path: str | os.PathLike) -> bytes:
    """Read a whole input file, with a one-line error when that is impossible."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file")
    if p.is_dir():
        raise InputError(f"{p}: is a directory, expected a file")
    try:
        return p.read_bytes()
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror or exc})") from None


def make_folder(path: str | os.PathLike) -> Path:
    """Create an output folder (and its parents), with a one-line error when that is impossible."""
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise OutputError(f"{p}: exists and is not a folder")
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{p}: cannot create folder ({exc.strerror or exc})") from None
    if not os.access(p, os.W_OK | os.X_OK):
        raise OutputError(f"{p}: output folder is not writable")
    return p


def write_atomic(path: str | os.PathLike, data: bytes, *, inputs: tuple = ()) -> Path:
    """Write ``data`` to ``path`` atomically (temp file + rename).

    ``inputs`` are the paths this output was made from; writing over one of
    them is refused.
    """
    p = Path(path)
    for src in inputs:
        try:
            if Path(src).exists() and p.exists() and os.path.samefile(src, p):
                raise OutputError(f"{p}: refusing to overwrite the input file")
        except OSError:
            pass
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"{p}: output folder {parent} does not exist")
    if p.is_dir():
        raise OutputError(f"{p}: is a directory, expected a file name")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise OutputError(f"{p}: cannot write ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, p)
    except BaseException as exc:  # also KeyboardInterrupt: the CLI turns SIGTERM into one
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise OutputError(f"{p}: cannot write ({exc.strerror or exc})") from None
        raise
    return p
