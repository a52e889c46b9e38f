"""The constraint families of model.md's "Version 2 additions", one function each.

Each family builds its variables over sparse index sets and returns early
when the dataset has none of its data, so a v1 dataset gives the v1 LP. The
families that v2 changes rather than adds (capacity with ramp-up, demand and
independence with stockpiles and recipes) stay in constraints.py.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

import pyomo.environ as pyo
from pyomo.core.util import quicksum

from .constraints import _constraint, ramp_share
from .network import circuit_lead_time
from .variants import Variant

if TYPE_CHECKING:
    from .dataset import Dataset, Stockpile
    from .formulation import Built, FlowIndex
    from .network import Network

Key4 = tuple[str, str, str, int]  # (consumer, element, provenance, year)


def add_availability(b: Built) -> None:
    """Per-year throughput ceilings (model.md, "Per-year throughput ceilings").

    q[n,k,y] ≤ max_tpa[n,k,y]      for each availability row in the horizon
    """
    m, ds = b.model, b.dataset
    rows = {key: m.q[key] <= t for key, t in sorted(ds.availability.items()) if key in m.has_throughput}
    if rows:
        m.availability = _constraint(rows, "throughput ceiling of a facility in one year (availability sheet)")


def add_must_run(b: Built) -> None:
    """Must-run existing capacity (model.md, "Must-run existing capacity").

        q[n,k,y] + w[n,k,y] ≥ min_utilization[n,k] · existing[n,k]     for y ≤ must_run_until_year

    rows only where min_utilization · existing > 0 (network.must_run_floors);
    the slack w ≥ 0 is charged at df_y · unmet_penalty in the objective
    (`must_run_cost`). At stage 1, q includes ore extracted and discarded
    (z, add_throughput), as the spec's Σ_m g ≤ q allows.
    """
    m, net = b.model, b.network
    floors = net.must_run
    m.w = pyo.Var(
        pyo.Set(initialize=list(floors), dimen=3),
        within=pyo.NonNegativeReals,
        doc="must-run shortfall (t) of a facility in one year",
    )
    if not floors:
        return
    m.must_run = _constraint(
        {key: m.q[key] + m.w[key] >= t for key, t in floors.items()},
        "throughput of existing capacity at least min_utilization · existing, or slack w",
    )


def add_circuits(b: Built) -> None:
    """Element-specific separation circuits (model.md, "Element-specific separation circuits").

        Σ_{m',p} h[n,m',2,e,p,y] ≤ capc[n,e,y]
        capc[n,e,y] = existing_c[n,e] + Σ_{y' : a ≥ 0} π₂(a) · buildc[n,e,y']     a = y − y' − L_c
        existing_c[n,e] + Σ_y buildc[n,e,y] ≤ max_c[n,e]                          (if given)
        buildc[n,e,y] ≤ max_build_per_year_c[n,e]                                  (a bound)

    π₂ is the separation stage's ramp (stage, else setting). Elements without a
    circuit at a separator with circuits have no output arcs (network.py).
    """
    m, ds, net, idx = b.model, b.dataset, b.network, b.index

    def bounds(_: Any, n: str, e: str, y: int) -> tuple[float, float | None]:
        return (0, ds.circuits[(n, e)].max_build_tpa_per_year)

    m.buildc = pyo.Var(
        pyo.Set(initialize=net.circuit_builds, dimen=3),
        within=pyo.NonNegativeReals,
        bounds=bounds,
        doc="new circuit capacity (t element/yr) started in a year",
    )
    if not net.circuits:
        return
    builds_of: defaultdict[Any, list[Any]] = defaultdict(list)
    for n, e, y in net.circuit_builds:
        builds_of[(n, e)].append(y)
    ramp = ds.stage_ramp(2)

    drawn = b.variant is Variant.DRAWS

    def capc(_: Any, n: str, e: str, y: int) -> Any:
        lead = circuit_lead_time(ds, n, e)
        share = (lambda y0: m.rampedc[n, e, y0, y]) if drawn else (lambda y0: ramp_share(ramp, y - y0 - lead))
        return ds.circuits[(n, e)].existing_tpa + quicksum(
            share(y0) * m.buildc[n, e, y0] for y0 in builds_of[(n, e)] if y0 + lead <= y
        )

    keys = [(n, e, y) for (n, e) in net.circuits for y in ds.settings.years]
    m.capc = pyo.Expression(
        pyo.Set(initialize=keys, dimen=3), rule=capc, doc="circuit capacity in service (t element/yr), ramped"
    )
    out: defaultdict[Any, list[Any]] = defaultdict(list)
    for (n, k, e, _p, y), arcs in idx.elements_out.items():
        if k == 2 and (n, e) in ds.circuits:
            out[(n, e, y)] += [m.h[a] for a in arcs]
    rows = {key: quicksum(out[key]) <= m.capc[key] for key in keys if out.get(key)}
    if rows:
        m.circuit_capacity = _constraint(rows, "separated output of one element ≤ its circuit's capacity")
    _circuit_ceilings(m, ds, builds_of)


def _circuit_ceilings(m: pyo.ConcreteModel, ds: Dataset, builds_of: dict[tuple[str, str], list[int]]) -> None:
    ceilings: dict[Any, Any] = {}
    for (n, e), years in builds_of.items():
        c = ds.circuits[(n, e)]
        if c.max_tpa is not None and years:
            ceilings[(n, e)] = quicksum(m.buildc[n, e, y] for y in years) <= c.max_tpa - c.existing_tpa
    if ceilings:
        m.circuit_max_capacity = _constraint(ceilings, "existing + built circuit capacity ≤ max_tpa")


def add_recipes(b: Built) -> None:
    """Products with alternative recipes (model.md, "Products with alternative recipes").

        Σ_r x[m,p,r,y] = D[m,p,y]
        x[m,p,r,y] ≤ max_share[p,r] · D[m,p,y]          (rows where max_share < 1; max_share a mutable Param)
        x = 0 for y < available_from_year               (no variable)

    D is the product demand times `demand_factor`; x enters need[m,e,y]
    (constraints.need) with t_per_t[p,r,e].
    """
    m, ds, net = b.model, b.dataset, b.network
    pairs = [(p, r) for p, recipes in sorted(ds.recipes.items()) for r in sorted(recipes)]
    m.max_share = pyo.Param(
        pyo.Set(initialize=pairs, dimen=2),
        mutable=True,
        initialize={(p, r): ds.recipes[p][r].max_share for p, r in pairs},
        doc="max_share of a recipe (recipes sheet)",
    )
    m.x = pyo.Var(
        pyo.Set(initialize=net.recipe_uses, dimen=4),
        within=pyo.NonNegativeReals,
        doc="t of product made by one recipe for one consumer and year",
    )
    products = ds.product_demand_in_horizon()
    if not products:
        return
    uses: defaultdict[Any, list[Any]] = defaultdict(list)
    for key in net.recipe_uses:
        uses[key[:2] + key[3:]].append(key)
    missing = sorted(key for key in products if not uses.get(key))
    if missing:
        raise ValueError(f"no recipe available for product demand {missing[0]}")
    m.recipe_mix = _constraint(
        {key: quicksum(m.x[u] for u in uses[key]) == m.demand_factor * d for key, d in sorted(products.items())},
        "the recipes of a product make up its demand",
    )
    shares: dict[Any, Any] = {}
    for c, p, r, y in net.recipe_uses:
        share = ds.recipes[p][r].max_share
        if share < 1:
            shares[(c, p, r, y)] = m.x[c, p, r, y] <= m.max_share[p, r] * m.demand_factor * products[(c, p, y)]
    if shares:
        m.recipe_share = _constraint(shares, "a recipe makes at most max_share of its product's demand")


def _stockpile_keys(
    ds: Dataset, net: Network, idx: FlowIndex, piles: dict[tuple[str, str], Stockpile]
) -> tuple[list[Key4], list[Key4], list[Key4], dict[Key4, list[Any]]]:
    years = list(ds.settings.years)
    arriving: defaultdict[Any, list[Any]] = defaultdict(list)  # (m, e, p, y) -> h keys delivered
    st_keys, put_keys, take_keys = [], [], []
    for (c, e), sp in piles.items():
        provs = {key[4] for y in years for key in idx.delivered.get((c, e, y), [])} | {sp.initial_provenance}
        for p in sorted(provs):
            for y in years:
                st_keys.append((c, e, p, y))
                if (c, e, y) not in net.demand_rows:
                    continue
                take_keys.append((c, e, p, y))
                arcs = [key for key in idx.delivered.get((c, e, y), []) if key[4] == p]
                if arcs:
                    put_keys.append((c, e, p, y))
                    arriving[(c, e, p, y)] = arcs
    return st_keys, put_keys, take_keys, arriving


def add_stockpiles(b: Built) -> None:
    """Strategic stockpiles at consumers, by provenance (model.md, "Strategic stockpiles"; k̄ ≥ 2).

        st[m,e,p,y] = st[m,e,p,y−1] + put[m,e,p,y] − take[m,e,p,y]    (st[·,y0−1] = initial_t for its provenance)
        Σ_p st[m,e,p,y] ≤ max_t
        put[m,e,p,y] ≤ Σ_n h[n,m,k̄,e,p,y]

    put and take exist only in years with a demand row for (m, e); put only
    where deliveries of that provenance can arrive; st also for the initial
    provenance, so that initial_t and max_t are mutable Params (a sweep
    changes them in place). The demand and
    independence rows (constraints.py) use take − put.
    """
    m, ds, net, idx = b.model, b.dataset, b.network, b.index
    piles = {key: sp for key, sp in sorted(ds.stockpiles.items()) if ds.last_stage >= 2}
    st_keys, put_keys, take_keys, arriving = _stockpile_keys(ds, net, idx, piles)
    nn = pyo.NonNegativeReals
    m.st = pyo.Var(pyo.Set(initialize=st_keys, dimen=4), within=nn, doc="stock (t) at the end of a year")
    m.put = pyo.Var(pyo.Set(initialize=put_keys, dimen=4), within=nn, doc="t delivered into stock in a year")
    m.take = pyo.Var(pyo.Set(initialize=take_keys, dimen=4), within=nn, doc="t taken from stock in a year")
    limited = [key for key, sp in piles.items() if sp.max_t is not None]
    m.initial_t = pyo.Param(
        pyo.Set(initialize=list(piles), dimen=2),
        mutable=True,
        initialize={key: sp.initial_t for key, sp in piles.items()},
        doc="initial stock (t) of a stockpile (stockpiles sheet)",
    )
    m.max_t = pyo.Param(
        pyo.Set(initialize=limited, dimen=2),
        mutable=True,
        initialize={key: piles[key].max_t for key in limited},
        doc="stock limit (t) of a stockpile (stockpiles sheet)",
    )
    if not st_keys:
        return
    first = ds.settings.first_year

    def balance(c: str, e: str, p: str, y: int) -> Any:
        sp = piles[(c, e)]
        before = m.st[c, e, p, y - 1] if y > first else (m.initial_t[c, e] if p == sp.initial_provenance else 0.0)
        moves = ([m.put[c, e, p, y]] if (c, e, p, y) in m.put else []) + (
            [-m.take[c, e, p, y]] if (c, e, p, y) in m.take else []
        )
        return m.st[c, e, p, y] == before + quicksum(moves)

    m.stock_balance = _constraint({key: balance(*key) for key in st_keys}, "stock carried over plus put minus take")
    held: defaultdict[Any, list[Any]] = defaultdict(list)
    for c, e, p, y in st_keys:
        held[(c, e, y)].append(m.st[c, e, p, y])
    ceilings = {key: quicksum(v) <= m.max_t[key[:2]] for key, v in held.items() if key[:2] in m.max_t}
    if ceilings:
        m.stock_max = _constraint(ceilings, "stock ≤ max_t")
    if put_keys:
        m.stock_put = _constraint(
            {key: m.put[key] <= quicksum(m.h[a] for a in arriving[key]) for key in put_keys},
            "put ≤ deliveries of that provenance",
        )
