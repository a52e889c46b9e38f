"""Terminal tables at 80 columns and printable Excel files (issue 22, section 3)."""

import openpyxl
import pandas as pd
import pytest
from rechain.report.writers import write_xlsx
from rechain.workbook.template import write_template

MONEY = '"$"#,##0'


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "template.xlsx"
    write_template(path)
    return openpyxl.load_workbook(path)


def printable(ws) -> bool:
    """Landscape, one page wide (any number of pages tall), row 1 repeated on every page."""
    setup = ws.page_setup
    titles = (ws.print_title_rows or "").replace("$", "")
    return (
        setup.orientation == "landscape"
        and ws.sheet_properties.pageSetUpPr.fitToPage
        and setup.fitToWidth == 1
        and setup.fitToHeight == 0
        and titles == "1:1"
    )


def test_every_written_sheet_prints_landscape_one_page_wide_with_its_header_on_each_page(tmp_path):
    """Two sheets, one of 300 rows (several printed pages): both are set up alike."""
    sheets = {
        "builds": pd.DataFrame({"bloc": ["allied"] * 300, "capex_usd": [1.0e6] * 300}),
        "summary": pd.DataFrame({"item": ["capex_usd"], "value": [2.5e9]}),
    }
    write_xlsx(tmp_path / "r.xlsx", sheets)
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert [ws.title for ws in book.worksheets if not printable(ws)] == []


def test_money_columns_carry_a_money_format_and_shares_a_per_cent_format(tmp_path):
    """`capex_usd` 1,500,000 shows $1,500,000; `premium (USD)` (the risk summary's name) too; `usd_per_kg`
    7,346.5 shows $7,346.50; `clean_share` 0.25 shows 25.0 %; `unmet_t` stays a plain number."""
    frame = pd.DataFrame(
        {
            "capex_usd": [1.5e6],
            "premium (USD)": [5000.0],
            "cost_usd_per_kg": [7346.5],
            "clean_share": [0.25],
            "unmet_t": [12.5],
        }
    )
    write_xlsx(tmp_path / "m.xlsx", {"s": frame})
    ws = openpyxl.load_workbook(tmp_path / "m.xlsx")["s"]
    assert [ws.cell(2, c).number_format for c in range(1, 6)] == [MONEY, MONEY, '"$"#,##0.00', "0.0%", "#,##0.0"]


def test_figure_value_and_chart_data_sheets_take_money_and_per_cent_formats(tmp_path):
    """Hedge's `value` sheet (figure | value): `value_of_stochastic_solution_usd` 1,500 as money, the recourse
    year 2028 as written. A chart-data sheet another writer adds: `premium (USD, system cost)` as money,
    `largest clean share with no shortfall` 0.8 as per cent."""
    values = pd.DataFrame({"figure": ["recourse_year", "value_of_stochastic_solution_usd"], "value": [2028, 1500.0]})

    def charts(book):
        ws = book.create_sheet("chart1")
        ws.append(["budget", "premium (USD, system cost)", "largest clean share with no shortfall"])
        ws.append(["a", 2.5e9, 0.8])

    write_xlsx(tmp_path / "v.xlsx", {"value": values}, charts)
    book = openpyxl.load_workbook(tmp_path / "v.xlsx")
    assert [book["value"].cell(r, 2).number_format for r in (2, 3)] == ["General", MONEY]
    assert [book["chart1"].cell(2, c).number_format for c in (2, 3)] == [MONEY, "0.0%"]
    assert printable(book["chart1"])


def test_the_template_starts_with_a_start_here_sheet(template):
    """First sheet: what to fill (settings, nodes, ... demand), in that order, and where the docs are."""
    assert template.sheetnames[0] == "start here"
    text = "\n".join(str(r[0]) for r in template["start here"].iter_rows(values_only=True))
    steps = [
        text.index(f"{i}. {name}:")
        for i, name in enumerate(["settings", "nodes", "stages", "facilities", "composition", "demand"], start=1)
    ]
    assert steps == sorted(steps)
    assert "docs/workbook.md" in text and "rechain validate" in text


def test_every_example_row_says_it_is_an_example(template):
    """Each table sheet's rows below the header are examples: each has the comment on its first cell."""
    unmarked = [
        f"{ws.title}!A{r}"
        for ws in template.worksheets[2:-1]
        for r in range(2, ws.max_row + 1)
        if ws.cell(r, 1).comment is None or "example: replace or delete" not in ws.cell(r, 1).comment.text
    ]
    assert unmarked == []
    assert template["nodes"].max_row == 3  # USA and China: both marked


def test_bloc_drop_downs_list_each_bloc_once(tmp_path):
    """An analyst lists five nodes, three of them allied: every drop-down of a bloc column (trade_rules
    from_bloc/to_bloc, budgets bloc) still offers allied once, and offers china."""
    path = tmp_path / "t.xlsx"
    write_template(path)
    book = openpyxl.load_workbook(path)
    for node, bloc in [("Canada", "allied"), ("Japan", "allied"), ("Brazil", "non_allied")]:
        book["nodes"].append([node, bloc])
    bloc_columns = {("trade_rules", "A"), ("trade_rules", "B"), ("budgets", "A")}
    offered = {}
    for ws in book.worksheets:
        for dv in ws.data_validations.dataValidation:
            if (ws.title, str(dv.sqref)[0]) in bloc_columns:
                sheet, _, ref = dv.formula1.partition("!")
                offered[ws.title, str(dv.sqref)[0]] = [
                    c.value for row in book[sheet][ref.replace("$", "")] for c in row if c.value
                ]
    assert set(offered) == bloc_columns
    for values in offered.values():
        assert sorted(values) == sorted(set(values)) and {"allied", "china"} <= set(values), values


def test_every_template_sheet_is_printable(template):
    assert [ws.title for ws in template.worksheets[1:] if not printable(ws)] == []


# --- terminal tables at 80 columns -------------------------------------------------------------------------


def risk_world(tmp_path, last=2025, scenarios=""):
    """tests/run/test_risk_by_hand.py's world: Buyer needs 10 t of A a year; all of it must be clean
    (max_restricted_share 0), so Plant (separation, 1,000 USD per t/yr, lifetime 1 year) builds 10 t/yr:
    system cost 10,000 USD whatever restricted_cost_factor is (China's opex is never paid)."""
    from risk_world import world

    folder = world(tmp_path, "failure.separation,bernoulli,0.5,,,\n", last=last)
    if scenarios:
        (folder / "scenarios.csv").write_text("scenario,key,value\n" + scenarios)
    return folder


def table_cells(text: str) -> list[str]:
    """The cells of every table row printed (box-drawn tables), stripped."""
    return [c.strip() for line in text.splitlines() if "│" in line for c in line.split("│")[1:-1]]


def fits(text: str, width: int = 80) -> bool:
    return max(map(len, text.splitlines())) <= width


@pytest.fixture
def narrow(monkeypatch):
    """A terminal 80 columns wide."""
    monkeypatch.setenv("COLUMNS", "80")


def test_sweep_fits_80_columns_one_format_per_column(tmp_path, rechain, narrow):
    """restricted_cost_factor 0.5, 1, 2, 20000: one column format with one decimal (0.5, 1.0, 2.0, 20,000.0),
    never `2e+04`; system cost 10,000 USD at every point reads $10.00 k, whole, in every row."""
    done = rechain(
        "sweep", risk_world(tmp_path), "--param", "restricted_cost_factor=0.5,1,2,20000", "--out", tmp_path / "out"
    )
    assert done.returncode == 0, done.stderr
    cells = table_cells(done.stdout)
    assert fits(done.stdout) and "e+" not in done.stdout
    assert {"0.5", "1.0", "2.0", "20,000.0"} <= set(cells)
    assert cells.count("$10.00 k") == 2 * 4  # system_cost_usd and capex_usd, 4 points


def test_scenarios_fit_80_columns_money_in_one_unit(tmp_path, rechain, narrow):
    """big: demand x 1.5 = 15 t, Plant builds 15 t/yr = $15.00 k, $5.00 k above the base's $10.00 k; cheap
    (restricted_cost_factor 0.5) costs the same as the base: $0.00 k above it (the column's unit is k)."""
    folder = risk_world(tmp_path, scenarios="big,demand_factor,1.5\ncheap,restricted_cost_factor,0.5\n")
    done = rechain("scenarios", folder, "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    cells = table_cells(done.stdout)
    assert fits(done.stdout)
    assert {"$15.00 k", "$10.00 k", "$5.00 k", "$0.00 k", "demand_factor=1.5"} <= set(cells)


def test_frontier_fits_80_columns(tmp_path, rechain, narrow):
    """The budget frontier's budgets 0, 1,000, ... 10,000 USD read in one unit ($0.00 k ... $10.00 k), alpha
    1, 0.9, ... 0 with one decimal each."""
    done = rechain("frontier", risk_world(tmp_path), "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    cells = table_cells(done.stdout)
    assert fits(done.stdout) and "e+" not in done.stdout
    assert {"$0.00 k", "$1.00 k", "$10.00 k", "1.0", "0.9", "0.0"} <= set(cells)


def test_solve_titles_are_never_squeezed_into_a_narrow_table(tmp_path, rechain, narrow):
    """The marginal supply cost table is two columns wide; its title still reads on one line."""
    done = rechain("solve", risk_world(tmp_path), "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert fits(done.stdout)
    assert "Marginal supply cost (USD/kg, undiscounted)" in done.stdout.splitlines()


def test_hedge_at_80_columns_says_what_committing_costs(tmp_path, rechain, narrow):
    """Hedge over 2025-2031: the recourse year is first_year + 3 = 2028, printed 2028 (not 2,028); the value
    of the stochastic solution is said in words, and no number is in exponent form."""
    folder = risk_world(tmp_path, last=2031)
    done = rechain("risk", folder, "--draws", "4", "--mode", "hedge", "--out", tmp_path / "out", "--workers", "1")
    assert done.returncode == 0, done.stderr
    assert fits(done.stdout) and "e+" not in done.stdout
    assert "2028" in table_cells(done.stdout) and "2,028" not in done.stdout
    assert "Committing to the deterministic plan costs" in " ".join(done.stdout.split())


def test_key_value_rows_each_in_their_own_format():
    """figure/value: a year as written (2028), USD amounts as money ($1.50 k, $10.20 k for 10,196.94, the
    `per` inside `perfect` is no price), text as text."""
    from rechain.report.terminal import print_frame
    from rich.console import Console

    frame = pd.DataFrame(
        {
            "figure": [
                "recourse_year",
                "value_of_stochastic_solution_usd",
                "expected_value_of_perfect_information_usd",
                "deterministic_plan_status",
            ],
            "value": [2028, 1500.0, 10196.94, "optimal"],
        }
    )
    console = Console(width=80, record=True)
    print_frame(console, frame, "value")
    assert table_cells(console.export_text())[1::2] == ["2028", "$1.50 k", "$10.20 k", "optimal"]


def test_hedge_values_in_plain_words():
    """VSS = commit mean - hedge mean = 12,000 - 10,500 = 1,500; EVPI = hedge mean - replan mean = 500."""
    from rechain.report.terminal import hedge_in_words

    values = pd.DataFrame(
        {
            "figure": ["value_of_stochastic_solution_usd", "expected_value_of_perfect_information_usd"],
            "value": [1500.0, 500.0],
        }
    )
    assert hedge_in_words(values) == [
        "Committing to the deterministic plan costs $1.50 k more on average than the hedged plan.",
        "Knowing each draw's outcome before building would save $500 on average against the hedged plan.",
    ]
    blank = values.assign(value=[None, None])
    assert "not computed" in hedge_in_words(blank)[0] and len(hedge_in_words(blank)) == 1


def test_a_column_of_mixed_sizes_keeps_one_format():
    """9,954.2, 12,345 and 0.5 in one column: one decimal for all (9,954.2, 12,345.0, 0.5), never 1.234e+04;
    years in a float column read 2030, not 2,030."""
    from rechain.report.terminal import print_frame
    from rich.console import Console

    console = Console(width=80, record=True)
    print_frame(console, pd.DataFrame({"year": [2030.0, 2035.0, 2040.0], "unmet_t": [9954.2, 12345.0, 0.5]}))
    assert table_cells(console.export_text()) == ["2030", "9,954.2", "2035", "12,345.0", "2040", "0.5"]


def test_a_wide_table_is_split_by_columns_not_inside_numbers():
    """Twelve money columns of $1.40 bn each cannot fit 80 columns in one table: the table is split into
    parts, each repeating the first column, every cell whole."""
    from rechain.report.terminal import print_frame
    from rich.console import Console

    frame = pd.DataFrame({"scenario": ["a", "b"], **{f"cost_{i}_usd": [1.4e9, 2.0e7] for i in range(12)}})
    console = Console(width=80, record=True)
    print_frame(console, frame, "wide")
    text = console.export_text()
    cells = table_cells(text)
    assert fits(text) and cells.count("$1.40 bn") == 12 and cells.count("$0.02 bn") == 12
    assert "wide (1/" in text and cells.count("a") > 1


def test_column_groups_by_hand():
    """Widths: a column needs its widest text + 3 (two spaces, one border), a table one border more.
    `key` 3+3 = 6, `amount` 6+3 = 9, `n` 1+3 = 4 (its cell `12,345` is 6 wide: 9): at width 16 the first
    table holds key and amount (6 + 9 + 1 = 16), the second key and n (6 + 9 + 1 = 16); at width 25 one
    table holds all three (6 + 9 + 9 + 1 = 25)."""
    from rechain.report.terminal import column_groups

    names, cells = ["key", "amount", "n"], [["a"], ["1.0"], ["12,345"]]
    assert column_groups(names, cells, 16) == [[0, 1], [0, 2]]
    assert column_groups(names, cells, 25) == [[0, 1, 2]]
    assert column_groups(names, cells, 24) == [[0, 1], [0, 2]]
