import subprocess
from pathlib import Path

import pytest
from rechain import cli

EXAMPLES = Path(__file__).resolve().parents[1] / "inputs" / "examples"


# The longest tests, longest first (measured; xdist hands out the xdist_groups before them, largest
# first), started before the rest so that the two workers end together.
LONGEST = (
    "models/test_additions_off_give_version_one.py::test_reference_workbook_unchanged_without_v2_data",
    "workbook/test_hostile_input_names_its_cell.py::test_structure",
    "workbook/test_hostile_input_names_its_cell.py::test_any_labels_solve",
    "run/test_workers_and_dask_match_in_process.py::test_local_cluster_matches_in_process",
    "report/test_safe_deterministic_outputs.py::test_same_input_same_tables",
    "reference/test_every_scenario_solves_and_findings_hold.py::test_every_scenario_solves",
    "run/test_nothing_fails_silently.py::test_sigterm_to_a_pool_sweep",
    "workbook/test_hostile_input_names_its_cell.py::test_command_line_exit_codes",
    "cli/test_exit_codes_json_and_out_files.py::test_report_regenerates_findings_from_scratch",
    "project/test_benchmarks_run_at_the_smallest_size.py::test_scale_benchmark_smoke",
    "workbook/test_hostile_input_names_its_cell.py::test_any_value_in_any_cell_csv",
    "run/test_warm_sweep_equals_cold_solves.py::test_warm_sweep_equals_cold_solves",
    "cli/test_exit_codes_json_and_out_files.py::test_json_is_the_only_stdout",
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(LONGEST)}
    items.sort(key=lambda item: rank.get(f"{item.path.parent.name}/{item.path.name}::{item.originalname}", len(rank)))
    if getattr(config.option, "loadgroup", False):  # a worker of --dist loadgroup
        for item in items:
            name_group(item)


def name_group(item) -> None:
    """pytest-xdist groups a test by renaming it `<nodeid>@<group>`, which pytest 9.2's structured node ids
    ignore (pytest-xdist issue 1386: every group is split across workers); rename it the 9.2 way."""
    names = sorted(
        {str(m.args[0] if m.args else m.kwargs.get("name", "default")) for m in item.iter_markers("xdist_group")}
    )
    suffix = "@" + "_".join(names)
    if names and hasattr(item, "_id") and not item.nodeid.endswith(suffix):
        item._id = type(item._id).parse(item.nodeid + suffix)


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


KEEP_ALL = 1_000  # the session's built models, one per structure (a handful)


@pytest.fixture(scope="session")
def reference_solve():
    """Solve the reference workbook once per session for each (scenario, overrides); results are shared, so
    tests must not change them. A case of the structure of one solved before is re-solved warm on that
    model with its own values (models.pool), as a sweep does (run/test_warm_sweep_equals_cold_solves.py)."""
    from rechain.inputs import reference_workbook
    from rechain.models.pool import Pool
    from rechain.workbook.cases import make_dataset
    from rechain.workbook.validate import load_workbook

    wb = load_workbook(reference_workbook())
    solved, pool = {}, Pool(keep=KEEP_ALL)

    def solve(scenario=None, **overrides):
        key = (scenario, tuple((k, str(v)) for k, v in overrides.items()))
        if key not in solved:
            solved[key] = pool.model(make_dataset(wb, *key)).solve()
        result = solved[key]
        assert result.optimal, (scenario, overrides, result.message)
        return result

    solve.workbook = wb
    return solve
