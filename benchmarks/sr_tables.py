#!/usr/bin/env python3
"""Super-resolution tables on Set5, Set14 and B100, ×2 and ×4, clean and JPEG-compressed LR (Jin et al.'s setting).

For every image of ../shared/datasets/{set5,set14,b100} (cropped to a multiple
of the scale s, as SR papers do)::

    HR ─► bicubic ↓s (Pillow, antialiased: srcodec.data.degrade.bicubic_down) ─► LR
       ─► [JPEG at Q = 10, 20, 30 (libjpeg-turbo via Pillow, 4:2:0) ─► decode]  (or the clean LR)
       ─► method ─► compared with HR: PSNR-Y and SSIM-Y (BT.601 luma, s border pixels shaved)

Methods (one column each):

- bicubic ↑s (Pillow);
- "SR without CAR": the ``sr`` stage of ``sr-jpeg-x<s>`` -- EDSR trained on
  *clean* bicubic LR (``srcodec train sr --codec none``), applied to the LR as it is;
- Jin et al. CAR + SR: the ``car`` and ``sr`` stages of ``jin-jpeg-x<s>``
  (DnCNN artifact removal, then EDSR).

The networks are the shipped weights (``src/srcodec/weights/<pipeline>.safetensors``,
or the folder named by ``SRCODEC_PIPELINE_WEIGHTS_DIR``), loaded through the
pipeline objects; a method whose weights are missing is skipped with a note.
The only published number we have, Jin et al.'s Set5 JPEG Q10 ×2 = 27.99 dB,
is quoted from issue 4 and printed next to ours.

Writes benchmarks/results/sr_tables.json (means and per-image values) and the
section of docs/results.md between ``<!-- begin sr_tables -->`` and
``<!-- end sr_tables -->`` (the other sections stay as they are).

Usage: python benchmarks/sr_tables.py [--sets set5,set14,b100] [--scales 2,4] [--limit K]
       [--threads N] [--json PATH] [--doc PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from srcodec.bench.runner import find_images, library_versions
from srcodec.bench.sections import write_section
from srcodec.codecs import get_codec
from srcodec.data.degrade import bicubic_down, bicubic_up, codec_roundtrip
from srcodec.errors import UnknownNameError
from srcodec.io.files import write_atomic
from srcodec.io.image import load_image, to_rgb
from srcodec.metrics import psnr_y, ssim_y
from srcodec.pipelines import pipeline_class
from srcodec.pipelines.base import Pipeline
from srcodec.bench.render import generated
from srcodec.data import data_dir

ROOT = Path(__file__).resolve().parents[1]
SETS = {"set5": "Set5", "set14": "Set14", "b100": "B100"}
DOC = ROOT / "docs" / "results.md"
JSON_OUT = ROOT / "benchmarks" / "results" / "sr_tables.json"
SECTION = "sr_tables"
#: input name -> JPEG quality (None: the clean bicubic LR)
INPUTS = {"clean": None, "jpeg-q10": 10, "jpeg-q20": 20, "jpeg-q30": 30}
INPUT_LABELS = {"clean": "clean LR", "jpeg-q10": "JPEG Q10", "jpeg-q20": "JPEG Q20", "jpeg-q30": "JPEG Q30"}
#: method -> (column label, pipeline whose weights it uses ("{s}" = scale), stages applied in order)
METHODS = {
    "bicubic": ("bicubic ↑", None, ()),
    "sr-no-car": ("SR without CAR (EDSR, clean-LR trained)", "sr-jpeg-x{s}", ("sr",)),
    "jin": ("Jin et al. CAR + SR (DnCNN → EDSR)", "jin-jpeg-x{s}", ("car", "sr")),
    "jin-q10": ("the same, tuned at Q10 (Jin et al.'s setting)", "jin-jpeg-x{s}-q10", ("car", "sr")),
}
#: methods made for some scales only (Jin et al.'s Q10 setting: their Set5 figure is x2)
ONLY_SCALES = {"jin-q10": (2,)}
#: (set, scale, input) -> PSNR-Y in dB published by the paper; quoted from issue 4 (the only one available)
PAPER = {("set5", 2, "jpeg-q10"): 27.99}
PAPER_NOTE = ("Jin et al., Set5, JPEG Q10, ×2: 27.99 dB PSNR-Y for CAR + SR — quoted from issue 4, the only "
              "published number of theirs available here; the rest of their tables is not in this repository.")


def load_methods(scale: int) -> tuple[dict[str, tuple], dict[str, str], dict[str, dict]]:
    """``{method: networks}`` usable at ``scale``, ``{method: why skipped}``, and facts about the weights used."""
    usable, skipped, info = {}, {}, {}
    for key, (_, pattern, stages) in METHODS.items():
        if pattern is None:
            usable[key] = ()
            continue
        if scale not in ONLY_SCALES.get(key, (scale,)):
            continue
        name = pattern.format(s=scale)
        try:
            cls = pipeline_class(name)
        except UnknownNameError as exc:  # the pipeline is not part of this srcodec
            skipped[key] = str(exc)
            continue
        reason = cls.unavailable_reason()
        if reason:
            skipped[key] = f"`{name}` unavailable: {reason}"
            continue
        pipe = get_codec(name)
        nets = pipe.nets
        from srcodec.archs import read_metadata

        meta = read_metadata(cls.weights_path())
        info[key] = {"pipeline": name, "weights": str(cls.weights_path()), "hash": pipe.weights_hash().hex(),
                     "trained_codec": meta.get("codec"), "steps": meta.get("steps"),
                     "stages": {s: meta["srcodec.stages"][s] for s in stages}}
        usable[key] = tuple(nets[s] for s in stages)
    return usable, skipped, info


def modcrop(image: np.ndarray, s: int) -> np.ndarray:
    h, w = image.shape[:2]
    return image[: h - h % s, : w - w % s]


def evaluate(sets: list[str], scales: list[int], limit: int | None, progress: bool = True) -> dict:
    """Every image x scale x input x usable method: PSNR-Y and SSIM-Y against HR."""
    images = {s: find_images(data_dir(s), limit) for s in sets}
    methods = {s: load_methods(s) for s in scales}
    total = sum(len(v) for v in images.values()) * len(scales) * len(INPUTS)
    per_image: dict = {}
    t0 = time.perf_counter()
    with tqdm(total=total, desc="sr tables", unit="input", file=sys.stderr, disable=not progress,
              dynamic_ncols=True) as bar:
        for set_name, paths in images.items():
            for path in paths:
                hr_full = to_rgb(load_image(path))
                for s in scales:
                    hr = modcrop(hr_full, s)
                    lr = bicubic_down(hr, s)
                    nets = methods[s][0]
                    for inp, q in INPUTS.items():
                        bar.set_postfix_str(f"{set_name} {path.name} x{s} {inp}")
                        lr_in = lr if q is None else codec_roundtrip(lr, "jpeg", q)[0]
                        for key, stack in nets.items():
                            out = bicubic_up(lr_in, s) if key == "bicubic" else Pipeline.run_nets(lr_in, *stack)
                            cell = per_image.setdefault(set_name, {}).setdefault(f"x{s}", {}).setdefault(inp, {}) \
                                .setdefault(key, {})
                            cell[path.name] = {"psnr_y": psnr_y(out, hr, shave=s), "ssim_y": ssim_y(out, hr, shave=s)}
                        bar.update(1)
    means: dict = {}
    for set_name, by_scale in per_image.items():
        for sk, by_input in by_scale.items():
            for inp, by_method in by_input.items():
                for key, rows in by_method.items():
                    vals = list(rows.values())
                    means.setdefault(set_name, {}).setdefault(sk, {}).setdefault(inp, {})[key] = {
                        "psnr_y": float(np.mean([v["psnr_y"] for v in vals])),
                        "ssim_y": float(np.mean([v["ssim_y"] for v in vals])), "images": len(vals)}
    return {
        "settings": {"sets": {k: {"path": str(data_dir(k).resolve()), "images": len(v)} for k, v in images.items()},
                     "scales": scales, "limit": limit, "inputs": INPUTS, "jpeg": get_codec("jpeg").settings(),
                     "downscale": "Pillow bicubic (antialiased), srcodec.data.degrade.bicubic_down; HR cropped to a "
                                  "multiple of the scale",
                     "metrics": "PSNR-Y (BT.601 studio-range luma, peak 255) and SSIM-Y (Gaussian window 11, "
                                "sigma 1.5), `scale` border pixels shaved",
                     "torch_threads": torch.get_num_threads(), "seconds": round(time.perf_counter() - t0, 1),
                     "versions": library_versions()},
        "methods": {f"x{s}": {"used": {k: METHODS[k][0] for k in m[0]}, "skipped": m[1], "weights": m[2]}
                    for s, m in methods.items()},
        "paper": [{"set": k[0], "scale": k[1], "input": k[2], "method": "jin", "psnr_y": v,
                   "source": "quoted from issue 4"} for k, v in PAPER.items()],
        "means": means,
        "per_image": per_image,
    }


def _trained_with(codec) -> str:
    if codec is None:
        return "an unrecorded codec"
    return "no codec (clean LR)" if str(codec).lower() == "none" else f"codec {codec}"


def section(result: dict, cmd: str, json_name: str, json_link: str) -> str:
    st = result["settings"]
    n_text = ", ".join(f"{SETS.get(k, k)} {v['images']} image{'s' if v['images'] != 1 else ''}"
                       for k, v in st["sets"].items())
    L = [generated(cmd), "",
         f"## Super-resolution of clean and JPEG-compressed LR ({', '.join(SETS.get(k, k) for k in st['sets'])})", "",
         "Written by [`benchmarks/sr_tables.py`](../benchmarks/sr_tables.py) "
         f"(numbers also in [`{json_name}`]({json_link}), with every image's).", "",
         "HR cropped to a multiple of the scale → bicubic ↓s (Pillow, antialiased, as `srcodec.data.degrade."
         "bicubic_down`) → either kept clean or JPEG-coded at Q 10/20/30 (libjpeg-turbo via Pillow, "
         f"settings `{json.dumps(st['jpeg'], sort_keys=True)}`) and decoded → method → compared with HR. "
         "PSNR-Y / SSIM-Y on BT.601 luma (studio range, as MATLAB's `rgb2ycbcr`), with `s` border pixels shaved; "
         "SSIM with a Gaussian window 11, σ 1.5. Each cell: mean PSNR-Y (dB) / SSIM-Y over the images.", "",
         f"Images: {n_text}" + (f" (**only the first {st['limit']} of each: a test run, `--limit`**)" if st["limit"] else "")
         + ".", ""]
    for sk, m in result["methods"].items():
        for key, why in m["skipped"].items():
            L.append(f"- {sk}: *{METHODS[key][0]}* not run — {why}")
        for key, w in m["weights"].items():
            trained = w.get("trained_codec")
            note = ""
            if key == "sr-no-car" and trained is not None and str(trained).lower() != "none":
                note = f" — **note: these weights were trained with codec {trained}, not on clean LR**"
            L.append(f"- {sk}: *{METHODS[key][0]}*: `{w['pipeline']}` weights (hash {w['hash']}, "
                     f"{w.get('steps') or '?'} steps, trained with {_trained_with(trained)})" + note)
    L.append("")
    for scale in st["scales"]:
        sk = f"x{scale}"
        used = [k for k in METHODS if k in result["methods"][sk]["used"]]
        if not any(sk in result["means"].get(s, {}) for s in st["sets"]):
            continue
        L += [f"### ×{scale}", "",
              "| set | input | " + " | ".join(METHODS[k][0] for k in used) + " | Jin et al. (paper, PSNR-Y) |",
              "|---|---|" + "---|" * len(used) + "---|"]
        for set_name in st["sets"]:
            by_input = result["means"].get(set_name, {}).get(sk, {})
            for inp in INPUTS:
                cells = []
                for k in used:
                    v = by_input.get(inp, {}).get(k)
                    cells.append("–" if v is None else f"{v['psnr_y']:.2f} / {v['ssim_y']:.4f}")
                paper = PAPER.get((set_name, scale, inp))
                L.append(f"| {SETS.get(set_name, set_name)} | {INPUT_LABELS[inp]} | " + " | ".join(cells) + " | "
                         + ("–" if paper is None else f"{paper:.2f}") + " |")
        L.append("")
    L += [PAPER_NOTE]
    for (set_name, scale, inp), value in PAPER.items():
        for key in ("jin", "jin-q10"):
            ours = result["means"].get(set_name, {}).get(f"x{scale}", {}).get(inp, {}).get(key)
            if ours is not None:
                L.append(f"Ours ({METHODS[key][0]}, {SETS[set_name]} {INPUT_LABELS[inp]} ×{scale}): "
                         f"{ours['psnr_y']:.2f} dB ({ours['psnr_y'] - value:+.2f} dB against the paper"
                         + (f"; over {ours['images']} image{'s' if ours['images'] != 1 else ''} only" if st["limit"] else "")
                         + ").")
            else:
                L.append(f"Ours ({METHODS[key][0]}, {SETS[set_name]} {INPUT_LABELS[inp]} ×{scale}): not measured "
                         "(its weights missing, or the set/scale not run).")
    L.append("")
    return "\n".join(L)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default=",".join(SETS), help="comma-separated (default: %(default)s)")
    ap.add_argument("--scales", default="2,4", help="comma-separated (default: %(default)s)")
    ap.add_argument("--limit", type=int, metavar="K", help="only the first K images of each set (a quick test)")
    ap.add_argument("--threads", type=int, default=2, help="torch threads (default: %(default)s)")
    ap.add_argument("--json", type=Path, default=JSON_OUT, help="where the numbers go (default: %(default)s)")
    ap.add_argument("--doc", type=Path, default=DOC, help="the page whose section is rewritten (default: %(default)s)")
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args()
    sets = [s.strip().lower() for s in args.sets.split(",") if s.strip()]
    unknown = [s for s in sets if s not in SETS]
    if unknown:
        ap.error(f"unknown set {', '.join(unknown)} (known: {', '.join(SETS)})")
    try:
        scales = sorted({int(s) for s in args.scales.split(",") if s.strip()})
    except ValueError:
        ap.error(f"--scales: comma-separated integers, got {args.scales!r}")
    if not scales or any(s not in (2, 4) for s in scales):
        ap.error("--scales: 2 and/or 4")
    torch.set_num_threads(args.threads)
    result = evaluate(sets, scales, args.limit, progress=not args.no_progress)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(args.json, (json.dumps(result, indent=1) + "\n").encode("utf-8"))
    cmd = "python benchmarks/sr_tables.py" + ("" if sets == list(SETS) else f" --sets {','.join(sets)}") + \
          ("" if scales == [2, 4] else f" --scales {','.join(map(str, scales))}") + \
          (f" --limit {args.limit}" if args.limit else "")
    try:
        json_name = args.json.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        json_name = str(args.json)
    json_link = Path(os.path.relpath(args.json.resolve(), args.doc.resolve().parent)).as_posix()
    write_section(args.doc, SECTION, section(result, cmd, json_name, json_link))
    print(args.json)
    print(args.doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
