#!/usr/bin/env python3
"""Regenerate the pipelines section of docs/results.md: issue 4's pipelines on Kodak.

Runs, from the repository root::

    srcodec bench ../shared/datasets/kodak --codecs <pipelines>,<baselines> --out runs/kodak-pipelines \\
        --jobs 2 --anchor jpeg --ref ../shared/reference/kodak/vtm.json

where <pipelines> are those of issue 4 whose weights are there (jin-jpeg-x2/x4,
jin-avif-x1/x2, jiang-comcnn, jiang-arcnn, jiang-arcnn-aspp, tun2023-x2/x4; the
others are listed as not run) and <baselines> are bicubic-jpeg-x2/x4,
bicubic-avif-x2, jpeg, avif and the full-resolution learned codec. Before the
bench, the rows of jpeg, avif and learned already measured in
runs/kodak-anchors and runs/kodak-learned are copied into the run when they
were measured on the same images with the same encoder settings (the bench then
skips them; it measures anything else, and resumes an interrupted run).

Then it writes the section of docs/results.md between
``<!-- begin kodak_pipelines -->`` and ``<!-- end kodak_pipelines -->`` (the
other sections stay as they are) and docs/img/kodak_pipelines_<family>_{psnr,msssim}.png:

- PSNR and MS-SSIM over bpp of every pipeline, with the JPEG and AVIF anchors
  and VTM (published, dashed), one figure per inner codec family;
- a summary table, and per pipeline its BD-rates (PSNR, MS-SSIM) against its
  own baselines and against VTM;
- the crossover bpp of tun2023-x2/x4 with the full-resolution learned codec;
- target checks: does each pipeline beat its baselines; tun2023's best PSNR at
  ≤ 19,778 bytes per Kodak image against Tun et al.'s 33.10 dB / SSIM 0.9219;
  the median decode time of the ×2 pipelines against the 2 s target.

Every number comes from the run's rows.json / <codec>.json and vtm.json.

Usage: python benchmarks/kodak_pipelines.py [--limit K] [--qualities Q ...] [--jobs N]
       [--skip-bench] [--fresh] [--out DIR] [--doc PATH]
"""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

from catalogue import section


from srcodec.bench.anchors import REFERENCE as PUBLISHED
from srcodec.bench import bdrate, plots
from srcodec.bench.anchors import anchor_cells, bd_value as bd, percent_cell as pct
from srcodec.bench.analysis import crossings, interp_at, msssim_db, span
from srcodec.bench.analysis import Run
from srcodec.bench.render import section_intro
from srcodec.bench.sections import keep_curves, run_arguments, run_bench, write_section
from srcodec.codecs import codec_class
from srcodec.io.files import write_atomic

ROOT = Path(__file__).resolve().parents[1]
BENCH = section("kodak_pipelines").bench  # codecs, anchor, reuse: declared in benchmarks/catalogue.py
REFERENCE = PUBLISHED  # the published curves that ship with the package
VTM = REFERENCE / "vtm.json"
RUN = BENCH.run
#: where the full run's per-codec curves are kept in the repository (kodak_restored compares against them)
KEEP = ROOT / "benchmarks" / "results" / "kodak-pipelines"
DOC = ROOT / "docs" / "results.md"
IMG = ROOT / "docs" / "img"
SECTION = "kodak_pipelines"
#: run folders whose rows of the plain codecs are reused when their settings match

#: the pipelines of issue 4, in the order of the tables
#: what they are compared with (always run: no weights needed, or shipped)
BASELINES = ("bicubic-jpeg-x2", "bicubic-jpeg-x4", "bicubic-avif-x2", "jpeg", "avif", "learned")
PIPELINES = tuple(n for n in BENCH.codecs if n not in BASELINES)
#: pipeline -> its own baselines (BD-rate anchors), first the closest one
COMPARE = {
    "jin-jpeg-x2": ("bicubic-jpeg-x2", "jpeg"),
    "jin-jpeg-x4": ("bicubic-jpeg-x4", "jpeg"),
    "jin-avif-x1": ("avif",),
    "jin-avif-x2": ("bicubic-avif-x2", "avif"),
    "jiang-comcnn": ("jpeg", "jiang-arcnn"),
    "jiang-arcnn": ("jpeg",),
    "jiang-arcnn-aspp": ("jpeg", "jiang-arcnn"),
    "tun2023-x2": ("learned", "bicubic-jpeg-x2", "avif"),
    "tun2023-x4": ("learned", "bicubic-jpeg-x4", "avif"),
}
#: plot families: file suffix -> (title, codecs drawn); JPEG and AVIF anchors in each
FAMILIES = {
    "jpeg": ("JPEG inside", ("jpeg", "avif", "bicubic-jpeg-x2", "bicubic-jpeg-x4", "jin-jpeg-x2", "jin-jpeg-x4",
                             "jiang-comcnn", "jiang-arcnn", "jiang-arcnn-aspp")),
    "avif": ("AVIF inside", ("jpeg", "avif", "bicubic-avif-x2", "jin-avif-x1", "jin-avif-x2")),
    "learned": ("learned codec inside", ("jpeg", "avif", "learned", "bicubic-jpeg-x2", "bicubic-jpeg-x4",
                                         "tun2023-x2", "tun2023-x4")),
}
#: Tun et al.'s headline on Kodak, quoted in issue 4 (the paper's table is not in this repository)
TUN_BYTES, TUN_PSNR, TUN_SSIM = 19_778, 33.10, 0.9219
DECODE_TARGET_S = 2.0
METRICS = ("psnr-rgb", "ms-ssim-rgb")


# ---------------------------------------------------------------- planning and running


# ---------------------------------------------------------------- reading a run


# ---------------------------------------------------------------- numbers


def crossover_text(name: str, cross: dict, anchor_label: str) -> str:
    if cross["range"] is None:
        t, a = cross.get("test_bpp"), cross.get("anchor_bpp")
        why = "too few points" if not t or not a or t[0] == t[1] or a[0] == a[1] else \
            f"its curve spans {t[0]:.3f}–{t[1]:.3f} bpp, {anchor_label}'s {a[0]:.3f}–{a[1]:.3f} bpp: no rate in common"
        return f"`{name}`: none in the measured range ({why})"
    lo, hi = cross["range"]
    rng = f"{lo:.3f}–{hi:.3f} bpp"
    if not cross["points"]:
        side = {1: "above", -1: "below", 0: "on"}[cross["low_sign"]]
        return f"`{name}`: none in the measured range (its PSNR curve is {side} {anchor_label}'s over the whole common range {rng})"
    parts = []
    for b, kind in cross["points"]:
        parts.append(f"{b:.3f} bpp ({'from above to below' if kind == 'above below' else 'from below to above'})")
    first = cross["points"][0]
    lead = (f"crossover at **{first[0]:.3f} bpp**: below it, its PSNR is above {anchor_label}'s"
            if first[1] == "above below" else
            f"its PSNR is below {anchor_label}'s at the low end of the common range; first crossing at {first[0]:.3f} bpp")
    more = f"; all crossings: {'; '.join(parts)}" if len(parts) > 1 else ""
    return f"`{name}`: {lead} (common range {rng}{more})"


# ---------------------------------------------------------------- plots


def family_figure(run: Run, names: list[str], refs: list[bdrate.Curve], metric: str, title: str):
    curves = [run.curves[n] for n in names if n in run.curves]
    fig = plots.rd_figure(curves, metric, refs, title)
    # zoom on the pipelines: the full-resolution anchors reach 2 bpp, most pipelines stay far below
    inner = [run.curves[n] for n in names if n in run.curves and n not in BENCH.reusable]
    top = max((max(c.points(metric)[0], default=0) for c in inner), default=0)
    if top > 0:
        ax = fig.axes[0]
        xmax = top * 1.1
        ax.set_xlim(0, xmax)
        ys = [y for line in ax.get_lines() for x, y in zip(line.get_xdata(), line.get_ydata()) if x <= xmax]
        if ys:
            pad = 0.04 * (max(ys) - min(ys)) or 0.5
            ax.set_ylim(min(ys) - pad, max(ys) + pad)
    return fig


def write_plots(run: Run, img_dir: Path, doc: Path, refs: list[bdrate.Curve]) -> list[tuple[str, str, str]]:
    """One PSNR and one MS-SSIM figure per family; ``[(family title, metric, path relative to the doc)]``."""
    img_dir.mkdir(parents=True, exist_ok=True)
    made = []
    n = len(run.images)
    for fam, (title, names) in FAMILIES.items():
        if not any(x in run.curves for x in names if x not in BENCH.reusable):
            continue
        for metric, (suffix, _) in plots.PLOTS.items():
            fig = family_figure(run, list(names), refs, metric,
                                f"Kodak ({n} image{'s' if n != 1 else ''}): pipelines with {title}")
            path = img_dir / f"kodak_pipelines_{fam}_{suffix}.png"
            write_atomic(path, plots.figure_bytes(fig, "png"))
            made.append((title, metric, Path(os.path.relpath(path, doc.parent)).as_posix()))
    return made


# ---------------------------------------------------------------- the section


def section(run: Run, out_rel: str, cmd: list[str], script_cmd: str, skipped: dict[str, str],
            reused: dict[str, int], images: list[tuple[str, str, str]]) -> tuple[str, dict]:
    vtm = bdrate.load_curve(VTM)
    n = len(run.images)
    ran = [p for p in PIPELINES if p in run.curves]
    facts: dict = {"images": n, "pipelines": ran, "bd": {}, "crossover": {}, "tun_target": {}, "decode": {}}
    L = section_intro(script_cmd, "Pipelines on Kodak (issue 4)", "kodak_pipelines.py", cmd,
                      f"`{out_rel}/` (`rows.json`, the per-codec JSON files) and the published VTM curve "
                      "`../shared/reference/kodak/vtm.json`")
    if reused:
        L += ["", "Rows of the plain codecs measured earlier with the same settings on the same images were copied "
              "into the run first, not measured again: " + ", ".join(f"{k} rows from `{s}`" for s, k in reused.items())
              + "."]
    L += ["", f"Kodak: {n} image{'s' if n != 1 else ''}"
          + ("" if n == 24 else " (**not the full set of 24: a test run, `--limit`**)")
          + ". Each pipeline is one codec writing a `.srz` file (its inner codec's file plus a header); bpp comes "
          "from the size of that file over the pixels of the original, PSNR and MS-SSIM over RGB against the "
          "original, averaged per quality over the images. BD-rates as in the section above (PCHIP, MS-SSIM in dB; "
          "negative = fewer bits for the same quality)."]
    if skipped:
        L += ["", "Not run here: " + "; ".join(f"`{k}` ({v})" for k, v in skipped.items()) + "."]
    missing = [p for p in PIPELINES if p not in run.curves and p not in skipped]
    if missing:
        L += ["", "No complete curve in the run for: " + ", ".join(f"`{m}`" for m in missing) + "."]

    L += ["", "### Rate-distortion curves", ""]
    for title, metric, rel in images:
        what = "PSNR" if metric == "psnr-rgb" else "MS-SSIM (dB)"
        L += [f"![{what} over bpp on Kodak, pipelines with {title}]({rel})", ""]
    L += ["VTM (published, CompressAI's curve) dashed. The bpp axis is cut near the highest rate of the pipelines "
          "drawn; the full-resolution anchors go on to about 2 bpp (see the section above).", ""]

    L += ["### Summary", "",
          "| codec | structure | points | bpp | bytes per image | PSNR (dB) | MS-SSIM (dB) | BD-rate PSNR vs VTM "
          "| BD-rate PSNR vs VTM 12.1 rerun | BD-rate PSNR vs Cool-chic 5.0.1 |",
          "|---|---|---|---|---|---|---|---|---|---|"]
    for name in (*ran, *[b for b in BASELINES if b in run.curves]):
        c = run.curves[name]
        res = c.results
        cls = codec_class(name)
        structure = cls.structure() if hasattr(cls, "structure") else "full resolution"
        pq = run.per_quality(name)
        L.append(f"| {c.label} (`{name}`) | {structure} | {len(res['bpp'])} | {span(res['bpp'], 3)} | "
                 f"{span([p['bytes'] for p in pq], 0)} | {span(res['psnr-rgb'])} | "
                 f"{span(msssim_db(res.get('ms-ssim-rgb', [])))} | {pct(bd(vtm, c, 'psnr-rgb')[0])} | "
                 f"{' | '.join(anchor_cells(c, 'psnr-rgb', ('vtm-rerun', 'coolchic')))} |")

    L += ["", "### BD-rates of each pipeline against its baselines", ""]
    for name in ran:
        c = run.curves[name]
        res = c.results
        L += [f"#### {c.label} (`{name}`)", "",
              f"Structure: {codec_class(name).structure()}; {len(res['bpp'])} points, {span(res['bpp'], 3)} bpp, "
              f"PSNR {span(res['psnr-rgb'])} dB.", "",
              "| against | BD-rate PSNR | BD-rate MS-SSIM |", "|---|---|---|"]
        notes = []
        facts["bd"][name] = {}
        for base in (*COMPARE[name], "vtm"):
            anchor = vtm if base == "vtm" else run.curves.get(base)
            label = "VTM (published)" if base == "vtm" else f"{run.label(base)} (`{base}`)"
            cells = []
            for metric in METRICS:
                value, why = bd(anchor, c, metric)
                facts["bd"][name][f"{base}:{metric}"] = value
                cells.append(pct(value))
                if value is None:
                    notes.append(f"{label}, {metric}: {why}")
            L.append(f"| {label} | {cells[0]} | {cells[1]} |")
        if notes:
            L += ["", *[f"- n/a: {x}" for x in notes]]
        L.append("")

    L += ["### Crossover of tun2023 with the full-resolution learned codec", "",
          "The bpp below which the pipeline's PSNR curve lies above that of `learned` (the same learned codec on the "
          "full-resolution image), both curves interpolated piecewise-linearly in log-bpp over their common range.", ""]
    learned = run.curves.get("learned")
    for name in ("tun2023-x2", "tun2023-x4"):
        if name not in run.curves:
            L.append(f"- `{name}`: not run")
        elif learned is None:
            L.append(f"- `{name}`: `learned` not run")
        else:
            cross = crossings(run.curves[name], learned)
            facts["crossover"][name] = cross
            L.append("- " + crossover_text(name, cross, "`learned`"))
    L.append("")

    L += ["### Target checks", "", "**Does each pipeline beat its baselines** (BD-rate < 0)?", ""]
    for name in ran:
        parts = []
        for base in COMPARE[name]:
            p, m = facts["bd"][name].get(f"{base}:psnr-rgb"), facts["bd"][name].get(f"{base}:ms-ssim-rgb")
            verdict = ", ".join(f"{what} n/a" if v is None else f"{what} {'yes' if v < 0 else 'no'} ({pct(v)})"
                                for what, v in (("PSNR", p), ("MS-SSIM", m)))
            parts.append(f"vs `{base}`: {verdict}")
        L.append(f"- `{name}`: " + "; ".join(parts))
    L.append("")

    L += [f"**tun2023 at ≤ {TUN_BYTES:,} bytes per Kodak image** (mean file bytes over the images; Tun et al.: "
          f"{TUN_PSNR:.2f} dB PSNR, SSIM {TUN_SSIM:.4f} at {TUN_BYTES:,} bytes, quoted from issue 4). Our SSIM is "
          "single-scale SSIM over RGB (Gaussian window 11, σ 1.5), from the bench rows.", ""]
    for name in ("tun2023-x2", "tun2023-x4", "learned"):
        pq = run.per_quality(name)
        if not pq:
            L.append(f"- `{name}`: not run")
            continue
        under = [p for p in pq if p["bytes"] <= TUN_BYTES]
        tag = " (full resolution, for comparison)" if name == "learned" else ""
        if not under:
            L.append(f"- `{name}`{tag}: no quality at or under {TUN_BYTES:,} bytes (smallest: "
                     f"{min(p['bytes'] for p in pq):,.0f} bytes)")
            facts["tun_target"][name] = None
            continue
        best = max(under, key=lambda p: p["psnr"])
        ip, iss = interp_at(pq, "psnr", "bytes", TUN_BYTES), interp_at(pq, "ssim", "bytes", TUN_BYTES)
        verdict = "reaches" if best["psnr"] >= TUN_PSNR else "below"
        text = (f"- `{name}`{tag}: best point quality {best['quality']:g}, {best['bytes']:,.0f} bytes "
                f"({best['bpp']:.3f} bpp): **{best['psnr']:.2f} dB**, SSIM {best['ssim']:.4f} — {verdict} the paper "
                f"({best['psnr'] - TUN_PSNR:+.2f} dB, SSIM {best['ssim'] - TUN_SSIM:+.4f})")
        if ip is not None:
            text += f"; interpolated at {TUN_BYTES:,} bytes: {ip:.2f} dB, SSIM {iss:.4f}"
        else:
            text += f"; {TUN_BYTES:,} bytes is outside its measured range (up to {max(p['bytes'] for p in pq):,.0f})"
        L.append(text)
        facts["tun_target"][name] = {"best": best, "interp_psnr": ip, "interp_ssim": iss}
    L.append("")

    jobs = run.settings.get("jobs", 1)
    L += [f"**Decode time of the ×2 pipelines** (target ≤ {DECODE_TARGET_S:g} s per Kodak image): the bench's "
          "`decode_s` of each row, the wall time of decoding the real file (inner codec and networks), measured with "
          f"one torch thread per row and {jobs} row{'s' if jobs != 1 else ''} at once on the machine that ran it "
          "(two threads would only be faster). The target is judged on the clean timing of the decode-speed section "
          "(`python benchmarks/decode_speed.py`: two threads, one decode at a time); the verdicts here are for "
          "this contended timing.", ""]
    for name in ran:
        if codec_class(name).scale != 2:
            continue
        pq = run.per_quality(name)
        if not pq:
            continue
        mid = pq[len(pq) // 2]
        all_dec = [r["decode_s"] for r in run.rows if r["codec"] == name and r.get("decode_s") is not None]
        med_all = statistics.median(all_dec)
        ok = mid["decode_median_s"] <= DECODE_TARGET_S
        facts["decode"][name] = {"quality": mid["quality"], "median_s": mid["decode_median_s"], "median_all_s": med_all}
        L.append(f"- `{name}`: median {mid['decode_median_s']:.2f} s at quality {mid['quality']:g} (the middle of its "
                 f"sweep), {med_all:.2f} s over all {len(all_dec)} rows — {'within' if ok else 'over'} 2 s here")
    L.append("")
    return "\n".join(L), facts


# ---------------------------------------------------------------- main


def main() -> int:
    ap = run_arguments(__doc__.splitlines()[0], RUN, DOC, IMG)
    ap.add_argument("--qualities", type=float, nargs="+", metavar="Q",
                    help="passed to srcodec bench (each codec's sweep otherwise); codecs whose range lacks one are left out")
    args = ap.parse_args()

    names, skipped = BENCH.plan(args.qualities)
    cmd = BENCH.command(args.jobs, ROOT, codecs=names, out=args.out, limit=args.limit, qualities=args.qualities)
    rc, reused = run_bench("kodak_pipelines", cmd, ROOT, args.out, skip_bench=args.skip_bench, fresh=args.fresh,
                           reuse=None if args.no_reuse else lambda out: BENCH.reuse(out, names, ROOT), skipped=skipped)
    if rc:
        return rc
    run = Run(ROOT / args.out)
    if args.out == RUN and not args.limit and not args.qualities:  # the full run's curves, for later sections
        keep_curves(ROOT / args.out, KEEP, [n for n in names if (ROOT / args.out / f"{n}.json").exists()])
    refs = [bdrate.load_curve(VTM)]
    images = write_plots(run, args.img, args.doc, refs)
    script = "python benchmarks/kodak_pipelines.py" + (f" --limit {args.limit}" if args.limit else "") + \
             (f" --out {args.out}" if args.out != RUN else "") + \
             (f" --qualities {' '.join(f'{q:g}' for q in args.qualities)}" if args.qualities else "")
    text, _facts = section(run, args.out, cmd, script, skipped, reused, images)
    write_section(args.doc, SECTION, text)
    print(args.doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
