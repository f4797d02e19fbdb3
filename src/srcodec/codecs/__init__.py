"""The codec stage: image -> bytes of a real file -> image.

``standard`` holds the Pillow-backed anchors; learned codecs register
themselves the same way. Use :func:`get_codec` to get one by name.
"""

from srcodec.codecs.base import Codec, Option, codec_class, codec_names, get_codec, parse_codec_spec, register_codec
from srcodec.codecs import standard  # noqa: F401  (registers the standard codecs)
from srcodec.codecs import vvc  # noqa: F401  (registers VVC)
from srcodec.codecs import learned  # noqa: F401  (registers the learned codec)

__all__ = ["Codec", "Option", "codec_class", "codec_names", "get_codec", "parse_codec_spec", "register_codec"]
