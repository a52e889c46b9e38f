"""Non-unique marginal costs (model.md, "Non-unique marginal costs"), worked by hand: where the least
cost has a kink in the demand of an element-year, the left derivative (what one t less saves) and the
right derivative (what one t more costs) differ, and every output shows the range, not a point."""

from types import SimpleNamespace

import pandas as pd
import pytest
from rechain.models.figures import Basis, Figures, ends_columns, per_kg_premium, premium_columns
from rechain.models.highs import CaseSolver, Probe, SolveOptions
from rechain.models.marginal import marginal_supply_cost
from rechain.models.model import Model
from rechain.models.solution import per_kg_premiums as premiums_of
from rechain.report.findings import comparator_sentence, per_kg, range_text
from rechain.run.findings import _with_per_kg

from worked import any_price_case, case, fac, flat, solve

A1 = {"A": 1.0}
PATHS = ["direct", "persistent"]


def approx(x):
    return pytest.approx(x, rel=1e-6, abs=1e-9)


def cheap_and_dear(demand=10.0):
    """One stage, 2025: mine MA 10 t/yr at 2,000 USD/t, mine MB plenty at 5,000 USD/t, both allied;
    `demand` t of A to the allied Buyer."""
    return case(
        (2025, 2025),
        {"MA": "allied", "MB": "allied", "Buyer": "allied"},
        1,
        [fac("MA", 1, existing_tpa=10, opex_usd_per_t=2000), fac("MB", 1, existing_tpa=100, opex_usd_per_t=5000)],
        {"MA": A1, "MB": A1},
        flat("Buyer", "A", demand, (2025, 2025)),
    )


def two_years():
    """One stage, 2025-2026, discount rate 0.1, α = 0.5, 10 t of A a year to the allied Buyer. China:
    plenty at 1,000 USD/t. The clean mine US: none yet, 3,000 USD per t/yr to build (lead time 0),
    2,000 USD/t to run."""
    return case(
        (2025, 2026),
        {"CN": "china", "US": "allied", "Buyer": "allied"},
        1,
        [
            fac("CN", 1, existing_tpa=100, opex_usd_per_t=1000),
            fac("US", 1, capex_usd_per_tpa=3000, opex_usd_per_t=2000),
        ],
        {"CN": A1, "US": A1},
        {("Buyer", "A", y): 10.0 for y in (2025, 2026)},
        settings={"discount_rate": 0.1, "max_restricted_share": 0.5},
    )


def measured(ds, path="direct"):
    solver = CaseSolver(ds, SolveOptions(path=path))
    outcome = solver.solve()
    return marginal_supply_cost(solver.built, outcome.duals, outcome.probe)


@pytest.mark.parametrize("path", PATHS)
def test_capacity_exactly_used_up_gives_both_ends(path):
    """MA's 10 t/yr are exactly the 10 t demanded. One t less is one t less from MA: saves 2,000 USD
    = 2 USD/kg (left). One t more must come from MB: 5,000 USD = 5 USD/kg (right). Every value in
    [2, 5] is a valid marginal cost: not unique."""
    msc = measured(cheap_and_dear(), path)
    assert msc.ranges[("A", 2025)] == (approx(2), approx(5))
    assert msc.not_unique == {("A", 2025)}


@pytest.mark.parametrize("path", PATHS)
def test_spare_capacity_is_unique(path):
    """9 t demanded: MA has 1 t/yr spare, so one t more or less is MA's 2,000 USD/t either way: 2 USD/kg
    on both sides, unique."""
    msc = measured(cheap_and_dear(9.0), path)
    assert msc.by_element == {("A", 2025): approx(2)}
    assert msc.not_unique == frozenset()


def test_the_table_and_summary_show_the_range():
    """The results' marginal_supply_cost sheet: the element row holds low 2 and high 5 USD/kg and
    unique False; the consumer row carries its element's flag. The summary keeps [2, 5]. With 9 t:
    unique True, low and high blank, no range in the summary. The summary sheet gives the mean over the
    years (one year here) with its ends 2 and 5."""
    from rechain.report.results import summary_table

    r = solve(cheap_and_dear())
    table = r.tables["marginal_supply_cost"]
    element = table[table["node"].isna()].iloc[0]
    assert (element["low_usd_per_kg"], element["high_usd_per_kg"], element["unique"]) == (approx(2), approx(5), False)
    assert list(table["unique"]) == [False, False]
    assert r.summary["marginal_supply_cost_range_usd_per_kg"] == {"A": {"2025": [approx(2), approx(5)]}}
    sheet = dict(summary_table(r, {}).itertuples(index=False))
    assert (
        sheet["marginal_supply_cost_mean_usd_per_kg.A"],
        sheet["marginal_supply_cost_mean_low_usd_per_kg.A"],
        sheet["marginal_supply_cost_mean_high_usd_per_kg.A"],
    ) == (approx(2), approx(2), approx(5))
    spare = solve(cheap_and_dear(9.0))
    row = spare.tables["marginal_supply_cost"].iloc[0]
    assert bool(row["unique"]) and pd.isna(row["low_usd_per_kg"]) and pd.isna(row["high_usd_per_kg"])
    assert spare.summary["marginal_supply_cost_range_usd_per_kg"] == {}


def test_capacity_that_serves_two_years():
    """Cheapest plan: 5 t/yr of US built in 2025 serve the clean half in both years (building in 2026
    too would cost 3,000/1.1 more than building once). In USD of each year (undiscounted):

    2026, one t more: 0.5 t more clean needs 0.5 t/yr built in 2026: 0.5 x (3,000 + 2,000) + 0.5 x
    1,000 = 3,000 USD = 3 USD/kg. One t less: 0.5 x 2,000 + 0.5 x 1,000 = 1,500 = 1.5 USD/kg (the
    capacity still serves 2025).
    2025, one t more: 0.5 t/yr more built in 2025 (2026 needs no more): 3 USD/kg again. One t less:
    build 4.5 in 2025 and 0.5 in 2026 instead: 0.5 x 3,000 − 0.5 x 3,000 / 1.1 + 0.5 x 2,000 + 0.5 x
    1,000 = 1,636.36 USD = 18/11 USD/kg."""
    msc = measured(two_years())
    assert msc.ranges[("A", 2025)] == (approx(18 / 11), approx(3))
    assert msc.ranges[("A", 2026)] == (approx(1.5), approx(3))
    assert msc.not_unique == {("A", 2025), ("A", 2026)}


@pytest.mark.parametrize("path", PATHS)
def test_at_any_price_one_more_tonne_has_no_finite_cost(path):
    """test_any_price's case at any price with USSep capped at 10 t/yr: all 10 t must be clean, and
    USSep is full. One t less saves its build, 5,000 USD = 5 USD/kg (left). One t more cannot be clean
    and the shortfall is held at its least (0, plus 1e-6 t): no finite right end (blank)."""
    r = Model(any_price_case(True, cap=10.0), options=SolveOptions(path=path)).solve()
    assert r.summary["marginal_supply_cost_range_usd_per_kg"] == {"A": {"2025": [approx(5), None]}}
    row = r.tables["marginal_supply_cost"].iloc[0]
    assert row["low_usd_per_kg"] == approx(5) and pd.isna(row["high_usd_per_kg"]) and not row["unique"]


def test_stable_rows_are_not_resolved(monkeypatch):
    """Two stages, 2025: the allied Mine and separator Sep have 100 t/yr each, 10 t demanded, so the
    demand row (the only row moved: α = 1) is far inside its basis-stable interval: no re-solve, and
    the marginal cost is Sep's 1 USD/t = 0.001 USD/kg. cheap_and_dear's used-up capacity: one re-solve
    on each side."""
    calls = []
    moved = Probe.moved
    monkeypatch.setattr(Probe, "moved", lambda self, *a: calls.append(1) or moved(self, *a))
    spare = case(
        (2025, 2025),
        {"Mine": "allied", "Sep": "allied", "Buyer": "allied"},
        2,
        [fac("Mine", 1, existing_tpa=100), fac("Sep", 2, existing_tpa=100, opex_usd_per_t=1)],
        {"Mine": A1},
        {("Buyer", "A", 2025): 10.0},
        settings={"max_restricted_share": 1.0},
    )
    assert measured(spare).by_element == {("A", 2025): approx(0.001)}
    assert calls == []
    measured(cheap_and_dear())
    assert len(calls) == 2


def test_without_ranging_both_sides_are_measured(monkeypatch):
    """Where HiGHS cannot range (no basis), nothing is taken as stable: cheap_and_dear with 9 t is
    re-solved on both sides and found unique at MA's 2 USD/kg; with 10 t, 2 to 5 as before."""
    calls = []
    moved = Probe.moved
    monkeypatch.setattr(Probe, "_range", lambda self: setattr(self, "_ranging", False))
    monkeypatch.setattr(Probe, "moved", lambda self, *a: calls.append(1) or moved(self, *a))
    spare = measured(cheap_and_dear(9.0))
    assert len(calls) == 2 and spare.ranges == {("A", 2025): (approx(2), approx(2))} and not spare.not_unique
    assert measured(cheap_and_dear()).ranges == {("A", 2025): (approx(2), approx(5))}


def test_probing_leaves_the_model_as_it_was():
    """A Model re-solved after the one-sided solves (and after a change and back) finds the same plan:
    objective 10 x 2,000 = 20,000 USD and the range [2, 5] again; at 90% demand (9 t) unique 2."""
    model = Model(cheap_and_dear())
    first = model.solve()
    model.update("demand_factor", 0.9)
    less = model.solve()
    model.update("demand_factor", 1.0)
    again = model.solve()
    assert first.summary["objective_usd"] == approx(20_000) == again.summary["objective_usd"]
    assert less.summary["marginal_supply_cost_range_usd_per_kg"] == {}
    assert again.summary["marginal_supply_cost_range_usd_per_kg"] == {"A": {"2025": [approx(2), approx(5)]}}


def summary(points, ranges=None, year=2025):
    """Typed figures with element A's marginal supply cost `points` (year text -> USD/kg) and `ranges`."""
    ends = {("A", int(y)): tuple(v) for y, v in (ranges or {}).get("A", {}).items()}
    msc = {("A", int(y)): v for y, v in points.items()}
    return Figures(0, 0, 0, 0, 0, 0, 0, 0, 0, {}, None, {}, year, msc, ends, {}, {}, Basis(0, 0))


def per_kg_premiums(case_, free):
    """The per-kg premiums as the flat columns findings and risk write."""
    return premium_columns(premiums_of(case_, free))


def test_per_kg_premium_range():
    """Independence from 2025. Clean case: 2 USD/kg in 2025 (valid from 2 to 5), 3 in 2026 (unique);
    unconstrained: 1 in both (unique). Premium: mean of (2 − 1, 3 − 1) = 1.5; its low end the same
    1.5, its high end mean of (5 − 1, 3 − 1) = 3. Where the unconstrained 2025 is [0.5, 1] too, the
    high end takes its low end: mean of (5 − 0.5, 2) = 3.25. An end with no finite value: None."""
    case_ = summary({"2025": 2.0, "2026": 3.0}, {"A": {"2025": [2.0, 5.0]}})
    free = summary({"2025": 1.0, "2026": 1.0})
    assert per_kg_premiums(case_, free) == {
        "premium_usd_per_kg.A": 1.5,
        "premium_unique.A": False,
        "premium_low_usd_per_kg.A": 1.5,
        "premium_high_usd_per_kg.A": 3.0,
    }
    free = summary({"2025": 1.0, "2026": 1.0}, {"A": {"2025": [0.5, 1.0]}})
    assert per_kg_premiums(case_, free)["premium_high_usd_per_kg.A"] == 3.25
    open_ = summary({"2025": 2.0, "2026": 3.0}, {"A": {"2025": [2.0, None]}})
    assert per_kg_premiums(open_, summary({"2025": 1.0, "2026": 1.0}))["premium_high_usd_per_kg.A"] is None
    assert per_kg_premiums(free, free) == {
        "premium_usd_per_kg.A": 0.0,
        "premium_unique.A": False,
        "premium_low_usd_per_kg.A": -0.25,
        "premium_high_usd_per_kg.A": 0.25,
    }
    assert per_kg_premiums(summary({"2025": 2.0}), summary({"2025": 1.0})) == {"premium_usd_per_kg.A": 1.0}


def test_ends_within_a_tenth_of_a_per_cent_are_one_premium():
    """A marginal cost of 2 USD/kg valid from 2 to 2.0009 against 1: premium ends 1 and 1.0009, 0.0009
    apart, within 0.1% of the larger marginal cost (0.002): one premium, 1. From 2 to 2.003: ends 1 and
    1.003, 0.003 apart: a range."""
    free = summary({"2025": 1.0})
    assert per_kg_premiums(summary({"2025": 2.0}, {"A": {"2025": [2.0, 2.0009]}}), free) == {
        "premium_usd_per_kg.A": 1.0
    }
    wide = per_kg_premiums(summary({"2025": 2.0}, {"A": {"2025": [2.0, 2.003]}}), free)
    assert (wide["premium_low_usd_per_kg.A"], wide["premium_high_usd_per_kg.A"]) == (approx(1), approx(1.003))


def test_findings_tables_put_the_ends_beside_the_point():
    """A findings table: per element the point, then `premium_unique`, low and high; a row whose
    premium is unique says True (its ends blank); without any non-unique row no extra columns."""
    rows = [
        {
            "case": "a",
            "premium_share": 0.1,
            "premium_usd_per_kg.A": 1.5,
            "premium_unique.A": False,
            "premium_low_usd_per_kg.A": 1.5,
            "premium_high_usd_per_kg.A": 3.0,
        },
        {"case": "b", "premium_share": 0.2, "premium_usd_per_kg.A": 2.0},
    ]
    table = _with_per_kg(rows, ["case", "premium_share", "status"])
    assert list(table.columns) == [
        "case",
        "premium_share",
        "premium_usd_per_kg.A",
        "premium_unique.A",
        "premium_low_usd_per_kg.A",
        "premium_high_usd_per_kg.A",
        "status",
    ]
    assert list(table["premium_unique.A"]) == [False, True]
    assert list(_with_per_kg(rows[1:], ["case", "premium_share"]).columns) == [
        "case",
        "premium_share",
        "premium_usd_per_kg.A",
    ]


def test_findings_sentences_say_between():
    """Sentences quote a range where the premium is not unique, a point where it is."""
    row = pd.Series(
        {
            "premium_usd_per_kg.A": 1.5,
            "premium_unique.A": False,
            "premium_low_usd_per_kg.A": 1.5,
            "premium_high_usd_per_kg.A": 3.0,
            "premium_usd_per_kg.B": 2.0,
            "premium_unique.B": True,
        }
    )
    assert per_kg(row) == (
        " (between +1.5 and +3 USD/kg (the marginal cost is not unique here) for A, +2 USD/kg for B at the margin)"
    )
    assert range_text(2.0, False, 1.5, None) == (
        "+1.5 USD/kg or more, with no finite upper end (the marginal cost is not unique here)"
    )
    table = pd.DataFrame(
        [
            {
                "element": "A",
                "comparator": "floor",
                "premium_low_usd_per_kg": 59.0,
                "premium_high_usd_per_kg": None,
                "model_usd_per_kg": 80.0,
                "marginal_unique": False,
                "marginal_low_usd_per_kg": 70.0,
                "marginal_high_usd_per_kg": 95.5,
                "model_low_usd_per_kg": None,
                "model_high_usd_per_kg": None,
            }
        ]
    )
    subject = SimpleNamespace(protected="allied", year=2035)
    assert comparator_sentence(subject, table) == [
        "- Per kg of allied demand from 2035, beside public comparators: A: model between +70 and +95.5 USD/kg "
        "(the marginal cost is not unique here) against +59 USD/kg (floor)."
    ]


def test_mean_over_the_years_has_ends_too():
    """two_years from 2025 (the independence year): the mean over 2025 and 2026 of the low ends,
    (18/11 + 1.5) / 2 = 69/44, and of the high ends, (3 + 3) / 2 = 3; a sweep row carries them beside
    the mean, with `marginal_supply_cost_unique.A` False."""
    from rechain.run.sweep import row_of

    ds = two_years()
    r = solve(ds)
    assert r.summary["marginal_supply_cost_mean_range_usd_per_kg"] == {"A": [approx(69 / 44), approx(3)]}
    row = row_of(r, {}, ds)
    assert (
        row["marginal_supply_cost_unique.A"],
        row["marginal_supply_cost_low_usd_per_kg.A"],
        row["marginal_supply_cost_high_usd_per_kg.A"],
    ) == (False, approx(69 / 44), approx(3))


def test_frontier_premium_ends():
    """A frontier row whose mean marginal cost is 2 USD/kg, valid from 1.5 to 3, against an α = 1 row at
    a unique 1: premium 1, from 1.5 − 1 = 0.5 to 3 − 1 = 2. Against an α = 1 row valid from 0.8 to 1.2:
    from 1.5 − 1.2 = 0.3 to 3 − 0.8 = 2.2. Both unique: nothing added. No finite high end: None.
    (The frontier takes each mean as one value of per_kg_premium.)"""

    def premium_ends(point, free):
        return ends_columns("premium_usd_per_kg", "A", per_kg_premium([point], [free]).ends)

    point, free = (2.0, (1.5, 3.0)), (1.0, None)
    assert premium_ends(point, free) == {
        "premium_unique.A": False,
        "premium_low_usd_per_kg.A": approx(0.5),
        "premium_high_usd_per_kg.A": approx(2.0),
    }
    wide = (1.0, (0.8, 1.2))
    assert premium_ends(point, wide)["premium_low_usd_per_kg.A"] == approx(0.3)
    assert premium_ends(point, wide)["premium_high_usd_per_kg.A"] == approx(2.2)
    assert premium_ends(free, free) == {}
    open_ = (2.0, (1.5, None))
    assert premium_ends(open_, free)["premium_high_usd_per_kg.A"] is None
