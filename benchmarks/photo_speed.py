#!/usr/bin/env python3
"""Time and peak memory of ``srcodec compress`` / ``decompress`` as a user runs them, on Kodak and on photo sizes.

    python benchmarks/photo_speed.py [--kodak 4] [--photos 4000x3000,7008x4672] [--efforts 1,2,3]
                                     [--photo-efforts 1] [--formats avif:speed=6,jxl,webp,jpegli] [--threads 2]

For each picture (the first ``--kodak`` Kodak images; mosaics of training photographs of each ``--photos``
size, ``srcodec.bench.photos.mosaic``): the default command (no ``--codec``, no quality), then ``auto`` at each
of ``--efforts`` with the default's quality, each run as a separate process (``srcodec.bench.photos.
measure_command``: wall time with start-up, the process's own peak memory), its file's bytes and its decode's
SSIMULACRA2. Then each standard format of ``--formats`` at the quality where it reaches the default file's
SSIMULACRA2 (found beforehand by its own search, not timed), timed the same way: one encode and one decode,
so the ratios against the default are measured in the same run. Writes the section ``photo_speed`` of
``docs/results.md``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from srcodec.bench.render import generated

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "results.md"
SECTION = "photo_speed"


def run_one(label: str, src: Path, out: Path, codec_args: list[str], threads: int) -> dict:
    from srcodec.bench.photos import measure_command, written_file
    from srcodec.io.image import load_image
    from srcodec.metrics import ssimulacra2

    enc = measure_command(["compress", str(src), "-o", str(out), *codec_args, "-y"], threads)
    if enc["rc"]:
        return {"label": label, "error": enc["error"]}
    out = written_file(enc["stdout"], out)  # named after the format that won
    png = out.with_name(out.name + ".png")
    dec = measure_command(["decompress", str(out), "-o", str(png), "-y"], threads)
    if dec["rc"]:
        return {"label": label, "error": dec["error"]}
    score = ssimulacra2(load_image(src), load_image(png))
    return {"label": label, "encode_s": enc["seconds"], "encode_mb": enc["peak_mb"], "decode_s": dec["seconds"],
            "decode_mb": dec["peak_mb"], "bytes": out.stat().st_size, "ssimulacra2": score, "file": out.suffix}


def quality_for(fmt: str, image, target: float) -> float | None:
    """The quality at which ``fmt`` first reaches SSIMULACRA2 ``target`` on ``image`` (its own search; on a large
    image searched on a sample and placed by real encodes, ``targets.encode_sampled``), or None."""
    from srcodec.codecs import get_codec
    from srcodec.errors import SrcodecError
    from srcodec.targets import encode_sampled

    try:
        return encode_sampled(get_codec(fmt), image, target, "ssimulacra2")[1]
    except SrcodecError:
        return None


def main() -> int:
    from srcodec.bench.photos import data_dir, mosaic
    from srcodec.bench.sections import write_section
    from srcodec.io.image import load_image, save_png
    from srcodec.train.harness import machine_description

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kodak", type=int, default=4)
    ap.add_argument("--photos", default="4000x3000,7008x4672")
    ap.add_argument("--efforts", default="1,2,3", help="efforts timed on the Kodak images")
    ap.add_argument("--photo-efforts", default="1", help="efforts timed on the photo sizes (effort 3 searches every "
                                                        "candidate in full: minutes per photo)")
    ap.add_argument("--formats", default="avif:speed=6,jxl,webp,jpegli", help="formats timed on the Kodak images")
    ap.add_argument("--photo-formats", default="avif:speed=6", help="formats timed on the photo sizes")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--doc", type=Path, default=DOC)
    args = ap.parse_args()
    pictures = [(p.stem, p) for p in sorted(data_dir("kodak").glob("*.png"))[: args.kodak]]
    results: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for size in filter(None, args.photos.split(",")):
            w, h = (int(v) for v in size.lower().split("x"))
            path = tmp / f"photo-{w}x{h}.png"
            save_png(mosaic(w, h), path)
            pictures.append((f"{w}×{h} ({w * h / 1e6:.0f} MP)", path))
        for name, src in pictures:
            rows = [run_one("default", src, tmp / "default.out", [], args.threads)]
            efforts = args.efforts if name.startswith("kodim") else args.photo_efforts
            for e in filter(None, efforts.split(",")):
                rows.append(run_one(f"auto:effort={e}", src, tmp / f"e{e}.out", ["--codec", f"auto:effort={e}"],
                                    args.threads))
            target = rows[0].get("ssimulacra2")
            image = load_image(src)
            formats = args.formats if name.startswith("kodim") else args.photo_formats
            for fmt in filter(None, formats.split(",")):
                q = quality_for(fmt, image, target) if target is not None else None
                if q is None:
                    rows.append({"label": fmt, "error": f"reaches no SSIMULACRA2 {target}"})
                    continue
                rows.append(run_one(f"{fmt} q {q:g}", src, tmp / f"{fmt.replace(':', '_')}.out",
                                    ["--codec", fmt, "-q", f"{q:g}"], args.threads))
            results[name] = rows
            for r in rows:
                print(name, r, flush=True)

    def cells(r: dict, base: dict) -> str:
        if "error" in r:
            return f"| {r['label']} | failed: {r['error']} | | | | | | | |"
        ratio = r["encode_s"] / base["encode_s"] if "encode_s" in base else float("nan")
        return (f"| {r['label']} | {r['file']} | {r['encode_s']:.2f} | {ratio:.2f} | {r['decode_s']:.2f} | "
                f"{max(r['encode_mb'], r['decode_mb']) / 1024:.2f} | {r['bytes']:,} | {r['ssimulacra2']:.1f} |")

    lines = [generated("python benchmarks/photo_speed.py"), "",
             "## Time and memory on photos: the default path, each effort, the standard formats", "",
             f"Written by `python benchmarks/photo_speed.py {' '.join(sys.argv[1:])}` on {machine_description()}, "
             f"{args.threads} threads: each command a separate process as a user runs it (start-up included), its "
             "own peak resident memory. The standard formats run at the quality where each first reaches the "
             "default file's SSIMULACRA2 (found by its own search beforehand, not timed): one encode, one decode.", ""]
    for name, rows in results.items():
        base = rows[0]
        lines += [f"**{name}**", "", "| command | file | encode s | × default | decode s | peak GB | bytes | SSIMULACRA2 |",
                  "|---|---|---|---|---|---|---|---|", *[cells(r, base) for r in rows], ""]
    kodak = [rows[0] for name, rows in results.items() if name.startswith("kodim") and "encode_s" in rows[0]]
    if kodak:
        lines += [f"Kodak, the default command: median encode {statistics.median(r['encode_s'] for r in kodak):.2f} s, "
                  f"decode {statistics.median(r['decode_s'] for r in kodak):.2f} s, over {len(kodak)} images.", ""]
    write_section(args.doc, SECTION, "\n".join(lines))
    print(args.doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
