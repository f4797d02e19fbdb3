"""Errors srcodec raises on purpose.

Every error a user can cause (a missing file, a foreign or truncated file, an
unknown option, an absurd size) is a ``SrcodecError`` whose message fits on one
line. The CLI prints ``srcodec: error: <message>`` and exits with status 2;
anything else is a bug and keeps its traceback.
"""


class SrcodecError(Exception):
    """An error caused by the input or the options, explained in one line."""


class InputError(SrcodecError):
    """An input file is missing, unreadable, foreign, truncated or corrupted."""


class OutputError(SrcodecError):
    """An output path cannot be written."""


class BadOptionError(SrcodecError):
    """An option or argument whose value is malformed, out of range, or does not fit the others
    (a quality outside the codec's range, a crop that is not a multiple of the scale, no budget)."""


class UnknownNameError(BadOptionError):
    """A codec, pipeline, network, model or option name that srcodec does not know."""


class UnavailableError(SrcodecError):
    """A codec whose optional plugin is not installed."""
