"""File containers srcodec writes. :mod:`.srz` is the learned codec's (and the pipelines') file.

The ``.srz`` magic lives here, apart from :mod:`.srz`, so that what only needs to recognise a file (the Pillow
plugin, :func:`srcodec.api.identify`) does not import the container's reader."""

#: the first four bytes of every ``.srz`` file
SRZ_MAGIC = b"SRZ\x89"


def is_srz(data: bytes) -> bool:
    """Whether ``data`` starts like a ``.srz`` file."""
    return data[:4] == SRZ_MAGIC
