"""The project's habits, checked with the tests so that CI runs exactly the README's test command:
ruff's lint and format rules (tests included) and strict mypy on the whole package (configured in
pyproject.toml, checked as its import tree: see `import_tree`);
no function of the package over 80 lines; cli.py holds arguments and calls only (at most 400 lines, each
command at most 40); every test file in its room."""

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS = Path(sys.executable).parent
FOLDERS = ("optimizer", "models", "inputs", "benchmarks")
PACKAGE = ("optimizer", "models", "inputs")
LONGEST_FUNCTION, LONGEST_CLI, LONGEST_COMMAND = 80, 400, 40


def run(tool: str, *args: str) -> subprocess.CompletedProcess:
    exe = TOOLS / tool if (TOOLS / tool).exists() else shutil.which(tool)
    assert exe, f"{tool} is in the test extra: pip install '.[test]'"
    return subprocess.run([str(exe), *args], cwd=ROOT, capture_output=True, text=True)


@pytest.mark.parametrize("args", [("check", *FOLDERS, "tests"), ("format", "--check", *FOLDERS, "tests")])
def test_ruff(args):
    done = run("ruff", *args)
    assert done.returncode == 0, done.stdout + done.stderr


def import_tree(root: Path = ROOT) -> dict[str, str]:
    """Lay the package out as Python imports it (`rechain` is optimizer/, `rechain.models` is models/, ...):
    symlinks to each package's files, by [tool.setuptools] packages and package-dir, under
    .mypy_cache/import-tree, which pyproject's mypy_path names. The same in editable and plain installs.
    Returns each link's path, as mypy prints it, mapped to its file in the repository."""
    setup = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    folders = setup["package-dir"]
    tree = root / ".mypy_cache" / "import-tree"
    shutil.rmtree(tree, ignore_errors=True)
    links = {}
    for package in setup["packages"]:
        base = max((p for p in folders if package == p or package.startswith(p + ".")), key=len)
        source = root / folders[base] / package[len(base) + 1 :].replace(".", "/")
        target = tree.joinpath(*package.split("."))
        target.mkdir(parents=True)
        for path in sorted(source.glob("*.py")) + sorted(source.glob("py.typed")):
            (target / path.name).symlink_to(path)
            links[str((target / path.name).relative_to(root))] = str(path.relative_to(root))
    return links


def test_mypy_strict_on_the_whole_package():
    links = import_tree()
    done = run("mypy")
    report = done.stdout + done.stderr
    for link, path in links.items():
        report = report.replace(link, path)
    assert done.returncode == 0, report


def functions(path: Path) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def length(node: ast.AST) -> int:
    """Lines from `def` to the last line of the body (decorators not counted)."""
    return node.end_lineno - node.lineno + 1


def test_no_function_is_over_80_lines():
    long = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length(node)} lines)"
        for folder in PACKAGE
        for path in sorted((ROOT / folder).rglob("*.py"))
        for node in functions(path)
        if length(node) > LONGEST_FUNCTION
    ]
    assert not long, f"functions over {LONGEST_FUNCTION} lines: " + "; ".join(long)


def test_cli_holds_arguments_and_calls_only():
    """cli.py: at most 400 lines, and every command (a function under `@app.command`) at most 40."""
    path = ROOT / "optimizer" / "cli.py"
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= LONGEST_CLI, f"optimizer/cli.py has {lines} lines (at most {LONGEST_CLI})"
    commands = [n for n in functions(path) if any(ast.unparse(d).startswith("app.command") for d in n.decorator_list)]
    assert len(commands) >= 10, [n.name for n in commands]
    long = [f"{n.name} ({length(n)} lines)" for n in commands if length(n) > LONGEST_COMMAND]
    assert not long, f"commands in optimizer/cli.py over {LONGEST_COMMAND} lines: " + "; ".join(long)


ROOMS = {"models", "workbook", "run", "report", "cli", "reference", "project"}


def test_every_test_file_is_in_its_room_under_a_name_of_its_own():
    """tests/<room>/test_*.py, never flat in tests/ (helpers are), and no basename twice (pytest's default
    import mode imports each test file by its basename)."""
    tests = ROOT / "tests"
    files = sorted(tests.rglob("test_*.py"))
    assert [p.relative_to(tests).as_posix() for p in files if p.parent.name not in ROOMS] == []
    names = [p.name for p in files]
    assert sorted({n for n in names if names.count(n) > 1}) == []
