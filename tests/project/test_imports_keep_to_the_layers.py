"""The rooms of rechain keep to their layers (docs/architecture.md): every import of every module, relative
ones resolved and those inside functions included, goes down the order

    Face (cli, arguments, commands, exits, the inputs' builder) → Running (run) → Reading (workbook)
    Face → Writing (report)          Running, Reading, Writing → Math (models) → base

and a test that the checker catches a planted bad import, so that it can fail."""

from __future__ import annotations

import ast
import importlib.util
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "rechain"
LAYER = {  # room (the part of a module name after `rechain.`; "" for rechain itself) -> its layer
    "cli": "face",
    "commands": "face",
    "arguments": "face",
    "exits": "face",
    "inputs": "face",
    "run": "running",
    "workbook": "reading",
    "report": "writing",
    "models": "math",
    "base": "base",
    "": "base",
}
MAY_IMPORT = {  # layer -> the layers below it that it may import (its own room always)
    "face": {"running", "reading", "writing", "math", "base"},
    "running": {"reading", "math", "base"},
    "reading": {"math", "base"},
    "writing": {"math", "base"},
    "math": {"base"},
    "base": set(),
}

Modules = dict[str, tuple[Path, bool]]  # module name -> (file, whether it is a package's __init__)


def installed_modules() -> Modules:
    """Every module of the installed package: the packages pyproject.toml lists, and any package folder
    below them (found with importlib, so a folder tree that is not the import tree is followed)."""
    listed = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"].get("packages", [])
    names, found, todo = set(listed) | {PACKAGE}, {}, sorted(set(listed) | {PACKAGE})
    while todo:
        name = todo.pop()
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.submodule_search_locations, f"{name}: not an installed package"
        for folder in map(Path, spec.submodule_search_locations):
            for path in sorted(folder.glob("*.py")):
                found[name if path.stem == "__init__" else f"{name}.{path.stem}"] = (path, path.stem == "__init__")
            for sub in sorted(p for p in folder.iterdir() if (p / "__init__.py").is_file()):
                if f"{name}.{sub.name}" not in names:
                    names.add(f"{name}.{sub.name}")
                    todo.append(f"{name}.{sub.name}")
    return found


def tree_modules(folder: Path, name: str = PACKAGE) -> Modules:
    """Every module of a package laid out as its import tree in `folder`."""
    found: Modules = {}
    for path in sorted(folder.rglob("*.py")):
        parts = [name, *path.relative_to(folder).with_suffix("").parts]
        init = parts[-1] == "__init__"
        found[".".join(parts[:-1] if init else parts)] = (path, init)
    return found


def imported(module: str, is_package: bool, node: ast.AST, modules: Modules) -> list[str]:
    """The modules an import statement reaches (`from . import x`: `<package>.x` if that is a module, else
    the package, whose attribute x is)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if not node.level:
        return [node.module or ""]
    parts = module.split(".") if is_package else module.split(".")[:-1]
    base = ".".join(parts[: len(parts) - node.level + 1])
    if node.module:
        return [f"{base}.{node.module}"]
    return [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]


def room_of(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else ""


def violations(modules: Modules, root: Path) -> list[str]:
    """`file:line: importer (room) imports imported (room): why` for every import against the layers."""
    found = []
    for module, (path, is_package) in sorted(modules.items()):
        here = room_of(module)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            for name in imported(module, is_package, node, modules):
                there = room_of(name)
                if name.split(".")[0] != PACKAGE or there == here:
                    continue
                where = f"{path.relative_to(root)}:{getattr(node, 'lineno', 0)}"
                edge = f"{where}: {module} ({here or PACKAGE}) imports {name} ({there or PACKAGE})"
                if here not in LAYER or there not in LAYER:
                    unknown = here if here not in LAYER else there
                    found.append(f"{edge}: room {unknown!r} has no layer (add it to LAYER in {Path(__file__).name})")
                elif LAYER[there] != LAYER[here] and LAYER[there] not in MAY_IMPORT[LAYER[here]]:
                    found.append(f"{edge}: {LAYER[here]} may not import {LAYER[there]}")
    return found


def test_every_import_keeps_to_the_layers():
    modules = installed_modules()
    assert {"rechain.cli", "rechain.run.solve", "rechain.report.findings", "rechain.models.model"} <= set(modules)
    assert violations(modules, ROOT) == []


def test_every_package_folder_is_installed():
    """A package folder pyproject.toml does not list would be missing from the wheel."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    packages = {name for name, (_, init) in installed_modules().items() if init}
    assert packages <= listed


PLANTED = {
    "__init__.py": "",
    "cli.py": "def version():\n    from . import __version__\n    from .run import solve\n",
    "base/__init__.py": "",
    "base/errors.py": "import os\nfrom ..models import dataset\n",
    "models/__init__.py": "",
    "models/dataset.py": "from ..base.errors import os\n",
    "workbook/__init__.py": "",
    "workbook/read.py": "from ..models.dataset import os\nfrom ..report import results\n",
    "report/__init__.py": "",
    "report/results.py": "def write():\n    import rechain.run.solve\n    from rechain.workbook.read import os\n",
    "run/__init__.py": "from . import solve\n",
    "run/solve.py": "from ..workbook import read\nfrom ..gadgets import gadget\nfrom .. import base\n",
}


def test_the_checker_names_each_planted_bad_import(tmp_path):
    for name, text in PLANTED.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    found = violations(tree_modules(tmp_path), tmp_path)
    assert found == [
        "base/errors.py:2: rechain.base.errors (base) imports rechain.models (models): base may not import math",
        "report/results.py:2: rechain.report.results (report) imports rechain.run.solve (run): writing may not "
        "import running",
        "report/results.py:3: rechain.report.results (report) imports rechain.workbook.read (workbook): writing "
        "may not import reading",
        "run/solve.py:2: rechain.run.solve (run) imports rechain.gadgets (gadgets): room 'gadgets' has no layer "
        "(add it to LAYER in test_imports_keep_to_the_layers.py)",
        "workbook/read.py:2: rechain.workbook.read (workbook) imports rechain.report (report): reading may not "
        "import writing",
    ]
