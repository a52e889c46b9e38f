"""Sparse index sets of the formulation: builds, arcs and what can flow on them.

Everything here is plain Python over the dataset: which facilities can ever
hold capacity, which (element, provenance) pairs can reach each facility,
and which arcs exist in which years with which cost per tonne. The model
builds its variables over these sets only (model.md, "Arcs exist only where
the route is allowed").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .dataset import CLEAN, MIXED, Dataset

Arc = tuple[str, str]  # (from node, to node)


@dataclass
class Network:
    facilities: list[tuple[str, int]]  # facilities that can ever hold capacity
    builds: list[tuple[str, int, int]]  # (node, stage, year) where a build may start
    salvage: dict[tuple[str, int, int], float]  # rho per build
    bundle_arcs: dict[tuple[str, str, int], tuple[float, float]]  # (n, m, y) -> (transport, tariff)
    element_arcs: dict[tuple[str, str, int, str, str, int], tuple[float, float]]
    flows_in: dict[tuple[str, int], set[tuple[str, str]]] = field(default_factory=dict)
    flows_out: dict[tuple[str, int], set[tuple[str, str]]] = field(default_factory=dict)
    # Version 2 sets (empty without v2 data)
    demand_rows: dict[tuple[str, str, int], float] = field(default_factory=dict)  # (m, e, y) -> D (0: need only)
    recipe_uses: list[tuple[str, str, str, int]] = field(default_factory=list)  # x keys (m, p, r, y)
    need_terms: dict[tuple[str, str, int], list[tuple[float, tuple[str, str, str, int]]]] = field(
        default_factory=dict
    )  # t/t, x key
    circuits: list[tuple[str, str]] = field(default_factory=list)  # (separator, element) that can hold capacity
    circuit_builds: list[tuple[str, str, int]] = field(default_factory=list)  # (node, element, year)
    circuit_salvage: dict[tuple[str, str, int], float] = field(default_factory=dict)  # rho per circuit build
    must_run: dict[tuple[str, int, int], float] = field(default_factory=dict)  # (n, k, y) -> floor (t)


def route_cost(ds: Dataset, n: str, m: str, stage: int) -> float | None:
    """Transport cost of stage `stage`'s output from n to m, None if the route is closed."""
    specific = general = None
    for r in ds.routes:
        if r.from_node == n and r.to_node == m:
            if r.stage == stage:
                specific = r
            elif r.stage is None:
                general = r
    row = specific or general
    if row is None:
        return 0.0 if n == m else ds.settings.default_transport_usd_per_t
    return row.cost_usd_per_t if row.allowed else None


def trade_tariff(ds: Dataset, n: str, m: str, stage: int, element: str | None, year: int) -> float | None:
    """Sum of the tariffs of matching trade rules, None if one of them bans the flow."""
    src, dst = ds.nodes[n], ds.nodes[m]
    tariff = 0.0
    for rule in ds.trade_rules:
        if rule.matches(src, dst, stage, element, year):
            if not rule.allowed:
                return None
            tariff += rule.tariff_usd_per_t
    return tariff


def can_hold_capacity(ds: Dataset, n: str, k: int) -> bool:
    f = ds.facilities[(n, k)]
    return f.existing_tpa > 0 or any(True for _ in build_years(ds, n, k))


def build_years(ds: Dataset, n: str, k: int) -> Iterator[int]:
    """Years in which a build may start: capex given, available, and in service by yN."""
    f = ds.facilities[(n, k)]
    if f.capex_usd_per_tpa is None:
        return
    start = ds.settings.first_year if f.available_from_year is None else f.available_from_year
    for y in ds.settings.years:
        if y >= start and y + f.lead_time_years <= ds.settings.last_year:
            yield y


def salvage_share(ds: Dataset, n: str, k: int, y: int, delay: int = 0, committed: bool = False) -> float:
    """rho = max(0, 1 - U / lifetime) with U = yN - (y + L + delay) + 1 years operated. A build that a
    delay keeps out of service for the whole horizon (U <= 0, risk draws): 0 for a free build (it is
    never worth starting), and for a `committed` one (paid in its year whatever the draw: commit's
    plan, hedge's shared builds) min(1, 1 - U / lifetime) = 1 (risk.md v3, "Readings decided")."""
    f = ds.facilities[(n, k)]
    return _rho(ds, y + f.lead_time_years + delay, f.lifetime_years, committed)


def _rho(ds: Dataset, in_service: int, lifetime: float, committed: bool = False) -> float:
    operated = ds.settings.last_year - in_service + 1
    if operated <= 0:
        return 1.0 if committed else 0.0
    return max(0.0, 1.0 - operated / lifetime)


def circuit_lead_time(ds: Dataset, n: str, e: str) -> int:
    """A circuit's lead time; blank = its separation facility's."""
    lead = ds.circuits[(n, e)].lead_time_years
    return ds.facilities[(n, 2)].lead_time_years if lead is None else lead


def circuit_build_years(ds: Dataset, n: str, e: str) -> Iterator[int]:
    """Years in which a circuit build may start (the facility rules, model.md "circuits")."""
    c = ds.circuits[(n, e)]
    if c.capex_usd_per_tpa is None:
        return
    start = ds.settings.first_year if c.available_from_year is None else c.available_from_year
    lead = circuit_lead_time(ds, n, e)
    for y in ds.settings.years:
        if y >= start and y + lead <= ds.settings.last_year:
            yield y


def circuit_salvage_share(ds: Dataset, n: str, e: str, y: int, delay: int = 0, committed: bool = False) -> float:
    """rho of a circuit build: straight-line over its facility's lifetime (past the horizon as in
    salvage_share)."""
    return _rho(ds, y + circuit_lead_time(ds, n, e) + delay, ds.facilities[(n, 2)].lifetime_years, committed)


def demand_rows(
    ds: Dataset,
) -> tuple[
    dict[tuple[str, str, int], float],
    list[tuple[str, str, str, int]],
    dict[tuple[str, str, int], list[tuple[float, tuple[str, str, str, int]]]],
]:
    """Demand rows, recipe uses and the recipe terms of need (model.md, "recipes").

    A row (m, e, y) exists where need[m,e,y] = D[m,e,y] + Σ_{p,r} t_per_t·x[m,p,r,y]
    can be positive: D > 0, or a recipe with t_per_t[e] > 0 usable in y for a
    product m demands. Returns ({(m, e, y): D}, [x keys], {(m, e, y): [(t_per_t, x key)]}).
    """
    rows = dict(sorted(ds.demand_in_horizon().items()))
    if not ds.recipes:
        return rows, [], {}
    uses, terms = [], defaultdict(list)
    first = ds.settings.first_year
    for m, p, y in sorted(ds.product_demand_in_horizon()):
        for r, recipe in sorted(ds.recipes[p].items()):
            if not recipe.available(y, first):
                continue
            uses.append((m, p, r, y))
            for e, t in recipe.t_per_t.items():
                if t > 0:
                    terms[(m, e, y)].append((t, (m, p, r, y)))
                    rows.setdefault((m, e, y), 0.0)
    return dict(sorted(rows.items())), uses, dict(terms)


def must_run_floors(ds: Dataset) -> dict[tuple[str, int, int], float]:
    """min_utilization · existing per facility and year y ≤ must_run_until_year, where > 0
    (model.md, "Must-run existing capacity")."""
    s = ds.settings
    until = s.first_year if s.must_run_until_year is None else s.must_run_until_year
    floors: dict[Any, Any] = {}
    for (n, k), f in sorted(ds.facilities.items()):
        if f.min_utilization * f.existing_tpa > 0:
            for y in s.years:
                if y <= until:
                    floors[(n, k, y)] = f.min_utilization * f.existing_tpa
    return floors


def embargoed(ds: Dataset, m: str, y: int, embargo: Mapping[str, int | None] | None = None) -> bool:
    """Does consumer m receive no mixed material at the last stage in year y? (model.md, "Embargo").
    `embargo`: bloc -> first year (None: never) in place of the dataset's own."""
    start = (ds.settings.embargo if embargo is None else embargo).get(ds.nodes[m])
    return start is not None and y >= start


def embargo_arcs(ds: Dataset, net: Network) -> tuple[list[tuple[str, str, int]], list[ElementArc]]:
    """The arcs an embargo on the consumer's bloc removes in their year (where `embargoed`): stage-1
    bundles from restricted nodes when k̄ = 1, mixed element arcs into consumers when k̄ ≥ 2."""
    kbar = ds.last_stage
    bundles = [a for a in net.bundle_arcs if kbar == 1 and a[0] in ds.restricted_at(1)]
    elements = [a for a in net.element_arcs if a[2] == kbar and a[4] == MIXED]
    return bundles, elements


CircuitBuild = tuple[str, str, int]  # (node, element, year)
ElementArc = tuple[str, str, int, str, str, int]  # (n, m, k, e, p, y)
Flows = dict[tuple[str, int], set[tuple[str, str]]]  # (node, stage) -> {(element, provenance)}
AtStage = dict[int, list[str]]
Demanded = dict[tuple[str, int], set[str]]  # (consumer, year) -> elements


def _arc_years(ds: Dataset, n: str, m: str, stage: int, element: str | None) -> Iterator[tuple[int, float, float]]:
    cost = route_cost(ds, n, m, stage)
    if cost is None:
        return
    for y in ds.settings.years:
        tariff = trade_tariff(ds, n, m, stage, element, y)
        if tariff is not None:
            yield y, cost, tariff


def _circuit_plan(
    ds: Dataset,
) -> tuple[list[CircuitBuild], dict[CircuitBuild, float], list[tuple[str, str]], dict[str, set[str]]]:
    circuit_builds = [
        (n, e, y) for (n, e) in sorted(ds.circuits) if (n, 2) in ds.facilities for y in circuit_build_years(ds, n, e)
    ]
    circuit_salvage = {key: circuit_salvage_share(ds, *key) for key in circuit_builds}
    circuits = sorted(
        {(n, e) for (n, e, _) in circuit_builds}
        | {(n, e) for (n, e), c in ds.circuits.items() if c.existing_tpa > 0 and (n, 2) in ds.facilities}
    )
    # A separator with circuit rows separates only the elements whose circuit can hold capacity.
    separated: dict[str, set[str]] = {n: set() for n, _ in ds.circuits}
    for n, e in circuits:
        separated[n].add(e)
    return circuit_builds, circuit_salvage, circuits, separated


def _bundle_arcs(
    ds: Dataset, at_stage: AtStage, consumers: list[str], demanded: Demanded, flows_out: Flows, flows_in: Flows
) -> dict[tuple[str, str, int], tuple[float, float]]:
    """Stage-1 bundles: to separators, or to consumers when the chain has one stage."""
    kbar, embargo = ds.last_stage, ds.settings.embargo
    bundle_arcs: dict[Any, Any] = {}
    for n in at_stage[1]:
        prov = MIXED if n in ds.restricted_at(1) else CLEAN
        shares = {e for e, c in ds.composition.get(n, {}).items() if c > 0}
        flows_out[(n, 1)] = {(e, prov) for e in shares}
        targets = at_stage[2] if kbar >= 2 else consumers
        for m in targets:
            for y, cost, tariff in _arc_years(ds, n, m, 1, None):
                if kbar == 1 and not (shares & demanded[(m, y)]):
                    continue
                if kbar == 1 and embargo and prov == MIXED and embargoed(ds, m, y):
                    continue
                bundle_arcs[(n, m, y)] = (cost, tariff)
                if kbar >= 2:
                    flows_in[(m, 2)] |= flows_out[(n, 1)]
    return bundle_arcs


def _element_arcs(
    ds: Dataset,
    at_stage: AtStage,
    consumers: list[str],
    demanded: Demanded,
    separated: dict[str, set[str]],
    flows_out: Flows,
    flows_in: Flows,
) -> dict[ElementArc, tuple[float, float]]:
    """Element stages: what can leave each facility, then arcs to the next stage."""
    kbar = ds.last_stage
    element_arcs: dict[Any, Any] = {}
    for k in range(2, kbar + 1):
        for n in at_stage[k]:
            pairs = flows_in.get((n, k), set())
            if k == 2 and n in separated:
                pairs = {(e, p) for e, p in pairs if e in separated[n]}
            flows_out[(n, k)] = {(e, MIXED) for e, _ in pairs} if n in ds.restricted_at(k) else set(pairs)
            targets = at_stage[k + 1] if k < kbar else consumers
            for m in targets:
                _arcs_to(ds, n, m, k, sorted(flows_out[(n, k)]), demanded, element_arcs, flows_in)
    return element_arcs


def _arcs_to(
    ds: Dataset,
    n: str,
    m: str,
    k: int,
    pairs: list[tuple[str, str]],
    demanded: Demanded,
    element_arcs: dict[ElementArc, tuple[float, float]],
    flows_in: Flows,
) -> None:
    kbar, embargo = ds.last_stage, ds.settings.embargo
    for e, p in pairs:
        for y, cost, tariff in _arc_years(ds, n, m, k, e):
            if k == kbar and e not in demanded[(m, y)]:
                continue
            if k == kbar and embargo and p == MIXED and embargoed(ds, m, y):
                continue
            element_arcs[(n, m, k, e, p, y)] = (cost, tariff)
            if k < kbar:
                flows_in[(m, k + 1)].add((e, p))


def build_network(ds: Dataset) -> Network:
    facilities = [key for key in sorted(ds.facilities) if can_hold_capacity(ds, *key)]
    builds = [(n, k, y) for (n, k) in facilities for y in build_years(ds, n, k)]
    salvage = {b: salvage_share(ds, *b) for b in builds}
    at_stage: defaultdict[Any, list[Any]] = defaultdict(list)
    for n, k in facilities:
        at_stage[k].append(n)
    demand, recipe_uses, need_terms = demand_rows(ds)
    consumers = sorted({m for (m, _, _) in demand})
    demanded: defaultdict[Any, set[Any]] = defaultdict(set)  # (m, y) -> elements
    for m, e, y in demand:
        demanded[(m, y)].add(e)
    circuit_builds, circuit_salvage, circuits, separated = _circuit_plan(ds)
    flows_out: Flows = defaultdict(set)
    flows_in: Flows = defaultdict(set)
    bundle_arcs = _bundle_arcs(ds, at_stage, consumers, demanded, flows_out, flows_in)
    element_arcs = _element_arcs(ds, at_stage, consumers, demanded, separated, flows_out, flows_in)
    return Network(
        facilities,
        builds,
        salvage,
        bundle_arcs,
        element_arcs,
        dict(flows_in),
        dict(flows_out),
        demand,
        recipe_uses,
        need_terms,
        circuits,
        circuit_builds,
        circuit_salvage,
        must_run_floors(ds),
    )


def reachable(ds: Dataset, net: Network) -> set[tuple[str, str, int]]:
    """(consumer, element, year) that some chain of existing arcs can supply,
    from facilities that can hold capacity, ignoring how much."""
    kbar = ds.last_stage
    if kbar == 1:
        return {(m, e, y) for (n, m, y) in net.bundle_arcs for e, c in ds.composition[n].items() if c > 0}
    at: defaultdict[Any, set[Any]] = defaultdict(set)  # (node, stage, year) -> elements that can leave it
    for n, m, y in net.bundle_arcs:
        at[(m, 2, y)] |= {e for e, c in ds.composition[n].items() if c > 0}
    found = set()
    for n, m, k, e, _p, y in sorted(net.element_arcs, key=lambda a: a[2]):
        if e in at.get((n, k, y), ()):
            if k < kbar:
                at[(m, k + 1, y)].add(e)
            else:
                found.add((m, e, y))
    return found
