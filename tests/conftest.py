import subprocess
from pathlib import Path

import pytest

from rechain import cli

EXAMPLES = Path(__file__).resolve().parents[1] / "inputs" / "examples"


@pytest.fixture
def examples() -> Path:
    return EXAMPLES


@pytest.fixture
def rechain(capsys):
    """`cli.main` in this process: the exit code and what it printed, like a finished child process."""
    def run(*args):
        capsys.readouterr()
        with pytest.raises(SystemExit) as done:
            cli.main([str(a) for a in args])
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, done.value.code, out, err)
    return run


@pytest.fixture(scope="session")
def reference_solve():
    """Solve the reference workbook once per session for each (scenario, overrides); results are shared, so
    tests must not change them."""
    from rechain.inputs import reference_workbook
    from rechain.models.highs import CaseSolver
    from rechain.models.solution import extract
    from rechain.workbook.cases import make_dataset
    from rechain.workbook.validate import load_workbook

    wb = load_workbook(reference_workbook())
    solved = {}

    def solve(scenario=None, **overrides):
        key = (scenario, tuple((k, str(v)) for k, v in overrides.items()))
        if key not in solved:
            solver = CaseSolver(make_dataset(wb, *key))
            solved[key] = extract(solver.built, solver.solve(), solver.build_seconds)
        result = solved[key]
        assert result.optimal, (scenario, overrides, result.message)
        return result
    solve.workbook = wb
    return solve
