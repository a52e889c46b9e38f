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
    return (setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
            and setup.fitToWidth == 1 and setup.fitToHeight == 0 and titles == "1:1")


def test_every_written_sheet_prints_landscape_one_page_wide_with_its_header_on_each_page(tmp_path):
    """Two sheets, one of 300 rows (several printed pages): both are set up alike."""
    sheets = {"builds": pd.DataFrame({"bloc": ["allied"] * 300, "capex_usd": [1.0e6] * 300}),
              "summary": pd.DataFrame({"item": ["capex_usd"], "value": [2.5e9]})}
    write_xlsx(tmp_path / "r.xlsx", sheets)
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert [ws.title for ws in book.worksheets if not printable(ws)] == []


def test_money_columns_carry_a_money_format_and_shares_a_per_cent_format(tmp_path):
    """`capex_usd` 1,500,000 shows $1,500,000; `premium (USD)` (the risk summary's name) too; `usd_per_kg`
    7,346.5 shows $7,346.50; `clean_share` 0.25 shows 25.0 %; `unmet_t` stays a plain number."""
    frame = pd.DataFrame({"capex_usd": [1.5e6], "premium (USD)": [5000.0], "cost_usd_per_kg": [7346.5],
                          "clean_share": [0.25], "unmet_t": [12.5]})
    write_xlsx(tmp_path / "m.xlsx", {"s": frame})
    ws = openpyxl.load_workbook(tmp_path / "m.xlsx")["s"]
    assert [ws.cell(2, c).number_format for c in range(1, 6)] == [MONEY, MONEY, '"$"#,##0.00', "0.0%", "#,##0.0"]


def test_the_template_starts_with_a_start_here_sheet(template):
    """First sheet: what to fill (settings, nodes, ... demand), in that order, and where the docs are."""
    assert template.sheetnames[0] == "start here"
    text = "\n".join(str(r[0]) for r in template["start here"].iter_rows(values_only=True))
    steps = [text.index(f"{i}. {name}:") for i, name in
             enumerate(["settings", "nodes", "stages", "facilities", "composition", "demand"], start=1)]
    assert steps == sorted(steps)
    assert "docs/workbook.md" in text and "rechain validate" in text


def test_every_example_row_says_it_is_an_example(template):
    """Each table sheet's rows below the header are examples: each has the comment on its first cell."""
    unmarked = [f"{ws.title}!A{r}" for ws in template.worksheets[2:-1] for r in range(2, ws.max_row + 1)
                if ws.cell(r, 1).comment is None or "example: replace or delete" not in ws.cell(r, 1).comment.text]
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
                    c.value for row in book[sheet][ref.replace("$", "")] for c in row if c.value]
    assert set(offered) == bloc_columns
    for values in offered.values():
        assert sorted(values) == sorted(set(values)) and {"allied", "china"} <= set(values), values


def test_every_template_sheet_is_printable(template):
    assert [ws.title for ws in template.worksheets[1:] if not printable(ws)] == []
