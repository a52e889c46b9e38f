"""Every call into HiGHS checks its status: a change HiGHS refuses fails that solve loudly (status
`error`, the refused call named) and never lets a later solve run on what HiGHS kept (issue 22, §1).

The case (tests/run/test_risk_by_hand.py's world): Mine (allied, 100 tpa existing, free) feeds Plant (allied,
separation built at 1000 USD/tpa x overrun, lead 0, lifetime 1) or CN (china, 100 tpa, opex 500 USD/t).
Buyer needs 10 t of A in 2025; alpha = 0, no discounting, penalties 1e7 USD/t (unmet and short of clean).

- overrun k (10,000 k < 5,000 + 1e8): build 10 tpa at Plant, objective and system cost 10,000 k.
- overrun 1e60: the capex row's coefficient is 1000 x 1e60 / 1e6 (million USD) = 1e57, beyond what
  HiGHS holds (1e15): HiGHS refuses it, and the solve must say so instead of re-reporting the last plan.
"""

import dataclasses

import highspy
import numpy as np
import pytest
from rechain.models.highs import CheckedHighs, HighsRefused, SolveOptions
from rechain.models.model import Model
from rechain.models.variants import Variant

from worked import case, fac

PATHS = ["direct", "persistent"]
PLANT = ("Plant", 2)


def world(overrun: float = 1.0):
    return case(
        (2025, 2025),
        {"Mine": "allied", "Plant": "allied", "CN": "china", "Buyer": "allied"},
        2,
        [
            fac("Mine", 1, existing_tpa=100),
            fac("Plant", 2, capex_usd_per_tpa=1000 * overrun),
            fac("CN", 2, existing_tpa=100, opex_usd_per_t=500),
        ],
        {"Mine": {"A": 1.0}},
        {("Buyer", "A", 2025): 10.0},
        settings={"max_restricted_share": 0.0},
    )


def draws_model(path: str, ds=None) -> Model:
    return Model(ds or world(), Variant.DRAWS, SolveOptions(path=path))


def solved_cost(model: Model) -> float:
    solution = model.solve(tables=False, cold=True)
    assert solution.optimal, solution.message
    return solution.summary["system_cost_usd"]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("overrun", [1e20, 1e60])
def test_a_refused_overrun_fails_the_draw(path, overrun):
    """After a solved draw (overrun 1: 10,000), an overrun whose coefficient (1000 x overrun / 1e6 >= 1e14,
    here 1e17 or 1e57) HiGHS refuses is an error naming changeCoeff (on the direct path also the build
    of Plant's separation in 2025 it multiplies), never the last plan as optimal."""
    model = draws_model(path)
    assert solved_cost(model) == pytest.approx(10_000, rel=1e-9)
    model.set_draw({PLANT: (0, overrun)})
    solution = model.solve(tables=False, cold=True)
    assert solution.status.value == "error"
    assert not solution.optimal
    assert "refused changeCoeff" in solution.message
    assert path == "persistent" or "column build[Plant,2,2025]" in solution.message  # direct: the row and column


@pytest.mark.parametrize("path", PATHS)
def test_the_draw_after_a_refused_one_equals_a_fresh_model(path):
    """Overrun 2 (20,000), then 1e60 (refused), then 1.5: 10 tpa x 1000 x 1.5 = 15,000, exactly what a
    model built fresh for the overrun 1.5 says (the same plan, the same figures)."""
    model = draws_model(path)
    model.set_draw({PLANT: (0, 2.0)})
    assert solved_cost(model) == pytest.approx(20_000, rel=1e-9)
    model.set_draw({PLANT: (0, 1e60)})
    assert model.solve(tables=False, cold=True).status.value == "error"
    model.set_draw({PLANT: (0, 1.5)})
    again = model.solve(tables=False, cold=True)
    fresh = draws_model(path)
    fresh.set_draw({PLANT: (0, 1.5)})
    assert again.optimal
    timings = {k for k in again.summary if k.endswith("_seconds")}
    assert {k: v for k, v in again.summary.items() if k not in timings} == {
        k: v for k, v in fresh.solve(tables=False, cold=True).summary.items() if k not in timings
    }
    assert again.summary["system_cost_usd"] == pytest.approx(15_000, rel=1e-9)


@pytest.mark.parametrize("path", PATHS)
def test_a_model_highs_cannot_hold_at_hand_over_fails(path):
    """Capex 1000 x 1e60 in the data itself: the first hand-over (passModel, or the persistent
    interface's addRows) is refused: status error, and so on every later solve of that model."""
    model = Model(world(1e60), Variant.COST, SolveOptions(path=path))
    for _ in range(2):
        solution = model.solve(tables=False)
        assert solution.status.value == "error" and "refused" in solution.message


@pytest.mark.parametrize("path", PATHS)
def test_a_capex_factor_beyond_what_highs_holds_is_an_error(path):
    """capex_factor.allied = 1e60 on a built COST model (a parameter of the cost rows and objective):
    the solve is an error, and back at 1 the plan is the undisturbed 10,000."""
    model = Model(world(), Variant.COST, SolveOptions(path=path))
    assert solved_cost(model) == pytest.approx(10_000, rel=1e-9)
    model.update("capex_factor.allied", 1e60)
    assert model.solve(tables=False).status.value == "error"
    model.update("capex_factor.allied", 1.0)
    assert solved_cost(model) == pytest.approx(10_000, rel=1e-9)


def test_checked_highs_names_the_refused_call():
    """A 2-column LP: a coefficient of 1e60 (> 1e15) and a row bound of [1e60, 1e61] are refused by
    HiGHS (HighsStatus.kError): each raises HighsRefused with the call and its arguments."""
    raw = highspy.Highs()  # type: ignore[no-untyped-call]
    raw.setOptionValue("output_flag", False)
    highs = CheckedHighs(raw)
    highs.addVars(2, np.zeros(2), np.full(2, 10.0))
    highs.addRow(0.0, 5.0, 2, np.array([0, 1], dtype=np.int32), np.ones(2))
    highs.changeCoeff(0, 0, 2.0)
    with pytest.raises(HighsRefused, match=r"changeCoeff\(0, 1, 1e\+60\)"):
        highs.changeCoeff(0, 1, 1e60)
    with pytest.raises(HighsRefused, match=r"changeRowsBounds\(1, \[0\], \[1e\+60\], \[1e\+61\]\)"):
        highs.changeRowsBounds(1, np.array([0], dtype=np.int32), np.array([1e60]), np.array([1e61]))
    assert raw.getLp().a_matrix_.value_ == pytest.approx([2.0, 1.0])


@pytest.mark.parametrize("cost", [np.inf, np.nan, 1e60])
def test_an_opex_highs_cannot_hold_fails(cost):
    """CN's opex of inf or 1e60 (a cost-row coefficient of 1e54 or more: HiGHS refuses it) or NaN
    (HiGHS takes it, kOk, and reports an optimum) fails the solve with status error."""
    facilities = dict(world().facilities)
    facilities[("CN", 2)] = dataclasses.replace(facilities[("CN", 2)], opex_usd_per_t=float(cost))
    ds = dataclasses.replace(world(), facilities=facilities)
    solution = Model(ds, Variant.COST, SolveOptions(path="direct")).solve()
    assert solution.status.value == "error" and "passModel" in solution.message


def test_an_objective_cost_highs_would_take_silently_is_refused():
    """min p x over 1 <= x <= 2: p = 3 gives 3; p = inf or 1e60 HiGHS would take (kOk) as an infinite
    cost (|c| >= 1e20, its infinite_cost), so the direct path refuses to send it (HighsRefused naming
    changeColsCost)."""
    import pyomo.environ as pyo
    from rechain.models.direct import DirectModel

    m = pyo.ConcreteModel()
    m.p = pyo.Param(initialize=3.0, mutable=True)
    m.x = pyo.Var(bounds=(1, 2))
    m.c = pyo.Constraint(expr=m.x >= 0)
    m.objective = pyo.Objective(expr=m.p * m.x)
    raw = highspy.Highs()  # type: ignore[no-untyped-call]
    raw.setOptionValue("output_flag", False)
    direct = DirectModel(m, CheckedHighs(raw))
    raw.run()
    assert raw.getInfo().objective_function_value == pytest.approx(3.0)
    for value in (np.inf, 1e60):
        m.p = value
        with pytest.raises(HighsRefused, match="changeColsCost"):
            direct.update()


@pytest.mark.parametrize("command", [("solve",), ("sweep", "--param", "capex_factor.allied=1,1e60")])
def test_a_capex_factor_of_1e60_on_the_command_line_is_an_input_error(tmp_path, rechain, command):
    """--set / --param capex_factor.allied = 1e60 never reaches HiGHS: numbers beyond 1e15 are input
    errors (exit 2) naming the option, before anything is solved."""
    from risk_world import world

    args = ["--set", "capex_factor.allied=1e60"] if command == ("solve",) else []
    done = rechain(command[0], world(tmp_path, ""), *command[1:], *args)
    assert done.returncode == 2, done.stderr
    assert "capex_factor.allied: expected" in done.stderr and "1e60" in done.stderr
