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

import argparse
import os
import re
import subprocess
import sys
from dataclasses import dataclass
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
    """What a section script does: run its ``srcodec bench ...`` command (resuming) unless ``skip_bench``
    (:func:`run_bench`; any failed row stops it), then ``write()`` its section; the exit status to stop with."""
    out = command[command.index("--out") + 1]
    code, _ = run_bench(tag, command, Path(root), out, skip_bench=skip_bench, partial=False)
    if code == 0:
        write()
    return code


def keep_curves(run: str | os.PathLike, keep: str | os.PathLike, names: list[str]) -> Path:
    """Copy the per-codec curves ``names`` and the settings of the bench run folder ``run`` into ``keep`` (a
    folder in the repository: a few kB that later sections compare against without running them again); a spec's
    ``:`` and ``=`` become ``_`` and ``-`` in the kept file's name (:func:`kept_name`), which any file system holds."""
    run, keep = Path(run), Path(keep)
    keep.mkdir(parents=True, exist_ok=True)
    for name in [*names, "settings"]:
        src = run / f"{name}.json"
        if src.exists():
            write_atomic(keep / kept_name(name), src.read_bytes())
    return keep


def kept_name(spec: str) -> str:
    """The file name of a codec's curve kept in the repository (``vvc-restored:adapt=1`` ->
    ``vvc-restored_adapt-1.json``)."""
    return spec.replace(":", "_").replace("=", "-") + ".json"


def run_arguments(description: str, run_default: str, doc: Path, img: Path) -> argparse.ArgumentParser:
    """The options every Kodak section script takes (bench size, resuming, where things go)."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--limit", type=int, metavar="K", help="only the first K Kodak images (a quick test)")
    ap.add_argument("--jobs", type=int, default=2, help="parallel processes for the bench (default 2)")
    ap.add_argument("--skip-bench", action="store_true", help="only rewrite the section from an existing run")
    ap.add_argument("--fresh", action="store_true", help="measure every row again")
    ap.add_argument("--no-reuse", action="store_true", help="do not copy rows from runs/kodak-anchors, runs/kodak-learned")
    ap.add_argument("--out", default=run_default, help="the run folder, relative to the repository (default: %(default)s)")
    ap.add_argument("--doc", type=Path, default=doc, help="the page whose section is rewritten (default: %(default)s)")
    ap.add_argument("--img", type=Path, default=img, help="where the figures go (default: %(default)s)")
    return ap


@dataclass(frozen=True)
class Bench:
    """The ``srcodec bench`` run a section measures with, declared (``benchmarks/catalogue.py``): its codecs with
    their options, the data set (under ``$SRCODEC_DATA``, :func:`srcodec.data.data_dir`; every ``every``-th image),
    the qualities (each codec's sweep when empty) or the ``targets`` (metric, values: each codec's own search for
    each, ``srcodec bench --targets``), the torch ``threads`` of each row, the BD-rate anchor among the codecs, the published curves drawn beside them, the
    run folder, and the earlier run folders whose rows of the ``reusable`` codecs it may copy instead of measuring
    them again (:func:`srcodec.bench.runner.copy_rows`: same images, same settings)."""

    codecs: tuple[str, ...]
    run: str
    dataset: str = "kodak"
    qualities: tuple[float, ...] = ()
    anchor: str | None = None
    refs: tuple[str, ...] = ()
    reuse_from: tuple[str, ...] = ()
    reusable: tuple[str, ...] = ()
    targets: tuple[str, tuple[float, ...]] | None = None
    every: int = 1
    threads: int = 1

    def command(self, jobs: int, root: Path, *, codecs=None, out: str | None = None, limit: int | None = None,
                qualities=None) -> list[str]:
        """The bench command line (run in ``root``), for ``codecs`` (default: the declared ones) into ``out``."""
        from srcodec.data import data_dir

        names = list(codecs if codecs is not None else self.codecs)
        cmd = ["srcodec", "bench", os.path.relpath(data_dir(self.dataset), root), "--codecs", ",".join(names),
               "--out", out or self.run, "--jobs", str(jobs)]
        if self.anchor and self.anchor in names:
            cmd += ["--anchor", self.anchor]
        for ref in self.refs:
            cmd += ["--ref", ref]
        if self.every > 1:
            cmd += ["--every", str(self.every)]
        if limit:
            cmd += ["--limit", str(limit)]
        if self.threads > 1:
            cmd += ["--threads", str(self.threads)]
        if self.targets is not None:
            cmd += ["--targets", f"{self.targets[0]}:{','.join(f'{v:g}' for v in self.targets[1])}"]
        qualities = self.qualities if qualities is None else qualities
        if qualities:
            cmd += ["--qualities", *(f"{q:g}" for q in qualities)]
        return cmd

    def plan(self, qualities=None) -> tuple[list[str], dict[str, str]]:
        """The declared codecs installed here (and whose range holds ``qualities``), and ``{name: why not}``
        for the others."""
        from srcodec.codecs import codec_class

        names, skipped = [], {}
        for name in self.codecs:
            reason = codec_class(name).unavailable_reason()
            if reason is None and qualities:
                lo, hi = codec_class(name).quality_range
                bad = [q for q in qualities if not lo <= q <= hi]
                if bad:
                    reason = f"--qualities {' '.join(f'{q:g}' for q in bad)} outside its range {lo:g}..{hi:g}"
            if reason:
                skipped[name] = reason
            else:
                names.append(name)
        return names, skipped

    def reuse(self, out: Path, names, root: Path) -> dict[str, int]:
        """Copy into ``out`` the rows of the reusable codecs among ``names`` from the earlier runs;
        ``{source run: rows copied}``."""
        from srcodec.bench.runner import copy_rows
        from srcodec.data import data_dir

        copied = copy_rows(out, [n for n in self.reusable if n in names], data_dir(self.dataset).resolve(),
                           [root / src for src in self.reuse_from])
        return {os.path.relpath(src, root): k for src, k in copied.items()}


def run_bench(tag: str, cmd: list[str], root: Path, out: str, *, skip_bench: bool = False, fresh: bool = False,
              reuse=None, skipped: dict[str, str] | None = None, partial: bool = True) -> tuple[int, dict[str, int]]:
    """Run (or resume) the bench ``cmd`` (writing the run folder ``out``, relative to ``root``) in ``root`` unless
    ``skip_bench``, after ``reuse(out)`` has copied rows of earlier runs (``{source run: rows}``; not with
    ``fresh``); ``skipped``: the codecs left out and why, said first. With ``partial``, a bench whose only failures
    are rows (exit 1) still counts as a run to write up. (Exit status to stop with or 0, rows reused.)"""
    folder = root / out
    reused: dict[str, int] = {}
    if not skip_bench:
        if not fresh and reuse is not None:
            reused = reuse(folder)
            for src, k in reused.items():
                print(f"{tag}: reusing {k} rows from {src}", file=sys.stderr)
        for name, why in (skipped or {}).items():
            print(f"{tag}: not running {name}: {why}", file=sys.stderr)
        full = [sys.executable, "-m", "srcodec", *cmd[1:], *(["--fresh"] if fresh else [])]
        proc = subprocess.run(full, cwd=root)
        if proc.returncode != 0:
            print(f"{tag}: the bench exited with {proc.returncode}", file=sys.stderr)
            if not partial or proc.returncode != 1 or not (folder / "settings.json").exists():
                return proc.returncode, reused  # 1 = some rows failed: the others are still written up
    if not (folder / "settings.json").exists() or not (folder / "rows.json").exists():
        print(f"{tag}: {out} holds no finished run (run without --skip-bench first)", file=sys.stderr)
        return 1, reused
    return 0, reused


def section_main(tag: str, doc: Path, root: Path, bench_command, write_doc, prepare=None) -> int:
    """A section script's command line: ``[--skip-bench] [--jobs N] [--doc PATH]``, bench (in ``root``) then
    write; ``prepare()`` runs before the bench (not with ``--skip-bench``)."""
    ap = argparse.ArgumentParser(description=sys.modules["__main__"].__doc__.splitlines()[0])
    ap.add_argument("--skip-bench", action="store_true")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--doc", type=Path, default=doc)
    args = ap.parse_args()
    if prepare is not None and not args.skip_bench:
        prepare()
    return bench_then_write(tag, bench_command(args.jobs), root, lambda: write_doc(args.jobs, args.doc),
                            args.skip_bench)


def restored_pairs(codecs) -> dict[str, str]:
    """``{pipeline: the codec it restores}`` for the pipelines among ``codecs`` that are installed here."""
    from srcodec.codecs import codec_class
    from srcodec.pipelines.base import Pipeline

    return {n: codec_class(n).inner for n in codecs
            if issubclass(codec_class(n), Pipeline) and codec_class(n).unavailable_reason() is None}
