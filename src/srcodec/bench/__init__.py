"""Rate-distortion benchmarks: run codecs over a data set, compare, plot, report.

One module, one job:

- :mod:`~srcodec.bench.runner`: every image x codec x quality into a run
  folder (per-image rows, per-codec curves in CompressAI's JSON layout,
  settings), resumable and parallel over images;
- :mod:`~srcodec.bench.bdrate`: Bjontegaard delta rate between two curves
  (piecewise cubic, as in the JVET common test conditions) and the table of a
  run against its anchor;
- :mod:`~srcodec.bench.plots`: PSNR-bpp and MS-SSIM-bpp plots (PNG and SVG),
  with published reference curves dashed;
- :mod:`~srcodec.bench.report`: one self-contained HTML page of a run, with
  side-by-side crops a person can compare.

The ``srcodec bench``, ``bdrate``, ``plot`` and ``report`` commands
(:mod:`srcodec.cli.bench`) are thin wrappers around these.
"""
