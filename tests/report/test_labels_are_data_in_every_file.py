"""Formula and markup injection (issue 22): labels are data in every file rechain writes.

One world whose node, bloc, stage, element, scenario, uncertainty factor, comparator and claim labels are
hostile goes through solve, sweep, frontier, scenarios, risk (2 draws) and report (2 draws). Then:
- xlsx: no cell of any sheet (tables, headers, chart data) is a formula, and text a spreadsheet could run as
  one (it begins with `=`, `+`, `-`, `@`, tab or CR) is quote-prefixed; the labels are kept exactly;
- CSV: text fields that begin so carry a leading apostrophe (numbers stay numbers: `-5000.0` is a number);
- Markdown: no raw HTML, no link syntax, no heading made by a label, no emphasis or code span made by a label,
  no bare URL or e-mail address (GitHub's autolinks), and every table row has as many cells as its header.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from rechain import cli
from rechain.report.tables import Chart, write_tables
from rechain.report.text import markdown_text
from rechain.report.writers import save_csv

from writing import formula_like, unsafe_cells, write_csv

MINE, PLANT, CN, BUYER = "+1+1", '=HYPERLINK("http://evil.example","y")', "<img src=x onerror=alert(1)>", "a|b"
ALLIED, CHINA, ELEMENT = "[click](http://x)", "@SUM(A1) <ops@evil.example>", "**bold** www.evil.example"
MINING, SEPARATION = "-2", "_x_"
CUT, BUDGET = '=HYPERLINK("http://evil.example","cut@evil.example")', "`code` me@evil.example"
INJECTED = "a\n# Injected"
HOSTILE = [PLANT, MINE, "-2", CHINA, CN, ALLIED, INJECTED, BUYER, ELEMENT, BUDGET]

# The world of tests/run/test_risk_by_hand.py with hostile labels: Mine feeds Plant (built at 1,000 USD/tpa) or CN
# (china, opex 500 USD/t); Buyer needs 10 t a year in 2025 and 2026.
WORLD = {
    "settings": [
        ["key", "value"],
        ["first_year", 2025],
        ["last_year", 2026],
        ["independence_year", 2025],
        ["max_restricted_share", 0],
        ["restricted_blocs", CHINA],
        ["protected_blocs", ALLIED],
        ["budget_blocs", ALLIED],
    ],
    "nodes": [
        ["node", "bloc", "note"],
        [MINE, ALLIED, INJECTED],
        [PLANT, ALLIED, None],
        [CN, CHINA, None],
        [BUYER, ALLIED, CN],
    ],
    "stages": [["stage", "order", "yield"], [MINING, 1, None], [SEPARATION, 2, 1]],
    "facilities": [
        [
            "node",
            "stage",
            "existing_tpa",
            "capex_usd_per_tpa",
            "opex_usd_per_t",
            "lead_time_years",
            "lifetime_years",
            "source",
        ],
        [MINE, MINING, 100, None, 0, 0, 1, PLANT],
        [PLANT, SEPARATION, 0, 1000, 0, 0, 1, None],
        [CN, SEPARATION, 100, None, 500, 0, 1, None],
    ],
    "composition": [["node", "element", "share"], [MINE, ELEMENT, 1]],
    "demand": [["node", "element", "year", "demand_t"], [BUYER, ELEMENT, 2025, 10], [BUYER, ELEMENT, 2026, 10]],
    "scenarios": [["scenario", "key", "value"], [CUT, "restricted_cost_factor", 0.5], [BUDGET, "budget_usd", 5000]],
    "uncertainty": [
        ["target", "distribution", "p1", "p2", "p3", "factor", "correlation", "condition", "note"],
        [f"capex_overrun.{SEPARATION}", "triangular", 1, 1.1, 1.2, "=1+1", 0.5, None, INJECTED],
        [f"failure.{PLANT}.{SEPARATION}", "bernoulli", 0.5, None, None, None, None, True, None],
    ],
    "comparators": [["element", "comparator", "premium_low_usd_per_kg", "source"], [ELEMENT, ALLIED, 5, CN]],
    "claims": [["claim", "evidence", "verdict", "scenario"], [INJECTED, PLANT, ELEMENT, CUT]],
}
RUNS = {
    "solve": (),
    "sweep": ("--param", "restricted_cost_factor=0.5,1", "--scenario", CUT),
    "frontier": ("--scenario", CUT),
    "scenarios": ("--workers", 1),
    "risk": ("--draws", 2, "--workers", 1, "--scenario", CUT),
    "report": ("--draws", 2, "--workers", 1),
}


def run(*args) -> int:
    with pytest.raises(SystemExit) as done:
        cli.main([str(a) for a in args])
    return done.value.code


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    """Every command's --out folder for the hostile world (each exits 0)."""
    tmp = tmp_path_factory.mktemp("injection")
    world = write_csv(WORLD, tmp / "world")
    codes = {command: run(command, world, "--out", tmp / command, *extra) for command, extra in RUNS.items()}
    assert codes == dict.fromkeys(RUNS, 0)
    return tmp


def files(outputs: Path, command: str, suffix: str) -> list[Path]:
    found = sorted((outputs / command).glob(f"*{suffix}"))
    assert found or suffix != ".xlsx", f"{command} wrote no {suffix}"
    return found


def texts(path: Path) -> set:
    book = openpyxl.load_workbook(path)
    return {cell.value for ws in book.worksheets for row in ws.iter_rows() for cell in row}


@pytest.mark.parametrize("command", list(RUNS))
def test_no_workbook_cell_is_a_formula(outputs, command):
    """Every cell of every sheet of every workbook the command wrote (chart-data sheets included)."""
    for path in files(outputs, command, ".xlsx"):
        assert unsafe_cells(path) == []


@pytest.mark.parametrize(
    ("command", "name", "sheets"),
    [
        ("scenarios", "scenarios.xlsx", ("chart1 world_costs", "chart2 policy")),
        ("report", "findings_tables.xlsx", ("chart3 scenarios_world_costs", "chart4 scenarios_policy")),
    ],
)
def test_chart_data_keeps_labels_as_text(outputs, command, name, sheets):
    """The bar charts' category labels are the scenario names, exactly as written, as quote-prefixed text:
    the cost-factor scenario's `=HYPERLINK(...)` (world costs) and the budget's `` `code` `` (policy); the
    values beside them stay numbers."""
    book = openpyxl.load_workbook(outputs / command / name)
    labels = {}
    for sheet in sheets:
        ws = book[sheet]
        label_col = [c.value for c in ws[1]].index("label") + 1
        labels |= {ws.cell(r, label_col).value: ws.cell(r, label_col) for r in range(2, ws.max_row + 1)}
        assert all(isinstance(ws.cell(r, 1).value, int) for r in range(2, ws.max_row + 1))
    assert {CUT, BUDGET} <= set(labels)
    assert labels[CUT].data_type == "s" and labels[CUT].quotePrefix


@pytest.mark.parametrize(
    ("command", "name"), [("solve", "results.xlsx"), ("risk", "risk.xlsx"), ("report", "findings_tables.xlsx")]
)
def test_workbook_labels_are_kept_exactly(outputs, command, name):
    """Escaping does not change data: the hostile node, bloc and element names are cell values as written."""
    found = texts(outputs / command / name)
    expected = {"solve": {PLANT, MINE, CHINA, ELEMENT}, "risk": {ELEMENT}, "report": {ELEMENT, CUT, PLANT}}
    assert expected[command] <= found


def not_a_number(field: str) -> bool:
    try:
        float(field)
    except ValueError:
        return True
    return False


@pytest.mark.parametrize("command", [c for c in RUNS if c != "solve"])
def test_csv_text_never_starts_like_a_formula(outputs, command):
    """Every field of every CSV, header included: formula-like text is apostrophe-prefixed; `-5000.0` is a
    number and stays one."""
    bad = []
    for path in files(outputs, command, ".csv"):
        with path.open(newline="", encoding="utf-8") as f:
            bad += [f"{path.name}: {v!r}" for row in csv.reader(f) for v in row if formula_like(v) and not_a_number(v)]
    assert bad == []


def test_csv_header_and_numbers(tmp_path):
    """A column named by a label (`=1+1`) is escaped like a cell; -3 and -0.5 stay numbers; `-2` as text
    becomes `'-2`; a tab-led text `\\tx` is escaped too (OWASP)."""
    frame = pd.DataFrame({"=1+1": ["-2", "\tx", "ok"], "n": [-3, 4, 5], "f": [-0.5, 1.0, 2.0]})
    save_csv(tmp_path / "t.csv", frame)
    rows = list(csv.reader(io.StringIO((tmp_path / "t.csv").read_text(), newline="")))
    assert rows == [["'=1+1", "n", "f"], ["'-2", "-3", "-0.5"], ["'\tx", "4", "1.0"], ["ok", "5", "2.0"]]


OWN_CODE = "`premium_usd_per_kg.<element>`"  # findings.md's own code span
ESCAPED_LINK = re.compile(r"(?<!\\)\]\(")
IMAGE = re.compile(r"^!\[(?:\\.|[^\]\\])*\]\([\w.-]+\.png\)$")  # rechain's own image; the alt text escaped
EMAIL = re.compile(r"[A-Za-z0-9.+_-]@[A-Za-z0-9_-]+\.")  # the joiner markdown_text puts before `@` breaks it
OWN_HEADINGS = re.compile(r"^(# (rechain |The cost of supply free of )|## [A-Za-z0-9(]|### )")


def markdown_problems(text: str) -> list[str]:
    """What a label could have made of a Markdown file: HTML, links, headings, emphasis, code, bare URLs,
    broken tables."""
    problems, header = [], None
    for n, line in enumerate(text.replace(OWN_CODE, "").split("\n"), start=1):
        pipes = len(re.findall(r"(?<!\\)\|", line))
        header = pipes if line.startswith("|") and header is None else header if line.startswith("|") else None
        checks = {
            "raw HTML": re.search(r"<(?!br>)", line),
            "link": ESCAPED_LINK.search(line) and not IMAGE.match(line),
            "heading": line.lstrip().startswith("#") and not OWN_HEADINGS.match(line),
            "emphasis": re.search(r"(?<!\\)\*\*bold|(?<![\\\w])_x", line),
            "code": re.search(r"(?<!\\)`code", line),
            "bare URL": re.search(r"https?://|www\.", line, re.IGNORECASE),
            "e-mail link": EMAIL.search(line),
            "table shape": line.startswith("|") and pipes != header,
        }
        problems += [f"line {n}, {what}: {line[:120]}" for what, hit in checks.items() if hit]
    return problems


@pytest.mark.parametrize("command", [c for c in RUNS if c != "solve"])
def test_markdown_holds_no_markup_from_labels(outputs, command):
    """Every .md the command wrote (findings.md's title, headline bullets and sections, risk.md's
    sentences and headings, every table cell, heading and image alt text)."""
    for path in files(outputs, command, ".md"):
        assert markdown_problems(path.read_text(encoding="utf-8")) == [], path.name


def test_findings_title_and_headline_quote_labels_escaped(outputs):
    """The title names the restricted bloc `@SUM(A1) <ops@evil.example>` and the protected bloc
    `[click](http://x)`, escaped (a word joiner U+2060 before the address's `@`); a headline bullet names the
    element `**bold**` escaped."""
    text = (outputs / "report" / "findings.md").read_text(encoding="utf-8")
    title = text.split("\n")[0]
    assert title.startswith(
        "# The cost of supply free of @SUM(A1) &lt;ops\u2060@evil.example&gt; for \\[click\\](http\\://x) demand"
    )
    headline = text.split("## Headline")[1].split("\n## ")[0]
    assert r"\*\*bold\*\*" in headline and "**bold**" not in headline.replace(r"\*", "")


AUTOLINKS = [
    "a@b.com",
    "<a@b.com>",
    "http://x",
    "www.x",
    "WWW.X.ORG",
    "HTTPS://X.ORG",
    "ftp://x.org",
    "mailto:a.b+c@d.co",
    "xmpp:a_b@c.de",
    "see first.last@sub.example.org.",
]


MARKDOWN = ["1. x", "===", "www.evil.example", "\\", "&lt;", "![i](x.png)"]


@pytest.mark.parametrize("label", HOSTILE + AUTOLINKS + MARKDOWN)
def test_markdown_text_is_inert(label):
    """Each label alone, as a line of its own and as a table cell: no problem of `markdown_problems`, and
    (apart from escapes) the text is the label's: `&lt;` becomes `&amp;lt;`, shown as written."""
    text = markdown_text(label)
    assert markdown_problems(text) == [] and markdown_problems(f"| {text} |\n|---|\n| {text} |") == []


def test_markdown_code_spans():
    """A file name in a code span: fenced by one more backtick than its longest run, padded when it
    begins or ends with one."""
    from rechain.report.text import markdown_code

    assert markdown_code("case.xlsx") == "`case.xlsx`"
    assert markdown_code("a``b") == "```a``b```"
    assert markdown_code("`x") == "`` `x ``"


def test_chart_data_sheet_of_hostile_groups(tmp_path):
    """A line chart grouped by hostile scenario names: its chart-data sheet's header row holds the names,
    none a formula, each formula-like one quote-prefixed; x stays a number."""
    frame = pd.DataFrame(
        {
            "scenario": [PLANT, MINE, CHINA] * 2,
            "year": [2030] * 3 + [2035] * 3,
            "system_cost_usd": [1e9, 2e9, 3e9, 4e9, 5e9, 6e9],
        }
    )
    run = pd.DataFrame({"item": ["input"], "value": ["=cmd|' /C calc'!A0"]})
    write_tables(
        tmp_path,
        "sweep",
        {"scenarios": frame},
        run,
        [Chart("scenarios", "year", "system_cost_usd", "Cost", "scenario")],
    )
    assert unsafe_cells(tmp_path / "sweep.xlsx") == []
    ws = openpyxl.load_workbook(tmp_path / "sweep.xlsx")["chart1 scenarios"]
    assert [c.value for c in ws[1]][1:4] == [PLANT, MINE, CHINA]
    assert ws["A2"].value == 2030 and ws["A2"].data_type == "n"


def test_compare_markdown_holds_no_markup_from_labels(outputs, tmp_path):
    """compare.md between the base solve and one under the scenario `=HYPERLINK(..."cut@evil.example")`: the
    scenario name (a setting that differs) is shown with no formula, link or e-mail link."""
    world = outputs / "world"
    assert run("solve", world, "--out", tmp_path / "cut", "--scenario", CUT) == 0
    assert run("compare", outputs / "solve", tmp_path / "cut", "--out", tmp_path / "compare") == 0
    text = (tmp_path / "compare" / "compare.md").read_text(encoding="utf-8")
    assert "cut\u2060@evil.example" in text and markdown_problems(text) == []
