#!/usr/bin/env python3
"""Regenerate the restored-pipelines section of docs/results.md: codec + learned restorer on Kodak.

Runs, from the repository root::

    srcodec bench ../shared/datasets/kodak --codecs <each restored pipeline with weights here>,<their codecs> \
        --out runs/kodak-restored --jobs 2

(resumable), keeps the per-codec curves in ``benchmarks/results/kodak-restored/``, then writes its section of docs/results.md (between ``<!-- begin kodak_restored -->``
and ``<!-- end kodak_restored -->``) and docs/img/kodak_restored_{psnr,msssim,ssimulacra2,vmaf}.png: the BD-rates
(PSNR, MS-SSIM, SSIMULACRA2, VMAF) of each restored pipeline against its own codec, measured in the same run (the
pipeline's file is that codec's file, byte for byte, plus the ~80-byte ``.srz`` header, so the two
curves compare the same bitstreams with and without the network), and against the published VTM
curve; the crossover rate between the ×1 and ×2 VVC pipelines; the JPEG restorer's gain at Q 10, 20
and 30 (the same JPEG files decoded with and without it);
the Tun et al. headline (PSNR at no more than 19,778 bytes per Kodak image on average: the best
single quality whose mean file size fits); the decode time per image from the bench rows; and, when
``benchmarks/kodak_pipelines.py`` has kept its curves, the BD-rate of each restored pipeline against
every pipeline srcodec had before.

Usage: python benchmarks/kodak_restored.py [--skip-bench] [--jobs N] [--doc PATH]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from catalogue import section
from srcodec.bench.anchors import REFERENCE as PUBLISHED
from srcodec.bench import bdrate, plots
from srcodec.bench.analysis import cached, headline
from srcodec.bench.anchors import TUN2023, anchor_cells, bd_cell as bd
from srcodec.bench.runner import run_curves
from srcodec.bench.render import generated, points_table, save_figure
from srcodec.bench.sections import keep_curves, restored_pairs, section_main, write_section
from srcodec.io.files import write_atomic
from srcodec.data import data_dir

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = PUBLISHED  # the published curves that ship with the package
BENCH = section("kodak_restored").bench  # its codecs, qualities, run folder: benchmarks/catalogue.py
RUN = BENCH.run
#: run folders whose rows of vvc-restored and vvc are copied into the run when their settings match
#: the rows copied so far, {source run: rows}
COPIED = f"{RUN}/copied.json"
#: where the run's per-codec curves are kept in the repository
KEEP = ROOT / "benchmarks" / "results" / "kodak-restored"
#: the curves of the pipelines srcodec had before, kept by benchmarks/kodak_pipelines.py
EARLIER = ROOT / "benchmarks" / "results" / "kodak-pipelines"
DOC = ROOT / "docs" / "results.md"
SECTION = "kodak_restored"
#: each restored pipeline installed here -> the codec it restores (both run in the same bench)
PAIRS = restored_pairs(BENCH.codecs)
#: the qualities of every curve: VVC's QP 50..26 (about 0.02-0.9 bpp on Kodak, where a post-filter matters and
#: where Tun et al.'s 0.40 bpp lies; QP 50 so that the ×1 curves reach down to the ×2 ones' rates, for the
#: crossover), JPEG's Q 13..37 (its low rates)
QUALITIES = BENCH.qualities
TUN_BYTES, TUN_PSNR = TUN2023.bytes, TUN2023.psnr


def bench_command(jobs: int) -> list[str]:
    return BENCH.command(jobs, ROOT, codecs=[*PAIRS, *dict.fromkeys(PAIRS.values())])


def check_inner_settings(settings: dict) -> None:
    """Each pipeline's inner codec ran with the settings of the plain codec it is compared with."""
    for name, codec in PAIRS.items():
        inner = settings["codecs"][name]["settings"]["inner_settings"]
        plain = settings["codecs"][codec]["settings"]
        if inner != plain:
            raise SystemExit(f"kodak_restored: {name} codes with {inner}, the plain {codec} ran with {plain}")


def crossover(x1, x2) -> str:
    """The bpp below which the ×2 curve is above the ×1 curve (PSNR, log-bpp interpolation), or a sentence."""
    import numpy as np

    b1, p1 = np.log(x1.results["bpp"]), np.array(x1.results["psnr-rgb"])
    b2, p2 = np.log(x2.results["bpp"]), np.array(x2.results["psnr-rgb"])
    o1, o2 = np.argsort(b1), np.argsort(b2)
    lo, hi = max(b1.min(), b2.min()), min(b1.max(), b2.max())
    if lo >= hi:
        return "the curves do not overlap"
    grid = np.linspace(lo, hi, 400)
    d = np.interp(grid, b2[o2], p2[o2]) - np.interp(grid, b1[o1], p1[o1])
    if np.all(d > 0):
        return f"×2 is better over the whole common range ({np.exp(lo):.3f}–{np.exp(hi):.3f} bpp)"
    if np.all(d <= 0):
        return f"×1 is better over the whole common range ({np.exp(lo):.3f}–{np.exp(hi):.3f} bpp)"
    k = int(np.argmax(np.diff(np.sign(d)) != 0))
    return f"{np.exp(grid[k]):.3f} bpp (×2 better {'below' if d[0] > 0 else 'above'} it)"


def jpeg_gains(qualities=(10, 20, 30)) -> dict | None:
    """Mean RGB PSNR of the plain JPEG decode and of the restored one over Kodak, at each quality (the same
    JPEG files: libjpeg-turbo through Pillow, the jpeg codec's settings); cached in
    runs/kodak-restored/jpeg-gains.json by both codecs' settings."""
    if "jpeg-restored" not in PAIRS:
        return None
    from srcodec.codecs import get_codec

    key = {"jpeg": get_codec("jpeg").settings(), "jpeg-restored": get_codec("jpeg-restored").settings(),
           "qualities": list(qualities)}
    found = cached(ROOT / RUN / "jpeg-gains.json", key, lambda: {str(q): v for q, v in _jpeg_gains(qualities).items()})
    return {int(q): tuple(found[str(q)]) for q in qualities}


def _jpeg_gains(qualities) -> dict:
    import numpy as np

    from srcodec.codecs import get_codec
    from srcodec.io.image import load_image
    from srcodec.metrics import psnr
    from srcodec.pipelines.restored import restore_file

    jpeg = get_codec("jpeg")
    out = {}
    files = sorted(data_dir("kodak").glob("*.png"))
    for q in qualities:
        plain, restored = [], []
        for f in files:
            img = load_image(f)
            data = jpeg.encode(img, q)
            plain.append(psnr(img, jpeg.decode(data)))
            restored.append(psnr(img, restore_file(data)[0]))
        out[q] = (float(np.mean(plain)), float(np.mean(restored)), len(files))
    return out


def headline_by_target(name: str) -> dict:
    """``--max-bytes 19778`` on every Kodak image (the best quality whose real file fits, per image): the mean
    bytes and PSNR of the decodes; cached in runs/kodak-restored/headline-<name>.json by the codec's settings."""
    import statistics

    from srcodec.api import decompress
    from srcodec.codecs import get_codec
    from srcodec.io.image import load_image
    from srcodec.metrics import psnr
    from srcodec.targets import encode_for_target

    codec = get_codec(name)

    def compute():
        sizes, psnrs = [], []
        for path in sorted(data_dir("kodak").glob("*.png")):
            img = load_image(path)
            data, _ = encode_for_target(codec, img, max_bytes=TUN_BYTES)
            sizes.append(len(data))
            psnrs.append(psnr(img, decompress(data)))
        return {"images": len(sizes), "bytes": statistics.mean(sizes), "max_bytes": max(sizes),
                "psnr": statistics.mean(psnrs)}

    return cached(ROOT / RUN / f"headline-{name}.json", {"settings": codec.settings(), "max_bytes": TUN_BYTES}, compute)


def decode_times(name: str, images: int = 6, threads: int = 2, repeat: int = 3) -> dict:
    """Decode time of ``name`` on the first Kodak images, one decode at a time with ``threads`` torch
    threads, fastest of ``repeat`` per image (the encode, at the middle of its sweep, is not timed);
    cached in runs/kodak-restored/decode-<name>.json, keyed by the codec's settings."""
    import statistics
    import time

    import torch

    from srcodec.codecs import get_codec
    from srcodec.io.image import load_image

    codec = get_codec(name)
    q = codec.sweep[len(codec.sweep) // 2]

    def compute():
        torch.set_num_threads(threads)
        times = []
        for path in sorted(data_dir("kodak").glob("*.png"))[:images]:
            data = codec.encode(load_image(path), q)
            best = None
            for _ in range(repeat):
                t0 = time.perf_counter()
                codec.decode(data)
                dt = time.perf_counter() - t0
                best = dt if best is None else min(best, dt)
            times.append(best)
        return {"quality": q, "threads": threads, "images": images, "median_s": statistics.median(times),
                "max_s": max(times)}

    return cached(ROOT / RUN / f"decode-{name}.json", {"settings": codec.settings(), "q": q, "images": images, "threads": threads},
                  compute)


def copied_note() -> list[str]:
    """A sentence naming the rows copied into the run from earlier runs (``copy_vvc_rows``), if any."""
    copied = json.loads((ROOT / COPIED).read_text()) if (ROOT / COPIED).is_file() else {}
    if not copied:
        return []
    return [" Rows measured earlier with the same settings on the same images and qualities were copied into the run "
            "first, not measured again: " + ", ".join(f"{k} rows from `{s}`" for s, k in copied.items()) + "."]


def write_doc(jobs: int, doc: Path = DOC) -> None:
    run = ROOT / RUN
    settings = json.loads((run / "settings.json").read_text(encoding="utf-8"))
    rows = json.loads((run / "rows.json").read_text(encoding="utf-8"))
    check_inner_settings(settings)
    curves = {c.name: c for c in run_curves(run)}
    keep_curves(run, KEEP, list(curves))  # kept, so that later benchmarks compare against them without a rerun
    vtm = bdrate.load_curve(REFERENCE / "vtm.json")
    n_images = len(settings["images"])
    title = f"Kodak ({n_images} images): codec + restorer, VTM dashed"
    images = {metric: save_figure(plots.rd_figure(list(curves.values()), metric, [vtm], title), doc,
                                  f"kodak_restored_{plots.PLOTS[metric][0]}.png")
              for metric in plots.plotted_metrics(list(curves.values()))}

    lines = [
        generated("python benchmarks/kodak_restored.py"), "",
        "Written by [`benchmarks/kodak_restored.py`](../benchmarks/kodak_restored.py), which runs", "",
        f"    {' '.join(bench_command(jobs))}", "",
        f"and builds this section from `{RUN}/` (each pipeline and its own codec, at the codec's PSNR-best settings, "
        f"in the same run) and the published VTM curve. Kodak, {n_images} images; bpp from "
        "the real files (the restored pipelines' `.srz` is the codec's own file plus an ~80-byte header); "
        "PSNR and MS-SSIM over RGB; BD-rate by PCHIP over the common quality range.", *copied_note(), "",
        "| pipeline | its codec | points | bpp | BD-rate PSNR vs its codec | BD-rate PSNR vs VTM (ref.) | "
        "BD-rate PSNR vs VTM 12.1 rerun | BD-rate PSNR vs Cool-chic 5.0.1 | "
        "BD-rate MS-SSIM vs its codec | BD-rate MS-SSIM vs VTM (ref.) | BD-rate SSIMULACRA2 vs its codec | "
        "BD-rate VMAF vs its codec | decode s (bench rows) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, codec in PAIRS.items():
        if name not in curves:
            continue
        c, base = curves[name], curves[codec]
        res = c.results
        dec = sum(res["decoding_time"]) / len(res["decoding_time"])
        lines.append(f"| `{name}` | `{codec}` | {len(res['bpp'])} | {min(res['bpp']):.3f}–{max(res['bpp']):.3f} | "
                     f"{bd(base, c, 'psnr-rgb')} | {bd(vtm, c, 'psnr-rgb')} | "
                     f"{' | '.join(anchor_cells(c, 'psnr-rgb', ('vtm-rerun', 'coolchic')))} | {bd(base, c, 'ms-ssim-rgb')} | "
                     f"{bd(vtm, c, 'ms-ssim-rgb')} | {bd(base, c, 'ssimulacra2')} | {bd(base, c, 'vmaf')} | {dec:.2f} |")
    for codec in dict.fromkeys(PAIRS.values()):
        res = curves[codec].results
        lines.append(f"| `{codec}` alone | – | {len(res['bpp'])} | {min(res['bpp']):.3f}–{max(res['bpp']):.3f} | – | "
                     f"{bd(vtm, curves[codec], 'psnr-rgb')} | "
                     f"{' | '.join(anchor_cells(curves[codec], 'psnr-rgb', ('vtm-rerun', 'coolchic')))} | – | "
                     f"{bd(vtm, curves[codec], 'ms-ssim-rgb')} | – | – | "
                     f"{sum(res['decoding_time']) / len(res['decoding_time']):.2f} |")
    lines += ["", "Decode times in the table are the bench's (one torch thread per row, two rows at a time). One decode "
              "at a time with 2 torch threads, fastest of 3 per image, on the first 6 Kodak images (the codec "
              "included, target ≤ 1 s per image):", "", "| pipeline | quality | median s | slowest s |", "|---|---|---|---|"]
    for name in PAIRS:
        t = decode_times(name)
        lines.append(f"| `{name}` | {t['quality']:g} | {t['median_s']:.3f} | {t['max_s']:.3f} |")
    earlier = sorted(EARLIER.glob("*.json")) if EARLIER.is_dir() else []
    earlier = [bdrate.load_curve(p) for p in earlier if p.stem != "settings" and p.stem not in curves]
    if earlier:
        made = json.loads((EARLIER / "settings.json").read_text()).get("created", "?")[:10]
        lines += ["", f"Against every pipeline srcodec had before (their curves kept from `python benchmarks/kodak_pipelines.py`, "
                      f"run of {made}, `{EARLIER.relative_to(ROOT)}/`; same Kodak images, another run): BD-rate of each "
                      "restored pipeline against each, PSNR / MS-SSIM (negative: the restored pipeline needs fewer bits).", "",
                  "| earlier pipeline | " + " | ".join(f"`{n}`" for n in PAIRS if n in curves) + " |",
                  "|---|" + "---|" * len([n for n in PAIRS if n in curves])]
        for old_curve in earlier:
            lines.append(f"| `{old_curve.name}` | " + " | ".join(
                f"{bd(old_curve, curves[n], 'psnr-rgb')} / {bd(old_curve, curves[n], 'ms-ssim-rgb')}"
                for n in PAIRS if n in curves) + " |")
    for x2 in ("vvc-x2", "vvc-x2-learned"):
        if "vvc-restored" in curves and x2 in curves:
            lines += ["", f"Crossover between ×1 (`vvc-restored`) and ×2 (`{x2}`), PSNR: "
                          f"{crossover(curves['vvc-restored'], curves[x2])}."]
    if "vvc-x2" in curves and "vvc-x2-learned" in curves:
        a, b = curves["vvc-x2"], curves["vvc-x2-learned"]
        lines += ["", "Which ↓2 before VVC (issue 13): `vvc-x2-learned` (Tun et al.'s learned downscaler, its own ×2 "
                      f"restorer) against `vvc-x2` (bicubic ↓2): BD-rate PSNR {bd(a, b, 'psnr-rgb')}, MS-SSIM "
                      f"{bd(a, b, 'ms-ssim-rgb')} (negative: the learned downscaler needs fewer bits)."]
    gains = jpeg_gains()
    if gains:
        lines += ["", "### The JPEG restorer on JPEG files", "",
                  "The same libjpeg-turbo files (Pillow, 4:2:0, the `jpeg` codec's settings) of every Kodak image, decoded "
                  "plainly and by `srcodec restore` (the quality read from the file's quantization tables):", "",
                  "| JPEG quality | plain decode (dB) | restored (dB) | gain (dB) |", "|---|---|---|---|"]
        for q, (plain, restored, _) in gains.items():
            lines.append(f"| {q} | {plain:.2f} | {restored:.2f} | {restored - plain:+.2f} |")
        mean_gain = sum(r - p for p, r, _ in gains.values()) / len(gains)
        lines += ["", f"Mean gain over Q {', '.join(str(q) for q in gains)}: **{mean_gain:+.2f} dB** (target ≥ +1.0 dB)."]
    lines += ["",
              "### Tun et al.'s headline, honestly", "",
              f"Tun et al. 2023 report {TUN_PSNR:.2f} dB at {TUN_BYTES:,} bytes per Kodak image. Below: the best single "
              f"quality of each codec whose mean real file size over the {n_images} images is at most {TUN_BYTES:,} bytes, "
              "and its mean PSNR.", "",
              "| codec | quality | mean bytes | mean bpp | mean PSNR (dB) | beats 33.10 dB? |", "|---|---|---|---|---|---|"]
    for name in [*PAIRS, *dict.fromkeys(PAIRS.values())]:
        h = headline(rows, name, TUN_BYTES)
        if h is None:
            lines.append(f"| `{name}` | – | – | – | – | no point fits |")
            continue
        lines.append(f"| `{name}` | {h['quality']:g} | {h['bytes']:,.0f} | {h['bpp']:.3f} | {h['psnr']:.2f} | "
                     f"{'yes' if h['psnr'] > TUN_PSNR else 'no'} |")
    lines += ["", f"With a rate target instead of one quality for all images: `--max-bytes {TUN_BYTES}` on every image "
              "(the best quality whose real file fits, found per image by `srcodec.targets`), so no file and hence no "
              "average exceeds the headline's bytes:", "",
              "| codec | images | mean bytes | largest file | mean PSNR (dB) | beats 33.10 dB? |", "|---|---|---|---|---|---|"]
    for name in [n for n in ("vvc-restored", "vvc") if n in curves]:
        h = headline_by_target(name)
        lines.append(f"| `{name}` --max-bytes {TUN_BYTES} | {h['images']} | {h['bytes']:,.0f} | {h['max_bytes']:,} | "
                     f"{h['psnr']:.2f} | {'yes' if h['psnr'] > TUN_PSNR else 'no'} |")
    lines += [""] + [f"![{plots.PLOTS[m][1]} over bpp, restored pipelines]({path})\n" for m, path in images.items()]
    lines += ["Points:", "", *points_table(curves)]
    lines.append("")
    write_section(doc, SECTION, "\n".join(lines))
    print(doc)


def copy_vvc_rows() -> None:
    """Rows of ``vvc-restored`` and ``vvc`` that ``benchmarks/kodak_vvc_restored.py`` measured (same images,
    qualities and settings) are copied into the run instead of measured again; what was copied is kept in
    ``COPIED`` for the section."""
    copied = BENCH.reuse(ROOT / RUN, [*PAIRS, *PAIRS.values()], ROOT)
    for src, k in copied.items():
        print(f"kodak_restored: reusing {k} rows from {src}", file=sys.stderr)
    if copied:
        old = json.loads((ROOT / COPIED).read_text()) if (ROOT / COPIED).is_file() else {}
        write_atomic(ROOT / COPIED, json.dumps({**old, **{s: old.get(s, 0) + k for s, k in copied.items()}}).encode())


def main() -> int:
    return section_main("kodak_restored", DOC, ROOT, bench_command, write_doc, prepare=copy_vvc_rows)


if __name__ == "__main__":
    sys.exit(main())
