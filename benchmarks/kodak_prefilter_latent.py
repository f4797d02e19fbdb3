#!/usr/bin/env python3
"""Regenerate the issue-5 section of docs/results.md: the JPEG pre-filter and latent-domain SR on Kodak.

Runs, from the repository root::

    srcodec bench ../shared/datasets/kodak --codecs nagasaki-jpeg,upenik-x2,upenik-x4,jpeg,\\
        upenik-decoded-x2,upenik-decoded-x4,learned --out runs/kodak-prefilter-latent --jobs 2 --anchor jpeg

(pipelines whose weights are missing are listed as not run; rows of ``jpeg`` and
``learned`` already measured with the same settings in runs/kodak-anchors or
runs/kodak-learned are copied in first, as in benchmarks/kodak_pipelines.py).
Then, outside the bench:

- the **original anchor** of Upenik et al. (SR of the uncompressed bicubic LR
  image, no bits) for ×2 and ×4 on every image, with the shipped clean-LR EDSR
  ``sr-jpeg-x<s>`` (cached in ``<run>/original_anchor.json`` by weights hash);
- the **stock-decoder check** of ``nagasaki-jpeg``: every image at every
  quality of its sweep is pre-filtered and encoded again, written as a plain
  ``.jpg``, decoded by ``djpeg`` (Debian's libjpeg-turbo-progs, an independent
  build of the reference decoder) and compared with the Pillow decode the bench
  used (cached in ``<run>/djpeg_check.json``);
- **which stand-in trained the pre-filter better**: the last Set5 validation of
  training runs (``benchmarks/results/train-logs/nagasaki-{diffjpeg,diffjpeg-noise,jpegnet}/val_jpeg.jsonl``).

It writes the section between ``<!-- begin kodak_prefilter_latent -->`` and
``<!-- end kodak_prefilter_latent -->`` of docs/results.md and the figures
docs/img/kodak_prefilter_{psnr,msssim}.png and docs/img/kodak_latent_sr_x<s>_{psnr,msssim}.png.

Usage: python benchmarks/kodak_prefilter_latent.py [--limit K] [--jobs N] [--skip-bench] [--fresh]
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from catalogue import section

from srcodec.bench import plots
from srcodec.bench.analysis import Run, msssim_db
from srcodec.bench.anchors import bd_value as bd, percent_cell as pct
from srcodec.bench.render import section_intro
from srcodec.bench.sections import run_arguments, run_bench
from srcodec.bench.analysis import cached_rows, keep_rows
from srcodec.bench.sections import write_section
from srcodec.codecs import codec_class, get_codec
from srcodec.io.files import write_atomic
from srcodec.io.image import image_from_bytes, load_image
from srcodec.metrics import ms_ssim, psnr

ROOT = Path(__file__).resolve().parents[1]
BENCH = section("kodak_prefilter_latent").bench  # codecs, anchor, reuse: declared in benchmarks/catalogue.py
RUN = BENCH.run
DOC = ROOT / "docs" / "results.md"
IMG = ROOT / "docs" / "img"
SECTION = "kodak_prefilter_latent"
TRAIN_LOGS = ROOT / "benchmarks" / "results" / "train-logs"
#: the pre-filter's training runs, by stand-in (same command and steps otherwise)
PROXY_RUNS = {"DiffJPEG, straight-through rounding": "nagasaki-diffjpeg",
              "DiffJPEG, rounding as uniform noise": "nagasaki-diffjpeg-noise",
              "JPEG-Net (learned emulator)": "nagasaki-jpegnet"}
METRICS = ("psnr-rgb", "ms-ssim-rgb")

BASELINES = ("jpeg", "upenik-decoded-x2", "upenik-decoded-x4", "learned")
PIPELINES = tuple(n for n in BENCH.codecs if n not in BASELINES)
#: the SR network of the original anchor: EDSR trained on clean bicubic LR (srcodec train sr --codec none)
ORIGINAL_SR = {2: "sr-jpeg-x2", 4: "sr-jpeg-x4"}


def image_paths(run: Run) -> dict[str, Path]:
    return {name: Path(path) for name, path in run.settings["images"].items()}


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


# ---------------------------------------------------------------- original anchor


def original_anchor_rows(run: Run, scale: int) -> dict[str, dict] | None:
    """``{image: {psnr, ms_ssim}}`` of Upenik's original anchor ×``scale``, or None without the SR weights."""
    from srcodec.pipelines.upenik import original_anchor

    weights = codec_class(ORIGINAL_SR[scale]).weights_path()
    if not weights.exists():
        return None
    cache = run.folder / f"original_anchor_x{scale}.json"
    key = _file_hash(weights)
    rows = cached_rows(cache, key)
    for name, path in image_paths(run).items():
        if name in rows:
            continue
        image = load_image(path)
        out = original_anchor(image, scale, weights)
        rows[name] = {"psnr": psnr(image, out), "ms_ssim": ms_ssim(image, out)}
        keep_rows(cache, key, rows, weights=weights.name)
    return rows


# ---------------------------------------------------------------- djpeg check


def djpeg_rows(run: Run) -> tuple[dict[str, dict], str | None]:
    """``{"image@quality": {bytes, psnr_pillow, psnr_djpeg, max_abs_diff}}``, or ({}, why not)."""
    djpeg = shutil.which("djpeg")
    if djpeg is None:
        return {}, "djpeg is not installed (apt-get install libjpeg-turbo-progs)"
    codec = get_codec("nagasaki-jpeg")
    key = codec.settings().get("weights_sha256_8", "") + ":" + ",".join(f"{q:g}" for q in codec.sweep)
    cache = run.folder / "djpeg_check.json"
    rows = cached_rows(cache, key)
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in image_paths(run).items():
            image = load_image(path)
            for q in codec.sweep:
                k = f"{name}@{q:g}"
                if k in rows:
                    continue
                data = codec.encode(image, q)
                jpg = Path(tmp) / "x.jpg"
                jpg.write_bytes(data)
                proc = subprocess.run([djpeg, "-ppm", str(jpg)], capture_output=True)
                if proc.returncode != 0:
                    return rows, f"djpeg failed on {name} at quality {q:g}: {proc.stderr.decode(errors='replace').strip()}"
                ours = image_from_bytes(data, k)
                theirs = image_from_bytes(proc.stdout, k + " (djpeg)")
                diff = int(abs(ours.astype(int) - theirs.astype(int)).max())
                rows[k] = {"bytes": len(data), "psnr_pillow": psnr(image, ours), "psnr_djpeg": psnr(image, theirs),
                           "max_abs_diff": diff}
            keep_rows(cache, key, rows)
    return rows, None


# ---------------------------------------------------------------- proxies


def proxy_results() -> dict[str, dict | None]:
    """The last Set5 validation of each pre-filter training run, by stand-in."""
    out = {}
    for proxy, run in PROXY_RUNS.items():
        p = TRAIN_LOGS / run / "val_jpeg.jsonl"
        try:
            lines = [json.loads(x) for x in p.read_text(encoding="utf-8").splitlines() if x.strip()]
        except (OSError, ValueError):
            lines = []
        out[proxy] = {"run": run, "last": lines[-1], "all": lines} if lines else None
    return out


# ---------------------------------------------------------------- figures


def figure(run: Run, names: list[str], metric: str, title: str, hlines: dict[str, float]):
    fig = plots.rd_figure([run.curves[n] for n in names if n in run.curves], metric, [], title)
    ax = fig.axes[0]
    for label, value in hlines.items():
        ax.axhline(value, linestyle=":", color="black", linewidth=1)
        ax.annotate(label, (ax.get_xlim()[1], value), xytext=(-4, 3), textcoords="offset points", ha="right",
                    fontsize=8)
    return fig


def write_figures(run: Run, originals: dict[int, dict | None], img_dir: Path, doc: Path) -> list[tuple[str, str]]:
    img_dir.mkdir(parents=True, exist_ok=True)
    made = []
    n = len(run.images)
    groups = [("kodak_prefilter", "JPEG pre-filter (Nagasaki et al.)", ["jpeg", "nagasaki-jpeg"], {})]
    for s in (2, 4):
        lines = {}
        if originals.get(s):
            vals = list(originals[s].values())
            lines = {"psnr-rgb": {f"original anchor ×{s}": statistics.fmean(v["psnr"] for v in vals)},
                     "ms-ssim-rgb": {f"original anchor ×{s}": msssim_db([statistics.fmean(v["ms_ssim"] for v in vals)])[0]}}
        groups.append((f"kodak_latent_sr_x{s}", f"latent-domain SR ×{s} (Upenik et al.)",
                       ["learned", f"upenik-decoded-x{s}", f"upenik-x{s}"], lines))
    for stem, title, names, lines in groups:
        if not any(x in run.curves for x in names[1:]):
            continue
        for metric, (suffix, _) in plots.PLOTS.items():
            fig = figure(run, names, metric, f"Kodak ({n} images): {title}", lines.get(metric, {}))
            path = img_dir / f"{stem}_{suffix}.png"
            write_atomic(path, plots.figure_bytes(fig, "png"))
            made.append((f"{title}, {'PSNR' if metric == 'psnr-rgb' else 'MS-SSIM (dB)'}",
                         Path(os.path.relpath(path, doc.parent)).as_posix()))
    return made


# ---------------------------------------------------------------- the section


def bd_table(run: Run, name: str, anchors: tuple[str, ...]) -> tuple[list[str], dict]:
    L = ["| against | BD-rate PSNR | BD-rate MS-SSIM |", "|---|---|---|"]
    facts, notes = {}, []
    for base in anchors:
        cells = []
        for metric in METRICS:
            value, why = bd(run.curves.get(base), run.curves[name], metric)
            facts[f"{base}:{metric}"] = value
            cells.append(pct(value))
            if value is None:
                notes.append(f"`{base}`, {metric}: {why}")
        L.append(f"| {run.label(base)} (`{base}`) | {cells[0]} | {cells[1]} |")
    return L + [f"- n/a: {x}" for x in notes], facts


def quality_table(run: Run, names: list[str]) -> list[str]:
    L = ["| codec | quality | bytes per image | bpp | PSNR (dB) | MS-SSIM | decode median (s) |",
         "|---|---|---|---|---|---|---|"]
    for name in names:
        for p in run.per_quality(name):
            dec = "–" if p["decode_median_s"] is None else f"{p['decode_median_s']:.2f}"
            L.append(f"| `{name}` | {p['quality']:g} | {p['bytes']:,.0f} | {p['bpp']:.3f} | {p['psnr']:.2f} | "
                     f"{p['ms_ssim']:.4f} | {dec} |")
    return L


def section(run: Run, out_rel: str, cmd: list[str], script_cmd: str, skipped: dict[str, str],
            reused: dict[str, int], originals: dict[int, dict | None], djpeg: tuple[dict, str | None],
            proxies: dict[str, dict | None], figures: list[tuple[str, str]]) -> str:
    n = len(run.images)
    L = section_intro(script_cmd, "JPEG pre-filter and latent-domain SR on Kodak (issue 5)",
                      "kodak_prefilter_latent.py", cmd,
                      f"`{out_rel}/` (the bench's `rows.json` and per-codec JSON files, `original_anchor_x2.json`, "
                      "`original_anchor_x4.json`, `djpeg_check.json`) and the pre-filter training logs in "
                      "`benchmarks/results/train-logs/`")
    if reused:
        L += ["", "Rows measured earlier with the same settings on the same images were copied in first: "
              + ", ".join(f"{k} rows from `{s}`" for s, k in reused.items()) + "."]
    L += ["", f"Kodak: {n} image{'s' if n != 1 else ''}"
          + ("" if n == 24 else " (**not the full set of 24: a test run, `--limit`**)")
          + ". bpp from the real file over the original's pixels; PSNR and MS-SSIM over RGB; BD-rates with PCHIP, "
          "MS-SSIM in dB, negative = fewer bits for the same quality. Decode times are the bench's `decode_s`: "
          f"one torch thread per row, {run.settings.get('jobs', 1)} rows at once."]
    if skipped:
        L += ["", "Not run: " + "; ".join(f"`{k}` ({v})" for k, v in skipped.items()) + "."]
    for title, rel in figures:
        L += ["", f"![{title}]({rel})"]

    # --- Nagasaki
    L += ["", "### Pre-filter for stock JPEG decoders (`nagasaki-jpeg`)", ""]
    checks = []
    if "nagasaki-jpeg" in run.curves and "jpeg" in run.curves:
        t, facts = bd_table(run, "nagasaki-jpeg", ("jpeg",))
        L += ["Modify-Net before the same libjpeg encoder (same settings) as the `jpeg` anchor, compared at equal "
              "bpp:", "", *t, ""]
        p, m = facts["jpeg:psnr-rgb"], facts["jpeg:ms-ssim-rgb"]
        checks.append("- Pre-filter + stock JPEG, BD-rate < 0 against plain JPEG: PSNR "
                      + ("n/a" if p is None else f"{'yes' if p < 0 else 'no'} ({pct(p)})") + "; MS-SSIM "
                      + ("n/a" if m is None else f"{'yes' if m < 0 else 'no'} ({pct(m)})"))
        L += quality_table(run, ["nagasaki-jpeg"]) + [""]
    else:
        L += ["Not measured (see above).", ""]
    rows, why = djpeg
    if why:
        L += [f"Stock-decoder check: {why}.", ""]
    elif rows:
        diffs = [r["max_abs_diff"] for r in rows.values()]
        gap = [abs(r["psnr_djpeg"] - r["psnr_pillow"]) for r in rows.values()]
        L += [f"Stock-decoder check: {len(rows)} files (every image at every quality of the sweep) decoded by "
              f"`djpeg` (libjpeg-turbo-progs) and by Pillow: largest pixel difference {max(diffs)}, largest PSNR "
              f"difference {max(gap):.3f} dB; mean PSNR with `djpeg` "
              f"{statistics.fmean(r['psnr_djpeg'] for r in rows.values()):.2f} dB, with Pillow "
              f"{statistics.fmean(r['psnr_pillow'] for r in rows.values()):.2f} dB.", ""]
    L += ["Which stand-in trains the pre-filter better (same command and steps, only `--proxy` and `--rounding` differ; the last "
          "Set5 validation with the real JPEG encoder: filtered PSNR against plain JPEG's PSNR interpolated at the "
          "filtered bpp):", "", "| stand-in | run | step | bpp | PSNR (dB) | plain JPEG at that bpp (dB) | gain (dB) |",
          "|---|---|---|---|---|---|---|"]
    for proxy, res in proxies.items():
        if res is None:
            L.append(f"| {proxy} | `{PROXY_RUNS[proxy]}` | not trained | | | | |")
            continue
        v = res["last"]
        L.append(f"| {proxy} | `{res['run']}` | {v.get('step', '?')} | {v.get('bpp', float('nan')):.3f} | "
                 f"{v.get('psnr', float('nan')):.2f} | {v.get('plain_psnr_at_bpp', float('nan')):.2f} | "
                 f"{v.get('gain_at_bpp_db', float('nan')):+.3f} |")
    done = {k: v for k, v in proxies.items() if v}
    if len(done) > 1:
        best = max(done, key=lambda k: done[k]["last"].get("gain_at_bpp_db", -math.inf))
        L += ["", f"The best pre-filter on this budget came from: {best}."]
    weights = codec_class("nagasaki-jpeg").weights_path()
    if weights.exists():
        from srcodec.archs import read_metadata

        meta = read_metadata(weights)
        L += ["", f"The shipped `nagasaki-jpeg` weights say (their metadata) they were trained with `--proxy "
              f"{meta.get('proxy', '?')}` and `--rounding {meta.get('rounding', 'ste')}`, {meta.get('steps', '?')} steps."]
    L.append("")

    # --- Upenik
    L += ["### Latent-domain super-resolution (`upenik-x2`, `upenik-x4`)", "",
          "The latent decoder reads the learned codec's decoded latent of the bicubic-downscaled image and writes "
          "the full-resolution image; the decoded anchor decodes the small image to pixels and runs EDSR; the "
          "original anchor runs the clean-LR EDSR on the uncompressed small image (no bits: an upper bound drawn "
          "as a dotted line).", ""]
    for s in (2, 4):
        name, anchor = f"upenik-x{s}", f"upenik-decoded-x{s}"
        L += [f"#### ×{s}", ""]
        if name not in run.curves:
            L += ["Not measured (see above).", ""]
            continue
        t, facts = bd_table(run, name, (anchor, "learned"))
        L += [*t, "", *quality_table(run, [name, anchor]), ""]
        orig = originals.get(s)
        if orig:
            vals = list(orig.values())
            L += [f"Original anchor ×{s} (`{ORIGINAL_SR[s]}` on the uncompressed LR): PSNR "
                  f"{statistics.fmean(v['psnr'] for v in vals):.2f} dB, MS-SSIM "
                  f"{statistics.fmean(v['ms_ssim'] for v in vals):.4f} over {len(vals)} images.", ""]
        dec = {k: [r["decode_s"] for r in run.rows if r["codec"] == k and r.get("decode_s") is not None]
               for k in (name, anchor)}
        p, m = facts[f"{anchor}:psnr-rgb"], facts[f"{anchor}:ms-ssim-rgb"]
        verdict = ("n/a" if p is None else ("yes" if p <= 0 else "no") + f" (PSNR {pct(p)}, MS-SSIM {pct(m)})")
        line = f"- ×{s}: at least the decoded anchor's rate–distortion: {verdict}"
        if dec[name] and dec[anchor]:
            a, b = statistics.median(dec[name]), statistics.median(dec[anchor])
            line += f"; faster decode: {'yes' if a < b else 'no'} (median {a:.2f} s against {b:.2f} s over all rows)"
        checks.append(line)
    L += ["### Target checks", "", *checks, ""]
    return "\n".join(L)


def main() -> int:
    args = run_arguments(__doc__.splitlines()[0], RUN, DOC, IMG).parse_args()
    names, skipped = BENCH.plan()
    cmd = BENCH.command(args.jobs, ROOT, codecs=names, out=args.out, limit=args.limit)
    rc, reused = run_bench("kodak_prefilter_latent", cmd, ROOT, args.out, skip_bench=args.skip_bench, fresh=args.fresh,
                           reuse=None if args.no_reuse else lambda out: BENCH.reuse(out, names, ROOT), skipped=skipped)
    if rc:
        return rc
    run = Run(ROOT / args.out)
    originals = {s: original_anchor_rows(run, s) for s in (2, 4)}
    djpeg = djpeg_rows(run) if "nagasaki-jpeg" in run.curves else ({}, "nagasaki-jpeg was not run")
    figures = write_figures(run, originals, args.img, args.doc)
    script = "python benchmarks/kodak_prefilter_latent.py" + (f" --limit {args.limit}" if args.limit else "") + \
             (f" --out {args.out}" if args.out != RUN else "")
    text = section(run, args.out, cmd, script, skipped, reused, originals, djpeg, proxy_results(), figures)
    write_section(args.doc, SECTION, text)
    print(args.doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
