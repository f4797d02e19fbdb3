"""The runtime starts without torch: importing srcodec, building the CLI, commands that run no network."""

import subprocess
import sys

from tests.conftest import ROOT


def _loads_torch(code: str) -> bool:
    proc = subprocess.run([sys.executable, "-c", code + "\nimport sys\nprint('torch' in sys.modules)"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip().splitlines()[-1] == "True"


def test_import_and_parser_load_no_torch():
    assert not _loads_torch("import srcodec")
    assert not _loads_torch("import srcodec.cli as c\nc.build_parser(['--help'])")
    assert not _loads_torch("import srcodec.cli as c\nc.build_parser(['train', '--help'])")


def test_commands_without_networks_load_no_torch(tmp_path):
    png = tmp_path / "a.png"
    code = (f"import numpy as np, srcodec\nsrcodec.save_png(np.zeros((8, 8, 3), np.uint8), {str(png)!r})\n"
            "from srcodec.cli import main\n"
            f"main(['compress', {str(png)!r}, '--codec', 'jpeg'])\nmain(['codecs'])\nmain(['pipelines'])\n"
            f"main(['decompress', {str(tmp_path / 'a.jpg')!r}, '-o', {str(tmp_path / 'b.png')!r}])")
    assert not _loads_torch(code)


def test_a_network_command_still_gets_torch(tmp_path):
    assert _loads_torch("import srcodec.cli as c\nc.build_parser(['train', 'restorer', '--help'])")
