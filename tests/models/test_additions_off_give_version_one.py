"""Without version-2 data the LP is version 1's (model.md, "Version 2 additions").

The shipped examples are small enough to solve by hand; the reference workbook, with its v2 data
emptied, is compared with itself: as emptied, and with v2 data
that must not change anything (explicit restricted flags equal to the blocs', an explicit cost
advantage equal to the default, a ramp of (1.0), a must-run year with no must-run share, an
embargo after the horizon, throughput ceilings and circuits far above any flow, stockpiles of
max_t = 0, a recipe for a product nobody demands).
"""

import dataclasses

import pyomo.environ as pyo
import pytest
from rechain.models.dataset import Circuit, Recipe, Stockpile
from rechain.models.highs import CaseSolver
from rechain.models.solution import extract
from rechain.workbook.cases import make_dataset
from rechain.workbook.validate import load_workbook

from worked import read_reference

HUGE = 1e9


def empty_v2(ds):
    facilities = {key: dataclasses.replace(f, ramp_up=None, min_utilization=0.0) for key, f in ds.facilities.items()}
    stages = tuple(dataclasses.replace(s, ramp_up=None) for s in ds.stages)
    return dataclasses.replace(
        ds,
        node_restricted={},
        availability={},
        circuits={},
        stockpiles={},
        recipes={},
        facilities=facilities,
        stages=stages,
        settings=dataclasses.replace(
            ds.settings, cost_advantage_blocs=None, ramp_up=(), must_run_until_year=None, embargo={}
        ),
    )


def neutral_v2(ds):
    """v2 data that must leave the optimum unchanged."""
    s = ds.settings
    years = s.years
    settings = dataclasses.replace(
        s,
        cost_advantage_blocs=s.restricted_blocs,
        ramp_up=(1.0,),
        must_run_until_year=s.last_year,
        embargo={b: s.last_year + 1 for b in ds.blocs},
    )
    availability = {(n, k, y): HUGE for (n, k) in ds.facilities for y in years}
    elements = {e for shares in ds.composition.values() for e, c in shares.items() if c > 0}
    circuits = {(n, e): Circuit(existing_tpa=HUGE) for (n, k) in ds.facilities if k == 2 for e in sorted(elements)}
    stockpiles = {(c, e): Stockpile(max_t=0) for (c, e, _) in ds.demand_in_horizon()} if ds.last_stage >= 2 else {}
    return dataclasses.replace(
        ds,
        settings=settings,
        node_restricted={n: n in ds.restricted for n in ds.nodes},
        availability=availability,
        circuits=circuits,
        stockpiles=stockpiles,
        recipes={"Unwanted": {"only": Recipe({e: 1.0 for e in elements})}},
    )


def solve(ds):
    solver = CaseSolver(ds)
    return extract(solver.built, solver.solve(), solver.build_seconds)


@pytest.mark.parametrize("variant", [lambda ds: ds, empty_v2, neutral_v2])
def test_tiny_example(examples, variant):
    """inputs/examples/tiny: the separator (capex 1,000 USD/tpa, lead 1, yield 0.5, lifetime 25)
    comes online in 2026, so 2025's 10 t are unmet. 20 tpa built in 2025: 20,000, salvage
    ρ = 1 − 2/25 = 0.92 → 18,400; opex (2026-2027) 20 t x 10 at the mine + 20 t x 20 at the
    separator = 600 a year → 1,200. System cost 2,800; objective 2,800 + 10 x 1e7."""
    r = solve(variant(make_dataset(load_workbook(examples / "tiny"))))
    assert r.summary["system_cost_usd"] == pytest.approx(2800, rel=1e-9)
    assert r.summary["objective_usd"] == pytest.approx(2800 + 1e8, rel=1e-9)


@pytest.mark.parametrize("variant", [lambda ds: ds, empty_v2, neutral_v2])
@pytest.mark.parametrize("scenario, cost", [(None, 10), ("china_free", 1050), ("cheap_china", 5)])
def test_frontier_example(examples, variant, scenario, cost):
    """inputs/examples/frontier, 10 t of A: base (α = 1) through China at 1 USD/t: 10;
    china_free (α = 0): build 10 tpa of allied separation (1,000) and run it at 5 USD/t: 1,050;
    cheap_china: China at 1 x 0.5: 5."""
    r = solve(variant(make_dataset(load_workbook(examples / "frontier"), scenario)))
    assert r.summary["objective_usd"] == pytest.approx(cost, rel=1e-9)


@pytest.mark.xdist_group("reference base case")
def test_reference_workbook_unchanged_without_v2_data():
    """The shipped workbook has v2 data (issue 14); with every v2 field emptied it is a v1 case of
    reference size, and neutral v2 data on top of that gives the same optimum to 1e-9."""
    ds = empty_v2(make_dataset(read_reference()))
    assert empty_v2(ds) == ds
    base = CaseSolver(ds)
    assert base.solve().status.value == "optimal"
    solver = CaseSolver(neutral_v2(ds))
    assert solver.solve().status.value == "optimal"
    assert pyo.value(solver.built.model.objective) == pytest.approx(pyo.value(base.built.model.objective), rel=1e-9)
