"""Reference world v2 (issue 14, data half): scenario descriptions, and the v2 data of the
shipped reference workbook, each figure checked against its source (shared/data/rare_earth_data.md)."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from rechain.errors import InputError
from rechain.inputs import reference_workbook
from rechain.workbook.validate import load_workbook

EXAMPLES = Path(__file__).resolve().parents[1] / "inputs" / "examples"


def frontier(tmp_path, **files) -> Path:
    folder = tmp_path / "frontier"
    shutil.copytree(EXAMPLES / "frontier", folder)
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text)
    return folder


def table(sheet):
    book = openpyxl.load_workbook(reference_workbook(), read_only=True)
    rows = list(book[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:] if any(v is not None for v in r)]


# ----------------------------------------------------------------------------- scenario descriptions


def test_a_scenario_description_is_the_first_non_blank_of_its_rows(tmp_path):
    """china_free: blank on row 2, text on row 3, the same text again on row 4 -> that text;
    cheap_china: no description -> ""; tagged_only: named only by a trade rule -> ""."""
    path = frontier(
        tmp_path,
        scenarios="scenario,key,value,description\n"
        "china_free,max_restricted_share,0,\n"
        "china_free,independence_year,2030,  no Chinese material  \n"
        "china_free,discount_rate,0,no Chinese material\n"
        "cheap_china,restricted_cost_factor,0.5,\n",
        trade_rules="from_bloc,to_bloc,allowed,scenario\nchina,allied,FALSE,tagged_only\n",
    )
    assert load_workbook(path).scenario_descriptions == {
        "china_free": "no Chinese material",
        "cheap_china": "",
        "tagged_only": "",
    }


def test_without_the_column_every_description_is_blank():
    assert load_workbook(EXAMPLES / "frontier").scenario_descriptions == {"cheap_china": "", "china_free": ""}


def test_two_different_descriptions_of_one_scenario_are_an_error_at_the_second(tmp_path):
    path = frontier(
        tmp_path,
        scenarios="scenario,key,value,description\n"
        "china_free,max_restricted_share,0,first words\n"
        "cheap_china,restricted_cost_factor,0.5,other scenario\n"
        "china_free,independence_year,2030,second words\n",
    )
    with pytest.raises(InputError) as exc:
        load_workbook(path)
    (issue,) = exc.value.issues
    assert issue.place == "scenarios!D4"
    assert "scenarios!D2" in issue.expected
    assert "second words" in issue.found


# ----------------------------------------------------------------------------- the reference's scenarios


def test_every_reference_scenario_has_a_description():
    wb = load_workbook(reference_workbook())
    assert set(wb.scenario_descriptions) == set(wb.scenario_names)
    assert all(text.strip() for text in wb.scenario_descriptions.values())


def test_unverified_figures_do_not_name_a_scenario_and_are_flagged():
    """The seed's '$300 bn' (DOE) and '1/4 cost' are not found in public sources (data brief sec. 0):
    the scenarios are named by what they do and say so in their description."""
    descriptions = load_workbook(reference_workbook()).scenario_descriptions
    assert not any(name.startswith(("doe_", "warp_speed")) or name.endswith("x") for name in descriptions)
    for name in ("budget_300bn", "china_cost_factor_0_25"):
        assert "NOT found" in descriptions[name]
    assert "NOT found" not in descriptions["budget_8_5bn"]  # the US-Australia framework pipeline is sourced


# ----------------------------------------------------------------------------- clean by evidence


def test_mines_whose_output_usgs_estimates_from_chinas_imports_are_restricted_not_cheap():
    """USGS MCS 2025 estimates Myanmar, Nigeria, Thailand, Madagascar and Malaysia's mine output from
    China's import data; Laos is named as a feed source (Metalnomist). Their output is mixed, yet they
    do not get China's cost factor; Lynas Kuantan (malaysia) stays non-allied and clean."""
    from rechain.workbook.cases import make_dataset

    ds = make_dataset(load_workbook(reference_workbook()))
    offtake = {"myanmar", "nigeria", "thailand", "madagascar", "malaysia_mines", "laos"}
    assert offtake <= ds.restricted
    assert "malaysia" not in ds.restricted and "australia" not in ds.restricted
    assert ds.cost_advantage_blocs == frozenset({"china"})
    mines = {r["node"]: r["existing_tpa"] for r in table("facilities") if r["stage"] == "mining"}
    assert {n: mines[n] for n in offtake - {"laos"}} == {
        "myanmar": 31_000, "nigeria": 13_000, "thailand": 13_000, "madagascar": 2_000, "malaysia_mines": 130}
    assert "laos" not in mines


def test_a_scenario_opens_them_and_another_counts_only_allied_processing():
    from rechain.workbook.cases import make_dataset

    wb = load_workbook(reference_workbook())
    opened = make_dataset(wb, "open_china_offtake_mines")
    assert opened.restricted == {n for n, bloc in wb.nodes.items() if bloc == "china"}
    allied_only = make_dataset(wb, "clean_allied_only")
    assert allied_only.restricted == {n for n, bloc in wb.nodes.items() if bloc != "allied"}
    assert allied_only.cost_advantage_blocs == frozenset({"china"})
