"""The house rules of the code (docs/design.md, "The map"), read from the source itself:
imports run one way (entry points -> job -> io, report, engines -> filters, schemas),
there are no import cycles, and no private name is imported from another module."""
from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {"filters": "zhpile.filters", "schemas": "zhpile.schemas", "pipelines": "zhpile.pipelines"}

# A module may import modules of a lower rank, and modules of its own package. schemas
# sits on filters: a config is checked against the filters' own names (the components).
RANKS = {
    "zhpile.filters": 0,
    "zhpile.schemas": 1,
    "zhpile.pipelines.io": 2, "zhpile.pipelines.report": 2, "zhpile.pipelines.engines": 2,
    "zhpile.pipelines.job": 3,
    "zhpile.pipelines": 4,  # the entry points: cli, api, run, train, inspect, compare
}


def _modules() -> dict[str, Path]:
    found = {}
    for folder, package in FOLDERS.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = path.relative_to(ROOT / folder).with_suffix("").parts
            name = ".".join((package, *parts))
            found[name.removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def _package(module: str) -> str:
    """The entry of RANKS a module belongs to (its longest prefix)."""
    return max((p for p in RANKS if module == p or module.startswith(p + ".")), key=len)


def _imports(module: str, path: Path):
    """(imported module, names, line) of every zhpile import, at any depth of the file."""
    is_package = path.name == "__init__.py"
    here = module if is_package else module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            target = importlib.util.resolve_name("." * node.level + (node.module or ""), here) if node.level else node.module
            if target and target.split(".")[0] == "zhpile":
                names = [a.name for a in node.names]
                # `from package import module` imports that module
                subs = [n for n in names if f"{target}.{n}" in MODULES]
                yield (target, [n for n in names if n not in subs], node.lineno)
                for n in subs:
                    yield (f"{target}.{n}", [], node.lineno)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "zhpile":
                    yield (alias.name, [], node.lineno)


def _edges():
    for module, path in MODULES.items():
        for target, names, line in _imports(module, path):
            if target in MODULES and target != module:
                yield module, target, names, line


def test_every_module_is_in_a_layer():
    assert MODULES, "no modules found"
    for module in MODULES:
        if module.startswith("zhpile.pipelines.") and module.count(".") == 2:
            assert module.split(".")[2] in {"cli", "api", "run", "train", "inspect", "compare", "io", "job", "report", "engines"}, (
                f"{module}: a new top-level module of pipelines/ belongs in a sub-package (docs/design.md)")


def test_imports_run_one_way():
    wrong = []
    for module, target, _names, line in _edges():
        mine, theirs = _package(module), _package(target)
        if mine == theirs:
            continue
        if RANKS[theirs] >= RANKS[mine]:
            wrong.append(f"{MODULES[module].relative_to(ROOT)}:{line} imports {target} ({theirs} is not below {mine})")
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles():
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for module, target, _names, _line in _edges():
        if target != "zhpile":  # the top package only re-exports, lazily
            graph[module].add(target)
    state: dict[str, int] = {}
    cycles = []

    def visit(node, trail):
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(trail[trail.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, "\n".join(cycles)


@pytest.mark.parametrize("folder", ["filters", "schemas", "pipelines", "benchmarks", "tools", "tests"])
def test_no_private_name_crosses_a_module(folder):
    wrong = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("zhpile")):
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        wrong.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {alias.name} from {node.module}")
    assert not wrong, "\n".join(wrong)


def test_filters_do_not_import_beam():
    for path in sorted((ROOT / "filters").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] == "apache_beam" for n in names), f"{path.relative_to(ROOT)} imports Beam"


def test_every_configurable_format_has_a_reader():
    from typing import get_args

    from zhpile.pipelines.io.reader import Reader
    from zhpile.pipelines.io.sources import READERS
    from zhpile.schemas.config import SourceConfig

    assert set(READERS) == set(get_args(SourceConfig.model_fields["format"].annotation))
    assert all(issubclass(row.reader, Reader) for row in READERS.values())
