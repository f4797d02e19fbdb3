"""The ``srcodec`` command line.

Each subcommand lives in a module of this package that exposes
``register(subparsers)``; :func:`main` builds the parser from them, runs the
chosen command and turns every :class:`~srcodec.errors.SrcodecError` into one
line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from srcodec.errors import SrcodecError

#: subcommand modules, in the order ``srcodec --help`` lists them
COMMAND_MODULES = ("coding", "bench", "train", "pipelines")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, like every other error
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The whole parser; ``argv`` (the command line) lets ``train`` import only the kind it names."""
    from srcodec import __version__

    parser = _Parser(prog="srcodec", description="Make image files small and bring them back sharp.")
    parser.add_argument("--version", action="version", version=f"srcodec {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"srcodec.cli.{name}")
        module.register(sub, argv) if name == "train" else module.register(sub)
    return parser


def _terminate(signum, frame):
    raise KeyboardInterrupt  # unwinds like Ctrl-C: atomic writes remove their temporary file


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    import signal

    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _terminate)
    try:
        return int(args.func(args) or 0)
    except SrcodecError as exc:
        print(f"srcodec: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("srcodec: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
