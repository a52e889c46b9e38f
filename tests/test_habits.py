"""The project's habits, checked with the tests so that CI runs exactly the README's test command:
ruff's lint rules (tests included) and format rules and strict mypy on models/ (configured in pyproject.toml)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOOLS = Path(sys.executable).parent
FOLDERS = ("optimizer", "models", "inputs", "benchmarks")


def run(tool: str, *args: str) -> subprocess.CompletedProcess:
    exe = TOOLS / tool if (TOOLS / tool).exists() else shutil.which(tool)
    assert exe, f"{tool} is in the test extra: pip install '.[test]'"
    return subprocess.run([str(exe), *args], cwd=ROOT, capture_output=True, text=True)


@pytest.mark.parametrize("args", [("check", *FOLDERS, "tests"), ("format", "--check", *FOLDERS)])
def test_ruff(args):
    done = run("ruff", *args)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_strict_on_models():
    done = run("mypy")
    assert done.returncode == 0, done.stdout + done.stderr
