#!/usr/bin/env python3
"""Regenerate the ``vvc``/``vvc-restored`` section of docs/results.md: today's VVC and its restorer on Kodak.

Runs, from the repository root::

    srcodec bench ../shared/datasets/kodak --codecs vvc-restored,vvc --qualities 18 23 28 33 37 \
        --out runs/kodak-vvc-restored --jobs 2 --anchor vvc --ref ../shared/reference/kodak/vtm.json

(resumable; ``vvc``'s rows come from the same encodes as ``vvc-restored``'s, whose ``.srz`` holds the
``.266`` file byte for byte), keeps the two curves and the run's settings in
``benchmarks/results/kodak-vvc-restored/``, and writes the section between ``<!-- begin kodak_vvc_restored -->``
and ``<!-- end kodak_vvc_restored -->``: BD-rates (PSNR, MS-SSIM) of each curve against this run's
``vvc`` and against the published VTM curve, the same for the curves kept from the earlier restored-pipelines
run (copied from ``benchmarks/results/kodak-restored/`` into ``benchmarks/results/kodak-vvc-restored/earlier/``
before that run was made again: VVenC's own chroma balance, the earlier restorer; same
images and qualities, another run), Tun et al.'s rate (the best single quality whose mean file fits
19,778 bytes), and the per-image gains of ``benchmarks/results/vvc-restored-per-image.md`` when present
(``python benchmarks/restorer_per_image.py``).

Usage: python benchmarks/kodak_vvc_restored.py [--skip-bench] [--jobs N] [--doc PATH]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from catalogue import section
from srcodec.bench import bdrate
from srcodec.bench.analysis import headline
from srcodec.bench.anchors import TUN2023, bd_cell as bd, reference
from srcodec.bench.runner import run_curves
from srcodec.bench.render import generated, points_table
from srcodec.bench.sections import keep_curves, section_main, write_section

ROOT = Path(__file__).resolve().parents[1]
BENCH = section("kodak_vvc_restored").bench  # its codecs, qualities, anchor: benchmarks/catalogue.py
RUN = BENCH.run
KEEP = ROOT / "benchmarks" / "results" / "kodak-vvc-restored"
#: the curves of the restored-pipelines run made with VVenC's own chroma balance (kept as they were)
EARLIER = KEEP / "earlier"
PER_IMAGE = ROOT / "benchmarks" / "results" / "vvc-restored-per-image.md"
DOC = ROOT / "docs" / "results.md"
SECTION = "kodak_vvc_restored"
TUN_BYTES, TUN_PSNR = TUN2023.bytes, TUN2023.psnr
QUALITIES = BENCH.qualities


def bench_command(jobs: int) -> list[str]:
    return BENCH.command(jobs, ROOT)


def best_under(rows: list[dict], codec: str) -> str:
    """The table row of ``codec``'s best single quality whose mean file fits TUN_BYTES (kodak_restored.headline)."""
    h = headline(rows, codec, TUN_BYTES)
    if h is None:
        return f"| `{codec}` | – | – | – | no point fits |"
    return (f"| `{codec}` | {h['quality']:g} (QP {63 - h['quality']:g}) | {h['bytes']:,.0f} | {h['psnr']:.2f} | "
            f"{'yes' if h['psnr'] > TUN_PSNR else 'no'} |")


def write_doc(jobs: int, doc: Path) -> None:
    run = ROOT / RUN
    settings = json.loads((run / "settings.json").read_text(encoding="utf-8"))
    rows = json.loads((run / "rows.json").read_text(encoding="utf-8"))
    curves = {c.name: c for c in run_curves(run)}
    keep_curves(run, KEEP, list(curves))
    vtm, rerun, coolchic = (reference(n) for n in ("vtm", "vtm-rerun", "coolchic"))
    vvc = curves["vvc"]
    earlier = json.loads((EARLIER / "settings.json").read_text()) if (EARLIER / "settings.json").is_file() else {}
    kept = [bdrate.load_curve(EARLIER / f"{name}.json") for name in ("vvc", "vvc-restored")
            if (EARLIER / f"{name}.json").is_file()]
    for c in kept:
        c.label = f"{c.name}, earlier run ({earlier.get('created', '?')[:10]})"
    now = settings["codecs"]
    lines = [
        generated("python benchmarks/kodak_vvc_restored.py"), "",
        "## VVC and its restorer today", "",
        "Written by [`benchmarks/kodak_vvc_restored.py`](../benchmarks/kodak_vvc_restored.py), which runs", "",
        f"    {' '.join(bench_command(jobs))}", "",
        f"Kodak, {len(settings['images'])} images, VVC QP 45..26; bpp from the real files (`vvc`'s rows are its own "
        "`.266` files, taken out of `vvc-restored`'s `.srz` files of the same encodes); RGB PSNR and MS-SSIM; "
        "BD-rate by PCHIP over the common range. `vvc` codes chroma 6 QP finer than luma since 2026-12-05 "
        f"(settings: `{json.dumps(now['vvc']['settings'], sort_keys=True)}`); the weights of `vvc-restored`: "
        f"`{now['vvc-restored']['settings'].get('weights_sha256_8', '?')}`. The two curves kept from the earlier "
        "restored-pipelines run (same images and qualities, VVenC's own chroma balance, the earlier restorer) are "
        "compared with today's `vvc` too.", "",
        "| curve | points | bpp | PSNR (dB) | BD-rate PSNR vs `vvc` | BD-rate PSNR vs VTM (`vtm.json`) "
        "| BD-rate PSNR vs VTM 12.1 rerun | BD-rate PSNR vs Cool-chic 5.0.1 | BD-rate MS-SSIM vs `vvc` "
        "| BD-rate MS-SSIM vs VTM (`vtm.json`) | decode s |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    curves["vvc-restored"].label, vvc.label = "`vvc-restored` (this run)", "`vvc` (this run)"
    adaptive = [curves[n] for n in curves if n.startswith("vvc-restored:adapt")]
    for c in adaptive:
        c.label = f"`{c.name}` (this run: per-image strengths, 3 bytes a file)"
    for c in [curves["vvc-restored"], *adaptive, vvc, *kept]:
        r = c.results
        lines.append(f"| {c.label} | {len(r['bpp'])} | "
                     f"{min(r['bpp']):.3f}–{max(r['bpp']):.3f} | {min(r['psnr-rgb']):.2f}–{max(r['psnr-rgb']):.2f} | "
                     f"{bd(vvc, c, 'psnr-rgb')} | {bd(vtm, c, 'psnr-rgb')} | {bd(rerun, c, 'psnr-rgb')} | "
                     f"{bd(coolchic, c, 'psnr-rgb')} | {bd(vvc, c, 'ms-ssim-rgb')} | "
                     f"{bd(vtm, c, 'ms-ssim-rgb')} | {sum(r['decoding_time']) / len(r['decoding_time']):.2f} |")
    lines += ["", "Decode times are the bench's (two rows at a time, one torch thread each). Points (mean over the images):",
              "", *points_table(curves)]
    lines += ["", f"Tun et al.'s rate, {TUN_BYTES:,} bytes per image: the best single quality of this run whose mean "
              "file fits, and its mean PSNR (Tun et al.: 33.10 dB).", "",
              "| codec | quality | mean bytes | mean PSNR (dB) | over 33.10 dB? |", "|---|---|---|---|---|",
              best_under(rows, "vvc-restored"), best_under(rows, "vvc")]
    if PER_IMAGE.is_file():
        table = [ln for ln in PER_IMAGE.read_text().splitlines() if ln.startswith("|")]
        lines += ["", "Where the restorer's gain comes from, per image (one quality; "
                  f"[`{PER_IMAGE.relative_to(ROOT)}`](../{PER_IMAGE.relative_to(ROOT)}), by "
                  "`python benchmarks/restorer_per_image.py`): the mean gains in RGB and in luma PSNR of each data set.",
                  "", *table[:2], *[ln for ln in table[2:] if "**mean" in ln]]
    lines.append("")
    write_section(doc, SECTION, "\n".join(lines))
    print(doc)


def main() -> int:
    return section_main("kodak_vvc_restored", DOC, ROOT, bench_command, write_doc,
                        prepare=lambda: BENCH.reuse(ROOT / BENCH.run, BENCH.codecs, ROOT))


if __name__ == "__main__":
    sys.exit(main())
