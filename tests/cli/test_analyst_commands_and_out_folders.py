"""The command line as an analyst meets it (issue 22, "Terminal and files"): a copy of the reference
workbook to edit, --out folders that hold another run's results, --json on every command that
produces results, --workers on frontier, help without Python types, and one-line value errors.

Hand algebra of the `frontier` example (as in run/test_cost_frontiers_by_hand.py): 10 t of A in 2025; Chinese separation
costs 1 USD/t times the restricted cost factor f, new allied separation 100 USD/tpa capex + 5 USD/t
(lifetime 1: no salvage), so cost(α) = 10 f α + 1,050 (1 − α) and a budget B buys α = 1 − B/1,000."""

import json
import re
import shutil
from pathlib import Path

import pytest
from rechain.base.files import earlier_results
from rechain.inputs import reference_workbook

from entry import rechain_process

COMMANDS = (
    "validate",
    "solve",
    "template",
    "reference",
    "sweep",
    "frontier",
    "scenarios",
    "report",
    "risk",
    "generate",
)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PYTHON_TYPES = re.compile(r"<[a-z][a-z \[\]|,]*>|\b(INTEGER|FLOAT|PATH|TEXT|BOOLEAN)\b|list\[")


@pytest.fixture
def frontier(examples, tmp_path):
    folder = tmp_path / "frontier"
    shutil.copytree(examples / "frontier", folder)
    return folder


def squeezed(text: str) -> str:
    """Help text without its line breaks and indents (a long path may wrap)."""
    return "".join(text.split())


# --- rechain reference ------------------------------------------------------------------------------------


def test_reference_copies_the_shipped_workbook(rechain, tmp_path):
    """A byte-for-byte copy; refused over an existing file without --force (which is kept), replaced with it;
    refused under a name that is not .xlsx and over the shipped workbook itself."""
    copy = tmp_path / "mine.xlsx"
    done = rechain("reference", copy)
    assert done.returncode == 0, done.stderr
    assert copy.read_bytes() == reference_workbook().read_bytes()
    copy.write_bytes(b"my edits")
    done = rechain("reference", copy)
    assert done.returncode == 2 and "--force" in done.stderr and copy.read_bytes() == b"my edits"
    assert rechain("reference", copy, "--force").returncode == 0
    assert copy.read_bytes() == reference_workbook().read_bytes()
    done = rechain("reference", tmp_path / "mine.csv")
    assert done.returncode == 2 and ".xlsx" in done.stderr and not (tmp_path / "mine.csv").exists()
    before = reference_workbook().read_bytes()
    done = rechain("reference", reference_workbook(), "--force")
    assert done.returncode == 2 and "refusing" in done.stderr
    assert reference_workbook().read_bytes() == before


def test_reference_into_a_new_folder_or_onto_a_folder(rechain, tmp_path):
    """A missing folder is made; a folder named like the file is refused as a folder, even with --force."""
    done = rechain("reference", tmp_path / "new" / "sub" / "mine.xlsx")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "new" / "sub" / "mine.xlsx").read_bytes() == reference_workbook().read_bytes()
    (tmp_path / "taken.xlsx").mkdir()
    for extra in ((), ("--force",)):
        done = rechain("reference", tmp_path / "taken.xlsx", *extra)
        assert done.returncode == 2 and "is a folder" in done.stderr
    assert list((tmp_path / "taken.xlsx").iterdir()) == []


def test_the_copy_is_a_valid_workbook(rechain, tmp_path):
    copy = tmp_path / "mine.xlsx"
    assert rechain("reference", copy).returncode == 0
    done = rechain("validate", copy)
    assert done.returncode == 0, done.stderr
    assert "mine.xlsx: valid" in done.stderr


@pytest.mark.parametrize("args", [("-h",), ("solve", "-h")])
def test_help_says_where_the_reference_workbook_is(rechain, args):
    done = rechain(*args)
    assert done.returncode == 0
    assert squeezed(str(reference_workbook())) in squeezed(done.stdout)
    assert "rechain reference FILE" in " ".join(done.stdout.split())


# --- --out into a folder with another run's results ---------------------------------------------------------


def test_which_files_are_another_runs_results(tmp_path):
    """rechain's names: results.xlsx and summary.json (solve), and <stem>.<ext> or <stem>_<name>.<ext> for
    sweep, frontier, scenarios, risk, findings with ext xlsx, csv, md, png, json. Anything else is the
    analyst's: a results_2024.xlsx, notes, a sweep.txt, a folder named sweep, a hidden temporary file."""
    ours = [
        "results.xlsx",
        "summary.json",
        "sweep.xlsx",
        "sweep_sweep.csv",
        "frontier_incomplete.md",
        "scenarios_scenarios.png",
        "risk_run.csv",
        "findings.md",
        "findings_tables.xlsx",
    ]
    theirs = ["results_2024.xlsx", "notes.md", "sweep.txt", "sweepstakes.xlsx", ".sweep-1234.xlsx", "input.xlsx"]
    for name in ours + theirs:
        (tmp_path / name).write_text("x")
    (tmp_path / "sweep").mkdir()
    assert earlier_results(tmp_path) == sorted(ours)
    assert earlier_results(tmp_path, [tmp_path / "results.xlsx"]) == sorted(set(ours) - {"results.xlsx"})
    assert earlier_results(tmp_path / "absent") == []


COMMAND_ARGS = {
    "solve": (),
    "sweep": ("--param", "max_restricted_share=1,0", "--workers", "1"),
    "frontier": ("--points", "2", "--budget-points", "2"),
    "scenarios": ("--workers", "1"),
    "report": ("--draws", "0", "--workers", "1"),
    "risk": ("--draws", "2", "--workers", "1"),
}


@pytest.mark.parametrize("command", COMMAND_ARGS)
@pytest.mark.parametrize("earlier", ["results.xlsx", "sweep_sweep.csv", "findings.md", "risk_incomplete.xlsx"])
def test_out_with_another_runs_results_is_refused(rechain, frontier, tmp_path, command, earlier):
    """Refused before anything is solved: exit 2, one line naming the folder and the file found there, the
    file untouched, nothing written."""
    out = tmp_path / "out"
    out.mkdir()
    (out / earlier).write_bytes(b"an earlier run")
    (out / "notes.txt").write_text("mine")
    done = rechain(command, frontier, "--out", out, *COMMAND_ARGS[command])
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(out) in lines[0] and earlier in lines[0] and "--force" in lines[0]
    assert sorted(p.name for p in out.iterdir()) == sorted([earlier, "notes.txt"])
    assert (out / earlier).read_bytes() == b"an earlier run"


def test_the_same_command_twice_needs_force(rechain, frontier, tmp_path):
    """The frontier example's base case costs 10 (Chinese separation, f = 1). A second solve into the same
    folder is refused, naming both files (with --json: an output_error on stdout); with --force it writes over
    them atomically (no temporary files left) and the other files stay."""
    out = tmp_path / "out"
    assert rechain("solve", frontier, "--out", out).returncode == 0
    (out / "summary.json").write_text("{}")
    done = rechain("solve", frontier, "--out", out, "--json")
    assert done.returncode == 2
    assert json.loads(done.stdout)["status"] == "output_error"
    assert "results.xlsx, summary.json" in done.stderr and (out / "summary.json").read_text() == "{}"
    (out / "notes.txt").write_text("mine")
    done = rechain("solve", frontier, "--out", out, "--force", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads((out / "summary.json").read_text())["system_cost_usd"] == pytest.approx(10)
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt", "results.xlsx", "summary.json"]


def test_many_earlier_files_are_counted_not_listed(rechain, frontier, tmp_path):
    """Five earlier files: the first three by name, then "and 2 more"."""
    out = tmp_path / "out"
    out.mkdir()
    for name in ("sweep.xlsx", "sweep.md", "sweep_run.csv", "sweep_sweep.csv", "sweep_sweep.png"):
        (out / name).write_text("x")
    done = rechain("sweep", frontier, "--param", "max_restricted_share=1,0", "--out", out)
    assert done.returncode == 2
    assert "(sweep.md, sweep.xlsx, sweep_run.csv and 2 more)" in done.stderr


def test_force_never_writes_over_an_input(rechain, frontier, tmp_path):
    """An input named like an output in the --out folder is refused even with --force."""
    book = tmp_path / "results.xlsx"
    shutil.copy(reference_workbook(), book)
    before = book.read_bytes()
    done = rechain("solve", book, "--out", tmp_path, "--force")
    assert done.returncode == 2 and "refusing" in done.stderr
    assert book.read_bytes() == before


def test_an_input_in_the_out_folder_is_not_an_earlier_result(rechain, tmp_path):
    """A workbook named sweep.xlsx in the --out folder is the input, not a sweep's results: solve writes its
    results beside it."""
    out = tmp_path / "out"
    out.mkdir()
    book = out / "sweep.xlsx"
    shutil.copy(FIXTURES / "tiny_xlsxwriter.xlsx", book)
    before = book.read_bytes()
    done = rechain("solve", book, "--out", out)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["results.xlsx", "summary.json", "sweep.xlsx"]
    assert book.read_bytes() == before


# --- --json on every command that produces results ------------------------------------------------------------


def one_json(stdout: str) -> dict:
    """stdout is exactly one JSON document (json.loads fails on anything before or after it)."""
    return json.loads(stdout)


def test_sweep_json(rechain, frontier):
    """α = 1: 10 (Chinese separation); α = 0: 1,050 (new allied separation)."""
    done = rechain("sweep", frontier, "--param", "max_restricted_share=1,0", "--workers", "1", "--json")
    assert done.returncode == 0, done.stderr
    data = one_json(done.stdout)
    assert sorted(data) == ["run", "sweep"]
    assert [r["system_cost_usd"] for r in data["sweep"]] == pytest.approx([10, 1050])
    assert data["run"]["command"] == "sweep" and data["run"]["complete"] is True


def test_frontier_json(rechain, frontier):
    """f = 1, α = 1, 0.5, 0: 10, 530, 1,050; default budgets 0, 500, 1,000 buy α = 1, 0.5, 0."""
    done = rechain("frontier", frontier, "--points", "3", "--budget-points", "3", "--json")
    assert done.returncode == 0, done.stderr
    data = one_json(done.stdout)
    assert sorted(data) == ["budget_frontier", "cost_of_independence", "run"]
    assert [r["system_cost_usd"] for r in data["cost_of_independence"]] == pytest.approx([10, 530, 1050])
    assert [r["min_alpha"] for r in data["budget_frontier"]] == pytest.approx([1, 0.5, 0], abs=1e-6)


def test_scenarios_json(rechain, frontier):
    """china_free (α = 0) costs 1,050 against the base's 10: +1,040; cheap_china (f = 0.5): 5, so −5."""
    done = rechain("scenarios", frontier, "--workers", "1", "--json")
    assert done.returncode == 0, done.stderr
    data = one_json(done.stdout)
    rows = {r["scenario"]: r for r in data["world_costs"] + data["policy"]}  # cost factor; requirement
    assert rows["china_free"]["system_cost_vs_base_usd"] == pytest.approx(1040)
    assert rows["cheap_china"]["system_cost_vs_base_usd"] == pytest.approx(-5)
    assert data["run"]["command"] == "scenarios"


def test_json_with_points_that_did_not_solve(rechain, frontier):
    """A zero time limit: every point a time_limit row, exit 3, and still one JSON document with both rows."""
    done = rechain(
        "sweep", frontier, "--param", "max_restricted_share=1,0", "--workers", "1", "--time-limit", "0", "--json"
    )
    assert done.returncode == 3
    data = one_json(done.stdout)
    assert [r["status"] for r in data["sweep"]] == ["time_limit", "time_limit"]
    assert "did not solve" in done.stderr


def test_report_json(rechain, frontier, tmp_path):
    """Every table of findings.md as rows, the run and where findings.md is; its scenario table as above."""
    out = tmp_path / "findings"
    done = rechain("report", frontier, "--out", out, "--draws", "0", "--workers", "1", "--json")
    assert done.returncode == 0, done.stderr
    data = one_json(done.stdout)
    assert {"deadlines", "budgets", "scenarios_world_costs", "scenarios_policy", "run"} <= set(data)
    assert data["run"]["findings"] == str(out / "findings.md") and (out / "findings.md").exists()
    rows = {r["scenario"]: r for r in data["scenarios_policy"]}
    assert rows["china_free"]["system_cost_vs_base_usd"] == pytest.approx(1040)


def test_every_result_command_has_json(rechain):
    for command in COMMAND_ARGS:
        assert "--json" in rechain(command, "-h").stdout, command


def test_json_with_an_error_is_still_one_document(rechain, frontier, tmp_path):
    out = tmp_path / "taken"
    out.write_text("a file")
    done = rechain("frontier", frontier, "--out", out, "--json")
    assert done.returncode == 2 and one_json(done.stdout)["status"] == "output_error"


# --- frontier --workers --------------------------------------------------------------------------------------


def test_frontier_workers_give_the_same_tables(frontier, tmp_path):
    """Cost factors 1 and 0.5 (one per worker): α = 1, 0.5, 0 cost 10 f α + 1,050 (1 − α) = 10, 530, 1,050
    and 5, 527.5, 1,050; budgets 0, 500, 1,000 buy α = 1, 0.5, 0 for both. One worker and two give the same
    rows in the same order, on stdout and in the CSV files (the real entry point: worker processes are
    forked from it)."""
    tables = []
    for workers in ("1", "2"):
        done = rechain_process(
            "frontier",
            frontier,
            "--points",
            "3",
            "--budget-points",
            "3",
            "--cost-factors",
            "1,0.5",
            "--workers",
            workers,
            "--json",
            "--out",
            tmp_path / workers,
        )
        assert done.returncode == 0, done.stderr
        tables.append({k: v for k, v in json.loads(done.stdout).items() if k != "run"})
    assert tables[0] == tables[1]
    costs = [r["system_cost_usd"] for r in tables[1]["cost_of_independence"]]
    assert costs == pytest.approx([10, 530, 1050, 5, 527.5, 1050])
    assert [r["restricted_cost_factor"] for r in tables[1]["budget_frontier"]] == [1, 1, 1, 0.5, 0.5, 0.5]
    assert [r["min_alpha"] for r in tables[1]["budget_frontier"]] == pytest.approx([1, 0.5, 0] * 2, abs=1e-6)
    for name in ("frontier_cost_of_independence.csv", "frontier_budget_frontier.csv"):
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes()


# --- help and value errors in words ----------------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
def test_help_names_values_not_python_types(rechain, command):
    done = rechain(command, "-h")
    assert done.returncode == 0
    found = PYTHON_TYPES.search(done.stdout)
    assert found is None, f"{command}: {found.group(0)!r} in\n{done.stdout}"
    assert "x>=" not in done.stdout and "x<=" not in done.stdout


@pytest.mark.parametrize(
    "command, shown",
    [
        (
            "solve",
            [
                "[WORKBOOK]",
                "--out DIR",
                "--set KEY=VALUE",
                "--time-limit SECONDS",
                "--threads N",
                "--method auto|simplex|ipm",
                "--write-model FILE",
                "--scenario NAME",
            ],
        ),
        ("sweep", ["--param KEY=SPEC", "--workers N", "--scheduler ADDRESS"]),
        ("frontier", ["--points N", "--budgets SPEC", "--cost-factors SPEC", "--workers N"]),
        ("risk", ["--mode replan|commit|hedge", "--draws N", "--seed N", "--recourse-year YEAR"]),
        ("report", ["--out DIR", "--draws N"]),
        ("template", ["FILE"]),
        ("reference", ["FILE", "--force"]),
        ("generate", ["--nodes N", "at least 2", "1 to 100"]),
    ],
)
def test_help_metavars(rechain, command, shown):
    text = " ".join(rechain(command, "-h").stdout.split())
    for words in shown:
        assert words in text, (command, words)


@pytest.mark.parametrize(
    "args, line",
    [
        (("risk", "--mode", "foo"), "--mode: expected one of replan|commit|hedge, found 'foo'"),
        (("solve", "--method", "fastest"), "--method: expected one of auto|simplex|ipm, found 'fastest'"),
        (("risk", "--draws", "many"), "--draws: expected a whole number, found 'many'"),
        (("solve", "--threads", "0"), "--threads: expected a whole number >= 1, found '0'"),
        (("solve", "--time-limit", "soon"), "--time-limit: expected a number of seconds, found 'soon'"),
        (("solve", "--time-limit", "-5"), "--time-limit: expected a number of seconds >= 0, found '-5'"),
        (("generate", "w.xlsx", "--years", "500"), "--years: expected a whole number from 1 to 100, found '500'"),
        (("risk", "--seed", "-1"), "--seed: expected a whole number >= 0, found '-1'"),
        (("risk", "--draws", "1.5"), "--draws: expected a whole number, found '1.5'"),
        (("frontier", "--workers", "0"), "--workers: expected a whole number >= 1, found '0'"),
        (("frontier", "--points", "1"), "--points: expected a whole number >= 2, found '1'"),
    ],
)
def test_value_errors_are_one_line_in_words(rechain, args, line):
    done = rechain(*args)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"usage error: {line} (see rechain {args[0]} -h)"]
    assert done.stdout == ""


def test_enum_error_from_the_real_entry_point():
    """No typer box, no validator's wording, nothing on stdout."""
    done = rechain_process("risk", "--mode", "foo")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "usage error: --mode: expected one of replan|commit|hedge, found 'foo' (see rechain risk -h)"
    ]
    for words in ("Value error", "is not one of", "Input should", "╭", "Traceback", "str", "Enum"):
        assert words not in done.stderr


def test_value_error_with_json_is_json(rechain):
    done = rechain("risk", "--mode", "foo", "--json")
    assert done.returncode == 2
    assert one_json(done.stdout) == {
        "status": "usage_error",
        "message": "--mode: expected one of replan|commit|hedge, found 'foo'",
    }
