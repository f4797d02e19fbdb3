"""Run a rate-distortion benchmark into a run folder, resumably and in parallel.

Every image of the data set is coded by every codec at every quality of the
codec's sweep (``Codec.sweep``, or the qualities asked for) -- or, with ``targets``
(``--targets ssimulacra2:50,70,90``), to each value of a metric, the smallest file
that reaches it (``--codec NAME --target-ssimulacra2 70``, :meth:`Codec.encode_to`) --,
decoded, and measured with :func:`srcodec.metrics.quality_row`. The run folder ``DIR``
then holds:

=====================  ======================================================
``rows.csv``           one row per image x codec x quality (or target): image, codec,
``rows.json``          quality, target (``ssimulacra2=70``; empty in a quality sweep), bytes, bpp, psnr, psnr_y, ssim, ms_ssim,
                       ssimulacra2, vmaf, encode_s, decode_s, worker (who measured the times),
                       chosen (``auto``: the candidate whose file it wrote, from its report)
                       (JSON: missing values are ``null``; JSON only: ``report``, the
                       report of a codec that chose among candidates, every field of
                       :class:`srcodec.pipelines.auto.Report`)
``<codec>.json``       the averages over images per quality in CompressAI's
                       layout (``bpp``, ``psnr-rgb``, ``ms-ssim-rgb``,
                       ``psnr-y``, ``ssim-rgb``, ``encoding_time``,
                       ``decoding_time``), interchangeable with published curves,
                       plus ``ssimulacra2`` and ``vmaf`` (``null`` where a row
                       lacks them)
``settings.json``      data set, images, each codec's label, settings and
                       qualities, library versions, the anchor
``bdrate.md/.json``    BD-rates of every codec against the anchor
``rd_psnr.png/.svg``   the rate-distortion plots
``rd_msssim.png/.svg``
``rd_ssimulacra2.png``  (and ``rd_vmaf``) where the rows have those metrics
=====================  ======================================================

A ×1 pipeline whose ``.srz`` holds another codec's file byte for byte (``Codec.wrapped_codec``: e.g.
``vvc-restored`` and ``vvc``) is measured with that codec from one encode when both are in the run
at the same qualities: the codec's row is its own file taken out of the pipeline's (bytes, decode
and metrics its own; the encode time is the shared encode's). Greyscale images, which the pipelines
code as RGB, get the codec's own encode.

Rows are flushed to ``rows.csv``/``rows.json`` (atomically, every couple of
seconds) as they finish, so an interrupted run loses little; running the same
command again skips every row already there (key: image + codec + quality or target).
Decoded images are not kept: the report re-creates the few it shows.

With ``cluster`` (``--cluster tcp://host:port`` or ``local:N``) each task runs on a worker of a Dask
cluster (:mod:`srcodec.cluster`: workers that agree with this machine, the image file's bytes sent with
the task) and its rows come back here, into the same store and flushes.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import math
import multiprocessing
import os
import socket
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from tqdm import tqdm

from srcodec.bench import bdrate, plots
from srcodec.codecs import Codec, codec_class, get_codec
from srcodec.errors import BadOptionError, InputError, SrcodecError
from srcodec.io.files import make_folder, read_bytes, write_atomic
from srcodec.io.image import IMAGE_SUFFIXES, image_from_bytes, load_image
from srcodec.metrics import quality_row
from srcodec.targets import Target
from srcodec.versions import library_versions

ROW_FIELDS = ("image", "codec", "quality", "target", "bytes", "bpp", "psnr", "psnr_y", "ssim", "ms_ssim", "ssimulacra2", "vmaf",
              "encode_s", "decode_s", "worker", "chosen")
#: row fields that hold text (``worker``: the machine that measured the row's times, ``host`` on this machine,
#: ``host tcp://address`` of the Dask worker on a cluster; ``chosen``: for a codec that chooses among candidates,
#: ``auto``, the one whose file it wrote; both empty in rows written before they were recorded)
TEXT_FIELDS = ("image", "codec", "target", "worker", "chosen")
#: text fields that may be missing from older rows (read as empty)
OPTIONAL_TEXT = ("target", "worker", "chosen")
#: row fields that only rows.json holds (structured; absent where there is nothing to hold)
JSON_ONLY = ("report",)
#: row fields added after runs were first written: a row without them is measured again
LATER_FIELDS = ("ssimulacra2", "vmaf")
#: per-codec JSON ``results`` key -> the row field it averages
CURVE_KEYS = {"bpp": "bpp", "psnr-rgb": "psnr", "ms-ssim-rgb": "ms_ssim", "psnr-y": "psnr_y", "ssim-rgb": "ssim",
              "encoding_time": "encode_s", "decoding_time": "decode_s", "ssimulacra2": "ssimulacra2", "vmaf": "vmaf"}
#: seconds between two rewrites of rows.csv / rows.json while a run goes on
FLUSH_SECONDS = 2.0
#: files of a run folder that are not per-codec curves
RUN_FILES = ("rows.json", "settings.json", "bdrate.json")


# ---------------------------------------------------------------- inputs


def find_images(dataset: str | os.PathLike, limit: int | None = None, every: int = 1) -> list[Path]:
    """The images of a data set: a folder (its image files, sorted by name; every ``every``-th of them) or one
    image file; the first ``limit`` of those."""
    p = Path(dataset)
    if not p.exists():
        raise InputError(f"{p}: no such file or folder")
    if p.is_dir():
        images = sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES)
        if not images:
            raise InputError(f"{p}: no image files in this folder")
    else:
        images = [p]
    if every < 1:
        raise BadOptionError(f"--every must be at least 1, got {every}")
    images = images[::every]
    if limit is not None:
        if limit < 1:
            raise BadOptionError(f"--limit must be at least 1, got {limit}")
        images = images[:limit]
    return images


def plan_codecs(names: list[str]) -> tuple[list[Codec], dict[str, str]]:
    """The usable codecs among ``names``, and ``{name: reason}`` for those unavailable here.

    An unknown name is an error; an unavailable codec is only skipped.
    """
    if not names:
        raise BadOptionError("no codec named (--codecs jpeg,webp,...)")
    seen = []
    for name in names:
        codec_class(name)  # raises for an unknown name, before any work
        if name not in seen:
            seen.append(name)
    usable, skipped = [], {}
    for name in seen:
        reason = codec_class(name).unavailable_reason()
        if reason:
            skipped[name] = reason
        else:
            codec = get_codec(name)  # a spec with a bad option is an error here, before any work
            if codec.spec not in [c.spec for c in usable]:
                usable.append(codec)
    return usable, skipped


def codec_title(codec: Codec) -> str:
    """The codec's label for tables and plots, with its spec when options differ from the defaults."""
    label = codec.label or codec.name
    return label if codec.spec == codec.name else f"{label} [{codec.spec}]"


def plan_qualities(codec: Codec, qualities: list[float] | None) -> list[float]:
    """The qualities to run for ``codec``: those asked for (checked against its range) or its sweep."""
    chosen = list(qualities) if qualities else list(codec.sweep)
    if not chosen:
        raise BadOptionError(f"{codec.name}: no benchmark sweep defined; give --qualities")
    return sorted({codec.check_quality(q) for q in chosen})


def quality_key(quality: float) -> str:
    """The text form of a quality used in row keys and files (``30``, ``36.5``)."""
    return format(round(float(quality), 6), "g")


def target_key(metric: str, value: float) -> str:
    """The text form of a target (``ssimulacra2=70``) used in row keys and the ``target`` field."""
    return f"{metric}={quality_key(value)}"


def split_target(text: str) -> tuple[str, float]:
    """(metric, value) of a ``target`` field (``ssimulacra2=70``, :func:`target_key`)."""
    metric, _, value = text.partition("=")
    return metric, float(value)


def parse_targets(text: str) -> tuple[str, list[float]]:
    """``--targets METRIC:V,V,...`` (``ssimulacra2:50,70,90``) as (metric, values); a one-line error otherwise."""
    from srcodec.targets import METRICS

    metric, sep, values = text.partition(":")
    try:
        numbers = [float(v) for v in values.split(",") if v.strip()]
    except ValueError:
        numbers = []
    if not sep or metric not in METRICS or not numbers or not all(math.isfinite(v) for v in numbers):
        raise BadOptionError(f"--targets {text!r}: expected METRIC:V,V,... with METRIC one of "
                             f"{', '.join(METRICS)} (e.g. ssimulacra2:50,70,90)")
    return metric, sorted(set(numbers))


def point_key(point) -> str:
    """The key of a planned point: a quality (a number) or a target (its :func:`target_key` text)."""
    return point if isinstance(point, str) else quality_key(point)


# ---------------------------------------------------------------- rows on disk


def _clean(value):
    """A value as JSON can hold it: NaN and infinities become ``None``."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _from_json(field_name: str, value):
    if field_name in OPTIONAL_TEXT:
        return value or ""
    return math.nan if value is None and field_name not in TEXT_FIELDS else value


def _from_csv(field_name: str, text: str):
    if field_name in TEXT_FIELDS:
        return text
    if field_name == "bytes":
        return int(text)
    return float(text) if text else math.nan


class RowStore:
    """The rows of a run folder, keyed by (image, codec, quality), saved atomically."""

    def __init__(self, folder: Path, fresh: bool = False):
        self.folder = folder
        self.rows: dict[tuple[str, str, str], dict] = {}
        self.dirty = False
        if not fresh:
            for row in self._read():
                self.rows[self.key(row)] = row

    @staticmethod
    def key(row: dict) -> tuple[str, str, str]:
        return row["image"], row["codec"], row.get("target") or quality_key(row["quality"])

    def _read(self) -> list[dict]:
        json_path, csv_path = self.folder / "rows.json", self.folder / "rows.csv"
        try:
            if json_path.exists():
                data = json.loads(json_path.read_text(encoding="utf-8"))
                if not isinstance(data, list):
                    raise ValueError("not a list of rows")
                return [{**{k: _from_json(k, row.get(k)) for k in ROW_FIELDS if k in row or k not in LATER_FIELDS},
                         **{k: row[k] for k in JSON_ONLY if row.get(k) is not None}} for row in data]
            if csv_path.exists():
                with csv_path.open(newline="", encoding="utf-8") as fh:
                    return [{k: _from_csv(k, row[k] if k not in OPTIONAL_TEXT else row.get(k) or "") for k in ROW_FIELDS
                             if k in row or k not in LATER_FIELDS}
                            for row in csv.DictReader(fh)]
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InputError(f"{self.folder}: cannot resume from its rows ({exc}); use another --out or --fresh") from None
        return []

    def add(self, row: dict) -> None:
        self.rows[self.key(row)] = row
        self.dirty = True

    def drop_codec(self, name: str) -> int:
        """Forget every row of one codec; returns how many there were."""
        stale = [k for k in self.rows if k[1] == name]
        for k in stale:
            del self.rows[k]
        self.dirty = self.dirty or bool(stale)
        return len(stale)

    def sorted_rows(self) -> list[dict]:
        return sorted(self.rows.values(), key=lambda r: (r["image"], r["codec"], r.get("target") or "",
                                                         float(r["quality"])))

    def flush(self) -> None:
        """Rewrite rows.csv and rows.json (each atomically)."""
        rows = self.sorted_rows()
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(ROW_FIELDS)
        for row in rows:
            values = [row.get(k, math.nan) for k in ROW_FIELDS]
            writer.writerow(["" if isinstance(v, float) and math.isnan(v)
                             else (f"{v:.10g}" if isinstance(v, float) else v) for v in values])
        write_atomic(self.folder / "rows.csv", buf.getvalue().encode("utf-8"))
        payload = [{**{k: _clean(row.get(k, math.nan)) for k in ROW_FIELDS},
                    **{k: row[k] for k in JSON_ONLY if row.get(k) is not None}} for row in rows]
        write_atomic(self.folder / "rows.json", (json.dumps(payload, indent=0) + "\n").encode("utf-8"))
        self.dirty = False


# ---------------------------------------------------------------- the work


@dataclass(frozen=True)
class Task:
    """One measurement: an image coded by a codec at a quality, or to a target (``ssimulacra2=70``)."""

    path: str
    image: str
    codec: str
    quality: float
    #: a codec whose file this codec's file holds (:meth:`Codec.wrapped_codec`): its row comes from the same encode
    also: str | None = None
    #: a target (:func:`target_key`) instead of the quality, or ""
    target: str = ""


_WORKER_IMAGES: dict[str, object] = {}
_WORKER_CODECS: dict[str, Codec] = {}


def _worker_init(threads: int = 1) -> None:
    """Each worker process does its own work on ``threads`` cores (one unless told)."""
    import torch

    torch.set_num_threads(threads)


def _worker_codec(spec: str) -> Codec:
    codec = _WORKER_CODECS.get(spec)
    if codec is None:
        codec = _WORKER_CODECS[spec] = get_codec(spec)
    return codec


def measure(task: Task, image=None) -> list[dict]:
    """Code (:meth:`Codec.encode_to` the quality or the target), decode and measure one image (``image``, or
    loaded from ``task.path``): its row (or ``{"error": ...}``; a target's row holds the quality used, and the
    report of a codec that chose among candidates), and with ``task.also`` the wrapped codec's row too."""
    base = {"image": task.image, "codec": task.codec, "quality": task.quality, "target": task.target}
    data = None
    try:
        image = _WORKER_IMAGES.get(task.path) if image is None else image
        if image is None:
            _WORKER_IMAGES.clear()  # tasks come grouped by image: keep only the current one
            image = _WORKER_IMAGES[task.path] = load_image(task.path)
        codec = _worker_codec(task.codec)
        t0 = time.perf_counter()
        if task.target:
            metric, value = split_target(task.target)
            target = Target(metric=metric, value=value)
        else:
            target = Target(quality=task.quality)
        found = codec.encode_to(image, target)
        data = found.data
        t1 = time.perf_counter()
        decoded = codec.decode_like(data, image)
        t2 = time.perf_counter()
        chosen = found.report.chosen.candidate if found.report is not None else ""
        rows = [{**base, "quality": found.quality, **quality_row(image, decoded, len(data)), "encode_s": t1 - t0,
                 "decode_s": t2 - t1, "chosen": chosen,
                 **({"report": json.loads(json.dumps(asdict(found.report), default=str))} if found.report else {})}]
    except Exception as exc:  # reported per row; the run goes on with the others
        rows = [{**base, "error": _error_text(exc)}]
    if task.also is None:
        return rows
    own = Task(task.path, task.image, task.also, task.quality)
    if data is None or image.shape[2] != 3:  # no shared file (an error, or grey): the codec's own encode
        return rows + measure(own, image)
    try:
        wrapped = _worker_codec(task.also)
        inner = codec.unwrap(data)
        t2 = time.perf_counter()
        decoded = wrapped.decode_like(inner, image)
        t3 = time.perf_counter()
        rows.append({"image": task.image, "codec": task.also, "quality": task.quality,
                     **quality_row(image, decoded, len(inner)), "encode_s": t1 - t0, "decode_s": t3 - t2})
    except Exception as exc:
        rows.append({"image": task.image, "codec": task.also, "quality": task.quality, "error": _error_text(exc)})
    return rows


@functools.lru_cache(maxsize=2)
def _decoded(path: str, data: bytes):
    return image_from_bytes(data, name=path)  # what load_image(path) gives


def measure_file(task: Task, data: bytes) -> list[dict]:
    """:func:`measure` where the data set may not be (a worker of ``srcodec bench --cluster``): the bytes of
    the task's image file come with it."""
    return measure(task, _decoded(task.path, data))


def _error_text(exc: Exception) -> str:
    msg = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {msg}" if not isinstance(exc, SrcodecError) else msg


def _point_text(row: dict) -> str:
    return row.get("target") or f"q={quality_key(row['quality'])}"


def plan_tasks(paths: list[Path], keys: list[str], codecs: list[Codec], plan: dict[str, list],
               done: dict) -> list[Task]:
    """The tasks still to run, in image order; ``plan``: each codec's points, qualities (numbers) or targets
    (:func:`target_key` texts). A wrapped codec's row that its wrapper's encode will give (both missing, same
    quality planned for both) rides on the wrapper's task instead of its own (not a target's: each codec
    searches its own file)."""
    wraps = {}
    for c in codecs:
        w = c.wrapped_codec()
        if w and w != c.spec and w in plan and w not in wraps.values():
            wraps[c.spec] = w
    todo = []
    for p, k in zip(paths, keys):
        missing = [(c.spec, q) for c in codecs for q in plan[c.spec] if (k, c.spec, point_key(q)) not in done]
        riding = {(wraps[spec], quality_key(q)) for spec, q in missing
                  if not isinstance(q, str) and spec in wraps and (wraps[spec], q) in missing}
        for spec, q in missing:
            if isinstance(q, str):
                todo.append(Task(str(p), k, spec, math.nan, target=q))
                continue
            if (spec, quality_key(q)) in riding:
                continue  # measured from its wrapper's encode
            w = wraps.get(spec)
            todo.append(Task(str(p), k, spec, q, w if (w, quality_key(q)) in riding else None))
    return todo


def _execute(tasks: list[Task], jobs: int, store: RowStore, bar: tqdm, cluster: str | None = None,
             codecs: list[str] = (), threads: int = 1) -> list[str]:
    """Run ``tasks`` (in ``jobs`` processes when more than one, or on the Dask ``cluster`` whose workers agree
    on ``codecs``), each on ``threads`` torch threads, adding rows to ``store`` as they finish."""
    failures: list[str] = []
    last_flush = time.monotonic()
    here = socket.gethostname()

    def done(results: list[dict], worker: str = here) -> None:
        nonlocal last_flush
        for result in results:
            result["worker"] = worker
            if "error" in result:
                msg = f"{result['image']} {result['codec']} {_point_text(result)}: {result['error']}"
                failures.append(msg)
                bar.write(f"srcodec: warning: {msg}", file=sys.stderr)
            else:
                store.add(result)
            bar.update(1)
        if time.monotonic() - last_flush >= FLUSH_SECONDS:
            store.flush()
            last_flush = time.monotonic()

    try:
        if cluster is not None:
            _execute_on(cluster, codecs, tasks, done, bar)
        elif jobs <= 1:
            import torch

            threads = torch.get_num_threads()
            torch.set_num_threads(threads)  # one row at a time on one core unless told, as in the workers
            try:
                for task in tasks:
                    done(measure(task))
            finally:
                torch.set_num_threads(threads)
        else:
            ctx = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_worker_init,
                                     initargs=(threads,)) as pool:
                futures = [pool.submit(measure, t) for t in tasks]
                try:
                    for fut in as_completed(futures):
                        done(fut.result())
                except BaseException:
                    pool.shutdown(wait=False, cancel_futures=True)
                    raise
    finally:
        if store.dirty:
            store.flush()
    return failures


def _execute_on(address: str, codecs: list[str], tasks: list[Task], done, bar: tqdm) -> None:
    """The tasks on a Dask cluster (:mod:`srcodec.cluster`), one each, the image file's bytes sent with it."""
    from srcodec.cluster import Cluster

    last: list = [None, b""]

    def task_of(task: Task):
        if last[0] != task.path:  # tasks come grouped by image: read each file once
            last[:] = [task.path, read_bytes(task.path)]
        return measure_file, (task, last[1])

    with Cluster(address, codecs, say=lambda line: bar.write(line, file=sys.stderr)) as cluster:
        bar.set_postfix_str(f"{cluster.workers()} workers", refresh=False)
        for task, worker, rows, error in cluster.map(tasks, task_of):
            if error is not None:
                rows = [{"image": task.image, "codec": c, "quality": task.quality, "error": error}
                        for c in (task.codec, task.also) if c]
            done(rows, worker or "")


def machines(rows) -> list[str]:
    """The machines (host names) that measured ``rows``' times: their encode and decode times are comparable
    only when there is one."""
    return sorted({str(r.get("worker") or "").split(" ")[0] for r in rows} - {""})


# ---------------------------------------------------------------- summaries


def _mean(values: list) -> float | None:
    vals = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    return sum(vals) / len(vals) if vals else None


def summarize(codec: Codec, qualities: list, store: RowStore, images: list[str],
              dataset_name: str) -> tuple[dict, list[float]]:
    """The per-codec curve (CompressAI layout) over ``images``, and the points left out as incomplete. With
    targets (:func:`target_key` texts) the curve's ``quality`` holds the target values and ``target`` the metric:
    a target that some image's file does not reach is no point of the curve."""
    results: dict[str, list] = {"quality": []}
    results.update({key: [] for key in CURVE_KEYS})
    incomplete = []
    for q in qualities:
        rows = [store.rows.get((img, codec.spec, point_key(q))) for img in images]
        value = split_target(q)[1] if isinstance(q, str) else q
        if any(r is None for r in rows):
            incomplete.append(value)
            continue
        results["quality"].append(value)
        for key, fld in CURVE_KEYS.items():
            results[key].append(_mean([r.get(fld) for r in rows]))
    settings = json.dumps(codec.settings(), sort_keys=True)
    curve = {
        "name": codec.spec,
        "label": codec_title(codec),
        "description": f"{codec_title(codec)}, settings {settings}; mean over {len(images)} images of "
                       f"{dataset_name}; measured by srcodec bench",
        "dataset": dataset_name,
        "images": len(images),
        **({"target": split_target(qualities[0])[0]} if qualities and isinstance(qualities[0], str) else {}),
        "results": results,
    }
    return curve, incomplete


# ---------------------------------------------------------------- the run


@dataclass
class BenchResult:
    """What a run did and where its outputs are."""

    out: Path
    images: list[str]
    codecs: list[str]
    skipped: dict[str, str]
    done_before: int
    measured: int
    failures: list[str]
    incomplete: dict[str, list[float]]
    bd_table: dict | None
    files: list[Path] = field(default_factory=list)
    #: the machines whose times the rows hold (:func:`machines`)
    machines: list[str] = field(default_factory=list)


def resolve_anchor(anchor: str | None, codec_names: list[str], skipped: dict[str, str]):
    """The anchor as a codec name from the run, or a curve loaded from a JSON file."""
    if anchor is None:
        return codec_names[0] if codec_names else None
    if anchor in codec_names:
        return anchor
    if anchor in skipped:
        raise BadOptionError(f"--anchor {anchor}: that codec is unavailable here ({skipped[anchor]})")
    if Path(anchor).is_file():
        return bdrate.load_curve(anchor)
    raise BadOptionError(f"--anchor {anchor!r} is neither one of the codecs run ({', '.join(codec_names)}) "
                           "nor a JSON curve file")


def _earlier_codecs(out: Path) -> dict:
    """``codecs`` of the run folder's settings.json ({} where there is none, or it cannot be read)."""
    try:
        return dict(json.loads((out / "settings.json").read_text(encoding="utf-8")).get("codecs", {}))
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def _drop_stale_rows(out: Path, codecs: list[Codec], store: RowStore) -> None:
    """Rows measured with other encoder settings are dropped and measured again, never mixed in."""
    if not store.rows:
        return
    old = _earlier_codecs(out)
    have = {codec for _, codec, _ in store.rows}
    for codec in codecs:
        before = old.get(codec.spec)
        if codec.spec in have and before is not None and before.get("settings") != json.loads(json.dumps(codec.settings())):
            stale = store.drop_codec(codec.spec)
            print(f"srcodec: {codec.spec} settings changed since its {stale} rows were measured: measuring again",
                  file=sys.stderr)


def _drop_rows_before_later_fields(store: RowStore) -> None:
    """Rows written before a field of ``LATER_FIELDS`` existed are measured again, never left without it."""
    old = [k for k, row in store.rows.items() if not all(f in row for f in LATER_FIELDS)]
    for k in old:
        del store.rows[k]
    if old:
        store.dirty = True
        print(f"srcodec: {len(old)} rows of {store.folder} were measured before {' and '.join(LATER_FIELDS)} "
              "were in the rows: measuring them again", file=sys.stderr)


def _same_settings(a, b) -> bool:
    return json.loads(json.dumps(a, sort_keys=True, default=str)) == json.loads(json.dumps(b, sort_keys=True, default=str))


def copy_rows(out: str | os.PathLike, names: list[str], dataset: str | os.PathLike,
              sources: list[str | os.PathLike]) -> dict[str, int]:
    """Copy into the run folder ``out`` the rows of the codecs ``names`` that earlier run folders
    (``sources``) measured on images of the same ``dataset`` with today's settings of those codecs, so
    that a bench run in ``out`` skips them. Only rows ``out`` does not hold yet are added, and none of a
    codec whose settings in ``out`` differ (the bench would drop them as stale). Returns
    ``{source folder: rows copied}``."""
    out, dataset = Path(out), Path(dataset).resolve()
    if not names:
        return {}
    current = {n: get_codec(n).settings() for n in names}
    out_settings = {}
    if (out / "settings.json").exists():
        out_settings = json.loads((out / "settings.json").read_text(encoding="utf-8")).get("codecs", {})
    copied: dict[str, int] = {}
    store = None
    for src in sources:
        folder = Path(src)
        try:
            settings = json.loads((folder / "settings.json").read_text(encoding="utf-8"))
            rows = RowStore(folder).rows.values()  # read as a resumed run reads them
        except (OSError, ValueError, InputError):
            continue
        if Path(settings.get("dataset", "")).resolve() != dataset:
            continue
        images = settings.get("images", {})
        usable = [n for n in names if n in settings.get("codecs", {})
                  and _same_settings(settings["codecs"][n].get("settings"), current[n])
                  and (n not in out_settings or _same_settings(out_settings[n].get("settings"), current[n]))]
        if not usable:
            continue
        if store is None:
            make_folder(out)
            store = RowStore(out)
        n_before = len(store.rows)
        for row in rows:
            if row.get("codec") in usable and row.get("image") in images and all(f in row for f in LATER_FIELDS) \
                    and Path(images[row["image"]]).parent.resolve() == dataset:
                if RowStore.key(row) not in store.rows:
                    store.add(row)
        if len(store.rows) > n_before:
            copied[str(src)] = len(store.rows) - n_before
    if store is not None and store.dirty:
        store.flush()
    return copied


def run_benchmark(dataset: str | os.PathLike, codec_names: list[str], out: str | os.PathLike, *,
                  qualities: list[float] | None = None, jobs: int = 1, anchor: str | None = None,
                  limit: int | None = None, refs: list[str] = (), fresh: bool = False,
                  progress: bool = True, cluster: str | None = None, targets: tuple[str, list[float]] | None = None,
                  every: int = 1, threads: int = 1) -> BenchResult:
    """Run (or resume) a benchmark and write every output of the run folder; with ``cluster`` (``tcp://host:port``
    or ``local:N``, see :mod:`srcodec.cluster`) its rows are measured by the workers of a Dask cluster. ``targets``
    (metric, values): each codec's smallest file reaching each value instead of a quality sweep; ``every``: every
    K-th image; ``threads``: torch threads per row (each job's)."""
    if jobs < 1:
        raise BadOptionError(f"--jobs must be at least 1, got {jobs}")
    if threads < 1:
        raise BadOptionError(f"--threads must be at least 1, got {threads}")
    if targets is not None and qualities:
        raise BadOptionError("give --qualities or --targets, not both")
    if cluster is not None and jobs > 1:
        raise BadOptionError("give --jobs (processes here) or --cluster, not both")
    if cluster is not None:
        from srcodec.cluster import parse_address

        parse_address(cluster)
    codecs, skipped = plan_codecs(codec_names)
    for name, reason in skipped.items():
        print(f"srcodec: skipping codec {name}: {reason}", file=sys.stderr)
    if not codecs:
        raise InputError("none of the codecs asked for is available here")
    if targets is not None:
        plan = {c.spec: [target_key(targets[0], v) for v in targets[1]] for c in codecs}
    else:
        plan = {c.spec: plan_qualities(c, qualities) for c in codecs}
    names = [c.spec for c in codecs]
    anchor_spec = resolve_anchor(anchor, names, skipped)
    ref_curves = [bdrate.load_curve(r) for r in refs]
    paths = find_images(dataset, limit, every)
    keys = [p.name for p in paths]
    if len(set(keys)) != len(keys):
        raise InputError(f"{dataset}: two images share a file name")
    for p in paths:  # a broken file is reported once, before any work
        load_image(p)
    out = Path(out)
    make_folder(out)
    store = RowStore(out, fresh=fresh)
    _drop_stale_rows(out, codecs, store)
    _drop_rows_before_later_fields(store)

    dataset_path = Path(dataset).resolve()
    dataset_name = dataset_path.name if dataset_path.is_dir() else dataset_path.stem
    # codecs of an earlier run into this folder that this one does not run keep their settings while their
    # rows are there (a run that measures some codecs first, the others later, still knows every row's settings)
    others = {k: v for k, v in _earlier_codecs(out).items()
              if k not in names and any(key[1] == k for key in store.rows)}
    settings = {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "dataset": str(dataset_path),
        "dataset_name": dataset_name,
        "images": {k: str(p.resolve()) for k, p in zip(keys, paths)},
        "codecs": {c.spec: {"label": codec_title(c), "settings": c.settings(), "extension": c.extension,
                            "quality_help": c.quality_help, "qualities": plan[c.spec]} for c in codecs} | others,
        "skipped": skipped,
        "anchor": anchor_spec if isinstance(anchor_spec, str) else {"file": anchor_spec.source,
                                                                    "name": anchor_spec.name},
        "references": [str(Path(r).resolve()) for r in refs],
        **({"targets": {"metric": targets[0], "values": list(targets[1])}} if targets is not None else {}),
        "jobs": jobs,
        "threads": threads,
        **({"cluster": cluster} if cluster is not None else {}),
        "versions": library_versions(),
    }
    write_atomic(out / "settings.json", (json.dumps(settings, indent=2) + "\n").encode("utf-8"))

    total = sum(len(plan[c.spec]) for c in codecs) * len(keys)
    todo = plan_tasks(paths, keys, codecs, plan, store.rows)
    rows_todo = sum(2 if t.also else 1 for t in todo)
    done_before = total - rows_todo
    if done_before:
        print(f"srcodec: resuming: {done_before} of {total} rows already in {out}", file=sys.stderr)
    with tqdm(total=rows_todo, desc=f"bench {dataset_name}", unit="row", file=sys.stderr, disable=not progress,
              dynamic_ncols=True, mininterval=0.5) as bar:
        failures = _execute(todo, min(jobs, max(len(todo), 1)), store, bar, cluster if todo else None, names,
                            threads)
    if not store.rows:
        store.flush()  # an empty run still leaves its (empty) row files

    files = [out / "rows.csv", out / "rows.json", out / "settings.json"]
    curves, incomplete = [], {}
    for codec in codecs:
        curve, missing = summarize(codec, plan[codec.spec], store, keys, dataset_name)
        if missing:
            incomplete[codec.spec] = missing
        files.append(write_atomic(out / f"{codec.spec}.json", (json.dumps(curve, indent=2) + "\n").encode("utf-8")))
        curves.append(bdrate.curve_from_dict(curve, source=str(out / f"{codec.spec}.json")))

    anchor_curve = anchor_spec if isinstance(anchor_spec, bdrate.Curve) else curves[names.index(anchor_spec)]
    table = bdrate.bd_table(anchor_curve, curves)
    files.append(write_atomic(out / "bdrate.json", (json.dumps(table, indent=2) + "\n").encode("utf-8")))
    files.append(write_atomic(out / "bdrate.md", bdrate.table_markdown(table).encode("utf-8")))
    title = f"{dataset_name} ({len(keys)} image{'s' if len(keys) != 1 else ''})"
    files += plots.save_plots(curves, out / "rd", refs=ref_curves, title=title)
    return BenchResult(out=out, images=keys, codecs=names, skipped=skipped, done_before=done_before,
                       measured=rows_todo - len(failures), failures=failures, incomplete=incomplete,
                       bd_table=table, files=files, machines=machines(store.rows.values()))


def run_curves(folder: str | os.PathLike) -> list[bdrate.Curve]:
    """The per-codec curves of a run folder, in the order the run listed its codecs."""
    folder = Path(folder)
    settings_path = folder / "settings.json"
    if not folder.is_dir():
        raise InputError(f"{folder}: no such folder")
    if settings_path.exists():
        try:
            names = list(json.loads(settings_path.read_text(encoding="utf-8"))["codecs"])
        except (OSError, ValueError, KeyError, TypeError):
            raise InputError(f"{settings_path}: not a benchmark settings file") from None
        paths = [folder / f"{n}.json" for n in names]
    else:
        paths = sorted(p for p in folder.glob("*.json") if p.name not in RUN_FILES)
    curves = [bdrate.load_curve(p) for p in paths if p.exists()]
    if not curves:
        raise InputError(f"{folder}: no per-codec curves (run srcodec bench first)")
    return curves
