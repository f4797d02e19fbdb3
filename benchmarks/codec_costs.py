#!/usr/bin/env python3
"""Measure what one encode and one decode of each codec cost per megapixel: the table ``auto`` budgets with.

    python benchmarks/codec_costs.py [--codecs SPEC,SPEC,...] [--sizes 768x512,4000x3000] [--threads 2]

For each codec spec (default: every candidate ``auto`` may try at each of its settings, standard formats
included; ``--codecs`` measures those only and adds their rows to the table) and each size
(a Kodak-sized and a 3-megapixel mosaic of training images, ``srcodec.bench.photos.mosaic``; times grow in
proportion to the pixels from there on), one encode at the codec's default quality and one decode of that file
are timed in a fresh process (as ``srcodec
compress`` runs them: the weights load and the libraries start inside the time), with its peak resident
memory. Writes the seconds and MB per megapixel of the largest size, and the fixed start-up cost read off
the two sizes, into ``src/srcodec/pipelines/costs.json`` (with the machine and the command), which
``srcodec.pipelines.costs`` reads; and prints the table.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "srcodec" / "pipelines" / "costs.json"

#: one measurement, in a child process: encode at the default quality, then decode; seconds and peak MB each
CHILD = r"""
import json, resource, sys, time
import numpy as np
import torch
torch.set_num_threads(int(sys.argv[3]))
img = np.load(sys.argv[1])
spec = sys.argv[2]
if spec.startswith("metric:"):  # a quality metric: its time on a JPEG of the picture, as 'encode'
    from srcodec import metrics
    from srcodec.codecs import get_codec
    jpeg = get_codec("jpeg")
    other = jpeg.decode(jpeg.encode(img, 60))
    t = time.perf_counter(); getattr(metrics, spec.split(":", 1)[1].replace("-", "_"))(img, other)
    enc, dec, size = time.perf_counter() - t, 0.0, 0
else:
    from srcodec.codecs import get_codec
    codec = get_codec(spec)
    t = time.perf_counter(); data = codec.encode(img, codec.default_quality); enc = time.perf_counter() - t
    t = time.perf_counter(); codec.decode(data); dec = time.perf_counter() - t
    size = len(data)
print(json.dumps({"encode_s": enc, "decode_s": dec, "bytes": size,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "peak_mb_decode": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

def default_codecs() -> list[str]:
    from srcodec.pipelines.costs import budgeted_specs

    return budgeted_specs()


def measure(spec: str, image_path: Path, threads: int) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, str(image_path), spec, str(threads)],
                          capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"{spec}: {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else proc.returncode}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure_priors(specs: list[str], images: int, targets: list[float], metric: str = "ssimulacra2") -> dict:
    """Per spec (the standard formats), a line ``[a, b]``: the quality at which it reaches a ``metric`` target T
    is about ``a + b T``, fitted through the medians over ``images`` training photographs (never a test set)."""
    import numpy as np

    from srcodec.bench.photos import data_dir
    from srcodec.codecs import get_codec
    from srcodec.errors import SrcodecError
    from srcodec.io.image import load_image
    from srcodec.targets import encode_for_quality

    paths = sorted(data_dir("train/imagenet-samples").iterdir())[:: max(1, 1000 // images)][:images]
    pictures = [load_image(p) for p in paths]
    priors = {}
    for spec in specs:
        codec = get_codec(spec)
        if codec.extension == ".srz":
            continue
        medians = []
        for t in targets:
            found = []
            for img in pictures:
                try:
                    found.append(encode_for_quality(codec, img, t, metric, tolerance=1.0)[1])
                except SrcodecError:
                    pass
            if found:
                medians.append((t, float(np.median(found))))
        if len(medians) >= 2:
            b, a = np.polyfit([m[0] for m in medians], [m[1] for m in medians], 1)
            priors[codec.spec] = {metric: [round(float(a), 3), round(float(b), 4)]}
            print(f"{codec.spec:28s} {metric} T -> quality {a:.1f} + {b:.3f} T  ({medians})", flush=True)
    return priors


def main() -> int:
    import numpy as np

    from srcodec.bench.photos import mosaic
    from srcodec.train.harness import machine_description

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--codecs", help="comma-separated codec specs (default: every codec auto may try)")
    ap.add_argument("--sizes", default="768x512,2048x1536")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", type=Path, default=OUT, help="the table (default: the one the package ships)")
    ap.add_argument("--priors", action="store_true",
                    help="measure only where each standard format's quality search may start (SSIMULACRA2 50, 70, 90 "
                         "on 8 training photographs), kept beside the costs in the table")
    args = ap.parse_args()
    if args.priors:
        specs = args.codecs.split(",") if args.codecs else default_codecs()
        from srcodec.pipelines.auto import FORMATS

        specs += [spec for f in FORMATS.values() for spec in f.values()]  # effort 3's settings too
        old = json.loads(args.out.read_text()) if args.out.exists() else {}
        specs = [s for s in dict.fromkeys(specs) if not s.startswith("metric:")]
        old["priors"] = measure_priors(specs, 8, [50.0, 70.0, 90.0])
        old["priors_command"] = "python benchmarks/codec_costs.py " + " ".join(sys.argv[1:])
        args.out.write_text(json.dumps(old, indent=1) + "\n")
        print(args.out)
        return 0
    specs = args.codecs.split(",") if args.codecs else default_codecs()
    sizes = [tuple(int(v) for v in s.lower().split("x")) for s in args.sizes.split(",")]
    table = {}
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for w, h in sizes:
            p = Path(tmp) / f"{w}x{h}.npy"
            np.save(p, mosaic(w, h))
            paths.append((w * h / 1e6, p))
        for spec in specs:
            points = []
            for mp, p in paths:
                m = measure(spec, p, args.threads)
                points.append((mp, m))
                print(f"{spec:28s} {mp:6.2f} MP: encode {m['encode_s']:7.2f} s, decode {m['decode_s']:6.2f} s, "
                      f"peak {m['peak_mb']:6.0f} MB / {m['peak_mb_decode']:6.0f} MB", flush=True)
            (mp0, a), (mp1, b) = points[0], points[-1]
            row = {}
            for m in (a, b):
                m["peak"] = max(m["peak_mb"], m["peak_mb_decode"])
            for key, out in (("encode_s", "encode_s"), ("decode_s", "decode_s"), ("peak", "peak_mb")):
                per_mp = (b[key] - a[key]) / (mp1 - mp0) if mp1 > mp0 else b[key] / mp1
                per_mp = max(per_mp, b[key] / mp1 / 4)  # a noisy small point never makes a size free
                row[f"{out}_per_mp"] = round(per_mp, 4)
                row[f"{out}_fixed"] = round(max(0.0, b[key] - per_mp * mp1), 3)
            row["measured_mp"] = [round(mp0, 3), round(mp1, 3)]
            if args.codecs:  # a partial run: its rows join the table's, each naming the command that measured it
                row["command"] = "python benchmarks/codec_costs.py " + " ".join(sys.argv[1:])
            table[spec] = row
    old = json.loads(args.out.read_text()) if args.out.exists() else {}
    if args.codecs and old.get("costs"):  # the other rows stay, with the command that measured them
        out = {**old, "costs": {**old["costs"], **table}}
    else:
        out = {"command": "python benchmarks/codec_costs.py " + " ".join(sys.argv[1:]),
               "machine": machine_description(), "threads": args.threads, "costs": table}
        out = {**{k: v for k, v in old.items() if k.startswith("priors")}, **out}  # measured apart (--priors)
    args.out.write_text(json.dumps(out, indent=1) + "\n")
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
