"""Shared fixtures: small synthetic images, so tests stay fast and need no data set."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
#: the published Kodak curves (CompressAI's, BSD 3-Clause Clear; see its NOTICE.md), shipped in the package
REFERENCE = ROOT / "src" / "srcodec" / "bench" / "reference" / "kodak"


def smooth_image(h: int, w: int, c: int = 3, seed: int = 0) -> np.ndarray:
    """A smooth, photo-like test image (gradients + blobs + a little noise)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    chans = []
    for k in range(c):
        f = 96 + 60 * np.sin(xx / (7 + 3 * k) + k) + 50 * np.cos(yy / (11 + 2 * k)) + rng.normal(0, 4, (h, w))
        chans.append(f)
    return np.clip(np.stack(chans, axis=2), 0, 255).astype(np.uint8)


@pytest.fixture
def rgb64() -> np.ndarray:
    return smooth_image(64, 64)


@pytest.fixture
def weights_dir(tmp_path, monkeypatch):
    """An empty pipeline-weights folder in place of the shipped one (SRCODEC_PIPELINE_WEIGHTS_DIR)."""
    d = tmp_path / "weights"
    d.mkdir()
    monkeypatch.setenv("SRCODEC_PIPELINE_WEIGHTS_DIR", str(d))
    return d


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """A training folder of two small synthetic images (never a test set), one per test module."""
    import srcodec

    d = tmp_path_factory.mktemp("data")
    for i in range(2):
        srcodec.save_png(smooth_image(48, 56, seed=i), d / f"{i}.png")
    return d


def run_cli(*args: str, cwd: str | os.PathLike | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run ``python -m srcodec ARGS`` as a user would, capturing output."""
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    return subprocess.run([sys.executable, "-m", "srcodec", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout, env=env)


def assert_one_line_error(proc: subprocess.CompletedProcess) -> None:
    """A user error: non-zero exit, exactly one line on stderr, no traceback."""
    assert proc.returncode != 0, proc
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "error" in lines[0]
