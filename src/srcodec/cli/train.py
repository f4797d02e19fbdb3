"""``srcodec train KIND ...``: train one of srcodec's models.

Each kind lives in its own module ``srcodec.train.<kind>`` (``-`` in the
kind becomes ``_``) exposing ``add_arguments(parser)`` and ``run(args)``; add a
kind by adding its name to :data:`TRAIN_KINDS`. Distributed: ``torchrun --nproc_per_node K -m srcodec train ...``.
"""

from __future__ import annotations

import importlib

#: kind -> one-line help
TRAIN_KINDS = {
    "codec": "the learned codec (variable rate, one set of weights)",
    "sr": "super-resolution post-stage",
    "car": "compression-artefact removal post-stage",
    "resampler": "learned down/up-sampler pair",
    "comcnn": "compact-representation pre-stage (ComCNN/RecCNN)",
    "prefilter": "JPEG pre-filter (Modify-Net) through a differentiable JPEG stand-in",
    "jpegnet": "learned JPEG emulator (JPEG-Net), a stand-in for training pre-filters",
    "latent-sr": "latent-domain SR decoder on the frozen learned codec",
    "restorer": "quality-aware post-filter for a codec (VVC, AVIF, JPEG), trained on a decoded pool",
}


def register(subparsers, argv: list[str] | None = None) -> None:
    """Add ``train`` and its kinds. Only the kind named on the command line (``argv``) imports its
    module (and torch); the others are listed by name, so building the parser stays cheap."""
    p = subparsers.add_parser("train", help="train a model", description=__doc__.splitlines()[0])
    kinds = p.add_subparsers(dest="kind", metavar="KIND")
    kinds.required = True
    argv = list(argv or [])
    chosen = argv[argv.index("train") + 1] if "train" in argv[:1] and len(argv) > 1 else None
    for kind, help_text in TRAIN_KINDS.items():
        if kind != chosen:
            kinds.add_parser(kind, help=help_text, description=help_text)
            continue
        module = importlib.import_module(f"srcodec.train.{kind.replace('-', '_')}")
        sp = kinds.add_parser(kind, help=help_text, description=(module.__doc__ or help_text).strip().splitlines()[0])
        module.add_arguments(sp)
        sp.set_defaults(func=module.run)
