"""srcodec: make image files small and bring them back sharp.

The path an image takes is the folder layout of this package::

    io/         load any image into one canonical form, write files atomically
    pre/        pre-stages: learned downscalers, pre-filters (before the codec)
    codecs/     image -> bytes of a real file -> image (standard and learned)
    container/  the .srz file that carries learned streams and pipeline ids
    post/       post-stages: super-resolution, artifact removal (after the codec)
    pipelines/  pre-stage -> codec -> post-stage, named after their papers
    metrics.py  PSNR, PSNR-Y, SSIM, MS-SSIM, bpp
    bench/      rate-distortion benchmark, BD-rate, plots, HTML report

Python API: :func:`compress`, :func:`encode` (to a :class:`srcodec.targets.Target`, with ``auto``'s report),
:func:`decompress`, :func:`load_image`, :func:`save_png`; many files, here or
on a Dask cluster: :func:`compress_files`, :func:`restore_files`.
"""

__version__ = "0.1.0"

from srcodec.api import compress, compress_files, decompress, encode, identify, restore_files  # noqa: E402
from srcodec.io.image import load_image, save_png  # noqa: E402

__all__ = ["compress", "compress_files", "decompress", "encode", "identify", "load_image", "restore_files", "save_png",
           "__version__"]
