"""The codec stage: image -> bytes of a real file -> image.

``standard`` holds the Pillow-backed anchors, ``vvc`` VVenC, ``learned`` the learned codec; each registers
itself, and :data:`srcodec.registrations.CODECS` lists the modules, imported on the first look-up. Use
:func:`get_codec` to get one by name.
"""

from srcodec.codecs.base import Codec, Option, codec_class, codec_names, get_codec, parse_codec_spec, register_codec

__all__ = ["Codec", "Option", "codec_class", "codec_names", "get_codec", "parse_codec_spec", "register_codec"]
