"""Independent tasks on a Dask cluster: what ``--cluster ADDRESS`` of ``srcodec bench``, ``compress``,
``decompress`` and ``restore`` (and the API's ``cluster=``) run on.

``ADDRESS`` is ``tcp://host:8786`` (a running scheduler: ``dask scheduler``, ``dask worker``; see
docs/cluster.md) or ``local:N`` (N worker processes of one thread each, started here on 127.0.0.1 only and
stopped at the end). ``distributed`` is imported only here, and only when a cluster is asked for::

    with Cluster("local:2", needs=["jpeg", "webp"]) as cluster:
        for item, worker, value, error in cluster.map(items, lambda item: (function, (arg, ...))):
            ...

- **Agreement.** Every worker reports its :func:`fingerprint` for the codecs the run needs (srcodec's
  version and source, the libraries, each codec's availability and the identity of each weights file it
  loads). A worker whose fingerprint differs from this machine's is refused with one line naming the
  difference, and runs none of the run's tasks: a worker plugin (run on the workers there and on every
  worker that joins later) grants the agreeing ones a Dask *resource* named after the fingerprint, and
  every task asks for it.
- **Inputs travel with the tasks** (a file's bytes), and results come back to this machine, which writes
  every output: workers need no shared file system.
- **Faults.** A worker that dies takes no result with it: Dask runs its tasks again on another worker.
  A task that fails on its input (a :class:`~srcodec.errors.SrcodecError`) returns the one-line error as
  its result, so Dask never retries it; a task that kills the workers it runs on three times is reported
  as failed, not retried for ever.
- **Who measured.** Each result comes with the worker that made it (``host tcp://address``): the bench
  records it in its rows, as times measured on different machines are not comparable.
"""

from __future__ import annotations

import hashlib
import json
import logging
import socket
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Callable, Iterable, Iterator

import srcodec
from srcodec.errors import BadOptionError, InputError, SrcodecError
from srcodec.io.files import read_bytes

#: the prefix of an address that starts a local cluster: ``local:N``
LOCAL = "local:"
#: the interface every scheduler, worker and dashboard started here listens on
LOCALHOST = "127.0.0.1"
#: seconds to wait for a scheduler, and for its first worker
CONNECT_TIMEOUT_S = 30
#: seconds between two looks at which workers there are
POLL_S = 1.0
#: tasks waiting per worker thread: enough to keep every thread busy, few enough to hold little memory
TASKS_PER_THREAD = 2
#: Dask's nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536, which turns off glibc's adaptive mmap
#: threshold: every large array is then a fresh mmap, and bench rows ran several times slower than in a
#: plain process (compare the first two rows of benchmarks/cluster_throughput.py's table); local workers
#: start without it, docs/cluster.md says how to start remote ones so
LOCAL_WORKER_MALLOC = "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"
#: fingerprint entries that may differ between machines (they change no result)
MACHINE_ONLY = ("platform",)


# ---------------------------------------------------------------- what a machine would compute with


def _source_digest() -> str:
    """The SHA-256 (16 hex digits) of srcodec's Python source files: the code that runs, not only its version."""
    root = Path(srcodec.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def fingerprint(needs: Iterable[str]) -> dict:
    """What this machine computes with for the codecs ``needs`` (specs): srcodec's version and the digest of
    its source, the library versions (:func:`srcodec.versions.library_versions`), and for each codec needed
    and each codec it :meth:`~srcodec.codecs.base.Codec.uses`, whether it is available and the identity
    (:func:`srcodec.archs.weights_identity`) of each weights file it loads, by file name; when a network runs,
    also the CPU kernels torch chose (AVX2, AVX512, ...), since another set may round a network's output
    differently."""
    import srcodec.pipelines  # noqa: F401  (registers the pipelines)
    from srcodec.archs import weights_identity
    from srcodec.codecs import codec_class, get_codec
    from srcodec.versions import library_versions

    codecs: dict[str, dict] = {}
    todo = list(needs)
    while todo:
        spec = todo.pop(0)
        if spec in codecs:
            continue
        reason = codec_class(spec).unavailable_reason()
        entry: dict = {"available": reason is None}
        if reason is None:
            codec = get_codec(spec)
            weights = {}
            for path in codec.weights_files():
                try:
                    weights[Path(path).name] = weights_identity(path).hex()
                except InputError:
                    weights[Path(path).name] = "missing"
            entry["weights"] = weights
            todo += [s for s in codec.uses() if s not in codecs]
        codecs[spec] = entry
    libraries = {k: v for k, v in library_versions().items() if k not in MACHINE_ONLY}
    if any(entry.get("weights") for entry in codecs.values()):
        import torch  # networks run: torch picks its kernels by the CPU's vector instructions

        libraries["torch cpu kernels"] = torch.backends.cpu.get_cpu_capability()
    return {"srcodec": srcodec.__version__, "source": _source_digest(), "libraries": libraries, "codecs": codecs}


def differences(here: dict, there: dict, path: str = "") -> list[str]:
    """The entries where two fingerprints differ, as ``what: here X, there Y`` (sorted)."""
    out = []
    for key in sorted(set(here) | set(there)):
        a, b, name = here.get(key), there.get(key), f"{path}{key}"
        if isinstance(a, dict) and isinstance(b, dict):
            out += differences(a, b, name + " ")
        elif a != b:
            out.append(f"{name}: {'none' if a is None else a} here, {'none' if b is None else b} there")
    return out


def _fingerprint_key(expected: dict) -> str:
    text = json.dumps(expected, sort_keys=True)
    return "srcodec-" + hashlib.sha256(text.encode()).hexdigest()[:12]


# ---------------------------------------------------------------- on the workers


def _worker_label() -> str:
    """``host tcp://address`` of the Dask worker running the current task."""
    from distributed import get_worker

    return f"{socket.gethostname()} {get_worker().address}"


def _run_task(fn: Callable, *args):
    """``fn(*args)`` on a worker: ``(worker, value, None)``, or ``(worker, None, one-line error)`` when the input
    is bad (returned, not raised, so that Dask does not run it again)."""
    worker = _worker_label()
    try:
        return worker, fn(*args), None
    except SrcodecError as exc:
        return worker, None, str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _worker_fingerprint(needs: list[str]) -> dict:
    return fingerprint(needs)


def _agreement_plugin(expected: dict, needs: list[str], key: str, topic: str):
    """A worker plugin that grants the resource ``key`` to a worker whose fingerprint is ``expected``, and
    tells ``topic`` why it refused one that differs (defined here: ``distributed`` is imported only here)."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class Agreement(WorkerPlugin):
        idempotent = False

        def __init__(self):
            self.expected, self.needs, self.key, self.topic = expected, needs, key, topic

        async def setup(self, worker):
            try:
                diff = differences(self.expected, fingerprint(self.needs))
            except Exception as exc:  # a worker that cannot even say what it has is refused too
                diff = [f"its fingerprint failed ({type(exc).__name__}: {exc})"]
            if diff:
                worker.log_event(self.topic, {"worker": worker.address, "why": diff})
                return
            await worker.set_resources(**{self.key: worker.state.nthreads})

    return Agreement()


# ---------------------------------------------------------------- the client


def parse_address(address: str) -> tuple[str, int | str]:
    """``("local", N)`` for ``local:N``, else ``("scheduler", address)``; a one-line error for a bad one."""
    text = address.strip()
    if text.startswith(LOCAL):
        try:
            n = int(text[len(LOCAL):])
        except ValueError:
            n = 0
        if n < 1:
            raise BadOptionError(f"--cluster {address}: local:N needs a number of workers N >= 1")
        return "local", n
    if not text or " " in text:
        raise BadOptionError(f"--cluster {address!r}: give tcp://host:port (a Dask scheduler) or local:N")
    return "scheduler", text


class Cluster:
    """A connection to a Dask cluster (or a local one started here) whose agreeing workers run tasks."""

    def __init__(self, address: str, needs: Iterable[str], say: Callable[[str], None] | None = None):
        self.address = address
        self.kind, self.target = parse_address(address)
        self.needs = list(dict.fromkeys(needs))
        self.say = say or (lambda line: print(line, file=sys.stderr))
        self.client = None
        self._local = None
        self._refused: dict[str, str] = {}  # worker -> why
        self._threads = 0

    # -- connecting and agreeing --------------------------------------------

    def __enter__(self) -> Cluster:
        try:
            import distributed
        except ImportError:
            raise BadOptionError("--cluster needs Dask's distributed: pip install 'srcodec[cluster]'") from None
        logging.getLogger("distributed").setLevel(logging.ERROR)  # the lines that matter are ours
        try:
            if self.kind == "local":
                import dask

                with dask.config.set({LOCAL_WORKER_MALLOC: None}):
                    self._local = distributed.LocalCluster(
                        n_workers=self.target, threads_per_worker=1, processes=True, host=LOCALHOST,
                        dashboard_address=f"{LOCALHOST}:0", silence_logs=logging.ERROR)
                self.client = distributed.Client(self._local, set_as_default=False)
            else:
                self.client = distributed.Client(self.target, timeout=f"{CONNECT_TIMEOUT_S}s", set_as_default=False)
        except (OSError, TimeoutError) as exc:
            self.__exit__(None, None, None)
            raise InputError(f"cannot reach the Dask scheduler at {self.address} ({str(exc).splitlines()[0]})") from None
        try:
            self._agree()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        if self.client is not None:
            try:
                if self.kind == "scheduler" and getattr(self, "key", None):
                    self.client.unregister_worker_plugin(self.key)
            except Exception:  # the scheduler may be gone; nothing of ours is left to clean there
                pass
            self.client.close()
            self.client = None
        if self._local is not None:
            self._local.close()
            self._local = None

    def _agree(self) -> None:
        """Refuse the workers that differ from this machine (one line each); an error when none agrees."""
        try:
            self.client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S)
        except TimeoutError:
            raise InputError(f"the Dask scheduler at {self.address} has no worker "
                             f"(none joined in {CONNECT_TIMEOUT_S} s)") from None
        self.expected = fingerprint(self.needs)
        self.key = _fingerprint_key(self.expected)
        self.topic = f"{self.key}-{uuid.uuid4().hex[:8]}"
        self.client.subscribe_topic(self.topic, self._on_refusal)
        self.client.register_plugin(_agreement_plugin(self.expected, self.needs, self.key, self.topic), name=self.key)
        found = self.client.run(_worker_fingerprint, self.needs, on_error="return")
        for worker, there in sorted(found.items()):
            diff = differences(self.expected, there) if isinstance(there, dict) else \
                [f"its fingerprint failed ({type(there).__name__}: {there})"]
            if diff:
                self._refuse(worker, diff)
        self._threads = self.threads()
        if not self._threads:
            worker, why = next(iter(self._refused.items()), (None, "none holds this run's resource"))
            raise InputError(f"no worker of the cluster at {self.address} agrees with this machine ("
                             + (f"{worker}: {why})" if worker else f"{why})"))

    def _on_refusal(self, event) -> None:
        msg = event[1] if isinstance(event, tuple) else event
        self._refuse(msg["worker"], msg["why"])

    def _refuse(self, worker: str, diff: list[str]) -> None:
        if worker in self._refused:
            return
        more = f" (and {len(diff) - 1} more differences)" if len(diff) > 1 else ""
        self._refused[worker] = f"{diff[0]}{more}"
        self.say(f"srcodec: refusing worker {worker}: {diff[0]}{more}")

    def threads(self) -> int:
        """Threads of the agreeing workers now (those holding this run's resource)."""
        workers = self.client.scheduler_info(n_workers=-1).get("workers", {})
        return int(sum(w.get("resources", {}).get(self.key, 0) for w in workers.values()))

    def workers(self) -> int:
        """Agreeing workers now."""
        workers = self.client.scheduler_info(n_workers=-1).get("workers", {})
        return sum(1 for w in workers.values() if w.get("resources", {}).get(self.key))

    # -- running ------------------------------------------------------------

    def submit(self, fn: Callable, *args):
        """A future of ``fn(*args)`` on an agreeing worker: ``(worker, value, error)`` (see :func:`_run_task`)."""
        return self.client.submit(_run_task, fn, *args, pure=False, resources={self.key: 1})

    def map(self, items: Iterable, task: Callable) -> Iterator[tuple[object, str | None, object, str | None]]:
        """Run ``fn(*args)`` for each item, ``(fn, args) = task(item)`` built as the item's turn comes (a few
        per worker thread wait at a time); yields ``(item, worker, value, error)`` as they finish. ``task``
        may raise a :class:`SrcodecError` for an input this machine cannot even read: that item's error.
        When every agreeing worker is gone the tasks wait for one to join (a line says so), and are sent
        again once one has."""
        from distributed.client import FutureCancelledError
        from distributed.scheduler import KilledWorker

        todo = iter(items)
        pending: dict = {}  # future -> item
        finished = threading.Event()  # set by each future as it finishes

        def send(item, fn, args) -> None:
            fut = self.submit(fn, *args)
            fut.add_done_callback(lambda _: finished.set())
            pending[fut] = item

        exhausted, orphaned, last_look = False, False, time.monotonic()
        try:
            while True:
                while not exhausted and len(pending) < max(1, self._threads) * TASKS_PER_THREAD:
                    item = next(todo, _END)
                    if item is _END:
                        exhausted = True
                        break
                    try:
                        fn, args = task(item)
                    except SrcodecError as exc:
                        yield item, None, None, str(exc)
                        continue
                    send(item, fn, args)
                if not pending:
                    return
                finished.wait(POLL_S)
                finished.clear()
                for fut in [f for f in pending if f.done()]:
                    item = pending.pop(fut)
                    try:
                        worker, value, error = fut.result()
                    except KilledWorker as exc:
                        worker, value, error = None, None, f"the task killed every worker it ran on ({exc})"
                    except FutureCancelledError:
                        continue
                    yield item, worker, value, error
                if pending and time.monotonic() - last_look >= POLL_S:
                    last_look = time.monotonic()
                    self._threads = self.threads()
                    if not self._threads and not orphaned:
                        orphaned = True
                        self.say("srcodec: no agreeing worker left in the cluster: waiting for one to join "
                                 "(Ctrl-C stops; what is done is kept)")
                    elif self._threads:
                        orphaned = False
                        # a task that found no agreeing worker is not looked at again when one joins (its
                        # resource comes after it joined): send such tasks again
                        stuck = set(self.client.run_on_scheduler(_without_worker, [f.key for f in pending]))
                        for fut in [f for f in pending if f.key in stuck]:
                            item = pending.pop(fut)
                            fut.cancel()
                            send(item, *task(item))
        finally:
            for fut in pending:
                fut.cancel()


_END = object()


def map_files(make: Callable[[Path, bytes], object], paths: list[Path], cluster: str | None = None,
              needs: Iterable[str] = (), say: Callable[[str], None] | None = None) -> Iterator[tuple[Path, object, str | None]]:
    """``(path, make(path, bytes of the file), None)``, or ``(path, None, one-line error)`` when the file cannot
    be read or ``make`` raises a :class:`SrcodecError`, for each path: here one after the other (``cluster``
    None), or on the Dask ``cluster`` whose workers agree on the codecs ``needs``, as they finish (the bytes
    go with each task, the result comes back here)."""
    if cluster is not None:
        parse_address(cluster)  # a bad address is an error now, before any work
    return _map_files(make, paths, cluster, needs, say)


def _map_files(make, paths, cluster, needs, say):
    if cluster is None:
        for path in paths:
            try:
                yield path, make(path, read_bytes(path)), None
            except SrcodecError as exc:
                yield path, None, str(exc)
        return
    with Cluster(cluster, needs, say) as on:
        for path, _, value, error in on.map(paths, lambda p: (make, (p, read_bytes(p)))):
            yield path, value, error


def _without_worker(keys: list, dask_scheduler=None) -> list:
    """The tasks among ``keys`` that wait for a worker able to run them (run on the scheduler)."""
    tasks = dask_scheduler.tasks
    return [k for k in keys if k in tasks and tasks[k].state == "no-worker"]
