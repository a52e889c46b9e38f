"""The constraint families of model.md, one function each, named after the spec."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

import pyomo.environ as pyo
from pyomo.core.util import quicksum

from .dataset import CLEAN, MIXED, MONEY
from .variants import Variant

if TYPE_CHECKING:
    from .dataset import Dataset
    from .formulation import Built


def _constraint(keys_and_exprs: dict[Any, Any], doc: str | None = None) -> pyo.Constraint:
    keys = list(keys_and_exprs)
    dimen = len(keys[0]) if keys and isinstance(keys[0], tuple) else 1
    return pyo.Constraint(
        pyo.Set(initialize=keys, dimen=dimen), doc=doc, rule=lambda _, *k: keys_and_exprs[k if dimen > 1 else k[0]]
    )


def add_throughput(b: Built) -> None:
    """Throughput q[n,k,y] as an expression over the flows (model.md, Constraints).

        q[n,1,y] = Σ_m g[n,m,y]                (extraction: what it ships)
        q[m,2,y] = Σ_n g[n,m,y]                (separation: whole bundles in)
        q[m,k,y] = Σ_{n,e,p} h[n,m,k−1,e,p,y]  (element stages, k ≥ 3)

    The spec's `Σ_m g ≤ q[n,1,y]` is met with equality at no loss: extracting
    ore that is not shipped only adds opex — except where a must-run floor
    applies (model.md, "Must-run"): there q[n,1,y] = Σ_m g[n,m,y] + z[n,1,y],
    with z ≥ 0 extracted and discarded.
    """
    m, ds, net, idx = b.model, b.dataset, b.network, b.index
    terms: defaultdict[Any, list[Any]] = defaultdict(list)
    for (n, y), keys in idx.bundles_out.items():
        terms[(n, 1, y)] += [m.g[key] for key in keys]
    if ds.last_stage >= 2:
        for (n, y), keys in idx.bundles_in.items():
            terms[(n, 2, y)] += [m.g[key] for key in keys]
    for (n, k, _, _, y), keys in idx.elements_in.items():
        terms[(n, k, y)] += [m.h[key] for key in keys]
    discarded = [key for key in net.must_run if key[1] == 1]
    m.z = pyo.Var(
        pyo.Set(initialize=discarded, dimen=3),
        within=pyo.NonNegativeReals,
        doc="t extracted and not shipped at a must-run extraction facility",
    )
    for key in discarded:
        terms[key].append(m.z[key])
    index = [(n, k, y) for (n, k) in net.facilities for y in ds.settings.years]
    m.q = pyo.Expression(pyo.Set(initialize=index, dimen=3), rule=lambda _, n, k, y: quicksum(terms.get((n, k, y), [])))
    m.has_throughput = {key for key in index if terms.get(key)}


def ramp_share(profile: tuple[float, ...], age: int) -> float:
    """π(a): share of nameplate available in operating year a (0-based); 1 beyond the profile."""
    return profile[age] if age < len(profile) else 1.0


def add_capacity(b: Built) -> None:
    """Capacity in service, its ceiling and its build rate (model.md, Constraints;
    "Ramp-up of new capacity").

        cap[n,k,y] = existing[n,k] + Σ_{y' : a ≥ 0} π(a) · build[n,k,y']    a = y − y' − L[n,k]
        q[n,k,y] ≤ cap[n,k,y]
        existing[n,k] + Σ_y build[n,k,y] ≤ max_capacity[n,k]       (if given; nameplate)
        build[n,k,y] ≤ max_build_per_year[n,k]                       (a bound on build)

    π = the facility's ramp_up, else its stage's, else the setting's; no ramp
    means π ≡ 1 (v1). Existing capacity is never ramped. Where a facility
    ramps, `nameplate[n,k,y] = existing + Σ_{a ≥ 0} build` (what fixed O&M is
    paid on) is a separate expression; elsewhere nameplate = cap (see
    `nameplate`).
    """
    m, ds, net = b.model, b.dataset, b.network
    builds_of: defaultdict[Any, list[Any]] = defaultdict(list)
    for n, k, y in net.builds:
        builds_of[(n, k)].append(y)
    if b.variant is Variant.DRAWS:
        _drawn_capacity(b, builds_of)
        return
    ramps = {key: ds.ramp(*key) for key in builds_of}

    def cap(_: Any, n: str, k: int, y: int) -> Any:
        f = ds.facilities[(n, k)]
        ramp = ramps.get((n, k))
        if ramp:
            return f.existing_tpa + quicksum(
                ramp_share(ramp, y - y0 - f.lead_time_years) * m.build[n, k, y0]
                for y0 in builds_of[(n, k)]
                if y0 + f.lead_time_years <= y
            )
        return plate(_, n, k, y)

    def plate(_: Any, n: str, k: int, y: int) -> Any:
        f = ds.facilities[(n, k)]
        return f.existing_tpa + quicksum(m.build[n, k, y0] for y0 in builds_of[(n, k)] if y0 + f.lead_time_years <= y)

    m.cap = pyo.Expression(m.q.index_set(), rule=cap)
    ramped = [(n, k, y) for (n, k, y) in m.q.index_set() if ramps.get((n, k))]
    m.nameplate = pyo.Expression(
        pyo.Set(initialize=ramped, dimen=3),
        rule=plate,
        doc="nameplate capacity in service (tpa) where new capacity ramps up (elsewhere it equals cap)",
    )
    _capacity_rows(m, ds, builds_of)


def _drawn_capacity(b: Built, builds_of: dict[tuple[str, int], list[int]]) -> None:
    """DRAWS: the same capacity with the ramped shares and in-service flags as mutable parameters
    (formulation.add_draw_parameters), over every build that is in service at delay 0."""
    m, ds = b.model, b.dataset

    def terms(n: str, k: int, y: int, share: Any) -> Any:
        lead = ds.facilities[(n, k)].lead_time_years
        return ds.facilities[(n, k)].existing_tpa + quicksum(
            share[n, k, y0, y] * m.build[n, k, y0] for y0 in builds_of.get((n, k), []) if y0 + lead <= y
        )

    m.cap = pyo.Expression(m.q.index_set(), rule=lambda _, n, k, y: terms(n, k, y, m.ramped))
    m.nameplate = pyo.Expression(
        m.q.index_set(), rule=lambda _, n, k, y: terms(n, k, y, m.in_service), doc="nameplate capacity in service"
    )
    _capacity_rows(m, ds, builds_of)


def _capacity_rows(m: pyo.ConcreteModel, ds: Dataset, builds_of: dict[tuple[str, int], list[int]]) -> None:
    rows = {key: m.q[key] <= m.cap[key] for key in m.q.index_set() if key in m.has_throughput}
    if rows:
        m.capacity = _constraint(rows)
    ceilings: dict[Any, Any] = {}
    for (n, k), years in builds_of.items():
        f = ds.facilities[(n, k)]
        if years and f.max_tpa is not None:
            ceilings[(n, k)] = quicksum(m.build[n, k, y] for y in years) <= f.max_tpa - f.existing_tpa
    if ceilings:
        m.max_capacity = _constraint(ceilings)


def nameplate(m: pyo.ConcreteModel, key: tuple[str, int, int]) -> Any:
    """Nameplate capacity in service of facility-year `key` = (n, k, y)."""
    return m.nameplate[key] if key in m.nameplate else m.cap[key]


def add_separation_balance(b: Built) -> None:
    """Separation (stage 2) splits whole bundles into elements (model.md, Constraints).

    m ∉ R₂:  Σ_m' h[m,m',2,e,clean,y] ≤ yield₂ · Σ_{n ∉ R₁} c[n,e]·g[n,m,y]
             Σ_m' h[m,m',2,e,mixed,y] ≤ yield₂ · Σ_{n ∈ R₁} c[n,e]·g[n,m,y]
    m ∈ R₂:  Σ_m' h[m,m',2,e,mixed,y] ≤ yield₂ · Σ_n       c[n,e]·g[n,m,y]

    R_k = the nodes whose stage-k output is mixed (Dataset.restricted_at; R_k = R without
    allied_only_stages, model.md "Readings decided").
    """
    m, ds, idx = b.model, b.dataset, b.index
    if ds.last_stage < 2:
        return
    ore, separating, yld = ds.restricted_at(1), ds.restricted_at(2), ds.stage_yield(2)
    rows: dict[Any, Any] = {}
    for (sep, k, e, p, y), out_keys in idx.elements_out.items():
        if k != 2:
            continue
        inputs = [
            (ds.composition[n][e], m.g[n, sep, y])
            for (n, _, _) in idx.bundles_in.get((sep, y), [])
            if ds.composition[n].get(e, 0) > 0 and (sep in separating or (n in ore) == (p == MIXED))
        ]
        rows[(sep, e, p, y)] = quicksum(m.h[key] for key in out_keys) <= yld * quicksum((c * g for c, g in inputs))
    if rows:
        m.separation_balance = _constraint(rows)


def add_element_stage_balance(b: Built) -> None:
    """Element stages k ≥ 3 keep each element and provenance (model.md, Constraints).

    m ∉ R_k:  Σ_m' h[m,m',k,e,p,y] ≤ yield_k · Σ_n h[n,m,k−1,e,p,y]    for p ∈ {clean, mixed}
    m ∈ R_k:  Σ_m' h[m,m',k,e,mixed,y] ≤ yield_k · Σ_{n,p} h[n,m,k−1,e,p,y]
    """
    m, ds, idx = b.model, b.dataset, b.index
    rows: dict[Any, Any] = {}
    for (n, k, e, p, y), out_keys in idx.elements_out.items():
        if k < 3:
            continue
        in_provs = (CLEAN, MIXED) if n in ds.restricted_at(k) else (p,)
        inputs = [m.h[key] for q in in_provs for key in idx.elements_in.get((n, k, e, q, y), [])]
        rows[(n, k, e, p, y)] = quicksum(m.h[key] for key in out_keys) <= ds.stage_yield(k) * quicksum(inputs)
    if rows:
        m.element_stage_balance = _constraint(rows)


def delivered(b: Built, consumer: str, e: str, y: int, clean_only: bool = False) -> list[Any]:
    """The terms of what reaches a consumer of element e in year y (`clean_only`: of clean provenance):
    h[n,m,k̄,e,p,y] (k̄ ≥ 2) or c[n,e]·g[n,m,y] (k̄ = 1)."""
    m, ds, idx = b.model, b.dataset, b.index
    keys = (
        idx.delivered.get((consumer, e, y), [])
        if ds.last_stage >= 2
        else [key for key in b.index.bundles_in.get((consumer, y), [])]
    )
    if ds.last_stage >= 2:
        return [m.h[key] for key in keys if not clean_only or key[4] == CLEAN]
    return [
        ds.composition[key[0]].get(e, 0) * m.g[key]
        for key in keys
        if ds.composition[key[0]].get(e, 0) > 0 and not (clean_only and key[0] in ds.restricted_at(1))
    ]


def need(b: Built, consumer: str, e: str, y: int) -> Any:
    """need[m,e,y] = D[m,e,y] + Σ_{p,r} t_per_t[p,r,e] · x[m,p,r,y] (model.md, "recipes");
    D is the workbook's demand times the mutable `demand_factor`."""
    m, net = b.model, b.network
    d = net.demand_rows[(consumer, e, y)]
    terms = net.need_terms.get((consumer, e, y))
    if not terms:
        return m.demand_factor * d
    recipe = quicksum((t * m.x[key] for t, key in terms))
    return recipe if d == 0 else m.demand_factor * d + recipe


def _stock_moves(b: Built, consumer: str, e: str, y: int, clean_only: bool = False) -> list[Any]:
    """Σ_p (take − put) at a stockpile in year y (empty without stockpiles)."""
    m = b.model
    provs = (CLEAN,) if clean_only else (CLEAN, MIXED)
    moves = [m.take[consumer, e, p, y] for p in provs if (consumer, e, p, y) in m.take]
    return moves + [-m.put[consumer, e, p, y] for p in provs if (consumer, e, p, y) in m.put]


def add_demand(b: Built) -> None:
    """Demand, with unmet slack u (model.md, Constraints; v2: stockpiles and recipes).

        k̄ ≥ 2:  Σ_{n,p} h[n,m,k̄,e,p,y] − Σ_p put[m,e,p,y] + Σ_p take[m,e,p,y] + u[m,e,y] = need[m,e,y]
        k̄ = 1:  Σ_n c[n,e]·g[n,m,y]    + u[m,e,y] ≥ need[m,e,y]

    need = D without recipes; rows where need can be positive (`demand_rows`).
    """
    m, ds, net = b.model, b.dataset, b.network
    stock = bool(ds.stockpiles) and ds.last_stage >= 2
    rows: dict[Any, Any] = {}
    for c, e, y in net.demand_rows:
        supply = quicksum(delivered(b, c, e, y) + (_stock_moves(b, c, e, y) if stock else [])) + m.u[c, e, y]
        rows[(c, e, y)] = (supply == need(b, c, e, y)) if ds.last_stage >= 2 else (supply >= need(b, c, e, y))
    if rows:
        m.demand = _constraint(rows)


def add_independence(b: Built) -> None:
    """Independence requirement with shortfall slack s (model.md, Constraints; v2 additions).

    clean[e,y] + s[e,y] ≥ (1 − α) · need_P[e,y]      for y ≥ independence_year
    need_P[e,y] = Σ_{m ∈ P} need[m,e,y]
    clean[e,y] = Σ_{m ∈ P} (Σ_n h[n,m,k̄,e,clean,y] − put[m,e,clean,y] + take[m,e,clean,y])   (k̄ ≥ 2)
               = Σ_{m ∈ P} v[m,e,y],  v ≤ need,  v ≤ Σ_{n ∉ R} c[n,e]·g[n,m,y]              (k̄ = 1)

    `protected_need` (need_P) and, for k̄ ≥ 2, `clean` cover every year with protected need, so the
    reports read the clean share off the same expressions (model.md v3, "Clean share counts stock");
    the rows and s exist from the independence year only.
    """
    m, ds, net = b.model, b.dataset, b.network
    s = ds.settings
    protected = {n for n, bloc in ds.nodes.items() if bloc in s.protected_blocs}
    required: defaultdict[Any, float] = defaultdict(float)
    recipe_terms: defaultdict[Any, list[Any]] = defaultdict(list)
    consumers: defaultdict[Any, list[Any]] = defaultdict(list)
    for (c, e, y), d in net.demand_rows.items():
        if c in protected:
            required[(e, y)] += d
            consumers[(e, y)].append(c)
            recipe_terms[(e, y)] += net.need_terms.get((c, e, y), [])
    every = sorted(required)
    keys = [(e, y) for e, y in every if y >= s.first_independence_year]
    m.s = pyo.Var(pyo.Set(initialize=keys, dimen=2), within=pyo.NonNegativeReals)

    def protected_need(_: Any, e: str, y: int) -> Any:
        total = m.demand_factor * required[(e, y)]
        if recipe_terms[(e, y)]:
            total = total + quicksum((t * m.x[key] for t, key in recipe_terms[(e, y)]))
        return total

    index = pyo.Set(initialize=every, dimen=2)
    m.protected_need = pyo.Expression(index, rule=protected_need, doc="need_P[e,y]: need of protected consumers")
    if ds.last_stage >= 2:
        m.clean = pyo.Expression(index, rule=lambda _, e, y: _clean(b, consumers[(e, y)], e, y))
    if not keys:
        return
    if ds.last_stage == 1:
        vkeys = sorted((c, e, y) for (e, y) in keys for c in consumers[(e, y)])
        m.v = pyo.Var(pyo.Set(initialize=vkeys, dimen=3), within=pyo.NonNegativeReals)
        m.clean_cap_demand = _constraint({k: m.v[k] <= need(b, *k) for k in vkeys})
        m.clean_cap_content = _constraint({k: m.v[k] <= quicksum(delivered(b, *k, clean_only=True)) for k in vkeys})
        m.clean = pyo.Expression(
            m.s.index_set(), rule=lambda _, e, y: quicksum(m.v[c, e, y] for c in consumers[(e, y)])
        )
    alpha = m.alpha_var if b.variant is Variant.LEAST_ALPHA else m.alpha
    m.independence = _constraint(
        {(e, y): m.clean[e, y] + m.s[e, y] >= (1 - alpha) * m.protected_need[e, y] for e, y in keys}
    )


def _clean(b: Built, consumers: list[str], e: str, y: int) -> Any:
    """clean[e,y] for k̄ ≥ 2: clean deliveries to protected consumers, minus clean stock put, plus taken."""
    stock = bool(b.dataset.stockpiles)
    return quicksum(
        [t for c in consumers for t in delivered(b, c, e, y, True) + (_stock_moves(b, c, e, y, True) if stock else [])]
    )


def add_budget(b: Built) -> None:
    """Budgets on nominal, undiscounted capex (model.md, Budget).

        Σ_{n ∈ B, k, y} φ_n · capex[n,k] · build[n,k,y] ≤ budget_usd           (if given)
        Σ_{n ∈ B, k}    φ_n · capex[n,k] · build[n,k,y] ≤ annual_budget_usd    (each y, if given)
        Σ_{n : bloc(n) = b, k, y} φ_n · capex[n,k] · build[n,k,y] ≤ budget_b   (budgets sheet)

    Written over the per-bloc aggregate CAPEX[b,y] (see costs.py), where
    φ_n·capex_factor[b] is one mutable coefficient per bloc. DRAWS: CAPEX[b,y] − held_capex[b,y], the
    rows cover free builds only (committed builds are taken out, Model.commit; risk.md v3).
    """
    m, ds = b.model, b.dataset
    s = ds.settings
    drawn = b.variant is Variant.DRAWS
    free = {(bl, y): m.CAPEX[bl, y] - m.held_capex[bl, y] if drawn else m.CAPEX[bl, y] for bl in m.B for y in m.Y}
    spent = {key: m.cost_factor[key[0]] * m.capex_factor[key[0]] * capex for key, capex in free.items()}
    covered = [bloc for bloc in m.B if bloc in ds.budget_blocs]
    variable = b.variant is Variant.LEAST_BUDGET
    if s.budget_usd is not None or variable:
        cap = m.budget_var if variable else m.budget
        m.budget_total = pyo.Constraint(expr=quicksum(spent[bloc, y] for bloc in covered for y in m.Y) <= cap)
    if s.annual_budget_usd is not None:
        m.budget_annual = pyo.Constraint(
            m.Y, rule=lambda _, y: quicksum(spent[bloc, y] for bloc in covered) <= m.annual_budget
        )
    rows = {
        i: quicksum(spent[bb.bloc, y] for y in m.Y) <= bb.budget_usd * MONEY
        for i, bb in enumerate(ds.bloc_budgets)
        if bb.bloc in m.B
    }
    if rows:
        m.budget_bloc = _constraint(rows)
