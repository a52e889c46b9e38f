import subprocess
from pathlib import Path

import pytest
from rechain import cli

EXAMPLES = Path(__file__).resolve().parents[1] / "inputs" / "examples"


# The longest tests, longest first (CPU seconds measured; xdist hands out the xdist_groups before them,
# largest first), started before the rest so that the two workers end together.
LONGEST = (
    "models/test_direct_highs_equals_persistent.py::test_reference_workbook_cold_and_warm",
    "report/test_outlook_and_report_parts_by_hand.py::test_report_is_byte_identical_run_to_run",
    "cli/test_analyst_commands_and_out_folders.py::test_frontier_workers_give_the_same_tables",
    "run/test_models_kept_per_structure.py::test_report_in_two_processes_equals_one",
    "run/test_workers_and_dask_match_in_process.py::test_local_cluster_matches_in_process",
    "report/test_what_committing_costs.py::test_report_says_what_committing_costs",
    "report/test_outlook_and_report_parts_by_hand.py::test_draws_that_did_not_solve_prove_nothing_of_the_budget",
    "run/test_nothing_fails_silently.py::test_sigterm_to_a_pool_sweep",
    "reference/test_every_scenario_solves_and_findings_hold.py::test_every_scenario_solves",
    "workbook/test_hostile_input_names_its_cell.py::test_command_line_exit_codes",
    "workbook/test_hostile_input_names_its_cell.py::test_structure",
    "report/test_safe_deterministic_outputs.py::test_same_input_same_tables",
    "run/test_bounded_work.py::test_risk_on_a_mute_scheduler_exits_2",
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(LONGEST)}
    items.sort(key=lambda item: rank.get(f"{item.path.parent.name}/{item.path.name}::{item.originalname}", len(rank)))
    if getattr(config.option, "loadgroup", False):  # a worker of --dist loadgroup
        for item in items:
            share_module_fixtures(item)
            name_group(item)


def share_module_fixtures(item) -> None:
    """A test that uses a module-scoped fixture runs on the worker of the module's other such tests, so the
    fixture's work (every command on a hostile world, a report) is done once, not once per worker."""
    if any(item.iter_markers("xdist_group")):
        return
    defs = (d for ds in item._fixtureinfo.name2fixturedefs.values() for d in ds)
    if any(d.scope == "module" for d in defs):
        item.add_marker(pytest.mark.xdist_group(item.path.name))


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
    from rechain.models.pool import Pool
    from rechain.workbook.cases import make_dataset

    from worked import read_reference

    wb = read_reference()
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
