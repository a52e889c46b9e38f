"""Variant.DRAWS: overruns and delays as parameters give the LP of the case with the drawn lead
times and capex, re-solved warm (risk draws)."""

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rechain.models.model import Model
from rechain.models.variants import Variant

from worked import case, fac, flat

YEARS = (2025, 2030)
NODES = {"Mine": "allied", "NewMine": "allied", "Plant": "allied", "CN": "china", "Buyer": "allied"}


def world(ramp=(), rate=0.0):
    """Mine (40 tpa) and a buildable NewMine (lead 1, lifetime 8: salvage) feed Plant (buildable, lead 2,
    lifetime 10) or CN (existing, opex 900); 30 t a year, alpha = 0.5."""
    return case(
        YEARS,
        NODES,
        2,
        [
            fac("Mine", 1, existing_tpa=40, opex_usd_per_t=5),
            fac("NewMine", 1, capex_usd_per_tpa=300, lead_time_years=1, lifetime_years=8.0, opex_usd_per_t=2),
            fac("Plant", 2, capex_usd_per_tpa=1000, lead_time_years=2, lifetime_years=10.0, fixed_om_usd_per_tpa_yr=20),
            fac("CN", 2, existing_tpa=100, opex_usd_per_t=900),
        ],
        {"Mine": {"A": 1.0}, "NewMine": {"A": 1.0}},
        flat("Buyer", "A", 30, YEARS),
        settings={"max_restricted_share": 0.5, "discount_rate": rate, "ramp_up": ramp, "independence_year": 2026},
    )


def drawn(ds, draws):
    facilities = dict(ds.facilities)
    for key, (delay, overrun) in draws.items():
        f = facilities[key]
        facilities[key] = dataclasses.replace(
            f, lead_time_years=f.lead_time_years + delay, capex_usd_per_tpa=f.capex_usd_per_tpa * overrun
        )
    return dataclasses.replace(ds, facilities=facilities)


def objective(model):
    solution = model.solve(tables=False)
    assert solution.optimal, solution.message
    return solution.summary["objective_usd"]


def test_a_delay_by_hand():
    """One year, no ramp, alpha = 0: Mine 10 t -> Plant (built, lead 0 + delay 1) or nothing else.
    Undelayed: build 10 tpa in 2025 at 100 = 1,000. Delayed a year: the plant serves from 2026 only,
    so 2025's 10 t are unmet (1e8) and nothing is worth building: objective 1e8."""
    ds = case(
        (2025, 2025),
        {"Mine": "allied", "Plant": "allied", "Buyer": "allied"},
        2,
        [fac("Mine", 1, existing_tpa=10), fac("Plant", 2, capex_usd_per_tpa=100)],
        {"Mine": {"A": 1.0}},
        {("Buyer", "A", 2025): 10.0},
        settings={"max_restricted_share": 0.0},
    )
    model = Model(ds, Variant.DRAWS)
    assert objective(model) == pytest.approx(1_000, rel=1e-9)
    model.set_draw({("Plant", 2): (1, 1.0)})
    assert objective(model) == pytest.approx(1e8 + 1e8, rel=1e-9)  # 10 t unmet and 10 t short of clean
    model.set_draw({("Plant", 2): (0, 1.5)})
    assert objective(model) == pytest.approx(1_500, rel=1e-9)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    plant=st.tuples(st.integers(0, 4), st.floats(0.5, 2.5)),
    mine=st.tuples(st.integers(0, 3), st.floats(0.5, 2.5)),
    ramp=st.sampled_from([(), (0.4, 0.7), (0.5,)]),
    rate=st.sampled_from([0.0, 0.07]),
)
def test_warm_draw_equals_the_drawn_case(plant, mine, ramp, rate):
    ds = world(ramp, rate)
    model = Model(ds, Variant.DRAWS)
    objective(model)
    draws = {("Plant", 2): plant, ("NewMine", 1): mine}
    model.set_draw(draws)
    warm = objective(model)
    assert warm == pytest.approx(objective(Model(drawn(ds, draws))), rel=1e-9)
    model.set_draw({})
    assert objective(model) == pytest.approx(objective(Model(ds)), rel=1e-9)


def test_set_draw_needs_the_draws_variant():
    with pytest.raises(ValueError, match="Variant.DRAWS"):
        Model(world()).set_draw({})


def test_a_delay_at_a_separator_shifts_its_circuits():
    """2025-2026, rate 0: Mine (100 tpa) -> Sep (100 tpa, lifetime 2) whose only circuit, for A, has
    no capacity and capex 100 (lead: the separator's, 0); 10 t of A a year. Undelayed: build 10 t/yr
    of circuit in 2025 (1,000), salvage share 1 − 2/2 = 0. Sep delayed a year: the circuit serves from
    2026 only, 2025's 10 t are unmet (1e8); a 2026 build never serves; the 2025 build operates one
    year: salvage 1 − 1/2 = 0.5 of 1,000. Objective 1e8 + 500, as the case rebuilt with the delay;
    the draw undone gives 1,000 again."""
    from rechain.models.dataset import Circuit
    from rechain.run.risk import Draw, FacilityDraw, drawn_dataset

    ds = case(
        (2025, 2026),
        {"Mine": "allied", "Sep": "allied", "Buyer": "allied"},
        2,
        [fac("Mine", 1, existing_tpa=100), fac("Sep", 2, existing_tpa=100, lifetime_years=2.0)],
        {"Mine": {"A": 1.0}},
        flat("Buyer", "A", 10, (2025, 2026)),
        settings={"max_restricted_share": 1.0, "discount_rate": 0.0},
        circuits={("Sep", "A"): Circuit(capex_usd_per_tpa=100)},
    )
    model = Model(ds, Variant.DRAWS)
    assert objective(model) == pytest.approx(1_000, rel=1e-9)
    model.set_draw({("Sep", 2): (1, 1.0)})
    assert objective(model) == pytest.approx(1e8 + 500, rel=1e-9)
    rebuilt = drawn_dataset(ds, Draw(0, {}, (), {("Sep", 2): FacilityDraw(1)}))
    assert objective(Model(rebuilt)) == pytest.approx(1e8 + 500, rel=1e-9)
    model.set_draw({})
    assert objective(model) == pytest.approx(1_000, rel=1e-9)
