"""The tornado worked by hand: which driver moves the premium (and the shortfall) most.

The world of test_risk: Mine (allied, 100 tpa, free) feeds Plant (allied separation, built at 1000
USD/tpa, lifetime 1) or CN (china, 100 tpa, opex 500 USD/t); Buyer (allied) needs 10 t in 2025; cost
factor 1. Base point: clean = 10 tpa at Plant = 10,000; unconstrained = 10 t from CN = 5,000; premium
5,000; no shortfall. Each driver alone:
- capex overrun 1 to 2 (triangular 1, 1.2, 2): clean 10,000 to 20,000, premium 5,000 to 15,000
  (+0 and +10,000): swing 10,000;
- failure of Plant 0 to 1: at 1 nothing clean can be built, the clean plan buys from CN (5,000) and
  falls 10 t short: premium 0 (−5,000), shortfall 10 t: swing 5,000;
- restricted_cost_factor 0.5 to 1.5 (CN's opex × φ): unconstrained 2,500 to 7,500, premium 7,500
  to 2,500 (±2,500): swing 2,500;
- demand_factor 1 to 1.1 (a scenario's row): 11 t, premium 5,500 (+500): swing 500;
- capacity of Mine (the largest clean mine of A) × 0.5 and × 1.5: 50 or 150 tpa, 10 t needed: no change.
The embargo row is a condition (an external event), not a driver.
"""

import pytest
from rechain.models.highs import DEFAULT_OPTIONS
from rechain.report.evidence import tornado_sentence
from rechain.run.findings import subject_of
from rechain.run.tornado import drivers_of, tornado_table
from rechain.workbook.validate import load_workbook

from risk_world import world

ROWS = (
    "demand_factor,uniform,1,1.1,,,big,\n"
    "restricted_cost_factor,uniform,0.5,1.5,,,,\n"
    "failure.Plant.separation,bernoulli,0.3,,,,,\n"
    'embargo.allied,discrete,"2025:0.5, 2100:0.5",,,,,TRUE\n'
    "capex_overrun.separation,triangular,1,1.2,2,,,\n"
)


def tornado_world(tmp_path):
    folder = world(tmp_path, "")
    (folder / "uncertainty.csv").write_text("target,distribution,p1,p2,p3,shared,scenario,condition\n" + ROWS)
    (folder / "scenarios.csv").write_text("scenario,key,value\nbig,demand_factor,1.1\n")
    return folder


def test_drivers_from_the_sheet_and_the_largest_clean_mine(tmp_path):
    """Rows for every case in sheet order (the embargo, a condition, is none), then the scenario's key,
    then Mine's capacity."""
    folder = tornado_world(tmp_path)
    drivers = drivers_of(load_workbook(folder), folder)
    assert [d.name for d in drivers] == [
        "restricted_cost_factor",
        "failure, every row",
        "capex overrun, every row",
        "demand_factor",
        "capacity of Mine",
    ]
    assert "scenario big" in drivers[3].defined_by


def test_tornado_orders_the_drivers_by_hand(tmp_path):
    folder = tornado_world(tmp_path)
    wb = load_workbook(folder)
    table = tornado_table(wb, folder, (2025, 2025), DEFAULT_OPTIONS, 1)
    order = list(dict.fromkeys(table["driver"]))
    assert order == [
        "capex overrun, every row",
        "failure, every row",
        "restricted_cost_factor",
        "demand_factor",
        "capacity of Mine",
    ]
    at = table.set_index(["driver", "end"])
    assert at.loc[("capex overrun, every row", "high"), "premium_usd"] == pytest.approx(15_000, rel=1e-9)
    assert at.loc[("capex overrun, every row", "low"), "premium_change_usd"] == pytest.approx(0, abs=1e-6)
    assert at.loc[("failure, every row", "high"), "premium_usd"] == pytest.approx(0, abs=1e-6)
    assert at.loc[("failure, every row", "high"), "shortfall_t"] == pytest.approx(10, rel=1e-9)
    assert at.loc[("restricted_cost_factor", "low"), "premium_usd"] == pytest.approx(7_500, rel=1e-9)
    assert at.loc[("restricted_cost_factor", "high"), "premium_change_usd"] == pytest.approx(-2_500, rel=1e-9)
    assert at.loc[("demand_factor", "high"), "premium_usd"] == pytest.approx(5_500, rel=1e-9)
    assert list(at.loc["capacity of Mine", "value"]) == ["0.5", "1.5"]
    assert table["premium_change_usd"].iloc[-2:].abs().max() == pytest.approx(0, abs=1e-6)
    assert list(table["base_premium_usd"]) == pytest.approx([5_000] * 10, rel=1e-9)
    assert set(table["status"]) == {"optimal"}


def test_the_sentence_names_the_top_three_and_the_one_that_moves_the_shortfall(tmp_path):
    folder = tornado_world(tmp_path)
    wb = load_workbook(folder)
    table = tornado_table(wb, folder, (2025, 2025), DEFAULT_OPTIONS, 1)
    (sentence,) = tornado_sentence(subject_of(wb), table)
    assert (
        "($5.00 k at the base point) moves most with capex overrun, every row ($5.00 k at 1 to $15.00 k at 2); "
        "failure, every row ($5.00 k at 0 to $0 at 1); restricted_cost_factor ($7.50 k at 0.5 to $2.50 k at 1.5);"
        in sentence
    )
    assert "(0 t at the base point) with failure, every row (0 t at 0 to 10 t at 1)." in sentence
