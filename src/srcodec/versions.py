"""The versions of the libraries behind the codecs and the metrics: what a benchmark records next to its
rows (``settings.json``) and what every machine of a cluster must share (:mod:`srcodec.cluster`)."""

from __future__ import annotations

import platform

#: the distributions whose versions are recorded (absent ones are left out)
DISTRIBUTIONS = ("srcodec", "Pillow", "pillow-heif", "pillow-jxl-plugin", "pyjpegli", "imageio-ffmpeg", "av",
                 "numpy", "torch", "pytorch-msssim", "constriction", "safetensors", "bjontegaard", "scipy",
                 "matplotlib")
#: the image libraries inside Pillow, by Pillow's feature name
PILLOW_FEATURES = ("jpg", "webp", "avif", "jpg_2000", "zlib")


def library_versions() -> dict:
    """``{name: version}``: Python, the platform, each installed distribution of :data:`DISTRIBUTIONS`, the
    libraries inside Pillow (``lib:jpg`` ...) and libheif; reads no module that needs torch."""
    from importlib import metadata

    from PIL import features

    versions = {"python": platform.python_version(), "platform": platform.platform()}
    for dist in DISTRIBUTIONS:
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    for feature in PILLOW_FEATURES:
        try:
            v = features.version(feature)
        except (ValueError, KeyError):
            v = None
        if v:
            versions[f"lib:{feature}"] = v
    try:
        import pillow_heif

        versions["lib:libheif"] = pillow_heif.libheif_version()
    except Exception:  # optional plugin absent or without this call
        pass
    return versions
