"""Model cards of the pipelines' shipped weights, written into docs/models.md.

    python benchmarks/pipeline_cards.py

For every recipe ``recipes/<pipeline>.sh`` (the exact ``srcodec train``
commands that made ``src/srcodec/weights/<pipeline>.safetensors``) this reads

* the weights file: size, sha256, stages, architectures, parameter counts;
* the logs of the recipe's runs, kept in ``benchmarks/results/train-logs/<run>/``
  (``log.txt`` and ``val.jsonl``, copied from ``runs/<run>/`` when the run
  ended): steps, training minutes, wall time, the machine, and the last Set5
  validation (PSNR-Y of the network against the same input without it);

and writes one card per pipeline between the markers
``<!-- begin pipeline_cards -->`` and ``<!-- end pipeline_cards -->`` of
``docs/models.md``. A restorer's card also gives its Kodak BD-rates against its own codec, from
a kept bench run of both (``benchmarks/results/kodak-*/``); the rest of the rate-distortion results
are in docs/results.md (their own commands).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shlex
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from srcodec.archs import count_parameters, load_stages, read_metadata  # noqa: E402
from srcodec.bench.runlogs import STAMP, read_run, recipe_commands  # noqa: E402
from srcodec.pipelines import pipeline_class  # noqa: E402
from srcodec.bench.render import generated

RECIPES = ROOT / "recipes"
LOGS = ROOT / "benchmarks" / "results" / "train-logs"
WEIGHTS = ROOT / "src" / "srcodec" / "weights"
DOC = ROOT / "docs" / "models.md"
BEGIN, END = "<!-- begin pipeline_cards -->", "<!-- end pipeline_cards -->"


def _first_time(run: str):
    for line in (LOGS / run / "log.txt").read_text().splitlines():
        m = STAMP.match(line)
        if m:
            return datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S")
    return None


def _minutes_at(run: str, step: int, t0) -> float | None:
    """Wall minutes from the run's first log line to its validation line at ``step``."""
    for line in (LOGS / run / "log.txt").read_text().splitlines():
        m = STAMP.match(line)
        if m and m.group(2).startswith(f"val step {step}:") and t0 is not None:
            return (datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S") - t0).total_seconds() / 60
    return None


def fmt(x, spec: str = ".1f", none: str = "–") -> str:
    return none if x is None else format(x, spec)


#: kept Kodak curves of restored pipelines, each folder one bench run (the pipeline and its codec together)
KODAK_CURVES = ROOT / "benchmarks" / "results"


def kodak_results(name: str) -> str:
    """The pipeline's Kodak BD-rates against its own codec from a kept run that benched both (the same files
    with and without the network): the run made with the installed weights and codec settings, or else the
    newest one, said so; or where to look when no such run is kept."""
    from srcodec.bench import bdrate
    from srcodec.codecs import codec_class, get_codec

    codec = codec_class(pipeline_class(name).inner).name
    now = json.loads(json.dumps(get_codec(name).settings()))
    runs = []
    for folder in KODAK_CURVES.glob("kodak-*/"):
        if (folder / f"{name}.json").is_file() and (folder / f"{codec}.json").is_file():
            meta = json.loads((folder / "settings.json").read_text()) if (folder / "settings.json").is_file() else {}
            same = meta.get("codecs", {}).get(name, {}).get("settings") == now
            runs.append((same, meta.get("created", ""), folder))
    if not runs:
        return ("Kodak results (rate-distortion against the codec alone and VTM, decode time): docs/results.md, "
                "the section of `python benchmarks/kodak_restored.py`.")
    same, _, folder = max(runs)
    test, base = bdrate.load_curve(folder / f"{name}.json"), bdrate.load_curve(folder / f"{codec}.json")
    bd = {m: bdrate.format_percent(bdrate.bd_rate(base, test, m)) for m in ("psnr-rgb", "ms-ssim-rgb")}
    return (f"Kodak results: BD-rate against `{codec}` (the same files with and without the network, one run; "
            f"curves kept in `{folder.relative_to(ROOT)}/`{'' if same else ', measured with other weights or codec settings than the installed ones'}): "
            f"PSNR {bd['psnr-rgb']}, MS-SSIM {bd['ms-ssim-rgb']}; against VTM and decode times: the restored-pipelines "
            "sections of docs/results.md.")


def pool_settings(pm: dict) -> str:
    """The codec settings of a pool that differ between runs, in words (VVC pools before 2026-12-05 have no
    chroma QP offset in their settings: VVenC's own balance, 0)."""
    got = pm.get("settings", {})
    words = [f"{k} {got[k]}" for k in ("preset", "speed", "tune") if k in got]
    if pm["codec"].startswith("vvc"):
        words.append(f"chroma QP offset {got.get('chroma_qp_offset', 0)}")
    if pm.get("downscaler"):
        words.append(f"↓{pm['scale']} by {pm['downscaler']}")
    return f" ({', '.join(words)})" if words else ""


def card(name: str) -> str:
    cls = pipeline_class(name)
    weights = WEIGHTS / f"{name}.safetensors"
    lines = [f"### `{name}`: {cls.label}", "", f"{cls.paper}. Structure: {cls.structure()}.", ""]
    if not weights.is_file():
        return "\n".join(lines + [f"Weights not shipped yet (`{weights.relative_to(ROOT)}` is missing).", ""])
    data = weights.read_bytes()
    meta = read_metadata(weights)
    nets = load_stages(weights)
    lines += ["| | |", "|---|---|",
              f"| weights | `{weights.relative_to(ROOT)}`, {len(data):,} bytes, sha256 {hashlib.sha256(data).hexdigest()[:16]}… |"]
    for stage, net in nets.items():
        spec = meta["srcodec.stages"][stage]
        cfg = ", ".join(f"{k}={v}" for k, v in sorted(spec["config"].items()))
        lines.append(f"| stage `{stage}` | {spec['arch']} ({cfg}), {count_parameters(net):,} parameters |")
    runs = [read_run(run, LOGS) | {"command": cmd} for run, cmd in recipe_commands(RECIPES / f"{name}.sh")]
    kinds = {shlex.split(r["command"])[2] for r in runs}
    pools = [(r["run"], json.loads((LOGS / r["run"] / "pool.json").read_text())) for r in runs
              if (LOGS / r["run"] / "pool.json").is_file()]
    for run, pm in pools:
        lines.append(f"| data{f' (`{run}`)' if len(pools) > 1 else ''} | `../shared/datasets/train/` (BSDS500 + ImageNet "
                     f"samples, JPEGs downscaled ×2 first, and T91): a decoded pool of {pm['images']:,} images × "
                     f"{pm['per_image']} qualities in {pm['quality_range'][0]:g}..{pm['quality_range'][1]:g} of "
                     f"`{pm['codec']}`{pool_settings(pm)} (real encodes, built once in {pm['build_seconds'] / 60:.1f} min "
                     f"with 2 processes, {pm['bytes'] / 1e6:.0f} MB), random crops and flips |")
    if not pools:
        lines.append("| data | `../shared/datasets/train/` (BSDS500 + ImageNet samples, JPEGs downscaled ×2 first, and T91), "
                     "random crops and flips, degraded on the fly by the real codec |")
    machines = sorted({r["machine"] for r in runs if r.get("machine")})
    if machines:
        lines.append(f"| machine | {'; '.join(machines)} |")
    total = [r["minutes"] for r in runs if r.get("minutes") is not None]
    wall = [r["wall_minutes"] for r in runs if r.get("wall_minutes") is not None]
    if total:
        lines.append(f"| training | {sum(r.get('steps') or 0 for r in runs):,} steps in {len(runs)} run(s), "
                     f"{sum(total):.1f} min of steps, {sum(wall):.1f} min wall (validation included) |")
    lines += ["", f"Recipe [`recipes/{name}.sh`](../recipes/{name}.sh), run in this order:", "",
              ("| run | steps | minutes (steps / wall) | Set14 validation: RGB PSNR with the network (without) | command |"
               if "restorer" in kinds else
               "| run | steps | minutes (steps / wall) | Set5 validation: PSNR-Y with the network (without) | command |"),
              "|---|---|---|---|---|"]
    for r in runs:
        if not r["found"]:
            lines.append(f"| `{r['run']}` | log missing | | | `{r['command']}` |")
            continue
        v = r["val"]
        if v and "gain_db" in v:  # restorers: RGB PSNR over their validation qualities
            val = f"{v['psnr']:.2f} dB ({v['baseline_psnr']:.2f} dB) at step {v['step']}"
        else:
            val = (f"{v['psnr_y']:.2f} dB ({v['baseline_psnr_y']:.2f} dB) at step {v['step']}" if v else "–")
        lines.append(f"| `{r['run']}` | {fmt(r['steps'], ',d')} | {fmt(r['minutes'])} / {fmt(r['wall_minutes'])} | {val} "
                     f"| `{r['command']}` |")
    lines += ["", "Logs: `benchmarks/results/train-logs/<run>/` (log.txt, val.jsonl). Validation draws the codec quality "
              "per image from the training range; \"without\" is the same decoded input enlarged by bicubic "
              "(or left as it is at ×1)."]
    if "restorer" in kinds:
        lines += [kodak_results(name),
                  "For `train restorer` the column is the RGB PSNR on Set14 (14 images, each coded once per validation "
                  "quality with the real codec), with the network and (in parentheses) the plain decode, averaged over "
                  "the validation qualities. The learning curve, gain in dB at each validation quality (for `vvc`, QP = 63 − q):", ""]
        for r in runs:
            vals = r.get("vals") or []
            qs = [k for k in (vals[0] if vals else {}) if k.startswith("gain_db_q")]
            if not qs:
                continue
            t0 = _first_time(r["run"])
            lines += [f"| `{r['run']}` step | wall minutes | mean gain | " + " | ".join(f"q {k[9:]}" for k in qs) + " |",
                      "|---|---|---|" + "---|" * len(qs)]
            for v in vals:
                lines.append(f"| {v['step']:,} | {fmt(_minutes_at(r['run'], v['step'], t0))} | {v['gain_db']:+.3f} dB | "
                             + " | ".join(f"{v[k]:+.3f}" for k in qs) + " |")
            lines.append("")
    if "jpegnet" in kinds:
        lines.append("For `train jpegnet` the column is JPEG-Net's output against the real libjpeg decode, and in "
                     "parentheses the exact differentiable JPEG's.")
    if "prefilter" in kinds:
        lines.append("For `train prefilter` it is the real JPEG of the filtered image at the validation quality, and in "
                     "parentheses that of the plain image at the same quality (not at the same bpp: the equal-bpp "
                     "gain is in `val_jpeg.jsonl` and docs/results.md).")
    if "latent-sr" in kinds:
        lines.append("For `train latent-sr` \"without\" is the learned codec's decode of the small image enlarged by "
                     "bicubic. Follow-up trainings of the ×2 decoder (longer, other crops and learning rates, a frozen "
                     "synthesis, the detail branch on the LR grid; none shipped) are compared with the decoded anchor "
                     "in docs/results.md (`python benchmarks/latent_sr_experiments.py`, recipe "
                     "`recipes/experiments/latent-sr-x2.sh`).")
    lines.append("")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--print", action="store_true", help="print the cards instead of writing docs/models.md")
    args = ap.parse_args(argv)
    names = sorted(p.stem for p in RECIPES.glob("*.sh"))
    body = "\n".join([BEGIN, generated("python benchmarks/pipeline_cards.py"), "",
                      *(card(n) for n in names), END])
    if args.print:
        print(body)
        return 0
    text = DOC.read_text()
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + body + text[text.index(END) + len(END):]
    else:
        text = text.rstrip() + "\n\n## Restoration pipelines: model cards\n\n" + body + "\n"
    DOC.write_text(text)
    print(f"wrote {len(names)} cards into {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
