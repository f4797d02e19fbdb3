"""``srcodec compress | decompress | info | roundtrip | codecs``: coding files.

Single files or whole folders; a folder gets a progress bar, each failure is
reported on its own line and the exit status is 1 when any file failed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from tqdm import tqdm

from srcodec import api
from srcodec.codecs import codec_class, codec_names, get_codec
from srcodec.container import is_srz
from srcodec.errors import InputError, OutputError, SrcodecError
from srcodec.io.files import make_folder, read_bytes, write_atomic
from srcodec.io.image import IMAGE_SUFFIXES, png_bytes, save_png
from srcodec.metrics import bpp, compression_ratio, ms_ssim, mse, psnr, psnr_from_mse, ssimulacra2
from srcodec.targets import Encoded, Target

def coded_suffixes() -> set[str]:
    """The suffixes of every format a codec here writes (``.srz`` among them): what ``decompress`` takes from a folder."""
    from srcodec.codecs.base import CODECS

    return {sfx for _, cls in CODECS.items() for sfx in cls.file_suffixes()}


def _add_rate_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--codec", default=None, help="codec or pipeline name (default: auto, the best file of its candidates; see 'srcodec codecs')")
    rate = p.add_mutually_exclusive_group()
    rate.add_argument("-q", "--quality", type=float,
                      help="the codec's quality knob (auto and learned: 1 smallest .. 8 best, fractions allowed; auto: "
                           "SSIMULACRA2 50 + 20 (q - 2) / 3, i.e. 2 medium 50, 5 high 70 (default), 8 visually lossless 90)")
    rate.add_argument("--bpp", type=float, help="target bits per pixel: the best quality whose real file fits")
    rate.add_argument("--max-bytes", type=int, help="target file size in bytes: the best quality whose real file fits")
    rate.add_argument("--target-psnr", type=float, metavar="DB", help="the smallest file whose real decode reaches this RGB PSNR")
    rate.add_argument("--target-ms-ssim", type=float, metavar="X", help="the smallest file whose real decode reaches this MS-SSIM")
    rate.add_argument("--target-ssimulacra2", type=float, metavar="X",
                      help="the smallest file whose real decode reaches this SSIMULACRA2 (90 visually lossless, 70 high, 50 medium)")
    rate.add_argument("--target-vmaf", type=float, metavar="X", help="the smallest file whose real decode reaches this VMAF")


def _add_keep_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--strip", action="store_true", help="drop EXIF and XMP (camera, date, location); the ICC profile stays")
    p.add_argument("--strip-icc", action="store_true", help="drop the ICC profile (the colours are then read as sRGB)")
    p.add_argument("--background", metavar="COLOUR", help="composite transparency onto this colour (white, #rrggbb) "
                   "instead of keeping it (needed for codecs without alpha: jpeg, jpegli, nagasaki-jpeg)")


def _load(src: Path, codec, args, raw: bytes | None = None):
    """(pixels, what they carry, the codec wrapped to keep it) of one input (its bytes ``raw`` when read
    already); a one-line error, before anything is written, when the codec's file cannot hold a part of it."""
    from srcodec.codecs.carry import carrying, check
    from srcodec.io.image import picture_from_bytes

    options = dict(strip=args.strip, strip_icc=args.strip_icc, background=args.background_rgb)
    image, meta = (picture_from_bytes(raw, name=str(src), **options) if raw is not None
                   else api.read_picture(src, **options))
    try:
        meta.notes = check(codec, meta, image.shape[2])
    except InputError as exc:
        raise InputError(f"{src}: {exc}") from None
    return image, meta, carrying(codec, meta)


def _kept(meta, data: bytes) -> str:
    """What the written file keeps beside the pixels, and each note, as lines for the command's output."""
    names = {"exif": "EXIF", "xmp": "XMP", "icc": "ICC profile", "alpha": "alpha"}
    parts = [names[p] for p in meta.parts()]
    section = ""
    if is_srz(data) and parts:
        from srcodec.container import srz

        header = srz.unpack(data)[0]
        section = f" ({len(header.meta)} bytes of the file)"
        if meta.alpha is not None:
            parts[-1] = f"alpha ({len(dict(srz.meta_records(header.meta)).get(b'ALPH', b''))} bytes, lossless PNG)"
    out = f"\n  keeps: {', '.join(parts)}{section}" if parts else ""
    return out + "".join(f"\n  note: {n}" for n in meta.notes)


def _background(args) -> None:
    from srcodec.io.image import parse_colour

    args.background_rgb = parse_colour(args.background) if args.background else None


def _add_force(p: argparse.ArgumentParser) -> None:
    p.add_argument("-y", "--force", action="store_true", help="replace output files that exist (never an input)")


def _pairs(src: Path, dst: Path | None, suffixes: set[str], out_suffix, force: bool) -> tuple[list[tuple[Path, Path]], bool]:
    """(input, output) pairs for a file or a folder; ``out_suffix(path)`` names outputs.

    Everything about the outputs is settled here, before any work: the output folder exists and is
    writable; two inputs that would make the same output name (``a.png`` and ``a.jpg`` -> ``a.srz``),
    or an output that would land on an input, get distinct names (the input's whole name plus the
    new suffix: ``a.png.srz``, ``a.jpg.srz``); and an output that exists already is an error unless
    ``force`` (``--force``/``-y``) -- never on an input, not even then.
    """
    if not src.exists():
        raise SrcodecError(f"{src}: no such file or directory")
    if src.is_dir():
        files = sorted(p for p in src.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)
        if not files:
            raise SrcodecError(f"{src}: no input files found")
        out_dir = dst if dst is not None else src
        if out_dir.exists() and not out_dir.is_dir():
            raise OutputError(f"{out_dir}: input is a folder, so the output must be a folder")
        make_folder(out_dir)
        outputs = [out_dir / f.relative_to(src).with_suffix(out_suffix(f)) for f in files]
        inputs = {f.resolve() for f in files}
        taken: dict[Path, int] = {}
        for o in outputs:
            taken[o.resolve()] = taken.get(o.resolve(), 0) + 1
        outputs = [out_dir / f.relative_to(src).with_name(f.name + out_suffix(f))
                   if taken[o.resolve()] > 1 or o.resolve() in inputs else o for f, o in zip(files, outputs)]
        if len({o.resolve() for o in outputs}) != len(outputs):
            raise OutputError(f"{out_dir}: two inputs would be written to the same output name")
        pairs, many = list(zip(files, outputs)), True
    else:
        if dst is not None and dst.is_dir():
            dst = dst / src.with_suffix(out_suffix(src)).name
        out = dst if dst is not None else src.with_suffix(out_suffix(src))
        parent = out.parent if str(out.parent) else Path(".")
        if not parent.is_dir():
            raise OutputError(f"{out}: output folder {parent} does not exist")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise OutputError(f"{out}: output folder {parent} is not writable")
        pairs, many = [(src, out)], False
    inputs = {p.resolve() for p, _ in pairs}
    for _, out in pairs:
        if out.is_dir():
            raise OutputError(f"{out}: is a folder, expected a file name")
        if out.resolve() in inputs:
            raise OutputError(f"{out}: refusing to overwrite an input file")
    existing = [out for _, out in pairs if out.exists()]
    if existing and not force:
        more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
        raise OutputError(f"{existing[0]} exists{more}; give --force (-y) to replace it")
    return pairs, many


def add_cluster_option(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--cluster", metavar="ADDRESS",
                   help=f"{what} on a Dask cluster: tcp://host:8786 (a running scheduler) or local:N (N worker "
                        "processes on 127.0.0.1); needs pip install 'srcodec[cluster]' (docs/cluster.md)")


def _run_many(pairs, many: bool, make, desc: str, cluster: str | None = None, needs: list[str] = (),
              rename=None) -> int:
    """Write ``make(src, bytes of src) -> (output bytes, what)`` to each pair's output (or to
    ``rename(src, output, bytes)``, a name that depends on what was made), here or on the Dask ``cluster``
    whose workers agree on the codecs ``needs`` (:func:`srcodec.cluster.map_files`); in a batch each failure
    is one line and the rest goes on."""
    from srcodec.cluster import map_files

    failures = 0
    outputs = dict(pairs)
    bar = tqdm(total=len(pairs), desc=desc, unit="file", disable=not many, file=sys.stderr)
    for src, out, error in map_files(make, list(outputs), cluster, needs, say=lambda line: bar.write(line, file=sys.stderr)):
        dst = outputs[src]
        try:
            if error is not None:
                raise SrcodecError(error)
            if rename is not None:
                dst = rename(src, dst, out[0])
            if many:
                dst.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(dst, out[0], inputs=(src,))
            (bar.write if many else print)(f"{src} -> {dst}: {out[1]}")
        except SrcodecError as exc:
            if not many:
                raise
            failures += 1
            bar.write(f"srcodec: error: {exc}", file=sys.stderr)
        bar.update(1)
    bar.close()
    if failures:
        print(f"srcodec: {failures} of {len(pairs)} files failed", file=sys.stderr)
    return 1 if failures else 0


def _compress(codec, image, args) -> Encoded:
    """One image through ``codec`` to the target the options name (:class:`srcodec.targets.Target`)."""
    target = Target.of(args.quality, bpp=args.bpp, max_bytes=args.max_bytes, target_psnr=args.target_psnr,
                       target_ms_ssim=args.target_ms_ssim, target_ssimulacra2=args.target_ssimulacra2,
                       target_vmaf=args.target_vmaf)
    return codec.encode_to(image, target)


def _chosen(codec, encoded: Encoded) -> str:
    """The codec spec, and for a codec that chose among candidates the one whose file it wrote (the file's
    header names it)."""
    return f"{codec.spec} → {api.identify(encoded.data)}" if encoded.report is not None else codec.spec


def _why(encoded: Encoded) -> str:
    lines = encoded.report.lines() if encoded.report is not None else []
    return "".join(f"\n  {line}" for line in lines)


def _named_after_format(codec, dst: Path, data: bytes, src: Path, force: bool) -> Path:
    """``auto:formats=``: the output named after the winning format (``a.webp``), checked as :func:`_pairs`
    checks names (an input is never the output: ``a.jpg`` from ``a.jpg`` becomes ``a.jpg.jpg``)."""
    suffix = codec.extension_of(data)
    if suffix in (dst.suffix, codec.extension):  # a codec whose files are all of one kind keeps the name given
        return dst
    new = dst.with_suffix(suffix)
    if new.resolve() == src.resolve():
        new = dst.with_name(src.name + suffix)
    if new.exists() and not force:
        raise OutputError(f"{new} exists; give --force (-y) to replace it")
    return new


def cmd_compress(args) -> int:
    name = args.codec or api.default_codec_name()
    codec = get_codec(name)
    if args.quality is not None:
        codec.check_quality(args.quality)
    _background(args)

    def make(src: Path, raw: bytes) -> tuple[bytes, str]:
        image, meta, carrier = _load(src, codec, args, raw)
        encoded = _compress(carrier, image, args)
        data = encoded.data
        h, w = image.shape[:2]
        return (data, f"{len(data)} bytes, {bpp(len(data), h, w):.4f} bpp ({_chosen(codec, encoded)})"
                + _why(encoded) + _kept(meta, data))

    src = Path(args.input)
    pairs, many = _pairs(src, Path(args.output) if args.output else None, IMAGE_SUFFIXES, lambda _: codec.extension,
                         args.force)
    return _run_many(pairs, many, make, "compress", args.cluster, [codec.spec],
                     rename=lambda src, dst, data: _named_after_format(codec, dst, data, src, args.force))


def cmd_decompress(args) -> int:
    def make(src: Path, raw: bytes) -> tuple[bytes, str]:
        image, meta = api.decompress_picture(raw)
        c = image.shape[2] + (meta.alpha is not None)
        depth = ", 16-bit samples" if meta.deep is not None else ""
        return (png_bytes(image, meta=meta),
                f"{image.shape[1]}x{image.shape[0]}, {c} channel{'s' if c > 1 else ''}{depth}" + _kept(meta, raw))

    src = Path(args.input)

    def out_suffix(p: Path) -> str:
        return ".decoded.png" if p.suffix.lower() == ".png" else ".png"

    pairs, many = _pairs(src, Path(args.output) if args.output else None, coded_suffixes(), out_suffix, args.force)
    return _run_many(pairs, many, make, "decompress", args.cluster, codec_names())


def restorable_suffixes() -> set[str]:
    """The files ``srcodec restore`` takes from a folder: those of the formats a restorer is kept for."""
    from srcodec.codecs import codec_class
    from srcodec.pipelines.restored import RESTORERS

    return {sfx for kind in RESTORERS for sfx in codec_class(kind).file_suffixes()}


def cmd_restore(args) -> int:
    """A standard file (JPEG, AVIF, VVC) decoded and restored by its matching network, to PNG."""
    from srcodec.pipelines.restored import RESTORERS, restore_file

    def make(src: Path, raw: bytes) -> tuple[bytes, str]:
        image, pipeline, quality = restore_file(raw)
        meta = api.decompress_picture(raw)[1]  # what the file carries (EXIF, XMP, ICC, alpha) goes into the PNG too
        return (png_bytes(image, meta=meta),
                f"{image.shape[1]}x{image.shape[0]}, restored by {pipeline} (quality {quality:g} from the file)"
                + _kept(meta, raw))

    src = Path(args.input)

    def out_suffix(p: Path) -> str:
        return ".restored.png"

    pairs, many = _pairs(src, Path(args.output) if args.output else None, restorable_suffixes(), out_suffix, args.force)
    return _run_many(pairs, many, make, "restore", args.cluster, list(RESTORERS.values()))


def describe(data: bytes) -> dict:
    """Header fields of a .srz file, or format facts of a standard image file."""
    name = api.identify(data)
    if is_srz(data):
        from srcodec.container import srz

        return srz.describe(data)
    from srcodec.io.metadata import describe_meta

    image, meta = api.decompress_picture(data)
    return {"format": name, "bytes": len(data), "height": image.shape[0], "width": image.shape[1],
            "channels": image.shape[2] + (meta.alpha is not None), "bpp": bpp(len(data), *image.shape[:2]),
            **describe_meta(meta, coded=meta.coded_depth != 8)}


def cmd_info(args) -> int:
    info = describe(read_bytes(args.input))
    if args.json:
        print(json.dumps(info, indent=2, default=str))
    else:
        width = max(len(k) for k in info)
        for k, v in info.items():
            print(f"{k:<{width}}  {v}")
    return 0


def cmd_roundtrip(args) -> int:
    """Compress to a real file, decode that file, and report bytes, bpp, PSNR."""
    name = args.codec or api.default_codec_name()
    codec = get_codec(name)
    _background(args)
    src = Path(args.input)
    image, meta, carrier = _load(src, codec, args)
    out_dir = make_folder(args.out_dir)
    coded = out_dir / (src.stem + codec.extension)
    decoded_path = out_dir / (src.stem + ".decoded.png")
    for out in (coded, decoded_path):
        if out.exists() and not args.force:
            raise OutputError(f"{out} exists; give --force (-y) to replace it")
        if out.exists() and out.resolve() == src.resolve():
            raise OutputError(f"{out}: refusing to overwrite the input file")
    t0 = time.perf_counter()
    encoded = _compress(carrier, image, args)
    data = encoded.data
    t1 = time.perf_counter()
    coded = _named_after_format(codec, coded, data, src, args.force)
    write_atomic(coded, data, inputs=(src,))
    size = coded.stat().st_size
    t2 = time.perf_counter()
    decoded, back = codec.decode_with_meta(read_bytes(coded))
    decoded = codec.match_channels(decoded, image)
    t3 = time.perf_counter()
    save_png(decoded, decoded_path, inputs=(src,), meta=back)
    h, w = image.shape[:2]
    print(f"input    {src} ({w}x{h})")
    print(f"codec    {_chosen(codec, encoded)}" + _why(encoded).replace("\n", "\n         "))
    print(f"file     {coded}")
    print(f"bytes    {size}")
    print(f"bpp      {bpp(size, h, w):.4f}")
    ratio = compression_ratio(size, image, png_bytes=src.stat().st_size if src.suffix.lower() == ".png" else None)
    print("ratio    " + ", ".join(f"{v:.1f}:1 {k.replace('_', ' ')}" for k, v in ratio.items()))
    print(f"psnr     {psnr(image, decoded):.2f} dB")
    if meta.deep is not None and back.deep is not None and back.deep.shape == meta.deep.shape:
        # the source's own depth: its samples against the file's, on the 16-bit peak
        print(f"psnr-16  {psnr_from_mse(mse(meta.deep, back.deep), 65535.0):.2f} dB ({meta.depth}-bit samples, peak 65535)")
    msssim = ms_ssim(image, decoded)
    if msssim == msssim:
        print(f"ms-ssim  {msssim:.4f}")
    if meta.alpha is not None:
        err = "lost" if back.alpha is None else f"max error {int(abs(meta.alpha.astype(int) - back.alpha.astype(int)).max())}"
        print(f"alpha    {err}")
    for line in _kept(meta, data).splitlines()[1:]:
        print(f"{line.strip().split(':')[0]:<8} {line.split(':', 1)[1].strip()}")
    s2 = ssimulacra2(image, decoded)
    if s2 == s2:
        print(f"ssimulacra2 {s2:.2f}")
    print(f"encode   {t1 - t0:.3f} s")
    print(f"decode   {t3 - t2:.3f} s")
    print(f"decoded  {decoded_path}")
    return 0


def cmd_codecs(args) -> int:
    for name in codec_names():
        cls = codec_class(name)
        reason = cls.unavailable_reason()
        status = "available" if reason is None else f"unavailable: {reason}"
        print(f"{name:<10} {cls.label or name}  [{status}]")
        if args.verbose:
            print(f"{'':<10} quality: {cls.quality_help}; default {cls.default_quality:g}; file {cls.extension}")
            for opt in cls.options:
                print(f"{'':<10} option {opt.describe()}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("compress", help="compress an image (or a folder of images) into files")
    p.add_argument("input", help="image file or folder")
    p.add_argument("-o", "--output", help="output file or folder (default: next to the input, with the codec's extension)")
    _add_rate_options(p)
    _add_keep_options(p)
    _add_force(p)
    add_cluster_option(p, "compress a folder's images")
    p.set_defaults(func=cmd_compress)

    p = sub.add_parser("decompress", help="decode a .srz (or any image) file, or a folder of them, to PNG")
    p.add_argument("input", help=".srz / .jpg / .webp / .avif / ... file or folder")
    p.add_argument("-o", "--output", help="output PNG or folder (default: next to the input, .png)")
    _add_force(p)
    add_cluster_option(p, "decode a folder's files")
    p.set_defaults(func=cmd_decompress)

    p = sub.add_parser("restore", help="restore an existing JPEG, AVIF or VVC (.266) file (or a folder of them) with its network, to PNG")
    p.add_argument("input", help=".jpg file or folder")
    p.add_argument("-o", "--output", help="output PNG or folder (default: next to the input, .restored.png)")
    _add_force(p)
    add_cluster_option(p, "restore a folder's files")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("info", help="show the header of a .srz file (or the facts of an image file)")
    p.add_argument("input")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("roundtrip", help="compress to a file, decode it, print bytes, bpp and PSNR")
    p.add_argument("input", help="image file")
    p.add_argument("--out-dir", default="out", help="where the coded file and the decoded PNG go (default: out/)")
    _add_rate_options(p)
    _add_keep_options(p)
    _add_force(p)
    p.set_defaults(func=cmd_roundtrip)

    p = sub.add_parser("codecs", help="list codecs and whether they are available here")
    p.add_argument("-v", "--verbose", action="store_true")
    p.set_defaults(func=cmd_codecs)
