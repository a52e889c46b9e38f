"""Mistakes are caught, not computed (issue 9): unknown blocs, likely slips,
one error at the cause, size guards and the template."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from rechain.base.errors import InputError
from rechain.workbook.cases import make_dataset
from rechain.workbook.read import read_tables
from rechain.workbook.schema import SHEETS
from rechain.workbook.validate import load_workbook, validate_tables

from worked import issues_of, warnings_of

EXAMPLES = Path(__file__).resolve().parents[2] / "inputs" / "examples"


def case(tmp_path, example="frontier", **files) -> Path:
    """A copy of an example with some CSV files replaced or extended (text starting with '+' is appended)."""
    folder = tmp_path / example
    shutil.copytree(EXAMPLES / example, folder)
    for name, text in files.items():
        path = folder / f"{name}.csv"
        if text.startswith("+"):
            path.write_text(path.read_text() + text[1:])
        else:
            path.write_text(text)
    return folder


# ----------------------------------------------------------------------------- blocs named in settings


def test_a_bloc_in_settings_must_be_a_bloc_of_the_nodes_sheet(tmp_path):
    """The frontier example's nodes have blocs allied and china. settings.csv row 6 (after the header and four
    settings) says restricted_blocs = China: no node has it, so it is an error at settings!B6 listing both."""
    path = case(tmp_path, settings="+restricted_blocs,China\n")
    [issue] = issues_of(path)
    assert issue.place == "settings!B6"
    assert "allied, china" in issue.expected and "'China'" in issue.found and "'china'" in issue.found


def test_blocs_in_scenarios_and_set_are_checked(tmp_path):
    """scenarios.csv rows 4-6 name China, Russia and Allied; --set names Allied twice. Each is an error at its
    cell or option; the well-spelt bloc of the same list (china) is not."""
    path = case(
        tmp_path,
        scenarios='+typo,capex_factor.China,2\ntypo,restricted_blocs,"china, Russia"\ntypo,ban.Allied.china,2025\n',
    )
    issues = issues_of(path, "typo", (("protected_blocs", "Allied"), ("opex_factor.Allied", "2")))
    assert sorted((i.place, i.found.split()[0]) for i in issues) == [
        ("--set opex_factor.Allied", "'Allied'"),
        ("--set protected_blocs", "'Allied'"),
        ("scenarios!C4", "'China'"),
        ("scenarios!C5", "'Russia'"),
        ("scenarios!C6", "'Allied'"),
    ]


def test_blocs_introduced_by_the_scenario_count_and_defaults_are_not_checked(tmp_path):
    """Scenario 'moved' puts Buyer in a new bloc 'neutral' and protects it: valid. The tiny example has only
    allied nodes, yet its default restricted_blocs (china) is not an error. Naming neutral outside the scenario
    is an error: only the scenario introduces it."""
    path = case(tmp_path, scenarios="+moved,bloc.Buyer,neutral\nmoved,protected_blocs,neutral\n")
    assert make_dataset(load_workbook(path), "moved").settings.protected_blocs == {"neutral"}
    make_dataset(load_workbook(EXAMPLES / "tiny"))
    [issue] = issues_of(path, None, (("protected_blocs", "neutral"),))
    assert issue.place == "--set protected_blocs"


def test_validate_reports_bloc_errors_of_every_scenario(tmp_path, rechain):
    path = case(tmp_path, scenarios="+typo,restricted_blocs,China\n")
    done = rechain("validate", path)
    assert done.returncode == 2 and "scenarios!C4" in done.stderr and "China" in done.stderr


# ----------------------------------------------------------------------------- likely slips


def test_likely_slips_are_warnings_naming_the_cell(tmp_path):
    """discount_rate 7 (meant 0.07) at settings!B6, budget_usd 10 (meant 10 bn) at B7, independence_year 2030
    after last_year 2025 at B4 (overwritten in place), lead time 2027 (a year) at facilities!F4, a demand year 25
    (meant 2025) at demand!C3."""
    path = case(
        tmp_path,
        settings="key,value\nfirst_year,2025\nlast_year,2025\nindependence_year,2030\n"
        "max_restricted_share,1\ndiscount_rate,7\nbudget_usd,10\n",
        facilities="node,stage,existing_tpa,capex_usd_per_tpa,opex_usd_per_t,lead_time_years,lifetime_years\n"
        "Mine,mining,100,,0,0,1\nCNSep,separation,100,,1,0,1\nUSSep,separation,0,100,5,2027,1\n",
        demand="+Buyer,A,25,10\n",
    )
    warnings = warnings_of(path)
    for place, words in [
        ("settings!B6", "0.07"),
        ("settings!B7", "2e9"),
        ("settings!B4", "after last_year 2025"),
        ("facilities!F4", "not a calendar year"),
        ("demand!C3", "2025"),
    ]:
        assert [w for w in warnings if w.startswith(place + ":") and words in w], (place, warnings)


def test_slips_in_scenarios_and_set_are_warnings(tmp_path, rechain):
    """A ban inside one bloc (scenarios!C4), a rate of 7 (C5) and a demand factor of 50 (--set) are legal
    but almost surely slips; `validate --strict` fails on the scenario's ones."""
    path = case(tmp_path, scenarios="+odd,ban.allied.allied,2025\nodd,discount_rate,7\n")
    warnings = warnings_of(path, "odd", (("demand_factor", "50"),))
    assert any(w.startswith("scenarios!C4:") and "one bloc" in w for w in warnings), warnings
    assert any(w.startswith("scenarios!C5:") and "0.07" in w for w in warnings), warnings
    assert any(w.startswith("--set demand_factor:") and "demand_factor = 50" in w for w in warnings), warnings
    done = rechain("validate", "--strict", path)
    assert done.returncode == 2 and "scenarios!C4" in done.stderr and "scenarios!C5" in done.stderr


def test_a_ban_within_one_bloc_in_trade_rules_is_a_warning(tmp_path):
    path = case(tmp_path, trade_rules="from_bloc,to_bloc,allowed\nallied,allied,FALSE\nchina,allied,FALSE\n")
    assert [w for w in load_workbook(path).warnings if w.startswith("trade_rules!B2:")]
    assert not [w for w in load_workbook(path).warnings if w.startswith("trade_rules!B3:")]


def test_demand_wholly_outside_the_horizon_is_said_plainly(tmp_path):
    """Every demand row is for 2035 while the horizon is 2025: nothing to supply."""
    path = case(tmp_path, demand="node,element,year,demand_t\nBuyer,A,2035,10\n")
    assert any("nothing to supply" in w for w in warnings_of(path))


def test_the_examples_and_the_reference_have_no_warnings():
    """None: since reference world v3 every separator of the reference has circuit rows (China's sized not to
    bind, Eneabba's as announced), so a forgotten row would be said."""
    reference = Path(__file__).resolve().parents[2] / "inputs" / "reference.xlsx"
    for path in (EXAMPLES / "tiny", EXAMPLES / "frontier", reference):
        wb = load_workbook(path)
        for scenario in [None, *wb.scenario_names]:
            assert warnings_of(wb, scenario) == [], (path, scenario)


def test_a_sheet_name_close_to_a_known_one_is_a_warning(tmp_path):
    path = case(tmp_path, trade_rule="from_bloc,to_bloc,allowed\nchina,allied,FALSE\n", notes="anything\n")
    assert [w for w in load_workbook(path).warnings if "trade_rule" in w and "'trade_rules'" in w]
    assert not [w for w in load_workbook(path).warnings if "notes" in w]


# ----------------------------------------------------------------------------- one error, at the cause


@pytest.mark.parametrize(
    "sheet, old, new, place",
    [
        ("nodes", "Mine,allied", "Mine,", "nodes!B2"),  # Mine is used by facilities and composition
        ("nodes", "Buyer,allied", ",allied", "nodes!A5"),  # which node it was is unknown: no reference is judged
        ("stages", "separation,2,1", "separation,x,1", "stages!B3"),  # used by two facilities
        ("stages", "mining,1,", "mining,,", "stages!B2"),  # and no "orders with no gaps" either
        ("composition", "Mine,A,1", "Mine,A,", "composition!C2"),  # no "sum to 1", no "rows for Mine", no element A
    ],
)
def test_a_row_in_error_gives_one_error(tmp_path, sheet, old, new, place):
    path = tmp_path / "frontier"
    shutil.copytree(EXAMPLES / "frontier", path)
    text = (path / f"{sheet}.csv").read_text()
    assert old in text
    (path / f"{sheet}.csv").write_text(text.replace(old, new))
    issues = validate_tables(read_tables(path))[1].errors
    assert [i.place for i in issues] == [place], [str(i) for i in issues]


def test_a_missing_column_gives_no_unknown_labels(tmp_path):
    """nodes.csv without its bloc column: one error at its header row, nothing about the four nodes."""
    path = case(tmp_path, nodes="node,note\nMine,x\nCNSep,x\nUSSep,x\nBuyer,x\n")
    assert [i.place for i in validate_tables(read_tables(path))[1].errors] == ["nodes!1:1"]


def test_a_label_in_the_wrong_case_is_named(tmp_path):
    path = case(tmp_path, demand="node,element,year,demand_t\nbuyer,A,2025,10\n")
    [issue] = validate_tables(read_tables(path))[1].errors
    assert issue.place == "demand!A2" and "did you mean 'Buyer'" in issue.found


# ----------------------------------------------------------------------------- guards


def test_many_errors_of_one_kind_are_summed_up(tmp_path):
    """1,000 demand rows each with a bad demand_t (rows 2-1001): the first 20 are listed (D2-D21), then one
    line for D22:D1001 saying 980 more."""
    rows = "".join(f"Buyer,A,2025,x{i}\n" for i in range(1000))
    path = case(tmp_path, demand="node,element,year,demand_t\n" + rows)
    issues = validate_tables(read_tables(path))[1].errors
    assert [i.place for i in issues] == [f"demand!D{r}" for r in range(2, 22)] + ["demand!D22:D1001"]
    assert issues[-1].found == "980 more cells like the ones above"


def test_many_unknown_columns_are_summed_up(tmp_path):
    """7 unknown columns: 5 named, then one line for the 2 others."""
    path = case(tmp_path, stages="stage,order,yield,a,b,c,d,e,f,g\nmining,1,\nseparation,2,1\n")
    warnings = load_workbook(path).warnings
    assert len(warnings) == 6 and "2 more unknown columns" in warnings[-1]


def test_a_csv_wider_than_a_sheet_is_refused(tmp_path):
    path = case(
        tmp_path, nodes="node,bloc\nMine,allied\nCNSep,china" + ",x" * 16_383 + "\nUSSep,allied\nBuyer,allied\n"
    )
    with pytest.raises(InputError) as exc:
        read_tables(path)
    [issue] = exc.value.issues
    assert issue.place == "nodes!3:3" and "16,384 columns" in issue.expected and issue.found == "16,385 columns"


def test_sheets_rechain_does_not_read_are_not_read(tmp_path):
    """A notes.csv that is not even UTF-8 (and would be refused as a sheet) does not matter."""
    path = case(tmp_path)
    (path / "notes.csv").write_bytes("a,b\ncaf\u00e9,1\n".encode("latin-1"))
    load_workbook(path)


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "-1", "0", "1e400", "1e13", "lots"])
def test_size_limits_from_the_environment_are_checked(monkeypatch, value):
    monkeypatch.setenv("RECHAIN_MAX_FILE_MB", value)
    with pytest.raises(InputError) as exc:
        read_tables(EXAMPLES / "tiny")
    [issue] = exc.value.issues
    assert issue.place == "environment variable RECHAIN_MAX_FILE_MB" and repr(value) == issue.found


def test_an_infinite_limit_does_not_crash_the_command_line(rechain, monkeypatch):
    monkeypatch.setenv("RECHAIN_MAX_FILE_MB", "inf")
    done = rechain("validate", EXAMPLES / "tiny")
    assert done.returncode == 2 and "RECHAIN_MAX_FILE_MB" in done.stderr and "internal error" not in done.stderr


# ----------------------------------------------------------------------------- the template


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    from rechain.workbook.template import write_template

    path = tmp_path_factory.mktemp("template") / "template.xlsx"
    write_template(path)
    return path


def offered(book, formula: str) -> set:
    """The values a list drop-down offers: its quoted items or the cells of the range it names."""
    if formula.startswith('"'):
        return set(formula.strip('"').split(","))
    sheet, _, ref = formula.lstrip("=").partition("!")
    return {c.value for row in book[sheet][ref.replace("$", "")] for c in row if c.value is not None}


def test_template_drop_downs_offer_only_what_the_workbook_defines(template):
    """Each drop-down reads a column of the template's own sheets (nodes, stages, composition, scenarios), and
    node and element columns have one too."""
    book = openpyxl.load_workbook(template)
    defined = {
        "nodes!A": {"USA", "China"},
        "lists!A": {"allied", "china", "non_allied"},
        "stages!A": {"mining", "separation"},
        "composition!B": {"NdPr"},
        "scenarios!A": {"china_free"},
    }
    lists = {}
    for ws in book.worksheets:
        for dv in ws.data_validations.dataValidation:
            lists[f"{ws.title}!{str(dv.sqref)[0]}"] = formula = dv.formula1
            if not formula.startswith('"'):
                column = formula.split("!")[0] + "!" + formula.split("$")[1]
                assert offered(book, formula) == defined[column], (ws.title, formula)
    for column in (
        "facilities!A",
        "facilities!B",
        "composition!A",
        "demand!A",
        "demand!B",
        "routes!A",
        "routes!B",
        "trade_rules!A",
        "trade_rules!D",
        "budgets!A",
    ):
        assert column in lists, column
    assert book.sheetnames == ["start here", *(s.name for s in SHEETS), "lists"]


def test_template_comments_are_plain_and_columns_wide(template):
    book = openpyxl.load_workbook(template)
    meaning = {row[0]: row[2] for row in book["settings"].iter_rows(min_row=2, values_only=True)}
    assert meaning["restricted_blocs"].endswith("Blank means china.")
    assert meaning["unmet_penalty_usd_per_t"].endswith("Blank means 10,000,000.")
    for ws in book.worksheets:
        for cell in ws[1]:
            text = cell.comment.text
            assert "('" not in text and "(None" not in text and "e+" not in text, text
            assert ws.column_dimensions[cell.column_letter].width >= len(cell.value) + 2, (ws.title, cell.value)
    assert book["facilities"]["E2"].number_format == "#,##0"  # capex_usd_per_tpa 20,000
    assert book["budgets"]["B2"].number_format == "#,##0"  # 10,000,000,000


def test_template_is_valid_without_warnings(template):
    """Its restricted_blocs example (china) names a bloc its nodes have; no example value looks like a slip."""
    wb = load_workbook(template)
    for scenario in [None, *wb.scenario_names]:
        assert warnings_of(template, scenario) == []


def test_a_share_typed_as_a_percentage_says_so(tmp_path):
    """max_restricted_share 60 (meant 60 %, i.e. 0.6) at settings!B5 of the frontier example."""
    path = case(
        tmp_path,
        settings="key,value\nfirst_year,2025\nlast_year,2025\nindependence_year,2025\nmax_restricted_share,60\n",
    )
    [issue] = validate_tables(read_tables(path))[1].errors
    assert issue.place == "settings!B5" and "60 % is 0.6" in issue.found


def test_many_warnings_of_one_kind_are_summed_up(tmp_path):
    """30 demand rows with two-digit years (rows 2-31): 20 warnings, then one for C22:C31 saying 10 more."""
    rows = "".join(f"Buyer,A,{year},10\n" for year in range(30, 60))
    path = case(tmp_path, demand="node,element,year,demand_t\n" + rows)
    slips = [w for w in load_workbook(path).warnings if w.startswith("demand!")]
    assert len(slips) == 21 and slips[-1].startswith("demand!C22:C31: 10 more warnings like the ones above")
