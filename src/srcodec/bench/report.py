"""One self-contained HTML page of a benchmark run.

The page holds, with every image inline as a base64 ``data:`` URI and no
external resource (it can be mailed or archived as one file):

- the PSNR-bpp and MS-SSIM-bpp plots (with the run's reference curves);
- the BD-rate table against the run's anchor;
- the per-codec averages at each quality;
- side-by-side crops of a few images: the original and each codec at the
  quality whose rate is nearest a common target bpp, labelled with codec,
  quality, bpp and PSNR, so a person can compare the artefacts;
- the settings of every codec and the library versions.

The run folder keeps no decoded images: the crops are re-created here by
coding the original images again (the codecs are deterministic; the numbers
shown are those of this new coding, of the whole image). If the data set or a
codec is not there any more, the page says so instead of showing that crop.
"""

from __future__ import annotations

import base64
import html
import json
import math
import os
from pathlib import Path

import numpy as np

from srcodec.bench import bdrate, plots
from srcodec.bench.runner import RowStore, machines, run_curves
from srcodec.codecs import codec_class, get_codec
from srcodec.errors import InputError, SrcodecError
from srcodec.io.files import write_atomic
from srcodec.io.image import load_image, png_bytes
from srcodec.metrics import bpp, psnr, rgb_to_y

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1500px;
       padding: 0 16px; color: #1d1f23; background: #fff; }
h1 { font-size: 1.6em; margin-bottom: 4px; } h2 { margin-top: 36px; border-bottom: 1px solid #ddd; }
.meta { color: #555; }
table { border-collapse: collapse; margin: 10px 0; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 3px 9px; text-align: right; }
th { background: #f2f3f5; } td.l, th.l { text-align: left; }
tr.first td { border-top: 2px solid #888; }
.plots img { max-width: 49%; height: auto; }
.crops { display: flex; flex-wrap: wrap; gap: 10px; }
figure { margin: 0; } figcaption { font-size: 0.85em; max-width: 384px; }
figure img { image-rendering: pixelated; border: 1px solid #999; }
pre { background: #f6f7f9; padding: 8px; font-size: 0.85em; overflow-x: auto; }
.note { color: #8a5a00; }
"""


def data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _fmt(value, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{value:.{digits}f}"


def _load_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InputError(f"{path}: missing or not a JSON file") from None


def busiest_window(image: np.ndarray, size: int) -> tuple[int, int]:
    """Top-left (y, x) of the ``size`` x ``size`` window with the most luma detail."""
    h, w = image.shape[:2]
    if h <= size and w <= size:
        return 0, 0
    y = rgb_to_y(image)
    energy = np.zeros((h, w))
    energy[:, 1:] += np.abs(np.diff(y, axis=1))
    energy[1:, :] += np.abs(np.diff(y, axis=0))
    integral = np.pad(energy.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    sh, sw = min(size, h), min(size, w)
    step = max(size // 4, 1)
    best, where = -1.0, (0, 0)
    for top in range(0, h - sh + 1, step):
        for left in range(0, w - sw + 1, step):
            s = (integral[top + sh, left + sw] - integral[top, left + sw]
                 - integral[top + sh, left] + integral[top, left])
            if s > best:
                best, where = s, (top, left)
    return where


def pick_images(names: list[str], count: int) -> list[str]:
    """``count`` images spread over the list (first, last, evenly between)."""
    if count <= 0 or not names:
        return []
    if count >= len(names):
        return list(names)
    if count == 1:
        return [names[0]]
    idx = sorted({round(i * (len(names) - 1) / (count - 1)) for i in range(count)})
    return [names[i] for i in idx]


def make_crops(settings: dict, store: RowStore, codecs: list[str], count: int = 3, target_bpp: float = 0.5,
               size: int = 192) -> tuple[list[dict], list[str]]:
    """Crops of ``count`` images: the original and each codec near ``target_bpp``; and notes on what failed."""
    images: dict = settings.get("images", {})
    notes, groups = [], []
    for name in pick_images(list(images), count):
        try:
            original = load_image(images[name])
        except SrcodecError as exc:
            notes.append(f"{name}: cannot show crops ({exc})")
            continue
        top, left = busiest_window(original, size)
        box = (slice(top, top + size), slice(left, left + size))
        tiles = [{"title": "original", "caption": "uncompressed", "png": png_bytes(original[box])}]
        for codec_name in codecs:
            rows = [r for (img, c, _), r in store.rows.items() if img == name and c == codec_name]
            if not rows:
                continue
            row = min(rows, key=lambda r: abs(math.log(r["bpp"] / target_bpp)))
            try:
                if codec_class(codec_name).unavailable_reason():
                    raise SrcodecError(codec_class(codec_name).unavailable_reason())
                codec = get_codec(codec_name)
                data = codec.encode(original, row["quality"])
                decoded = codec.decode_like(data, original)
            except SrcodecError as exc:
                notes.append(f"{name}, {codec_name}: cannot re-create the crop ({exc})")
                continue
            rate = bpp(len(data), *original.shape[:2])
            label = settings.get("codecs", {}).get(codec_name, {}).get("label", codec_name)
            tiles.append({"title": label,
                          "caption": f"q={row['quality']:g} · {rate:.3f} bpp · {psnr(original, decoded):.2f} dB",
                          "png": png_bytes(decoded[box])})
        h, w = original[box].shape[:2]
        groups.append({"image": name, "where": f"{w}×{h} crop at x={left}, y={top} of {original.shape[1]}×"
                                               f"{original.shape[0]}", "tiles": tiles})
    return groups, notes


def _table(head: list[str], rows: list[list[str]], left: int = 1, group_col: int | None = None) -> str:
    out = ["<table>", "<tr>" + "".join(f'<th class="{"l" if i < left else ""}">{html.escape(h)}</th>'
                                         for i, h in enumerate(head)) + "</tr>"]
    prev = None
    for row in rows:
        first = group_col is not None and row[group_col] != prev
        prev = row[group_col] if group_col is not None else None
        cls = ' class="first"' if first else ""
        out.append(f"<tr{cls}>" + "".join(f'<td class="{"l" if i < left else ""}">{html.escape(c)}</td>'
                                           for i, c in enumerate(row)) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def build_report(folder: str | os.PathLike, out: str | os.PathLike | None = None, *, crops: int = 3,
                 crop_bpp: float = 0.5, crop_size: int = 192, refs: list[str] = ()) -> Path:
    """Write the HTML report of the run in ``folder``; returns its path."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder}: no such run folder")
    if not (folder / "settings.json").exists():
        raise InputError(f"{folder}: not a benchmark run folder (no settings.json; run srcodec bench first)")
    if not (crop_bpp > 0 and math.isfinite(crop_bpp)):
        raise InputError(f"--crop-bpp must be a positive number, got {crop_bpp}")
    settings = _load_json(folder / "settings.json")
    curves = run_curves(folder)
    ref_paths = list(dict.fromkeys([*settings.get("references", []), *map(str, refs)]))
    ref_curves = [bdrate.load_curve(p) for p in ref_paths if Path(p).exists() or p in map(str, refs)]
    store = RowStore(folder)
    names = [c.name for c in curves]
    title = f"{settings.get('dataset_name', folder.name)} ({len(settings.get('images', {}))} images)"

    parts = [f"<h1>srcodec benchmark: {html.escape(title)}</h1>",
             f'<p class="meta">run folder <code>{html.escape(str(folder))}</code> · created '
             f"{html.escape(str(settings.get('created', '?')))} · data set "
             f"<code>{html.escape(str(settings.get('dataset', '?')))}</code></p>"]
    if settings.get("skipped"):
        parts.append('<p class="note">Skipped (unavailable here): ' + html.escape(
            "; ".join(f"{k}: {v}" for k, v in settings["skipped"].items())) + "</p>")

    parts.append("<h2>Rate–distortion curves</h2>")
    if ref_curves:
        parts.append("<p>Dashed: published reference curves (" + html.escape(", ".join(c.label for c in ref_curves))
                     + ").</p>")
    parts.append('<div class="plots">')
    for metric in plots.plotted_metrics(curves):
        ylabel = plots.PLOTS[metric][1]
        png = plots.figure_bytes(plots.rd_figure(curves, metric, ref_curves, title), "png")
        parts.append(f'<img alt="{html.escape(ylabel)} over bpp" src="{data_uri(png, "image/png")}">')
    parts.append("</div>")

    parts.append("<h2>BD-rate</h2>")
    table_path = folder / "bdrate.json"
    table = _load_json(table_path) if table_path.exists() else bdrate.bd_table(curves[0], curves)
    metrics = table["metrics"]
    parts.append(f"<p>Against <b>{html.escape(table['anchor_label'])}</b>; Bjøntegaard delta rate, piecewise cubic "
                 "(PCHIP) interpolation of log-rate over quality; MS-SSIM in dB. Negative = fewer bits for the "
                 "same quality.</p>")
    rows = [[r["label"], str(r["points"]),
             "" if r["bpp_min"] is None else f"{r['bpp_min']:.3f}–{r['bpp_max']:.3f}",
             *[bdrate.format_percent(r.get(m)) for m in metrics]] for r in table["rows"]]
    parts.append(_table(["codec", "points", "bpp range", *[f"BD-rate {m}" for m in metrics]], rows))
    errors = [f"{r['label']}, {m}: {r[m + '_error']}" for r in table["rows"] for m in metrics if r.get(m + "_error")]
    if errors:
        parts.append("<ul>" + "".join(f"<li>{html.escape(e)}</li>" for e in errors) + "</ul>")

    parts.append("<h2>Averages per codec and quality</h2>")
    rows = []
    for c in curves:
        res = c.results
        for i, b in enumerate(res.get("bpp", [])):
            def val(key, digits):
                seq = res.get(key) or []
                return _fmt(seq[i] if i < len(seq) else None, digits)
            q = (res.get("quality") or [None] * len(res["bpp"]))[i]
            rows.append([c.label, "" if q is None else f"{q:g}", _fmt(b, 3), val("psnr-rgb", 2), val("psnr-y", 2),
                         val("ssim-rgb", 4), val("ms-ssim-rgb", 4), val("ssimulacra2", 2), val("vmaf", 2),
                         _fmt(None if res.get("encoding_time") is None else res["encoding_time"][i] * 1000, 1),
                         _fmt(None if res.get("decoding_time") is None else res["decoding_time"][i] * 1000, 1)])
    parts.append(_table(["codec", "quality", "bpp", "PSNR RGB (dB)", "PSNR-Y (dB)", "SSIM", "MS-SSIM",
                         "SSIMULACRA2", "VMAF", "encode (ms)", "decode (ms)"], rows, left=1, group_col=0))
    hosts = machines(store.rows.values())
    if len(hosts) > 1:
        parts.append(f'<p class="note">The encode and decode times were measured on {len(hosts)} machines '
                     f"({html.escape(', '.join(hosts))}; the <code>worker</code> column of rows.csv says which "
                     "measured each row): times from different machines are not comparable.</p>")

    parts.append("<h2>Side-by-side crops</h2>")
    groups, notes = make_crops(settings, store, names, crops, crop_bpp, crop_size)
    parts.append(f"<p>Each codec at the quality whose rate is nearest {crop_bpp:g} bpp on that image; crops of the "
                 f"most detailed {crop_size}×{crop_size} region, shown at 2×. bpp and PSNR are of the whole image.</p>")
    for g in groups:
        parts.append(f"<h3>{html.escape(g['image'])} <small class=\"meta\">({html.escape(g['where'])})</small></h3>")
        parts.append('<div class="crops">')
        for t in g["tiles"]:
            parts.append(f'<figure><img width="{2 * crop_size}" alt="{html.escape(t["title"])}" '
                         f'src="{data_uri(t["png"], "image/png")}"><figcaption><b>{html.escape(t["title"])}</b><br>'
                         f"{html.escape(t['caption'])}</figcaption></figure>")
        parts.append("</div>")
    if notes:
        parts.append("<ul>" + "".join(f'<li class="note">{html.escape(n)}</li>' for n in notes) + "</ul>")

    parts.append("<h2>Settings</h2>")
    rows = [[name, c.get("label", name), json.dumps(c.get("settings", {}), sort_keys=True),
             " ".join(f"{q:g}" for q in c.get("qualities", []))] for name, c in settings.get("codecs", {}).items()]
    parts.append(_table(["codec", "label", "encoder settings", "qualities"], rows, left=4))
    versions = settings.get("versions", {})
    parts.append(_table(["library", "version"], [[k, str(v)] for k, v in versions.items()], left=2))
    if settings.get("anchor"):
        parts.append(f"<p>Anchor: <code>{html.escape(json.dumps(settings['anchor']))}</code> · jobs: "
                     f"{html.escape(str(settings.get('jobs', '?')))}</p>")

    page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>srcodec benchmark: {html.escape(title)}</title><style>{CSS}</style></head>\n<body>\n"
            + "\n".join(parts) + "\n</body></html>\n")
    target = Path(out) if out else folder / "report.html"
    return write_atomic(target, page.encode("utf-8"))
