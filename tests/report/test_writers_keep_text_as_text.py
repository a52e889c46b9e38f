"""Writers that can be trusted: hostile text stays text, JSON stays JSON, output problems are found early,
charts answer the question, numbers read as money and shares (issue 9)."""

import errno
import io
import json
import math
import shutil

import numpy as np
import openpyxl
import pandas as pd
import pytest
from rechain.base import files
from rechain.base.errors import OutputError
from rechain.report import writers as outputs
from rechain.report.tables import Chart, markdown_table, write_tables
from rechain.report.terminal import print_frame, usd
from rechain.report.writers import write_json, write_xlsx
from rich.console import Console

from writing import captured_figures, run_sheet

HOSTILE = ["[/]", "$\\oops$", "a|b\n# H", "\x1b[31mred"]


def scenario_table():
    """Four scenarios with hostile names over two years; the third did not solve."""
    return pd.DataFrame(
        {
            "scenario": HOSTILE * 2,
            "year": [2030] * 4 + [2035] * 4,
            "status": ["optimal", "optimal", "infeasible", "optimal"] * 2,
            "system_cost_usd": [1e9, 2e9, np.nan, 3e9, 1.5e9, 2.5e9, np.nan, 3.5e9],
            "clean_share": [0.1, 0.2, np.nan, 0.3, 0.5, 0.6, np.nan, 0.9],
        }
    )


# A. hostile text is text


def test_terminal_table_shows_hostile_labels_as_text():
    """Markup, math, pipes and an escape sequence in a label are printed as written; ESC shows as `\\x1b`."""
    buffer = io.StringIO()
    print_frame(Console(file=buffer, width=200, color_system=None), scenario_table(), "scenarios [/]")
    shown = buffer.getvalue()
    assert "\x1b" not in shown
    for text in ("scenarios [/]", "[/]", "$\\oops$", "a|b", "# H", "\\x1b[31mred"):
        assert text in shown


def test_solve_summary_with_markup_in_a_bloc_name(examples, tmp_path, rechain):
    """A bloc named `[/]` that builds capacity (Plant) is shown in the capex table, exit 0."""
    case = tmp_path / "case"
    shutil.copytree(examples / "tiny", case)
    nodes = case / "nodes.csv"
    nodes.write_text(nodes.read_text().replace("Plant,allied", "Plant,[/]"))
    done = rechain("solve", case)
    assert done.returncode == 0, done.stderr
    assert "[/]" in done.stdout


def test_markdown_table_keeps_its_shape():
    """Every row has exactly 5 cells (6 unescaped pipes); no line becomes a heading; ESC shown as text."""
    md = markdown_table(scenario_table())
    lines = md.split("\n")
    assert len(lines) == 2 + 8
    for line in lines:
        assert len([i for i, ch in enumerate(line) if ch == "|" and line[i - 1 : i] != "\\"]) == 6
        assert line.startswith("|") and "\x1b" not in line
    assert "a\\|b<br>\\# H" in md and "\\$\\\\oops\\$" in md and "\\[/\\]" in md


def test_markdown_text_escapes():
    from rechain.report.text import markdown_text

    assert markdown_text("# H") == "\\# H"
    assert markdown_text("1. x") == "1\\. x"
    assert markdown_text("`code` *b* <i>") == "\\`code\\` \\*b\\* &lt;i&gt;"
    assert markdown_text("snake_case _x_") == "snake_case \\_x\\_"
    assert markdown_text("a\nb", newline=" ") == "a b"


def test_charts_of_hostile_labels_are_drawn_as_written(tmp_path, monkeypatch):
    """A sweep-style table with hostile scenario names in legend, title and note: the PNG is written,
    and each legend entry is drawn as plain text equal to the name (control characters escaped)."""
    from rechain.report.text import plain

    figures = captured_figures(monkeypatch)
    spec = Chart("scenarios", "year", "system_cost_usd", "Cost $\\oops$ [/]", "scenario")
    write_tables(tmp_path, "sweep", {"scenarios": scenario_table()}, run_sheet(), [spec], "a|b\n# H")
    assert (tmp_path / "sweep_scenarios.png").stat().st_size > 0
    legend = figures[0].axes[0].get_legend()
    drawn = [t._preprocess_math(t.get_text()) for t in legend.get_texts()]
    assert [text for text, _ in drawn][:4] == [plain(h) for h in HOSTILE]
    assert not any(is_math for _, is_math in drawn)


def test_xlsx_and_csv_take_control_characters(tmp_path):
    """XML cannot hold ESC: the cell shows `\\x1b[31mred`; the rest of the names are kept exactly."""
    write_tables(
        tmp_path,
        "sweep",
        {"scenarios": scenario_table()},
        run_sheet(),
        [Chart("scenarios", "year", "system_cost_usd", "Cost", "scenario")],
    )
    ws = openpyxl.load_workbook(tmp_path / "sweep.xlsx")["scenarios"]
    assert [ws.cell(r, 1).value for r in range(2, 6)] == ["[/]", "$\\oops$", "a|b\n# H", "\\x1b[31mred"]
    assert pd.read_csv(tmp_path / "sweep_scenarios.csv")["scenario"].tolist()[:2] == ["[/]", "$\\oops$"]


def test_error_helpers_print_data_not_markup():
    from rechain.base.errors import InputError, Issue
    from rechain.report.text import print_input_error, say

    buffer = io.StringIO()
    console = Console(file=buffer, width=300, color_system=None)
    print_input_error(console, InputError([Issue("nodes!B3", "a bloc", "'[/]\x1b[2J'")], ["[bold]w[/]"]))
    say(console, "output error", "bold red", "d/[/]: cannot write")
    shown = buffer.getvalue()
    assert "\x1b" not in shown
    assert "warning: [bold]w[/]" in shown
    assert "input error (1 problem):" in shown
    assert "  - nodes!B3: expected a bloc, found '[/]\\x1b[2J'" in shown
    assert "output error: d/[/]: cannot write" in shown


# B. JSON never holds NaN or Infinity


def test_json_writes_null_for_non_finite_numbers(tmp_path):
    """NaN, +inf, -inf (also numpy's, also nested) become null; finite numbers stay."""
    data = {
        "a": float("nan"),
        "b": [float("inf"), {"c": -math.inf}],
        "d": np.float64("nan"),
        "e": np.int64(3),
        "f": 1.5,
    }
    write_json(tmp_path / "summary.json", data)
    text = (tmp_path / "summary.json").read_text()
    assert "NaN" not in text and "Infinity" not in text
    expected = {"a": None, "b": [None, {"c": None}], "d": None, "e": 3, "f": 1.5}
    assert json.loads(text) == expected
    assert json.loads(outputs.to_json(data)) == expected


# C. output problems found early, reported clearly, nothing half-written


def test_output_over_an_input_is_found_before_solving(tmp_path):
    """`solve d/results.xlsx --out d` would overwrite its input; so would an --out equal to or inside a CSV
    input folder, or an output file where an input folder is."""
    d = tmp_path / "d"
    d.mkdir()
    (d / "results.xlsx").write_bytes(b"input")
    with pytest.raises(OutputError, match="input"):
        files.check_outputs([d / "summary.json", d / "results.xlsx"], [d / "results.xlsx"])
    case = tmp_path / "case"
    case.mkdir()
    for out in (case, case / "out"):
        with pytest.raises(OutputError, match="input"):
            files.check_outputs([out / "sweep.xlsx"], [case])
    with pytest.raises(OutputError, match="input"):
        files.check_outputs([tmp_path / "case"], [case / "nodes.csv"])
    files.check_outputs([tmp_path / "sweep.xlsx", tmp_path / "sweep_sweep.csv"], [case, d / "results.xlsx"])


def test_output_folder_problems_are_found_before_solving(tmp_path, monkeypatch):
    """A file where a folder is wanted, a folder where a file is wanted, an unwritable folder, a full disk."""
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="is a file"):
        files.check_outputs([blocker / "sub" / "results.xlsx"], [])
    (tmp_path / "results.xlsx").mkdir()
    with pytest.raises(OutputError, match="is a folder"):
        files.check_outputs([tmp_path / "results.xlsx"], [])

    def refuse(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    with monkeypatch.context() as m:
        m.setattr(files.tempfile, "TemporaryFile", refuse)
        with pytest.raises(OutputError, match="Read-only file system"):
            files.check_outputs([tmp_path / "out" / "summary.json"], [])
    monkeypatch.setattr(files.shutil, "disk_usage", lambda p: shutil._ntuple_diskusage(10 << 30, 10 << 30, 1024))
    with pytest.raises(OutputError, match="disk almost full"):
        files.check_outputs([tmp_path / "out" / "summary.json"], [])


def test_a_failed_second_file_leaves_the_old_set_and_no_temp_files(tmp_path, monkeypatch):
    """The disk fills while the second CSV is written: an OutputError, the earlier sweep.xlsx, CSVs and
    sweep.md are unchanged, and no temporary file is left."""
    old = {"sweep.xlsx": b"old xlsx", "sweep_scenarios.csv": b"old csv", "sweep.md": b"old md"}
    for name, content in old.items():
        (tmp_path / name).write_bytes(content)
    real, calls = pd.DataFrame.to_csv, []

    def full(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    with pytest.raises(OutputError, match="No space left"):
        write_tables(
            tmp_path,
            "sweep",
            {"scenarios": scenario_table()},
            run_sheet(),
            [Chart("scenarios", "year", "system_cost_usd", "Cost", "scenario")],
        )
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == old


def test_failed_rename_or_folder_is_an_output_error(tmp_path, monkeypatch):
    """A parent that is a regular file, and a rename refused by the file system: OutputError, no temp file."""
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError):
        write_json(tmp_path / "file" / "summary.json", {"a": 1})

    def refuse(src, dst):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(files.os, "replace", refuse)
    with pytest.raises(OutputError, match="Read-only"):
        write_xlsx(tmp_path / "results.xlsx", {"s": pd.DataFrame({"a": [1]})})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_table_files_lists_what_write_tables_writes(tmp_path):
    """Sheets 'scenarios' and 'empty' (no rows, so no chart): xlsx, three CSVs (with run), one PNG, md."""
    from rechain.report.tables import table_files

    sheets = {"scenarios": scenario_table(), "empty": scenario_table().head(0)}
    charts = [Chart("scenarios", "year", "system_cost_usd", "Cost", "scenario")]
    written = write_tables(tmp_path, "sweep", sheets, run_sheet(), charts)
    listed = table_files(tmp_path, "sweep", sheets, ["scenarios", "empty"])
    assert (
        sorted(p.name for p in written)
        == sorted(p.name for p in tmp_path.iterdir())
        == ["sweep.md", "sweep.xlsx", "sweep_empty.csv", "sweep_run.csv", "sweep_scenarios.csv", "sweep_scenarios.png"]
    )
    assert set(written) <= set(listed) and set(listed) - set(written) == {tmp_path / "sweep_empty.png"}


def test_cli_reports_an_output_error_in_one_line(examples, tmp_path, rechain):
    """--out below a regular file: exit 2, one clear line, no traceback."""
    (tmp_path / "file").write_text("x")
    done = rechain("solve", examples / "tiny", "--out", tmp_path / "file" / "out")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "output error" in done.stderr


# D. charts that answer


def budget_table():
    """Budgets 0, $1 bn ... $300 bn (positive values span 300x, so a log axis); the $5 bn point failed."""
    return pd.DataFrame(
        {
            "budget_usd": [0, 1e9, 2.5e9, 5e9, 2e10, 3e11],
            "status": ["optimal", "optimal", "optimal", "infeasible", "optimal", "optimal"],
            "system_cost_usd": [9.1e10, 8.5e10, 8.0e10, np.nan, 7.2e10, 6.9e10],
        }
    )


def test_png_money_axes_read_in_dollars(tmp_path, monkeypatch):
    """Costs of $69-91 bn: y ticks read `$70 bn`..., no `1e10` offset; budgets from $0 to $300 bn (positives
    300x apart) on a log axis with $0 drawn apart at $100 m (10^floor(9 − ½)), ticks `$0 (no budget)`, `$1 bn`
    ... `$1,000 bn`; the failed $5 bn point breaks the line and is marked 'did not solve'."""
    figures = captured_figures(monkeypatch)
    write_tables(
        tmp_path,
        "sweep",
        {"sweep": budget_table()},
        run_sheet(),
        [Chart("sweep", "budget_usd", "system_cost_usd", "System cost by budget", note="from 2035")],
    )
    ax = figures[0].axes[0]
    ylabels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert ylabels and all(label.startswith("$") and label.endswith(" bn") for label in ylabels)
    assert ax.yaxis.get_offset_text().get_text() == ""
    assert ax.get_xscale() == "log"
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["$0\n(no budget)", "$1 bn", "$10 bn", "$100 bn", "$1,000 bn"]
    line = ax.get_lines()[0]
    assert np.isnan(line.get_ydata()[2]) and line.get_xdata()[2] == 5e9
    marks = [ln for ln in ax.get_lines() if ln.get_label() == "did not solve"]
    assert len(marks) == 1 and list(marks[0].get_xdata()) == [5e9]


def test_png_years_as_text_are_numeric_years(tmp_path, monkeypatch):
    """Years stored as text '2025'...'2040' (16 years, 15 groups): a numeric x axis with integer labels such
    as '2030' (no '2,030'), one line per group, sorted by year; capacity spanning 1,000-100,000 t/yr (100x+)
    on a log axis."""
    figures = captured_figures(monkeypatch)
    rows = [
        {"group": f"bloc{b} · stage{s}", "year": str(y), "capacity_tpa": 1000.0 * (1 + 20 * b) * (1 + s)}
        for y in range(2040, 2024, -1)
        for b in range(3)
        for s in range(5)
    ]
    frame = pd.DataFrame(rows)
    write_tables(
        tmp_path,
        "results",
        {"capacity": frame},
        run_sheet(),
        [Chart("capacity", "year", "capacity_tpa", "Capacity", "group", "year", "capacity (t/yr)")],
    )
    ax = figures[0].axes[0]
    groups = [ln for ln in ax.get_lines() if ln.get_label() != "did not solve"]
    assert len(groups) == 15
    assert list(groups[0].get_xdata()) == list(range(2025, 2041))
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert "2030" in labels and not any("," in label for label in labels)
    assert ax.get_yscale() == "log"


def test_excel_charts_match(tmp_path):
    """The native chart: money axis format in $ bn, log base 10 on the budget axis when all budgets are
    positive (1..300 bn is 300x) and on capacity (10..5,000 t/yr is 500x), one series per group sorted by year,
    and a 'did not solve' series marking only the failed $5 bn point (4th of 5 rows)."""
    table = budget_table().iloc[1:]
    rows = [
        {"group": g, "year": y, "capacity_tpa": v}
        for y in (2031, 2030)
        for g, v in (("a · x", 10), ("b · y", 100), ("c · z", 5000))
    ]
    write_tables(
        tmp_path,
        "t",
        {"sweep": table, "capacity": pd.DataFrame(rows)},
        run_sheet(),
        [
            Chart("sweep", "budget_usd", "system_cost_usd", "System cost", note="from 2035"),
            Chart("capacity", "year", "capacity_tpa", "Capacity", "group"),
        ],
    )
    book = openpyxl.load_workbook(tmp_path / "t.xlsx")
    (cost,), (cap,) = book["sweep"]._charts, book["capacity"]._charts
    assert cost.x_axis.scaling.logBase == 10
    assert "bn" in cost.y_axis.number_format.formatCode
    assert [s.tx.strRef.f.split("!")[1] for s in cost.series] == ["B1", "C1"]
    assert cap.y_axis.scaling.logBase == 10 and cap.x_axis.number_format.formatCode == "0"
    data = book[cap.series[0].xVal.numRef.f.split("!")[0].strip("'")]
    assert [[c.value for c in row] for row in data.iter_rows(max_col=4)][:3] == [
        ["year", "a · x", "b · y", "c · z"],
        [2030, 10, 100, 5000],
        [2031, 10, 100, 5000],
    ]
    failed = book[cost.series[1].yVal.numRef.f.split("!")[0].strip("'")]
    assert [row[2].value is not None for row in failed.iter_rows(min_row=2)] == [False, False, True, False, False]


# E. number formats


def test_money_has_the_minus_before_the_dollar():
    assert usd(-1.4e9) == "\u2212$1.40 bn"
    assert usd(2.5e6) == "$2.50 m"
    assert usd(float("nan")) == "-"


def test_markdown_money_and_shares_csv_raw(tmp_path):
    """Money columns (`_usd`) read `$1.00 bn`, `−$1.40 bn`; shares 0.1 read `10.0%`; the CSV keeps 1e9 and 0.1."""
    frame = pd.DataFrame({"scenario": ["a", "b"], "system_cost_usd": [1e9, -1.4e9], "clean_share": [0.1, 0.25]})
    md = markdown_table(frame)
    assert "| a | $1.00 bn | 10.0% |" in md and "| b | \u2212$1.40 bn | 25.0% |" in md
    write_tables(tmp_path, "s", {"s": frame}, run_sheet())
    assert pd.read_csv(tmp_path / "s_s.csv")["system_cost_usd"].tolist() == [1e9, -1.4e9]


def test_years_never_get_thousands_separators(tmp_path):
    """A year column (2030) reads 2030 in Markdown, the terminal and Excel, also when stored as a float or named
    like `china_free_from`; an integer count keeps its separators (12,000)."""
    frame = pd.DataFrame({"china_free_from": [2030, 2035], "year": [2030.0, 2035.0], "unmet_t": [12000, 0]})
    md = markdown_table(frame)
    assert "| 2030 | 2030 | 12,000 |" in md
    buffer = io.StringIO()
    print_frame(Console(file=buffer, width=200, color_system=None), frame)
    assert "2,030" not in buffer.getvalue() and "2030" in buffer.getvalue()
    write_xlsx(tmp_path / "y.xlsx", {"s": frame})
    ws = openpyxl.load_workbook(tmp_path / "y.xlsx")["s"]
    assert [ws.cell(2, c).number_format for c in (1, 2, 3)] == ["General", "General", "#,##0.0"]


def test_key_value_sheet_formats_each_row(tmp_path):
    """An item/value sheet: `capex_usd` as money, `clean_share` as 0.0%, `unmet_t` as #,##0.0, a year as is."""
    frame = pd.DataFrame(
        {
            "item": ["capex_usd", "clean_share", "unmet_t", "first_year", "status"],
            "value": [1.5e9, 0.25, 12.5, 2025, "optimal"],
        }
    )
    write_xlsx(tmp_path / "r.xlsx", {"summary": frame})
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["summary"]
    assert [ws.cell(r, 2).number_format for r in range(2, 7)] == ['"$"#,##0', "0.0%", "#,##0.0", "General", "General"]
