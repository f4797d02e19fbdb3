"""The runtime never imports the lab: a test of the package's import graph (read from the source)."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "srcodec"
#: the lab: training data, differentiable stand-ins, trainers, benchmarks
LAB = ("srcodec.data", "srcodec.proxies", "srcodec.train", "srcodec.bench")
#: CLI commands that hand over to the lab, inside the command's function (never when the parser is built)
DISPATCH = {"cli/bench.py", "cli/train.py"}


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(n) for n in tree.body}
    for node in ast.walk(tree):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
            [node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
        for name in names:
            yield name, id(node) in top, node.lineno
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module" and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.JoinedStr):  # f"srcodec.train.{kind}"
                text = "".join(v.value for v in arg.values if isinstance(v, ast.Constant))
                yield text, False, node.lineno


def test_runtime_modules_do_not_import_the_lab():
    bad = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.split("/")[0] in ("data", "proxies", "train", "bench"):
            continue
        for name, at_top, line in _imports(path):
            if name.startswith(LAB) and not (rel in DISPATCH and not at_top):
                bad.append(f"{rel}:{line} imports {name}")
    assert not bad, "runtime modules import the lab:\n" + "\n".join(bad)


def test_the_networks_do_not_import_the_codecs():
    # codecs/learned.py builds its model from models/; the other way round is an import circle
    bad = [f"{p.relative_to(PACKAGE).as_posix()}:{line} imports {name}"
           for p in sorted((PACKAGE / "models").rglob("*.py"))
           for name, _, line in _imports(p) if name.startswith("srcodec.codecs")]
    assert not bad, "\n".join(bad)


def test_no_module_names_one_codec_outside_that_codecs_module():
    # what a codec knows lives in the codec: no `codec.name == "vvc"` (or `identify(data) == "vvc"`) branches in
    # the runtime outside codecs/ (the lab's trainers may be made for one codec: ComCNN trains through JPEG)
    import re

    pattern = re.compile(r"""(==|!=)\s*["'](vvc|jpeg|jpegli|avif|webp|jxl|heif|jpeg2000|learned)["']""")
    runtime = [p for p in sorted(PACKAGE.rglob("*.py"))
               if p.relative_to(PACKAGE).parts[0] not in ("codecs", "data", "proxies", "train", "bench")]
    bad = [f"{p.relative_to(PACKAGE).as_posix()}:{i}" for p in runtime
           for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert not bad, "\n".join(bad)
