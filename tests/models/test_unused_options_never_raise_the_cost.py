"""Properties of the v2 additions on small random cases (hypothesis, few examples).

- an unused option (a circuit for another element at a separator with circuits, a stockpile
  that starts empty, another recipe) never raises the optimal objective;
- a stockpile with max_t = 0 changes nothing;
- with α = 1, which nodes are flagged restricted does not change the cost.
"""

import dataclasses

import pyomo.environ as pyo
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rechain.models.dataset import MONEY, Circuit, Recipe, Stockpile
from rechain.models.highs import CaseSolver, Status

from worked import case, fac

FEW = settings(max_examples=12, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
NODES = {
    "CNMine": "china",
    "USMine": "allied",
    "CNSep": "china",
    "USSep": "allied",
    "Buyer": "allied",
    "Other": "partner",
}


def objective(ds) -> float:
    solver = CaseSolver(ds)
    outcome = solver.solve()
    assert outcome.status is Status.OPTIMAL, outcome.message
    return pyo.value(solver.built.model.objective) / MONEY


def no_higher(new, base):
    assert new <= base * (1 + 1e-7) + 1e-6


money = st.sampled_from([0.0, 1.0, 3.0, 10.0])


@st.composite
def facility(draw, node, stage):
    return fac(
        node,
        stage,
        existing_tpa=draw(st.sampled_from([0.0, 5.0, 20.0])),
        capex_usd_per_tpa=draw(st.sampled_from([None, 50.0, 200.0])),
        opex_usd_per_t=draw(money),
        fixed_om_usd_per_tpa_yr=draw(st.sampled_from([0.0, 2.0])),
    )


@st.composite
def cases(draw, product=False):
    """Two mines (China, allied) of A and B, two separators, an allied and a partner consumer,
    one or two years; optionally the allied consumer wants product P (recipe r1) instead of B."""
    last = 2025 + draw(st.integers(0, 1))
    share = draw(st.sampled_from([0.2, 0.5, 0.8]))
    facilities = [draw(facility(n, k)) for n, k in (("CNMine", 1), ("USMine", 1), ("CNSep", 2), ("USSep", 2))]
    demand = {}
    for y in range(2025, last + 1):
        demand[("Buyer", "A", y)] = float(draw(st.integers(0, 10)))
        demand[("Buyer", "P" if product else "B", y)] = float(draw(st.integers(1, 10)))
        demand[("Other", "A", y)] = float(draw(st.integers(0, 10)))
    recipes = (
        {"P": {"r1": Recipe({"A": draw(st.sampled_from([0.0, 0.5])), "B": draw(st.sampled_from([0.5, 1.0]))})}}
        if product
        else {}
    )
    return case(
        (2025, last),
        NODES,
        2,
        facilities,
        {"CNMine": {"A": share, "B": 1 - share}, "USMine": {"A": 1 - share, "B": share}},
        demand,
        recipes=recipes,
        settings={
            "max_restricted_share": draw(st.sampled_from([0.0, 0.5, 1.0])),
            "restricted_cost_factor": draw(st.sampled_from([0.5, 1.0])),
            "unmet_penalty_usd_per_t": 1e4,
            "shortfall_penalty_usd_per_t": 1e4,
        },
    )


circuits = st.builds(
    lambda existing, capex, fom: Circuit(
        existing_tpa=existing, capex_usd_per_tpa=capex, fixed_om_usd_per_tpa_yr=fom if existing == 0 else 0.0
    ),
    st.sampled_from([0.0, 3.0, 30.0]),
    st.sampled_from([None, 20.0, 100.0]),
    money,
)


@FEW
@given(cases(), circuits, circuits)
def test_another_circuit_never_raises_the_objective(ds, has, added):
    """USSep separates A through a circuit; a circuit for B (no fixed cost on existing capacity)
    only adds an option."""
    base = dataclasses.replace(ds, circuits={("USSep", "A"): has})
    more = dataclasses.replace(ds, circuits={("USSep", "A"): has, ("USSep", "B"): added})
    no_higher(objective(more), objective(base))


@FEW
@given(cases(), st.sampled_from([None, 0.0, 2.0, 50.0]), money)
def test_a_stockpile_never_raises_the_objective_and_max_zero_changes_nothing(ds, max_t, holding):
    """A stockpile that starts empty can stay empty; with max_t = 0 it must."""
    base = objective(ds)
    piles = {
        ("Buyer", "A"): Stockpile(max_t=max_t, holding_cost_usd_per_t_yr=holding),
        ("Other", "A"): Stockpile(max_t=max_t),
    }
    piled = dataclasses.replace(ds, stockpiles=piles)
    with_pile = objective(piled)
    no_higher(with_pile, base)
    if max_t == 0.0:
        assert with_pile == pytest.approx(base, rel=1e-9, abs=1e-6)


@FEW
@given(
    cases(product=True),
    st.sampled_from([0.0, 0.2, 1.0]),
    st.sampled_from([0.0, 2.0]),
    st.sampled_from([0.3, 1.0]),
    st.sampled_from([None, 2026]),
)
def test_another_recipe_never_raises_the_objective(ds, a, b, max_share, start):
    base = objective(ds)
    recipes = {
        "P": dict(ds.recipes["P"])
        | {"r2": Recipe({"A": a, "B": b}, extra_cost_usd_per_t=1.0, max_share=max_share, available_from_year=start)}
    }
    no_higher(objective(dataclasses.replace(ds, recipes=recipes)), base)


@FEW
@given(cases(), st.dictionaries(st.sampled_from(sorted(NODES)), st.booleans(), max_size=4))
def test_alpha_one_makes_restricted_irrelevant_to_cost(ds, flags):
    ds = dataclasses.replace(ds, settings=dataclasses.replace(ds.settings, max_restricted_share=1.0))
    assert objective(dataclasses.replace(ds, node_restricted=flags)) == pytest.approx(objective(ds), rel=1e-9, abs=1e-6)
