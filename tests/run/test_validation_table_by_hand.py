"""The validation table worked by hand (issue 21, item 7): observed shares beside the unconstrained plan's.

The world: Mine (allied, 100 tpa, free) feeds Plant (allied separation, built at 1000 USD/tpa, lifetime
1) or CN (china separation, 6 tpa existing, opex 500 USD/t); Buyer (allied) needs 10 t in 2025. The
unconstrained plan takes CN's 6 t (500 < 1000 per t) and builds 4 tpa at Plant: China's share of
separation is 6 / 10 = 60.0 %, the allied bloc's 40.0 %; every t is mined at Mine, so China's share of
mining is 0 %.
"""

import pytest
from rechain.base.errors import InputError
from rechain.report.evidence import validation_section
from rechain.run.validation import validation_table
from rechain.run.warm import Models
from rechain.workbook.validate import load_workbook

FILES = {
    "settings": "key,value\nfirst_year,2025\nlast_year,2025\n",
    "nodes": "node,bloc\nMine,allied\nPlant,allied\nCN,china\nBuyer,allied\n",
    "stages": "stage,order,yield\nmining,1,\nseparation,2,1\n",
    "facilities": (
        "node,stage,existing_tpa,capex_usd_per_tpa,opex_usd_per_t,lead_time_years,lifetime_years\n"
        "Mine,mining,100,,0,0,1\nPlant,separation,0,1000,0,0,1\nCN,separation,6,,500,0,1\n"
    ),
    "composition": "node,element,share\nMine,A,1\n",
    "demand": "node,element,year,demand_t\nBuyer,A,2025,10\n",
}
OBSERVED = (
    "stage,bloc,year,share,source,note\n"
    "separation,china,2025,0.91,IEA,observed\n"
    "separation,allied,2025,0.05,somewhere,observed\n"
    "mining,china,2025,0.69,USGS,observed\n"
    "separation,china,2030,0.77,IEA,projected\n"
)


def world(tmp_path, observed: str = OBSERVED):
    folder = tmp_path / "world"
    folder.mkdir(exist_ok=True)
    for name, text in {**FILES, "validation": observed}.items():
        (folder / f"{name}.csv").write_text(text)
    return folder


def table_of(folder):
    wb = load_workbook(folder)
    return validation_table(wb.observed, Models(wb).solve(None, (("max_restricted_share", "1"),)))


def test_model_shares_beside_observed_by_hand(tmp_path):
    """China 60.0 % of separation against 91 %: −31.0 points; allied 40.0 % against 5 %: +35.0 points;
    China 0 % of mining (no Chinese mine, but mining happens) against 69 %: −69.0 points; 2030 is outside
    the one-year horizon: no model share."""
    table = table_of(world(tmp_path))
    assert list(table["model_share"].iloc[:3]) == pytest.approx([0.6, 0.4, 0.0], abs=1e-9)
    assert list(table["difference_points"].iloc[:3]) == [-31.0, 35.0, -69.0]
    assert table["model_share"].isna().iloc[3] and table["difference_points"].isna().iloc[3]
    assert list(table["source"]) == ["IEA", "somewhere", "USGS", "IEA"] and set(table["status"]) == {"optimal"}


def test_one_sentence_per_stage_and_bloc_quotes_the_table(tmp_path):
    table = table_of(world(tmp_path))
    lines = [line for line in validation_section(table, table) if line.startswith("- ")]
    assert lines == [
        "- Separation, share of china: 2025: the model 60.0% against 91.0% (-31 points); "
        "2030: 77.0% observed, no model share (outside the horizon).",
        "- Separation, share of allied: 2025: the model 40.0% against 5.0% (+35 points).",
        "- Mining, share of china: 2025: the model 0.0% against 69.0% (-69 points).",
    ]


def test_no_validation_sheet_no_section(tmp_path):
    folder = world(tmp_path)
    (folder / "validation.csv").unlink()
    table = table_of(folder)
    assert table.empty and validation_section(table, table) == []


def test_unknown_stage_and_bloc_are_reported_at_their_cells(tmp_path):
    """Both problems at once, each at its cell: row 2's stage, row 3's bloc."""
    folder = world(tmp_path, "stage,bloc,year,share\nrefining,china,2025,0.9\nseparation,China,2025,0.9\n")
    with pytest.raises(InputError) as exc:
        load_workbook(folder)
    places = [i.place for i in exc.value.issues]
    assert places == ["validation!A2", "validation!B3"]
    assert "did you mean 'china'" in str(exc.value.issues[1].found)
