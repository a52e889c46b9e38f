"""The command line: exit codes, --json, --out files, input errors without tracebacks. Run in-process
(conftest's `rechain`), except where the real entry point is the point."""

import json
import shutil

import openpyxl
import pytest

from entry import rechain_process


@pytest.fixture
def tiny(examples, tmp_path):
    folder = tmp_path / "tiny"
    shutil.copytree(examples / "tiny", folder)
    return folder


def test_json_is_the_only_stdout(tiny):
    done = rechain_process("solve", tiny, "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)  # fails on any banner or extra line
    for key in (
        "status",
        "objective_usd",
        "system_cost_usd",
        "penalty_usd",
        "capex_usd",
        "budget_capex_usd",
        "unmet_t",
        "shortfall_t",
        "clean_share",
        "budget_dual_usd_per_usd",
        "solve_seconds",
    ):
        assert key in summary
    assert summary["budget_dual_usd_per_usd"] is None
    assert summary["run"]["input_sha256"]


def test_set_override_and_out_files(tiny, tmp_path, rechain):
    """With last_year = 2026 the 2027 demand row is ignored with a warning; capacity in 2026 only:
    build 20 tpa (20,000), opex 20 x 10 + 20 x 20 = 600, salvage U = 1: rho 0.96 → 19,200. System 1,400."""
    out = tmp_path / "out"
    done = rechain("solve", tiny, "--set", "last_year=2026", "--out", out, "--json")
    assert done.returncode == 0, done.stderr
    assert "1 row(s) outside 2025-2026" in done.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["system_cost_usd"] == pytest.approx(1400)
    assert summary["run"]["overrides"] == {"last_year": "2026"}
    book = openpyxl.load_workbook(out / "results.xlsx")
    assert book.sheetnames == [
        "summary",
        "diagnosis",
        "costs",
        "capacity",
        "capacity_by_bloc",
        "builds",
        "throughput",
        "flows",
        "unmet",
        "independence",
        "clean_share",
        "duals",
        "binding_capacity",
        "marginal_supply_cost",
        "run",
        "chart1 capacity stage 1",
        "chart2 capacity stage 2",
        "chart3 clean_share",
    ]
    assert book["costs"].freeze_panes == "A2"
    assert not list(out.glob(".*")), "no temporary files are left behind"


def test_input_error_lists_everything_exit_2(tiny, rechain):
    """Negative capacity, unknown node in facilities and a missing demand sheet: one message, all three."""
    (tiny / "demand.csv").unlink()
    (tiny / "facilities.csv").write_text(
        "node,stage,existing_tpa,capex_usd_per_tpa\nMine,mining,-5,\nNowhere,separation,0,1000\n"
    )
    done = rechain("solve", tiny)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr + done.stdout
    assert "facilities!C2" in done.stderr and "-5" in done.stderr
    assert "facilities!A3" in done.stderr and "'Nowhere'" in done.stderr
    assert "'demand'" in done.stderr
    assert "3 problems" in done.stderr


def test_validate_command(tiny, rechain):
    assert rechain("validate", tiny).returncode == 0
    (tiny / "composition.csv").write_text("node,element,share\nMine,A,0.7\n")
    done = rechain("validate", tiny)
    assert done.returncode == 2
    assert "composition!C2" in done.stderr and "sum to 1" in done.stderr


def test_bad_set_key_is_an_input_error(tiny, rechain):
    done = rechain("solve", tiny, "--set", "no_such_key=3", "--set", "discount_rate=abc")
    assert done.returncode == 2
    assert "--set no_such_key" in done.stderr and "--set discount_rate" in done.stderr


def test_missing_file_exit_2(tmp_path, rechain):
    done = rechain("solve", tmp_path / "nope.xlsx")
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_time_limit_exit_3(tiny, rechain):
    """A zero time limit stops HiGHS before it can prove optimality: exit 3, reason named."""
    done = rechain("solve", tiny, "--time-limit", "0", "--json")
    assert done.returncode == 3
    assert json.loads(done.stdout)["status"] == "time_limit"


def test_refuses_to_write_over_input(tiny, rechain):
    done = rechain("solve", tiny, "--out", tiny)
    assert done.returncode == 2 and "refusing" in done.stderr


def test_template_is_documented(tmp_path, rechain):
    path = tmp_path / "t.xlsx"
    assert rechain("template", path).returncode == 0
    book = openpyxl.load_workbook(path)
    for sheet in (
        "settings",
        "nodes",
        "stages",
        "facilities",
        "composition",
        "demand",
        "routes",
        "trade_rules",
        "budgets",
        "scenarios",
        "sources",
    ):
        assert sheet in book.sheetnames
    facilities = book["facilities"]
    assert facilities["A1"].value == "node" and facilities["A1"].comment is not None
    assert facilities.data_validations.dataValidation, "stage cells have a drop-down"
    done = rechain("solve", path, "--json")
    assert done.returncode == 0, done.stderr


def test_report_regenerates_findings_from_scratch(examples, tmp_path, rechain):
    out = tmp_path / "findings"
    done = rechain("report", examples / "frontier", "--out", out)
    assert done.returncode == 0, done.stderr
    text = (out / "findings.md").read_text()
    assert "## Headline" in text and "china_free" in text and "What the model does not capture" in text
    for name in ("findings_tables.xlsx", "findings_tables_budgets.png", "findings_tables_cost_factor.png"):
        assert (out / name).exists()


def test_blank_overrides_restore_defaults(examples, rechain):
    """A blank factor is 1 and a blank ban lifts the ban: the frontier example costs 10 either way."""
    done = rechain(
        "solve",
        examples / "frontier",
        "--json",
        "--set",
        "demand_factor=",
        "--set",
        "capex_factor.allied=",
        "--set",
        "ban.china.allied=",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["system_cost_usd"] == pytest.approx(10)


def test_size_guards_are_configurable(examples, rechain, monkeypatch):
    from rechain.inputs import reference_workbook

    monkeypatch.setenv("RECHAIN_MAX_FILE_MB", "0.01")
    done = rechain("validate", reference_workbook())
    assert done.returncode == 2 and "RECHAIN_MAX_FILE_MB" in done.stderr
    monkeypatch.delenv("RECHAIN_MAX_FILE_MB")
    monkeypatch.setenv("RECHAIN_MAX_ROWS", "3")
    done = rechain("validate", examples / "tiny")
    assert done.returncode == 2 and "demand!A4" in done.stderr and "RECHAIN_MAX_ROWS" in done.stderr
    monkeypatch.setenv("RECHAIN_MAX_ROWS", "abc")
    done = rechain("validate", reference_workbook())
    assert done.returncode == 2 and "RECHAIN_MAX_ROWS" in done.stderr and "Traceback" not in done.stderr
