"""Correlated draws, conditions and central values (risk.md v3), checked by sampling alone: no LP is solved.

The world: Mine (allied, mining, existing) feeds three separation plants P1, P2, P3 (allied, each with a
new-build option) or CN (china, existing only). Buyer needs 10 t of A a year in 2025-2026. A stage-level
separation row therefore applies to P1, P2 and P3 (CN has no new-build option).
"""

import math
import sys

import numpy as np
import pytest
from rechain.base.errors import InputError
from rechain.run.risk import load_risk, sample
from rechain.workbook.uncertainty import Distribution
from scipy.stats import multivariate_normal, norm

FILES = {
    "settings": "key,value\nfirst_year,2025\nlast_year,2026\nmax_restricted_share,1\n",
    "nodes": "node,bloc\nMine,allied\nP1,allied\nP2,allied\nP3,allied\nCN,china\nBuyer,allied\n",
    "stages": "stage,order,yield\nmining,1,\nseparation,2,1\n",
    "facilities": (
        "node,stage,existing_tpa,capex_usd_per_tpa,opex_usd_per_t\n"
        "Mine,mining,100,,0\nP1,separation,0,1000,0\nP2,separation,0,1000,0\nP3,separation,0,1000,0\n"
        "CN,separation,100,,500\n"
    ),
    "composition": "node,element,share\nMine,A,1\n",
    "demand": "node,element,year,demand_t\nBuyer,A,2025,10\nBuyer,A,2026,10\n",
}
HEADER = "target,distribution,p1,p2,p3,shared,scenario,factor,correlation,condition\n"
PLANTS = [("P1", 2), ("P2", 2), ("P3", 2)]


def world(tmp_path, uncertainty: str):
    folder = tmp_path / "world"
    folder.mkdir(exist_ok=True)
    for name, text in FILES.items():
        (folder / f"{name}.csv").write_text(text)
    (folder / "uncertainty.csv").write_text(HEADER + uncertainty)
    return folder


def draws(tmp_path, uncertainty: str, n: int, seed: int = 7, overrides=()):
    _, rows, base = load_risk(world(tmp_path, uncertainty), None, overrides)
    return [sample(list(rows), base, seed, i) for i in range(n)]


def overruns(draw) -> list[float]:
    return [draw.facilities[f].overrun for f in PLANTS]


def test_rho_one_gives_every_facility_one_value_as_shared_does(tmp_path):
    """ρ = 1: U_j = Φ(Z_f) for every plant, so the three overruns are equal in each draw; shared = TRUE is
    ρ = 1 on a factor of its own: equal too. Both still vary from draw to draw."""
    rho_one, shared = "uniform,1,2,,FALSE,,market,1,", "uniform,1,2,,TRUE,,,,"
    for row in (f"capex_overrun.separation,{rho_one}\n", f"capex_overrun.separation,{shared}\n"):
        sampled = draws(tmp_path, row, 30)
        assert all(len(set(overruns(d))) == 1 for d in sampled), row
        assert len({overruns(d)[0] for d in sampled}) == 30, row


def test_rho_zero_draws_each_facility_independently(tmp_path):
    """ρ = 0: the plants' U are independent; on uniform(1, 2) the overrun is 1 + U. Over n = 2,000 draws the
    sample correlation of P1's and P2's overruns is within 3 standard errors (1/√n ≈ 0.022) of 0."""
    sampled = draws(tmp_path, "capex_overrun.separation,uniform,1,2,,,,,0,\n", 2000)
    one, two = np.array([overruns(d)[:2] for d in sampled]).T
    assert len(set(overruns(sampled[0]))) == 3
    assert abs(np.corrcoef(one, two)[0, 1]) < 3 / math.sqrt(2000)


def test_rho_half_gives_the_gaussian_copulas_rank_correlation(tmp_path):
    """ρ = 0.5 without a factor uses the factor `common`. The uniforms of a Gaussian copula with correlation ρ
    have correlation (6/π)·asin(ρ/2) = (6/π)·asin(0.25) = 0.4826; its standard error over n = 2,000 draws is
    about (1 − r²)/√n ≈ 0.017, so the sample value lies within 0.052 of it."""
    sampled = draws(tmp_path, "capex_overrun.separation,uniform,1,2,,,,,0.5,\n", 2000)
    one, two = np.array([overruns(d)[:2] for d in sampled]).T
    expected = 6 / math.pi * math.asin(0.25)
    assert expected == pytest.approx(0.4826, abs=1e-4)
    assert abs(np.corrcoef(one, two)[0, 1] - expected) < 3 * (1 - expected**2) / math.sqrt(2000)


@pytest.mark.parametrize("rho", [0.0, 0.6])
def test_two_failures_on_one_factor_fail_together_as_the_bivariate_normal_says(tmp_path, rho):
    """P1 fails with p = 0.3, P2 with q = 0.2, both on factor `market` with correlation ρ. A failure is
    U > 1 − p, i.e. X = √ρ·Z + √(1 − ρ)·ε > Φ⁻¹(1 − p); by symmetry P(both) = Φ₂(Φ⁻¹(p), Φ⁻¹(q); ρ):
    X. Over n = 4,000 draws the
    share is within 3 standard errors √(P(1 − P)/n) of it."""
    rows = (
        f"failure.P1.separation,bernoulli,0.3,,,,,market,{rho},\n"
        f"failure.P2.separation,bernoulli,0.2,,,,,market,{rho},\n"
    )
    sampled = draws(tmp_path, rows, 4000)
    both = np.mean([d.facilities[("P1", 2)].failed and d.facilities[("P2", 2)].failed for d in sampled])
    expected = multivariate_normal([0, 0], [[1, rho], [rho, 1]]).cdf([norm.ppf(0.3), norm.ppf(0.2)])
    assert expected == pytest.approx({0.0: 0.06, 0.6: 0.1286}[rho], abs=1e-4)
    assert abs(both - expected) < 3 * math.sqrt(expected * (1 - expected) / 4000)
    p1 = np.mean([d.facilities[("P1", 2)].failed for d in sampled])
    assert p1 == pytest.approx(0.3, abs=3 * math.sqrt(0.21 / 4000))


CENTRAL = {
    ("triangular", (0, 0, 1)): 1 - 1 / math.sqrt(2),  # mode below the middle: b − √((b − a)(b − c)/2)
    ("triangular", (0, 1, 1)): 1 / math.sqrt(2),  # mode above: a + √((b − a)(c − a)/2)
    ("triangular", (1, 1.6, 1.8)): 1 + math.sqrt(0.8 * 0.6 / 2),  # c = 1.6 >= 1.4: 1 + √0.24
    ("uniform", (2, 4)): 3.0,
    ("lognormal", (1.3, 0.2)): 1.3,
    ("bernoulli", (0.7,)): 1.0,
    ("bernoulli", (0.5,)): 0.0,  # a tie goes to 0
}


@pytest.mark.parametrize("name, params", CENTRAL)
def test_central_is_the_median_or_the_most_likely_value(name, params):
    """The medians by formula; for a continuous distribution it is also the inverse CDF at 0.5."""
    d = Distribution(name, tuple(map(float, params)))
    assert d.central() == pytest.approx(CENTRAL[(name, params)])
    if d.continuous:
        assert d.ppf(np.array([0.5]))[0] == pytest.approx(d.central())


def test_discrete_inverse_cdf_follows_the_order_written():
    """0:0.2, 4:0.3, 2:0.5 has cumulative probabilities 0.2, 0.5, 1: U = 0.1 → 0, 0.3 → 4, 0.6 → 2; its most
    likely value is 2. A bernoulli with p = 0.3 is 1 when U > 0.7."""
    d = Distribution("discrete", (), (0.0, 4.0, 2.0), (0.2, 0.3, 0.5))
    assert d.ppf(np.array([0.1, 0.3, 0.6, 0.999999])).tolist() == [0, 4, 2, 2]
    assert d.central() == 2
    assert Distribution("bernoulli", (0.3,)).ppf(np.array([0.69, 0.71])).tolist() == [0, 1]


def test_probabilities_summing_to_one_within_the_tolerance_sample(tmp_path):
    """1:0.3333333, 2:0.6666666 sums to 0.9999999 (within 1e-6): normalised, every draw takes 1 or 2."""
    sampled = draws(tmp_path, 'demand_factor,discrete,"1:0.3333333, 2:0.6666666",,,,,,,\n', 300)
    assert {d.values["demand_factor"] for d in sampled} == {1.0, 2.0}


def test_a_draw_depends_only_on_seed_and_index_not_on_the_rows_order(tmp_path):
    """The streams are keyed by crc32 of the row's target and of the factor's name, not by row position."""
    rows = ["capex_overrun.separation,uniform,1,2,,,,market,0.4,\n", "demand_factor,uniform,0.5,1.5,,,,market,0.4,\n"]
    forward = draws(tmp_path, "".join(rows), 5)
    backward = draws(tmp_path, "".join(reversed(rows)), 5)
    assert [d.values for d in forward] == [d.values for d in backward]
    assert forward[0].values != forward[1].values


def test_conditions_name_each_draws_class(tmp_path):
    """embargo.china (discrete, a year) gives its value as text; failure.P1.separation (bernoulli) "0" or "1";
    demand_factor uniform(0.5, 1.5) splits at its median 1; a ρ = 1 stage-level row is one value per draw."""
    rows = (
        'embargo.china,discrete,"2025:0.5, 2030:0.5",,,,,,,TRUE\n'
        "failure.P1.separation,bernoulli,0.5,,,,,,,TRUE\n"
        "demand_factor,uniform,0.5,1.5,,,,,,TRUE\n"
        "capex_overrun.separation,uniform,1,2,,,,market,1,TRUE\n"
    )
    sampled = draws(tmp_path, rows, 40)
    for d in sampled:
        assert d.conditions["embargo.china"] == str(int(d.values["embargo.china"]))
        assert d.conditions["failure.P1.separation"] == ("1" if d.facilities[("P1", 2)].failed else "0")
        assert d.conditions["demand_factor"] == (
            "below median" if d.values["demand_factor"] < 1 else "at or above median"
        )
        assert d.conditions["capex_overrun.separation"] == (
            "below median" if overruns(d)[0] < 1.5 else "at or above median"
        )
    seen = {k: {d.conditions[k] for d in sampled} for k in sampled[0].conditions}
    assert seen == {
        "embargo.china": {"2025", "2030"},
        "failure.P1.separation": {"0", "1"},
        "demand_factor": {"below median", "at or above median"},
        "capex_overrun.separation": {"below median", "at or above median"},
    }


def test_a_condition_that_draws_each_facility_its_own_value_is_an_error_at_its_cell(tmp_path):
    """A stage-level, unshared, ρ < 1 row gives P1, P2 and P3 three values: no one class per draw."""
    with pytest.raises(InputError) as caught:
        load_risk(world(tmp_path, "capex_overrun.separation,uniform,1,2,,,,,0.5,TRUE\n"), None, ())
    assert [i.place for i in caught.value.issues] == ["uncertainty!J2"]


def test_a_set_on_a_drawn_key_names_both(tmp_path):
    """--set demand_factor=1.2 while row 2 draws demand_factor: one error naming --set and uncertainty!A2."""
    with pytest.raises(InputError) as caught:
        load_risk(world(tmp_path, "demand_factor,uniform,0.5,1.5,,,,,,\n"), None, (("demand_factor", "1.2"),))
    [issue] = caught.value.issues
    assert issue.place == "--set demand_factor" and "uncertainty!A2" in issue.expected


@pytest.mark.parametrize("command", ["risk", "report"])
def test_without_scipy_risk_and_report_stop_with_exit_2(tmp_path, rechain, monkeypatch, command):
    """scipy made unimportable (None in sys.modules): exit 2 and the install hint, before any solve."""
    folder = world(tmp_path, "demand_factor,uniform,0.5,1.5,,,,,,\n")
    monkeypatch.setitem(sys.modules, "scipy", None)
    monkeypatch.setitem(sys.modules, "scipy.stats", None)
    done = rechain(command, folder, "--out", tmp_path / "out")
    assert done.returncode == 2
    assert "needs scipy: pip install 'rechain[risk]'" in done.stderr
    assert not (tmp_path / "out").exists()


def test_each_draws_row_carries_its_conditions(tmp_path):
    """The one test here that solves (a tiny LP per draw): RiskJob.run writes each condition's class as the
    column condition.<target>, beside the drawn value it follows from."""
    from rechain.run.risk import RiskJob

    rows = 'embargo.china,discrete,"2025:0.5, 2030:0.5",,,,,,,TRUE\nfailure.P1.separation,bernoulli,0.5,,,,,,,TRUE\n'
    wb, drawn, _ = load_risk(world(tmp_path, rows), None, ())
    job = RiskJob(wb, None, (), drawn, 3)
    cache: dict = {}
    for i in range(4):
        row = job.run(i, cache)
        assert row["condition.embargo.china"] == str(int(row["embargo.china"]))
        assert row["condition.failure.P1.separation"] == str(int(row["failure.P1.separation"]))
        assert row["status"] == "optimal"
