"""What `rechain risk` summarises (risk.md v3, "What holds means", "Conditions"), worked by hand on
draw rows written out here (no solve): probabilities at three thresholds with 90 % Wilson intervals,
failed draws in the denominator, conditions that split the draws, premiums over the draws that meet
the requirement, years outside a draw's horizon, and P(committed plan overruns the budget).

The Wilson interval of k of n, z = Φ⁻¹(0.95) = 1.6449 (risk.md v3):
centre c = (p̂ + z²/2n) / (1 + z²/n), half-width h = z·√(p̂(1 − p̂)/n + z²/4n²) / (1 + z²/n).
For n = 4, z²/n = 0.67643: 2 of 4 → c = 0.5, h = 1.6449·√(0.0625 + 0.042277) / 1.67643 = 0.31760,
so [0.1824, 0.8176]; 0 of 4 → c = h = 0.33821 / 1.67643 = 0.20175, so [0, 0.4035]; 4 of 4 → [0.5965, 1].
"""

import math
from types import SimpleNamespace

import pandas as pd
import pytest
from rechain.models.subject import price_label
from rechain.report.risk import write_risk
from rechain.report.terminal import print_risk
from rechain.run.risk import summarise
from rich.console import Console

Z = 1.6449


def wilson(k: int, n: int) -> tuple[float, float]:
    """The formula of the module docstring."""
    p = k / n
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2)) / (1 + Z**2 / n)
    return centre - half, centre + half


def case(first: int = 2030, last: int = 2030, alpha: float = 0.0, independence: int | None = None):
    """The few settings `summarise` reads of the base case."""
    settings = SimpleNamespace(
        years=range(first, last + 1),
        max_restricted_share=alpha,
        first_independence_year=first if independence is None else independence,
    )
    return SimpleNamespace(settings=settings)


def solved(shares: dict[str, dict[int, float | None]], **columns) -> dict:
    """A solved draw's row: `holds.<y>` for each year of its horizon (the years of its shares),
    `clean_share.<e>.<y>` (None: no protected need), and any other columns."""
    years = sorted({y for by_year in shares.values() for y in by_year})
    row: dict = {"status": "optimal"}
    for y in years:
        row[f"holds.{y}"] = all(s is None or s >= 1 - 1e-6 for s in (b.get(y) for b in shares.values()))
    for e, by_year in shares.items():
        row |= {f"clean_share.{e}.{y}": s for y, s in by_year.items()}
    return row | columns


FAILED = {"status": "infeasible", "reason": "no plan"}


def picked(table: pd.DataFrame, **where) -> pd.DataFrame:
    mask = pd.Series(True, index=table.index)
    for column, value in where.items():
        mask &= table[column.replace("class_", "class")] == value
    return table[mask]


def probability(tables: dict, element: str, year: int, threshold: str, condition: str = "", class_="all draws"):
    rows = picked(
        tables["thresholds"], condition=condition, class_=class_, element=element, year=year, threshold=threshold
    )
    assert len(rows) == 1
    return rows.iloc[0]


def test_thresholds_per_element_and_all_with_wilson_intervals():
    """Four draws, α = 0, one year. Clean shares (B blank = no protected need, meets everything):
        draw:  1          2      3     4
        A      0.9999995  0.995  0.96  0.5
        B      0.97       1.0    —     1.0
    A: ≥95% draws 1, 2, 3 (3/4); ≥99% draws 1, 2 (2/4); fully met (≥ 1 − 1e-6) draw 1 only (1/4).
    B: ≥95% all (4/4); ≥99% draws 2, 3, 4 (3/4); fully met 2, 3, 4 (3/4).
    all elements: ≥95% {1,2,3} ∩ {1,2,3,4} = 3/4; ≥99% {1,2} ∩ {2,3,4} = {2}, 1/4; fully met
    {1} ∩ {2,3,4} = ∅, 0/4 with Wilson [0, 0.4035]."""
    shares = [(0.9999995, 0.97), (0.995, 1.0), (0.96, None), (0.5, 1.0)]
    tables = summarise([solved({"A": {2030: a}, "B": {2030: b}}) for a, b in shares], case())
    expected = {
        ("A", "≥95%"): 3,
        ("A", "≥99%"): 2,
        ("A", "fully met"): 1,
        ("B", "≥95%"): 4,
        ("B", "≥99%"): 3,
        ("B", "fully met"): 3,
        ("all", "≥95%"): 3,
        ("all", "≥99%"): 1,
        ("all", "fully met"): 0,
    }
    for (element, threshold), met in expected.items():
        row = probability(tables, element, 2030, threshold)
        assert (row["draws"], row["solved"], row["met"]) == (4, 4, met), (element, threshold)
        assert row["probability"] == pytest.approx(met / 4)
        assert (row["low"], row["high"]) == pytest.approx(wilson(met, 4), abs=1e-4)
    assert probability(tables, "all", 2030, "fully met")[["low", "high"]].tolist() == pytest.approx(
        [0.0, 0.4035], abs=1e-4
    )
    by_year = tables["probability_by_year"]
    assert by_year.columns.tolist() == ["year", "probability", "draws", "solved", "low", "high"]
    assert by_year.values.tolist()[0] == pytest.approx([2030, 0.0, 4, 4, 0.0, wilson(0, 4)[1]], abs=1e-4)


def test_failed_draws_stay_in_the_denominator():
    """Three draws, two solved and fully clean, one infeasible: P = 2/3 (not 2/2), solved 2, Wilson of
    2 of 3: p̂ = 2/3, z²/n = 0.90190, c = (0.66667 + 0.45095) / 1.90190 = 0.58763, h = 1.6449 ·
    √(0.074074 + 0.075158) / 1.90190 = 0.33408, so [0.2536, 0.9217]. The earliest-year table: 2 in
    2030, 0 never, 1 did not solve, shares of the 3 draws."""
    rows = [solved({"A": {2030: 1.0}}, earliest_independence_year=2030)] * 2 + [FAILED]
    tables = summarise(rows, case())
    row = probability(tables, "all", 2030, "fully met")
    assert (row["draws"], row["solved"], row["met"]) == (3, 2, 2)
    assert row["probability"] == pytest.approx(2 / 3)
    assert (row["low"], row["high"]) == pytest.approx((0.2536, 0.9217), abs=1e-4)
    earliest = tables["earliest_year"].set_index("earliest_year")
    assert earliest["draws"].to_dict() == {"2030": 2, "never": 0, "did not solve": 1}
    assert earliest.loc["did not solve", "share"] == pytest.approx(1 / 3)


def test_a_condition_splits_a_probability_into_its_classes():
    """Four draws: two with the embargo drawn in 2030, both 50 % clean (not met), two with "never",
    both fully clean. All draws: 2/4 = 50 % [0.1824, 0.8176]; class "2030": 0/2 = 0 %; class
    "never": 2/2 = 100 %. Premiums per class: 2030 → 10 and 30 (mean 20), never → 0 and 0."""
    rows = [solved({"A": {2030: 0.5}}, premium_usd=p, **{"condition.embargo": "2030"}) for p in (10.0, 30.0)]
    rows += [solved({"A": {2030: 1.0}}, premium_usd=0.0, **{"condition.embargo": "never"}) for _ in range(2)]
    tables = summarise(rows, case())
    whole = probability(tables, "all", 2030, "fully met")
    assert whole["probability"] == 0.5 and (whole["low"], whole["high"]) == pytest.approx((0.1824, 0.8176), abs=1e-4)
    for name, p in (("2030", 0.0), ("never", 1.0)):
        row = probability(tables, "all", 2030, "fully met", "embargo", name)
        assert (row["draws"], row["met"], row["probability"]) == (2, 2 * p, p)
    thresholds = tables["thresholds"]
    assert list(dict.fromkeys(zip(thresholds["condition"], thresholds["class"], strict=True))) == [
        ("", "all draws"),
        ("embargo", "2030"),
        ("embargo", "never"),
    ]
    premium = picked(tables["summary"], subset="all draws", figure="premium_usd").set_index("class")
    assert premium.loc["2030", "mean"] == pytest.approx(20.0) and premium.loc["never", "mean"] == 0.0
    assert premium.loc["all draws", "n"] == 4
    fan = picked(tables["clean_share_fan"], condition="embargo", element="A").set_index("class")
    assert fan.loc["2030", "p50"] == pytest.approx(0.5) and fan.loc["never", "p10"] == pytest.approx(1.0)


def test_premiums_over_the_draws_that_meet_the_requirement():
    """Years 2030–2031, requirement from 2031, α = 0. Draw 1: 50 % clean in 2030 (before the
    requirement, so it does not count), clean in 2031 → met, premium 100. Draw 2: clean in 2030,
    90 % in 2031 → not met, premium 50. Draw 3: clean throughout → met, premium 300.
    All draws: premiums 50, 100, 300 → P10 at position 0.2 = 50 + 0.2·50 = 60, P50 = 100, P90 at 1.8
    = 100 + 0.8·200 = 260, mean 150. Requirement met: 100, 300 → P10 = 120, P50 = 200, P90 = 280,
    mean 200."""
    shares = [{2030: 0.5, 2031: 1.0}, {2030: 1.0, 2031: 0.9}, {2030: 1.0, 2031: 1.0}]
    rows = [solved({"A": s}, premium_usd=p) for s, p in zip(shares, (100.0, 50.0, 300.0), strict=True)]
    tables = summarise(rows, case(2030, 2031, independence=2031))
    premium = picked(tables["summary"], condition="", figure="premium_usd").set_index("subset")
    assert premium.loc["all draws", ["n", "p10", "p50", "p90", "mean"]].tolist() == pytest.approx(
        [3, 60, 100, 260, 150]
    )
    assert premium.loc["requirement met", ["n", "p10", "p50", "p90", "mean"]].tolist() == pytest.approx(
        [2, 120, 200, 280, 200]
    )


def test_a_year_outside_a_draws_horizon_never_holds():
    """Base years 2030–2031. Draw 1's horizon ends in 2030 (drawn last_year): it is clean in 2030
    but has no 2031 (no `holds.2031`), so 2031 does not hold for it. Draw 2 is clean in 2030 and has
    no protected need in 2031 (share blank inside its horizon), which meets every threshold.
    So P(2030) = 2/2 and P(2031) = 1/2 at every threshold, and the requirement from 2030 is met by
    draw 2 alone."""
    rows = [solved({"A": {2030: 1.0}}, premium_usd=7.0), solved({"A": {2030: 1.0, 2031: None}}, premium_usd=9.0)]
    tables = summarise(rows, case(2030, 2031))
    for threshold in ("≥95%", "≥99%", "fully met"):
        assert probability(tables, "A", 2030, threshold)["probability"] == 1.0
        assert probability(tables, "all", 2031, threshold)["probability"] == 0.5
    premium = picked(tables["summary"], subset="requirement met", figure="premium_usd")
    assert premium[["n", "mean"]].values.tolist() == [[1, 9.0]]


def test_share_of_draws_whose_committed_plan_overruns_the_budget():
    """Commit rows: committed spending over a budget in draws 1 and 4 of four solved draws, and one
    draw that did not solve (no value): P = 2/4 = 0.5 over the solved draws, n = 4, no percentiles.
    Committed capex 10, 20, 30, 40 is summarised like any figure: mean 25."""
    rows = [
        solved({"A": {2030: 1.0}}, committed_capex_usd=10.0 * (i + 1), committed_overruns_budget=over)
        for i, over in enumerate((True, False, False, True))
    ] + [FAILED]
    summary = picked(summarise(rows, case())["summary"], condition="", subset="all draws").set_index("figure")
    row = summary.loc["p_committed_overruns_budget"]
    assert row["n"] == 4 and row["mean"] == 0.5 and row[["p10", "p50", "p90"]].isna().all()
    assert summary.loc["committed_capex_usd", "mean"] == pytest.approx(25.0)


def test_fully_met_uses_the_draws_own_alpha():
    """α = 0 in the base case, drawn α = 0.1 in draw 1: its share 0.9 meets 1 − 0.1 (fully met) though
    not 95 %; draw 2 (α = 0) with 0.9 meets neither. Fully met: 1/2; ≥95%: 0/2."""
    rows = [solved({"A": {2030: 0.9}}, max_restricted_share=0.1), solved({"A": {2030: 0.9}})]
    tables = summarise(rows, case())
    assert probability(tables, "A", 2030, "fully met")["met"] == 1
    assert probability(tables, "A", 2030, "≥95%")["met"] == 0


def test_the_files_and_the_terminal_say_what_a_reader_must_know(tmp_path):
    """Three draws of which one failed, a condition with two classes, penalty 10^7 USD/t = $10,000/kg:
    risk.md states the sample, the failure, the price and the condition; the condition's tables come
    after the all-draws ones; the three PNGs are written; the terminal table fits 80 columns and shows
    P(fully met) 2/3 = 67 % with its interval (0.2536, 0.9217) → "67% (25–92%)"."""
    rows = [solved({"A": {2030: 1.0}}, premium_usd=5.0, **{"condition.embargo": c}) for c in ("2030", "never")]
    rows = [{"draw": i, "failure.Plant.separation": 0.0, **r} for i, r in enumerate([*rows, FAILED])]
    base = case()
    base.settings.shortfall_penalty_usd_per_t = 1e7
    base.settings.shortfall_at_any_price = False
    tables = summarise(rows, base)
    run = pd.DataFrame(
        [("mode", "replan"), ("seed", 4), ("uncertainty", 1), ("complete", True)], columns=["item", "value"]
    )
    price = price_label(base.settings)
    write_risk(tmp_path, "risk", tables, run, "", price)
    text = (tmp_path / "risk.md").read_text()
    for said in (
        "3 draws (mode replan, seed 4)",
        "drawn: failure.",
        "1 of 3 draws did not solve",
        "penalty \\$10,000/kg",
        "90 % Wilson",
        "embargo (2030, never)",
        "| 2030 | 67% (25–92%)",
    ):
        assert said in text, said
    sections = ("All draws", "Condition embargo: 2030", "Condition embargo: never")
    places = [text.index(f"## {title}") for title in sections]
    assert places == sorted(places)
    for name in ("clean_share_fan", "probability_by_year", "premium_histogram"):
        assert (tmp_path / f"risk_{name}.png").stat().st_size > 0
    console = Console(width=80, record=True)
    print_risk(console, tables, price)
    shown = console.export_text()
    assert max(len(line) for line in shown.splitlines()) <= 80 and "67% (25–92%)" in shown
