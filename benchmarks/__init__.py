"""srcodec's benchmarks: each module writes one section of the docs (or one evidence file) from runs it makes.

``python -m benchmarks list`` lists them as :data:`benchmarks.catalogue.SECTIONS` declares them (what each
measures, on which data, against which anchor, what it may reuse); ``python -m benchmarks run NAME [ARGS...]``
runs one (the same as ``python benchmarks/NAME.py ARGS...``). The numbers they compute come from the lab
package (``srcodec.bench``: runner, BD-rate, anchors, analysis, sections), so no module here imports another
module's code except through it.
"""
