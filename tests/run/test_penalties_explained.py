"""Penalties explained: hand-built cases get the specific, correct explanation."""

import pytest
from rechain.run.diagnosis import diagnose

from worked import TradeRule, case, clean_case, fac, flat, solve


def test_independence_year_earlier_than_lead_times_allow():
    """Lead time 3: a build started in 2025 runs from 2028. Requiring full independence from 2026
    leaves 2026 and 2027 short (10 t each); the earliest reachable year is 2028."""
    ds = clean_case((2025, 2030), lead=3, max_restricted_share=0.0, independence_year=2026)
    r = solve(ds)
    assert r.summary["shortfall_t"] == pytest.approx(20)
    d = diagnose(ds, r)
    assert d.earliest_independence_year == 2028
    assert any("earliest reachable independence year is 2028" in f for f in d.findings)
    assert any("shortfall: 20.0 t of clean A in 2026-2027" in f for f in d.findings)


def test_budget_too_small_names_the_extra_budget():
    """Full independence needs 10 tpa x 100 = 1,000 USD; with 400 USD, 6 t fall short and
    600 USD more removes the shortfall. Time does not bind (lead time 0)."""
    ds = clean_case(max_restricted_share=0.0, budget_usd=400.0)
    r = solve(ds)
    assert r.summary["shortfall_t"] == pytest.approx(6)
    d = diagnose(ds, r)
    assert d.extra_budget_usd == pytest.approx(600, abs=1e-4)
    assert any("extra total budget of 600 USD" in f for f in d.findings)
    assert any(b["constraint"] == "total budget" for b in d.binding)
    assert d.earliest_independence_year == 2025


def test_trade_ban_that_cuts_every_path_names_the_rule():
    """The buyer's only separator is Chinese; banning china -> allied leaves 10 t unmet and the
    diagnosis names the rule's row."""
    nodes = {"Mine": "allied", "CNSep": "china", "Buyer": "allied"}
    ds = case(
        (2025, 2025),
        nodes,
        2,
        [fac("Mine", 1, existing_tpa=100), fac("CNSep", 2, existing_tpa=100, opex_usd_per_t=1)],
        {"Mine": {"A": 1.0}},
        flat("Buyer", "A", 10, (2025, 2025)),
        trade_rules=(TradeRule("china", "allied", allowed=False, place="trade_rules!G2"),),
    )
    r = solve(ds)
    assert r.summary["unmet_t"] == pytest.approx(10)
    d = diagnose(ds, r)
    assert d.cutting_rules and "trade_rules!G2" in d.cutting_rules[0] and "Buyer" in d.cutting_rules[0]


def test_no_diagnosis_without_penalties():
    ds = clean_case()
    assert diagnose(ds, solve(ds)) is None


def test_diagnosis_reaches_json_and_workbook(examples, tmp_path, rechain):
    import json

    import openpyxl

    out = tmp_path / "out"
    done = rechain(
        "solve",
        examples / "frontier",
        "--set",
        "max_restricted_share=0",
        "--set",
        "budget_usd=400",
        "--json",
        "--out",
        out,
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["diagnosis"]["extra_budget_usd"] == pytest.approx(600, abs=1e-4)
    assert "diagnosis" in openpyxl.load_workbook(out / "results.xlsx").sheetnames
