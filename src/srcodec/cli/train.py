"""``srcodec train KIND ...``: train one of srcodec's models.

Each kind lives in its own module of ``srcodec.train`` exposing ``add_arguments(parser)`` and ``run(args)``;
add a kind to :data:`srcodec.registrations.TRAIN_KINDS`. Distributed: ``torchrun --nproc_per_node K -m srcodec train ...``.
"""

from __future__ import annotations

import importlib

from srcodec.registrations import TRAIN_KINDS
from srcodec.registry import Registry

#: kind -> (the module that trains it, one-line help), from :data:`srcodec.registrations.TRAIN_KINDS`
TRAINERS: Registry[tuple[str, str]] = Registry("training kind")
for _kind, (_module, _help) in TRAIN_KINDS.items():
    TRAINERS.add(_kind, (f"srcodec.train.{_module}", _help))

def register(subparsers, argv: list[str] | None = None) -> None:
    """Add ``train`` and its kinds. Only the kind named on the command line (``argv``) imports its
    module (and torch); the others are listed by name, so building the parser stays cheap."""
    p = subparsers.add_parser("train", help="train a model", description=__doc__.splitlines()[0])
    kinds = p.add_subparsers(dest="kind", metavar="KIND")
    kinds.required = True
    argv = list(argv or [])
    chosen = argv[argv.index("train") + 1] if "train" in argv[:1] and len(argv) > 1 else None
    for kind, (module_name, help_text) in TRAINERS.items():
        if kind != chosen:
            kinds.add_parser(kind, help=help_text, description=help_text)
            continue
        module = importlib.import_module(module_name)
        sp = kinds.add_parser(kind, help=help_text, description=(module.__doc__ or help_text).strip().splitlines()[0])
        module.add_arguments(sp)
        sp.set_defaults(func=module.run)
