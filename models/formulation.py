"""Build the Pyomo model of model.md from a Dataset: sets, parameters, variables,
then the constraint families and the objective, in that fixed order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pyomo.environ as pyo
from pyomo.core.util import quicksum

from . import additions, constraints, costs
from .constraints import ramp_share
from .dataset import MONEY, Dataset
from .network import Network, build_network, circuit_lead_time, circuit_salvage_share, salvage_share
from .variants import Variant


@dataclass
class Built:
    """A built model with the dataset and sparse sets it was built from."""

    model: pyo.ConcreteModel
    dataset: Dataset
    network: Network
    index: FlowIndex
    variant: Variant = Variant.COST


@dataclass
class FlowIndex:
    """Which flow variables enter and leave each facility, per year."""

    bundles_out: dict[Any, list[Any]]  # (n, y) -> [(n, m, y)]
    bundles_in: dict[Any, list[Any]]  # (m, y) -> [(n, m, y)]
    elements_out: dict[Any, list[Any]]  # (n, k, e, p, y) -> [h keys]
    elements_in: dict[Any, list[Any]]  # (m, k, e, p, y) -> [h keys] arriving at stage k
    delivered: dict[Any, list[Any]]  # (m, e, y) -> [h keys] (k̄ >= 2) or [g keys] (k̄ = 1)


def index_flows(net: Network, kbar: int) -> FlowIndex:
    idx = FlowIndex(*(defaultdict(list) for _ in range(5)))
    for key in net.bundle_arcs:
        n, m, y = key
        idx.bundles_out[(n, y)].append(key)
        idx.bundles_in[(m, y)].append(key)
    for arc in net.element_arcs:
        n, m, k, e, p, y = arc
        idx.elements_out[(n, k, e, p, y)].append(arc)
        if k < kbar:
            idx.elements_in[(m, k + 1, e, p, y)].append(arc)
        else:
            idx.delivered[(m, e, y)].append(arc)
    return idx


def discount_factors(rate: float, first_year: int, years: Iterable[int]) -> dict[int, float]:
    """df_y = (1 + r)^−(y − y0), the one discount formula."""
    return {y: (1 + rate) ** -(y - first_year) for y in years}


def add_parameters(m: pyo.ConcreteModel, ds: Dataset) -> None:
    """Mutable parameters: everything a sweep may change without a rebuild."""
    s = ds.settings
    m.Y = pyo.Set(initialize=list(s.years), ordered=True)
    m.B = pyo.Set(initialize=list(ds.blocs), ordered=True)
    m.discount = pyo.Param(
        m.Y,
        mutable=True,
        initialize=discount_factors(s.discount_rate, s.first_year, s.years),
        doc="df_y = (1 + r)^-(y - y0)",
    )
    advantage = ds.cost_advantage_blocs
    m.cost_factor = pyo.Param(
        m.B, mutable=True, initialize={b: s.restricted_cost_factor if b in advantage else 1.0 for b in ds.blocs}
    )
    m.capex_factor = pyo.Param(m.B, mutable=True, initialize={b: ds.capex_factor.get(b, 1.0) for b in ds.blocs})
    m.opex_factor = pyo.Param(m.B, mutable=True, initialize={b: ds.opex_factor.get(b, 1.0) for b in ds.blocs})
    m.demand_factor = pyo.Param(mutable=True, initialize=ds.demand_factor)
    m.alpha = pyo.Param(mutable=True, initialize=s.max_restricted_share)
    m.unmet_penalty = pyo.Param(mutable=True, initialize=s.unmet_penalty_usd_per_t * MONEY)
    m.shortfall_penalty = pyo.Param(mutable=True, initialize=s.shortfall_penalty_usd_per_t * MONEY)
    m.budget = pyo.Param(mutable=True, initialize=(s.budget_usd or 0.0) * MONEY)
    m.annual_budget = pyo.Param(mutable=True, initialize=(s.annual_budget_usd or 0.0) * MONEY)


def add_variables(m: pyo.ConcreteModel, ds: Dataset, net: Network) -> None:
    """build, g, h, u (and s, v in their constraint families); all >= 0."""
    nn = pyo.NonNegativeReals

    def build_bounds(_: Any, n: str, k: int, y: int) -> tuple[float, float | None]:
        return (0, ds.facilities[(n, k)].max_build_tpa_per_year)

    m.build = pyo.Var(pyo.Set(initialize=net.builds, dimen=3), within=nn, bounds=build_bounds)
    m.g = pyo.Var(pyo.Set(initialize=list(net.bundle_arcs), dimen=3), within=nn)
    m.h = pyo.Var(pyo.Set(initialize=list(net.element_arcs), dimen=6), within=nn)
    m.u = pyo.Var(pyo.Set(initialize=list(net.demand_rows), dimen=3), within=nn)


def add_variant(b: Built) -> None:
    """The decision variables of the frontier and diagnosis variants, declared before the constraints
    that use them: α (LEAST_ALPHA) and the total budget (LEAST_BUDGET)."""
    m = b.model
    if b.variant is Variant.LEAST_ALPHA:
        m.alpha_var = pyo.Var(bounds=(0, 1), doc="alpha as a variable (budget frontier)")
    if b.variant is Variant.LEAST_BUDGET:
        m.budget_var = pyo.Var(within=pyo.NonNegativeReals, doc="total budget as a variable (diagnosis)")


def draw_shares(ds: Dataset, n: str, k: int, y0: int, y: int, delay: int) -> tuple[float, float]:
    """(ramped share, 1 if in service) in year y of a build started in y0, delayed by `delay` years."""
    return _shares(ds.ramp(n, k), y - y0 - ds.facilities[(n, k)].lead_time_years - delay)


def circuit_draw_shares(ds: Dataset, n: str, e: str, y0: int, y: int, delay: int) -> tuple[float, float]:
    """draw_shares of a circuit build: its lead time, the separation stage's ramp."""
    return _shares(ds.stage_ramp(2), y - y0 - circuit_lead_time(ds, n, e) - delay)


def _shares(ramp: tuple[float, ...], age: int) -> tuple[float, float]:
    return (0.0, 0.0) if age < 0 else (ramp_share(ramp, age), 1.0)


def add_draw_parameters(b: Built) -> None:
    """DRAWS: per facility a capex overrun o[n,k] (1) and, per build and year in service, its ramped
    share π[n,k,y0,y], its in-service flag ι[n,k,y0,y] and its salvage share ρ[n,k,y0], and the same
    per circuit build (rampedc, in_servicec, salvagec) — at delay 0 the COST LP's constants. A draw
    changes them in place (Model.set_draw)."""
    m, ds, net = b.model, b.dataset, b.network
    if b.variant is not Variant.DRAWS:
        return
    sites = sorted({(n, k) for n, k, _ in net.builds} | {(n, 2) for n, _e, _y in net.circuit_builds})
    m.overrun = pyo.Param(pyo.Set(initialize=sites, dimen=2), mutable=True, initialize=1.0, doc="capex overrun")
    facility_terms = [
        (n, k, y0, y)
        for n, k, y0 in net.builds
        for y in ds.settings.years
        if y0 + ds.facilities[(n, k)].lead_time_years <= y
    ]
    m.ramped, m.in_service, m.salvage_share = _draw_params(
        {key: draw_shares(ds, *key, 0) for key in facility_terms}, net.salvage, "build"
    )
    circuit_terms = [
        (n, e, y0, y)
        for n, e, y0 in net.circuit_builds
        for y in ds.settings.years
        if y0 + circuit_lead_time(ds, n, e) <= y
    ]
    m.rampedc, m.in_servicec, m.salvagec = _draw_params(
        {key: circuit_draw_shares(ds, *key, 0) for key in circuit_terms}, net.circuit_salvage, "circuit build"
    )
    m.held_capex = pyo.Param(
        m.B, m.Y, mutable=True, initialize=0.0, doc="capex of held (committed) builds, out of the budget rows"
    )


def set_draw_parameters(
    b: Built, draws: Mapping[tuple[str, int], tuple[int, float]], held: Callable[[tuple[str, Any, int]], bool]
) -> None:
    """DRAWS: every build's parameters for one draw, (delay, overrun) per (node, stage order) (at a
    separator, of its circuits too; (0, 1) where not named). A `held` build (a committed one: paid in
    its start year whatever the draw) takes the committed salvage share (network.salvage_share): a
    delay that pushes it past last_year leaves its variable and its capex in place; it delivers nothing
    (in-service flags 0) and its salvage share is min(1, max(0, 1 − U/lifetime)) = 1."""
    m, ds = b.model, b.dataset

    def delay(site: tuple[str, int]) -> int:
        return draws.get(site, (0, 1.0))[0]

    for site in m.overrun:
        m.overrun[site] = draws.get(site, (0, 1.0))[1]
    for n, k, y0, y in m.ramped:
        m.ramped[n, k, y0, y], m.in_service[n, k, y0, y] = draw_shares(ds, n, k, y0, y, delay((n, k)))
    for n, k, y0 in m.salvage_share:
        m.salvage_share[n, k, y0] = salvage_share(ds, n, k, y0, delay((n, k)), held((n, k, y0)))
    for n, e, y0, y in m.rampedc:
        m.rampedc[n, e, y0, y], m.in_servicec[n, e, y0, y] = circuit_draw_shares(ds, n, e, y0, y, delay((n, 2)))
    for n, e, y0 in m.salvagec:
        m.salvagec[n, e, y0] = circuit_salvage_share(ds, n, e, y0, delay((n, 2)), held((n, e, y0)))


def _draw_params(shares: dict[Any, tuple[float, float]], salvage: dict[Any, float], what: str) -> tuple[Any, Any, Any]:
    """The ramped-share, in-service and salvage-share Params of a set of builds, at their undelayed values."""
    index = pyo.Set(initialize=list(shares), dimen=4)
    return (
        pyo.Param(index, mutable=True, initialize={k: v[0] for k, v in shares.items()}, doc=f"ramped share, {what}"),
        pyo.Param(index, mutable=True, initialize={k: v[1] for k, v in shares.items()}, doc=f"{what} in service"),
        pyo.Param(
            pyo.Set(initialize=list(salvage), dimen=3),
            mutable=True,
            initialize=salvage,
            doc=f"salvage share rho of a {what}",
        ),
    )


def add_variant_objectives(b: Built) -> None:
    """Shortfall fixed at 0 and the variant's own objective beside the cost objective:
    least α (LEAST_ALPHA; the cost objective is re-activated for its second phase) or least budget."""
    m = b.model
    if b.variant in (Variant.COST, Variant.DRAWS):
        add_any_price(b)
        return
    for s in m.s.values():
        s.fix(0)
    m.objective.deactivate()
    if b.variant is Variant.LEAST_ALPHA:
        m.least_alpha = pyo.Objective(expr=m.alpha_var, doc="least alpha reachable with no shortfall")
    else:
        m.least_budget = pyo.Objective(expr=m.budget_var, doc="least total budget with no shortfall")


NO_LIMIT = 1e30  # a row bound HiGHS takes as infinite (above its infinite_bound, 1e20) that Pyomo keeps mutable


def any_price(ds: Dataset, variant: Variant) -> bool:
    """Is the case solved with shortfall at any price (model.md v3)? Only the cost LPs have a
    shortfall to minimise (LEAST_ALPHA and LEAST_BUDGET fix it at 0)."""
    return ds.settings.shortfall_at_any_price and variant in (Variant.COST, Variant.DRAWS)


def add_any_price(b: Built) -> None:
    """Shortfall at any price (model.md v3, lexicographic), when the setting is TRUE and the case has
    shortfall variables: the phase-1 objective `least_shortfall` (inactive until Model.solve switches
    to it) and the phase-2 row `shortfall_limit` with a mutable right-hand side S̄ (NO_LIMIT in phase 1):

        phase 1:  min S = Σ_{e,y} s[e,y]                      (t, undiscounted) → S*
        phase 2:  min objective  s.t.  Σ_{e,y} s[e,y] ≤ S̄ = S* + 1e-6 · max(1, S*)
    """
    m = b.model
    if not any_price(b.dataset, b.variant) or not len(m.s):
        return
    total = quicksum(m.s.values())
    m.shortfall_cap = pyo.Param(mutable=True, initialize=NO_LIMIT, doc="S̄: shortfall allowed in phase 2 (t)")
    m.least_shortfall = pyo.Objective(expr=total, doc="S: total independence shortfall (t), phase 1")
    m.least_shortfall.deactivate()
    m.shortfall_limit = pyo.Constraint(expr=total <= m.shortfall_cap, doc="total shortfall <= S̄ (phase 2)")


DOCS = {  # the v1 components; the v2 families give their own doc= where they declare them
    "Y": "years first_year ... last_year",
    "B": "blocs",
    "discount": "df_y = (1 + r)^-(y - y0)",
    "cost_factor": "phi_b: restricted_cost_factor for cost-advantage blocs",
    "capex_factor": "capex_factor.<bloc> of the scenario",
    "opex_factor": "opex_factor.<bloc> of the scenario",
    "demand_factor": "multiplier of all demand",
    "alpha": "max_restricted_share (alpha)",
    "unmet_penalty": "unmet_penalty_usd_per_t (million USD)",
    "shortfall_penalty": "shortfall_penalty_usd_per_t (million USD)",
    "budget": "budget_usd (million USD)",
    "annual_budget": "annual_budget_usd (million USD)",
    "build": "build[n,k,y]: new capacity (t/yr) whose construction starts in year y",
    "g": "g[n,m,y]: stage-1 bundle (t REO) shipped from extraction node n to m",
    "h": "h[n,m,k,e,p,y]: element e of provenance p output by stage k at n, shipped to m",
    "u": "u[m,e,y]: unmet demand (t)",
    "s": "s[e,y]: independence shortfall (t of clean supply)",
    "v": "v[m,e,y]: clean content counted towards protected demand (one-stage chains)",
    "q": "q[n,k,y]: throughput (t input processed; stage 1: t extracted)",
    "cap": "cap[n,k,y]: capacity in service (t/yr)",
    "capacity": "throughput <= capacity in service",
    "max_capacity": "existing + built capacity <= max_tpa",
    "separation_balance": "separated output of an element <= yield x the element in the bundles fed",
    "element_stage_balance": "output of an element stage <= yield x its input, by provenance",
    "demand": "deliveries + unmet = demand (one stage: >=)",
    "clean": "clean[e,y]: clean supply to protected demand",
    "independence": "clean supply + shortfall >= (1 - alpha) x protected demand",
    "clean_cap_demand": "clean content counted <= demand",
    "clean_cap_content": "clean content counted <= delivered",
    "budget_total": "capex of the budget blocs over the horizon <= budget_usd",
    "budget_annual": "capex of the budget blocs in one year <= annual_budget_usd",
    "budget_bloc": "capex of one bloc <= its row of the budgets sheet",
    "capex_cost": "capex by year (million USD, undiscounted)",
    "fixed_om_cost": "fixed O&M by year",
    "opex_cost": "opex by year",
    "transport_cost": "transport by year",
    "tariff_cost": "tariffs by year",
    "unmet_cost": "penalty of unmet demand by year",
    "shortfall_cost": "penalty of shortfall by year",
    "salvage_value": "value of capacity that outlives the horizon",
    "objective": "discounted total cost",
    **{name: f"{name}: cost aggregate by bloc and year (million USD)" for name in ("CAPEX", "FOM", "OPEX")},
    "SALV": "SALV[b]: salvage aggregate by bloc",
    "TRANSPORT": "transport aggregate by year",
    "TARIFF": "tariff aggregate by year",
    "UNMET": "unmet demand by year",
    "SHORTFALL": "shortfall by year",
}


def add_docs(m: pyo.ConcreteModel) -> None:
    """Every component says what it is (a written model and `m.pprint()` explain themselves)."""
    for component in m.component_objects(descend_into=False):
        name = component.local_name
        if not component.doc:
            base = name.removeprefix("define_")
            component.doc = DOCS.get(name) or (f"defines {base}: {DOCS[base]}" if base in DOCS else None)


def build_model(ds: Dataset, variant: Variant = Variant.COST) -> Built:
    """The LP of model.md in the given variant."""
    net = build_network(ds)
    idx = index_flows(net, ds.last_stage)
    m = pyo.ConcreteModel(name="rechain")
    add_parameters(m, ds)
    add_variables(m, ds, net)
    built = Built(m, ds, net, idx, variant)
    add_variant(built)
    add_draw_parameters(built)
    constraints.add_throughput(built)
    constraints.add_capacity(built)
    additions.add_availability(built)
    additions.add_must_run(built)
    additions.add_circuits(built)
    constraints.add_separation_balance(built)
    constraints.add_element_stage_balance(built)
    additions.add_recipes(built)
    additions.add_stockpiles(built)
    constraints.add_demand(built)
    constraints.add_independence(built)
    costs.add_cost_aggregates(built)
    constraints.add_budget(built)
    costs.add_objective(built)
    add_variant_objectives(built)
    add_docs(m)
    return built
