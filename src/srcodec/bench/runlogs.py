"""Training runs as the benchmarks read them: the recipes' commands, a run's kept log and its validations.

``benchmarks/pipeline_cards.py`` (the model cards), ``latent_sr_experiments.py``, ``kodak_learned.py`` and
``learning_curve.py`` read runs through these.
"""

from __future__ import annotations

import json
import re
import shlex
from datetime import datetime
from pathlib import Path

#: a timestamped line of a run's ``log.txt``
STAMP = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) (.*)$")


def recipe_commands(path: Path) -> list[tuple[str, str]]:
    """(run folder name, command line) of each ``srcodec train`` line of a recipe."""
    out = []
    for line in path.read_text().splitlines():
        if line.startswith("srcodec train"):
            words = shlex.split(line)
            run = words[words.index("--out") + 1]
            out.append((Path(run).name, line.strip()))
    return out


def read_run(run: str, logs: Path) -> dict:
    """Steps (when done; else the last logged step), minutes, wall time, machine and validations of the log of run
    ``run`` kept under ``logs`` (``benchmarks/results/train-logs``)."""
    folder = logs / run
    info = {"run": run, "found": (folder / "log.txt").is_file()}
    if not info["found"]:
        return info
    times, steps, minutes, machine, resumed, last_step = [], None, None, "", False, None
    for line in (folder / "log.txt").read_text().splitlines():
        m = STAMP.match(line)
        if not m:
            continue
        times.append(datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S"))
        text = m.group(2)
        if text.startswith("machine: "):
            machine = text[len("machine: "):]
        resumed |= "(resumed at step" in text
        logged = re.match(r"step (\d+) ", text)
        last_step = int(logged.group(1)) if logged else last_step
        done = (re.match(r"done at step (\d+) after ([\d.]+) min", text)
                or re.match(r"stopped by hand at step (\d+) \(its checkpoint\), ([\d.]+) min of steps", text))
        if done:
            steps, minutes = int(done.group(1)), float(done.group(2))
    info.update(steps=steps, minutes=minutes, machine=machine, resumed=resumed, last_step=last_step,
                wall_minutes=(times[-1] - times[0]).total_seconds() / 60 if len(times) > 1 else None)
    val = folder / "val.jsonl"
    rows = [json.loads(x) for x in val.read_text().splitlines()] if val.is_file() else []
    info["vals"] = rows
    info["val"] = rows[-1] if rows else None
    info["val_first"] = rows[0] if rows else None
    return info


def read_curve(paths: list[str]) -> list[dict]:
    """The validations of one run and its continuations, minutes and steps counted from the first start."""
    rows: list[dict] = []
    for i, path in enumerate(paths):
        part = [json.loads(line) for line in open(path) if line.strip()]
        step0, seconds0 = (rows[-1]["step"], rows[-1]["seconds"]) if rows else (0, 0.0)
        for r in part[1:] if i else part:
            rows.append({**r, "step": r["step"] + step0, "seconds": r["seconds"] + seconds0, "part": i + 1})
    return rows
