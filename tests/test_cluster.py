"""``--cluster``: benchmarks and batches on a real Dask cluster started here, on 127.0.0.1 only.

A scheduler and two worker processes (``python -m distributed.cli.dask_scheduler`` / ``dask_worker``,
``--host 127.0.0.1``, no dashboards) serve the module; a test that needs another worker (one to kill, one
with other weights) starts its own. Every process is stopped by its id at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from srcodec.bench.runner import RowStore, run_benchmark
from srcodec.cli import main
from srcodec.cluster import Cluster, differences, fingerprint
from srcodec.errors import InputError
from srcodec.io.image import save_png
from tests.conftest import ROOT, assert_one_line_error, run_cli, smooth_image

distributed = pytest.importorskip("distributed")

LOCALHOST = "127.0.0.1"
#: row fields that depend on the machine and the moment, not on the codec: left out of comparisons
TIMING = ("encode_s", "decode_s", "worker")


def _env(**extra) -> dict:
    path = os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path, "PYTHONWARNINGS": "ignore", **extra}


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def _workers(address: str) -> dict:
    with distributed.Client(address, timeout="20s", set_as_default=False) as client:
        return client.scheduler_info(n_workers=-1)["workers"]


def _start_worker(address: str, name: str, **env) -> tuple[subprocess.Popen, str]:
    """One worker process (one thread, no nanny: its id is the worker's) on 127.0.0.1; returns it and its address."""
    before = set(_workers(address))
    proc = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--host", LOCALHOST,
                             "--nthreads", "1", "--no-nanny", "--no-dashboard", "--name", name],
                            cwd=ROOT, env=_env(**env), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        new = set(_workers(address)) - before
        if new:
            return proc, new.pop()
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    _stop(proc)
    raise RuntimeError(f"worker {name} did not join")


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory):
    """``tcp://127.0.0.1:PORT`` of a scheduler with two workers, all three stopped at the end."""
    folder = tmp_path_factory.mktemp("scheduler")
    info = folder / "scheduler.json"
    procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", LOCALHOST,
                               "--port", "0", "--no-dashboard", "--scheduler-file", str(info)],
                              cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 60
        while not info.exists() and time.monotonic() < deadline and procs[0].poll() is None:
            time.sleep(0.1)
        time.sleep(0.2)  # the file is complete once its JSON parses
        address = json.loads(info.read_text())["address"]
        assert address.startswith(f"tcp://{LOCALHOST}:")
        for name in ("a", "b"):
            procs.append(_start_worker(address, name)[0])
        yield address
    finally:
        for proc in reversed(procs):
            _stop(proc)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("images")
    for i in range(4):
        save_png(smooth_image(48 + 8 * i, 64, seed=i), root / f"{i}.png")
    save_png(smooth_image(168, 168, seed=9), root / "big.png")  # MS-SSIM defined
    return root


def _measured(folder) -> dict:
    return {key: {k: v for k, v in row.items() if k not in TIMING} for key, row in RowStore(folder).rows.items()}


def _as_text(rows: dict) -> dict:
    return {k: json.dumps(v, sort_keys=True) for k, v in rows.items()}  # NaN == NaN as text


def test_a_cluster_bench_gives_the_rows_of_a_local_one(scheduler, dataset, tmp_path):
    kwargs = dict(qualities=[20, 50, 85], progress=False)
    local = run_benchmark(dataset, ["jpeg", "webp"], tmp_path / "local", **kwargs)
    remote = run_benchmark(dataset, ["jpeg", "webp"], tmp_path / "cluster", cluster=scheduler, **kwargs)
    assert not local.failures and not remote.failures
    assert len(RowStore(tmp_path / "cluster").rows) == 5 * 2 * 3
    assert _as_text(_measured(tmp_path / "cluster")) == _as_text(_measured(tmp_path / "local"))
    workers = {row["worker"] for row in RowStore(tmp_path / "cluster").rows.values()}
    assert all(w.split(" ")[1].startswith(f"tcp://{LOCALHOST}:") for w in workers), workers
    assert json.loads((tmp_path / "cluster" / "settings.json").read_text())["cluster"] == scheduler
    # run again: every row is there, nothing is measured twice
    again = run_benchmark(dataset, ["jpeg", "webp"], tmp_path / "cluster", cluster=scheduler, **kwargs)
    assert again.measured == 0 and again.done_before == 30


def test_a_killed_worker_loses_nothing(scheduler, dataset, tmp_path):
    data = tmp_path / "more"
    data.mkdir()
    for i in range(6):
        save_png(smooth_image(96, 128, seed=20 + i), data / f"{i}.png")
    qualities = ["10", "25", "40", "55", "70", "85"]
    local = run_benchmark(data, ["jpeg", "webp"], tmp_path / "local", qualities=[float(q) for q in qualities],
                          progress=False)
    assert not local.failures
    victim, victim_address = _start_worker(scheduler, "victim")
    try:
        bench = subprocess.Popen([sys.executable, "-m", "srcodec", "bench", str(data), "--codecs", "jpeg,webp",
                                  "--qualities", *qualities, "--out", str(tmp_path / "cluster"), "--cluster",
                                  scheduler, "--quiet"], cwd=ROOT, env=_env(), stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        killed_busy = False
        with distributed.Client(scheduler, set_as_default=False) as client:
            deadline = time.monotonic() + 120
            while bench.poll() is None and time.monotonic() < deadline:
                if client.processing(workers=[victim_address]).get(victim_address):
                    os.kill(victim.pid, signal.SIGKILL)  # mid-task: the scheduler has work on it
                    killed_busy = True
                    break
                time.sleep(0.02)
        out, err = bench.communicate(timeout=180)
    finally:
        _stop(victim)
    assert killed_busy, "the bench ended before the victim got a task"
    assert bench.returncode == 0 and "Traceback" not in err, err
    rows = RowStore(tmp_path / "cluster").rows
    assert len(rows) == 6 * 2 * 6
    assert _as_text(_measured(tmp_path / "cluster")) == _as_text(_measured(tmp_path / "local"))


def _other_weights(folder, name: str):
    """A folder holding a copy of the shipped weights of ``name`` with one more metadata field: the same
    networks in another file, so another identity."""
    from safetensors import safe_open
    from safetensors.numpy import load_file, save_file

    from srcodec.pipelines.base import WEIGHTS_DIR

    src = WEIGHTS_DIR / f"{name}.safetensors"
    with safe_open(str(src), framework="numpy") as fh:
        meta = dict(fh.metadata())
    folder.mkdir(parents=True, exist_ok=True)
    save_file(load_file(str(src)), str(folder / src.name), metadata={**meta, "note": "retrained elsewhere"})
    return folder


def test_a_worker_with_other_weights_is_refused_before_any_task(scheduler, dataset, tmp_path):
    other = _other_weights(tmp_path / "weights", "jpeg-restored")
    here = fingerprint(["jpeg-restored"])
    os.environ["SRCODEC_PIPELINE_WEIGHTS_DIR"] = str(other)
    try:
        there = fingerprint(["jpeg-restored"])
    finally:
        del os.environ["SRCODEC_PIPELINE_WEIGHTS_DIR"]
    assert [d.split(":")[0] for d in differences(here, there)] == ["codecs jpeg-restored weights jpeg-restored.safetensors"]
    name = "jpeg-restored.safetensors"
    why = (f"codecs jpeg-restored weights {name}: {here['codecs']['jpeg-restored']['weights'][name]} here, "
           f"{there['codecs']['jpeg-restored']['weights'][name]} there")

    said: list[str] = []
    os.environ["SRCODEC_PIPELINE_WEIGHTS_DIR"] = str(other)  # this machine differs from every worker
    try:
        with pytest.raises(InputError, match=r"^no worker of the cluster at .* agrees with this machine \(tcp://"):
            Cluster(scheduler, ["jpeg-restored"], say=said.append).__enter__()
    finally:
        del os.environ["SRCODEC_PIPELINE_WEIGHTS_DIR"]
    assert len(said) == 2 and all(line.startswith("srcodec: refusing worker tcp://") for line in said), said
    said.clear()
    with Cluster(scheduler, ["jpeg-restored"], say=said.append) as on:  # the odd worker joins after the start
        threads = on.threads()
        odd, odd_address = _start_worker(scheduler, "odd", SRCODEC_PIPELINE_WEIGHTS_DIR=str(other))
        try:
            deadline = time.monotonic() + 30
            while not said and time.monotonic() < deadline:
                time.sleep(0.1)
            assert said == [f"srcodec: refusing worker {odd_address}: {why}"]  # by the plugin, as it joined
            assert on.threads() == threads
            ran_on = {worker for _, worker, _, _ in on.map(range(20), lambda i: (int, (str(i),)))}
            assert ran_on and not any(odd_address in w for w in ran_on), ran_on
        except BaseException:
            _stop(odd)
            raise
    try:
        proc = run_cli("bench", str(dataset), "--codecs", "jpeg-restored", "--qualities", "50", "--limit", "2",
                       "--out", str(tmp_path / "run"), "--cluster", scheduler, "--quiet")
    finally:
        _stop(odd)
    assert proc.returncode == 0, proc.stderr
    refusals = [ln for ln in proc.stderr.splitlines() if "refusing" in ln]
    assert refusals == [f"srcodec: refusing worker {odd_address}: {why}"]  # at the start
    rows = RowStore(tmp_path / "run").rows.values()
    assert len(rows) == 2 and not any(odd_address in row["worker"] for row in rows)


def test_compress_and_restore_a_folder_on_the_cluster(scheduler, dataset, tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(dataset, folder)
    (folder / "broken.png").write_bytes(b"not a png")
    here = run_cli("compress", str(folder), "-o", str(tmp_path / "here"), "--codec", "jpeg", "-q", "30")
    there = run_cli("compress", str(folder), "-o", str(tmp_path / "there"), "--codec", "jpeg", "-q", "30",
                    "--cluster", scheduler)
    assert here.returncode == there.returncode == 1
    errors = [ln for ln in there.stderr.splitlines() if ln.startswith("srcodec: error:")]
    assert len(errors) == 1 and "broken.png" in errors[0]  # reported once, not retried
    names = sorted(p.name for p in (tmp_path / "here").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "there").iterdir()) and len(names) == 5
    for name in names:
        assert (tmp_path / "here" / name).read_bytes() == (tmp_path / "there" / name).read_bytes()
    restored = run_cli("restore", str(tmp_path / "there"), "-o", str(tmp_path / "restored"), "--cluster", scheduler)
    assert restored.returncode == 0, restored.stderr
    assert len(list((tmp_path / "restored").glob("*.restored.png"))) == 5


def test_a_local_cluster_listens_on_localhost_only(dataset):
    import srcodec

    paths = sorted(dataset.glob("*.png"))
    with Cluster("local:2", ["webp"]) as on:
        addresses = [on.client.scheduler.address, *on.client.scheduler_info(n_workers=-1)["workers"]]
        assert len(addresses) == 3 and all(a.startswith(f"tcp://{LOCALHOST}:") for a in addresses), addresses
        results = list(srcodec.compress_files(paths, codec="webp", quality=40, cluster=on.client.scheduler.address))
    assert sorted(p for p, _, _ in results) == paths
    for path, data, error in results:
        assert error is None and data == srcodec.compress(path, codec="webp", quality=40)


def test_bad_cluster_options_are_one_line_errors(dataset, tmp_path):
    proc = run_cli("bench", str(dataset), "--codecs", "jpeg", "--out", str(tmp_path / "a"), "--cluster", "local:0")
    assert_one_line_error(proc)
    assert "local:N needs a number of workers" in proc.stderr
    proc = run_cli("bench", str(dataset), "--codecs", "jpeg", "--out", str(tmp_path / "b"), "--jobs", "2",
                   "--cluster", "local:2")
    assert_one_line_error(proc)
    assert "not both" in proc.stderr


def test_times_from_several_machines_are_called_incomparable(dataset, tmp_path, capsys):
    from srcodec.bench.report import build_report

    run_benchmark(dataset, ["jpeg"], tmp_path / "run", qualities=[50], limit=2, progress=False)
    store = RowStore(tmp_path / "run")
    first = store.sorted_rows()[0]
    store.add({**first, "worker": "elsewhere tcp://10.0.0.2:40000"})
    store.flush()
    page = build_report(tmp_path / "run", tmp_path / "report.html", crops=0).read_text()
    assert "measured on 2 machines" in page and "not comparable" in page
    assert main(["bench", str(dataset), "--codecs", "jpeg", "--qualities", "50", "--limit", "2",
                 "--out", str(tmp_path / "run"), "--quiet"]) == 0
    assert "not comparable" in capsys.readouterr().err


def test_rows_written_before_the_worker_column_resume(dataset, tmp_path):
    run_benchmark(dataset, ["jpeg"], tmp_path / "run", qualities=[50], limit=2, progress=False)
    rows = json.loads((tmp_path / "run" / "rows.json").read_text())
    (tmp_path / "run" / "rows.json").write_text(json.dumps([{k: v for k, v in r.items() if k != "worker"} for r in rows]))
    assert {r["worker"] for r in RowStore(tmp_path / "run").rows.values()} == {""}
    (tmp_path / "run" / "rows.json").unlink()
    text = (tmp_path / "run" / "rows.csv").read_text().splitlines()
    (tmp_path / "run" / "rows.csv").write_text("\n".join(ln.rsplit(",", 1)[0] for ln in text) + "\n")
    again = run_benchmark(dataset, ["jpeg"], tmp_path / "run", qualities=[50], limit=2, progress=False)
    assert again.measured == 0 and again.done_before == 2
