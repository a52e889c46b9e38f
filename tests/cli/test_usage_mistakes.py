"""The command line as a tired user meets it: usage mistakes, outputs that would hit an input,
exit codes a script can rely on. Run in-process (the entry point's own subprocess tests are in
cli/test_exit_codes_json_and_out_files.py)."""

import json
import shutil

import openpyxl
import pytest
from rechain import cli


@pytest.fixture
def rechain(capsys):
    def run(*args):
        with pytest.raises(SystemExit) as done:
            cli.main([str(a) for a in args])
        out, err = capsys.readouterr()
        return done.value.code, out, err

    return run


@pytest.fixture
def tiny(examples, tmp_path):
    folder = tmp_path / "tiny"
    shutil.copytree(examples / "tiny", folder)
    return folder


@pytest.mark.parametrize(
    "args, words",
    [
        ((), "no command given"),
        (("--bogus",), "No such option: --bogus"),
        (("solve", "--bogus"), "No such option: --bogus"),
        (("template",), "Missing argument"),
        (("sweep", "--workers", "-1", "--param", "demand_factor=1"), "--workers"),
        (("solve", "--threads", "0"), "--threads"),
        (("solve", "--time-limit", "-5"), "--time-limit"),
        (("solve", "--method", "fastest"), "--method"),
        (("frontier", "--budgets", "1e9,lots"), "--budgets"),
        (("frontier", "--cost-factors", "half"), "--cost-factors"),
    ],
)
def test_usage_mistakes_are_one_line_exit_2(rechain, args, words):
    code, out, err = rechain(*args)
    assert code == 2
    assert words in err and "internal error" not in err and "Traceback" not in err
    assert len(err.strip().splitlines()) <= 2  # the error, and at most the heading of an input error


def test_help_and_version(rechain):
    code, out, _ = rechain("-h")
    assert code == 0 and "solve" in out and "sweep" in out
    code, out, _ = rechain("solve", "-h")
    assert code == 0 and "--scenario" in out
    code, out, _ = rechain("--version")
    assert code == 0 and out.startswith("rechain ")


def test_debug_before_or_after_the_command(rechain, tiny):
    for args in (("--debug", "validate", tiny), ("validate", tiny, "--debug")):
        code, _, err = rechain(*args)
        assert code == 0, err


def test_json_errors_are_json_on_stdout(rechain, tiny):
    code, out, _ = rechain("solve", tiny, "--json", "--set", "no_such_key=1")
    assert code == 2
    payload = json.loads(out)
    assert payload["status"] == "input_error" and payload["issues"][0]["place"] == "--set no_such_key"
    code, out, _ = rechain("solve", tiny, "--json", "--no-such-option")
    assert code == 2 and json.loads(out)["status"] == "usage_error"


@pytest.mark.parametrize("command", ["template", "generate"])
def test_existing_files_are_kept_unless_forced(rechain, tmp_path, command):
    path = tmp_path / "mine.xlsx"
    path.write_bytes(b"precious")
    code, _, err = rechain(command, path)
    assert code == 2 and "--force" in err and path.read_bytes() == b"precious"
    code, _, err = rechain(command, path, "--force")
    assert code == 0, err
    assert openpyxl.load_workbook(path).sheetnames


def _number_or_text(v):
    try:
        return float(v)
    except ValueError:
        return v


def _csv_folder_as_xlsx(folder, path):
    import csv

    book = openpyxl.Workbook()
    book.remove(book.active)
    for f in sorted(folder.glob("*.csv")):
        ws = book.create_sheet(f.stem)
        for row in csv.reader(f.read_text().splitlines()):
            ws.append([_number_or_text(v) for v in row])
    book.save(path)
    return path


@pytest.mark.parametrize(
    "command, name, extra",
    [
        ("solve", "results.xlsx", ()),
        ("sweep", "sweep.xlsx", ("--param", "demand_factor=1,2")),
        ("frontier", "frontier.xlsx", ("--points", "2", "--budget-points", "2")),
        ("scenarios", "scenarios.xlsx", ()),
        ("report", "findings_tables.xlsx", ()),
    ],
)
def test_an_input_named_like_an_output_is_never_overwritten(rechain, examples, tmp_path, command, name, extra):
    """`solve d/results.xlsx --out d` used to overwrite the input with the results."""
    source = _csv_folder_as_xlsx(examples / "frontier", tmp_path / name)
    before = source.read_bytes()
    code, _, err = rechain(command, source, "--out", tmp_path, *extra)
    assert code == 2 and "refusing" in err, err
    assert source.read_bytes() == before


def test_out_that_is_a_file_is_refused_before_solving(rechain, tiny, tmp_path):
    target = tmp_path / "taken"
    target.write_text("not a folder")
    code, _, err = rechain("sweep", tiny, "--param", "demand_factor=1,2", "--out", target)
    assert code == 2 and "folder" in err
    assert target.read_text() == "not a folder"


def test_fail_on_shortfall_is_exit_4(rechain, tiny):
    """The tiny case leaves 10 t unmet in 2025 (nothing is separated before the plant's lead time)."""
    code, _, _ = rechain("solve", tiny)
    assert code == 0
    code, _, err = rechain("solve", tiny, "--fail-on-shortfall")
    assert code == 4 and "unmet" in err
    code, _, _ = rechain("sweep", tiny, "--param", "demand_factor=1,2", "--workers", "1", "--fail-on-shortfall")
    assert code == 4


def test_a_point_that_did_not_solve_is_exit_3_and_printed(rechain, tiny, tmp_path):
    code, out, err = rechain(
        "sweep", tiny, "--param", "demand_factor=1,2", "--workers", "1", "--time-limit", "0", "--out", tmp_path / "o"
    )
    assert code == 3
    assert "time_limit" in out and "did not solve" in err
    assert (tmp_path / "o" / "sweep.xlsx").exists()


def test_sweep_prints_its_table_when_writing_files(rechain, tiny, tmp_path):
    """Demand factor 2 doubles the tiny case's system cost of 1,400 (horizon to 2026): 2,800."""
    code, out, _ = rechain(
        "sweep",
        tiny,
        "--param",
        "demand_factor=1,2",
        "--set",
        "last_year=2026",
        "--workers",
        "1",
        "--out",
        tmp_path / "o",
    )
    assert code == 0
    assert "$1.40 k" in out and "$2.80 k" in out


def test_interrupted_sweep_keeps_the_earlier_complete_result(rechain, tiny, tmp_path, monkeypatch):
    out = tmp_path / "o"
    assert rechain("sweep", tiny, "--param", "demand_factor=1,2", "--workers", "1", "--out", out)[0] == 0
    complete = (out / "sweep.xlsx").read_bytes()

    def interrupted(wb, scenario, overrides, points, *args):
        from rechain.run.sweep import solve_points

        return [r.row for r in solve_points(wb, scenario, overrides, points[:1])], False

    monkeypatch.setattr("rechain.run.parallel.run_points", interrupted)
    code, _, err = rechain(
        "sweep", tiny, "--param", "demand_factor=1,2,3", "--workers", "1", "--out", out, "--force"
    )  # into a folder with earlier results (cli/test_analyst_commands_and_out_folders.py)
    assert code == 130 and "interrupted: 1 of 3" in err
    assert (out / "sweep.xlsx").read_bytes() == complete
    run = dict(openpyxl.load_workbook(out / "sweep_incomplete.xlsx")["run"].iter_rows(min_row=2, values_only=True))
    assert run["complete"] in (False, "False")


def test_scenarios_show_their_changes_and_a_bar_chart_of_the_difference(rechain, examples, tmp_path):
    """The frontier example: china_free (α = 0) costs 1,050 against the base's 10, so +1,040."""
    code, out, _ = rechain("scenarios", examples / "frontier", "--out", tmp_path / "o")
    assert code == 0
    assert "max_restricted_share=0" in out and "$1.04 k" in out
    book = openpyxl.load_workbook(tmp_path / "o" / "scenarios.xlsx")
    [chart] = book["policy"]._charts
    assert type(chart).__name__ == "BarChart" and chart.type == "bar"


def test_a_failed_category_is_named_not_drawn(tmp_path):
    import pandas as pd
    from rechain.report.tables import Chart, chart_lines, write_tables

    table = pd.DataFrame(
        {
            "scenario": ["base", "bad", "dear"],
            "status": ["optimal", "time_limit", "optimal"],
            "system_cost_vs_base_usd": [0.0, None, 2e9],
        }
    )
    spec = Chart("scenarios", "scenario", "system_cost_vs_base_usd", "t")
    lines = chart_lines(spec, table)
    assert lines.ticks == ["base", "bad", "dear"] and lines.failed_x == [1.0]
    run = pd.DataFrame({"item": ["input"], "value": ["x"]})
    write_tables(tmp_path, "s", {"scenarios": table}, run, [spec])
    data = openpyxl.load_workbook(tmp_path / "s.xlsx")["chart1 scenarios"]
    labels = [row[-1] for row in data.iter_rows(min_row=2, values_only=True)]
    assert labels == ["base", "bad (did not solve)", "dear"]


@pytest.mark.parametrize("suffix", [".lp", ".mps"])
def test_written_model_explains_itself_and_solves_alike(rechain, tiny, tmp_path, suffix):
    """The tiny case's objective is 2,800 + 1e8 USD (test_cli_tiny), 100.0028 in the model's million USD."""
    import highspy

    path = tmp_path / f"tiny{suffix}"
    code, _, _ = rechain("solve", tiny, "--write-model", path)
    assert code == 0
    text = path.read_text()
    assert "capacity(Plant,2,2026)" in text and "build(Plant,2,2025)" in text and "demand(" in text
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(str(path))
    h.run()
    assert h.getInfo().objective_function_value == pytest.approx(100.0028, rel=1e-9)


def test_chart_notes_state_the_case_but_not_what_the_chart_varies(examples):
    from rechain.commands.common import case_note
    from rechain.workbook.validate import load_workbook

    wb = load_workbook(examples / "frontier")
    assert case_note(wb, None, ()) == ("base case · requirement from 2025 · restricted cost factor 1 · undiscounted")
    varied = case_note(wb, "cheap_china", (("discount_rate", "0.05"),), ("restricted_cost_factor",))
    assert (
        varied == "scenario cheap_china · requirement from 2025 · discounted at 5.0% a year to 2025 · "
        "discount_rate=0.05"
    )
