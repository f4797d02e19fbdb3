"""File containers srcodec writes. :mod:`.srz` is the learned codec's (and the pipelines') file."""
