"""``srcodec pipelines``: list the named pipelines, the paper each follows, and whether it can run here."""

from __future__ import annotations

import json

from srcodec.pipelines import pipeline_class, pipeline_names


def _rows(include_baselines: bool) -> list[dict]:
    rows = []
    for name in pipeline_names():
        cls = pipeline_class(name)
        if not include_baselines and name.startswith("bicubic-"):
            continue
        reason = cls.unavailable_reason()
        rows.append({"name": name, "paper": cls.paper, "structure": cls.structure(), "inner": cls.inner,
                     "scale": cls.scale, "stages": list(cls.stages), "available": reason is None,
                     "unavailable_reason": reason, "weights": str(cls.weights_path()) if cls.stages else None})
    return rows


def cmd_pipelines(args) -> int:
    rows = _rows(include_baselines=not args.no_baselines)
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    for r in rows:
        status = "available" if r["available"] else "unavailable"
        print(f"{r['name']:<20} {r['structure']}  [{status}]")
        print(f"{'':<20} paper: {r['paper']}")
        if args.verbose and not r["available"]:
            print(f"{'':<20} why: {r['unavailable_reason']}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("pipelines", help="list the pipelines (pre-stage -> codec -> post-stage) and their papers")
    p.add_argument("-v", "--verbose", action="store_true", help="say why a pipeline is unavailable")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--no-baselines", action="store_true", help="leave out the bicubic-<codec>-x<s> baselines")
    p.set_defaults(func=cmd_pipelines)
