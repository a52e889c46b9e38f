"""Cost aggregates, the named cost expressions and the objective (model.md, Objective).

Each cost is an aggregate variable per bloc and year with constant
coefficients, multiplied in the named expressions by one mutable factor
(cost factor φ, capex/opex factor, discount factor). The objective and the
reports read the same named expressions.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

import pyomo.environ as pyo
from pyomo.core.util import quicksum

from .constraints import _constraint, nameplate
from .dataset import MONEY
from .network import circuit_lead_time
from .variants import Variant

if TYPE_CHECKING:
    from .formulation import Built


Terms = defaultdict[Any, list[Any]]  # a cost aggregate's index -> its terms


def add_cost_aggregates(b: Built) -> None:
    """Nominal, undiscounted cost aggregates in million USD, before factors.

        CAPEX[b,y]  = Σ_{n ∈ b, k} capex[n,k] · build[n,k,y]
                      + Σ_{n ∈ b, e} capex_c[n,e] · buildc[n,e,y]
        FOM[b,y]    = Σ_{n ∈ b, k} fixed_om[n,k] · nameplate[n,k,y]
                      + Σ_{n ∈ b, e} fixed_om_c[n,e] · nameplate_c[n,e,y]
        OPEX[b,y]   = Σ_{n ∈ b, k} opex[n,k] · q[n,k,y]
        SALV[b]     = Σ_{n ∈ b, k, y} capex[n,k] · ρ[n,k,y] · build[n,k,y] + (the same for circuit builds)
        TRANSPORT[y] = Σ_arcs transport · flow,   TARIFF[y] = Σ_arcs tariff · flow
        UNMET[y]    = Σ_{m,e} u[m,e,y],           SHORTFALL[y] = Σ_e s[e,y]

    Nameplate (existing + Σ_{a ≥ 0} build) equals cap without ramp-up
    (model.md, "Ramp-up"); circuits are costed as their separator's facility
    (model.md, "Element-specific separation circuits"), so φ, capex_factor,
    budgets and capex_usd see them through CAPEX, FOM and SALV.
    """
    m = b.model
    capex: Terms = defaultdict(list)
    fom: Terms = defaultdict(list)
    opex: Terms = defaultdict(list)
    salv: Terms = defaultdict(list)
    _facility_costs(b, capex, fom, opex, salv)
    _circuit_costs(b, capex, fom, salv)
    transport, tariff = _flow_costs(b)
    unmet: defaultdict[Any, list[Any]] = defaultdict(list)
    for c, e, y in m.u:
        unmet[y].append(m.u[c, e, y])
    shortfall: defaultdict[Any, list[Any]] = defaultdict(list)
    for e, y in m.s:
        shortfall[y].append(m.s[e, y])

    by_bloc_year = [(bl, y) for bl in m.B for y in m.Y]
    for name, terms, index in (
        ("CAPEX", capex, by_bloc_year),
        ("FOM", fom, by_bloc_year),
        ("OPEX", opex, by_bloc_year),
        ("SALV", salv, list(m.B)),
        ("TRANSPORT", transport, list(m.Y)),
        ("TARIFF", tariff, list(m.Y)),
        ("UNMET", unmet, list(m.Y)),
        ("SHORTFALL", shortfall, list(m.Y)),
    ):
        var = pyo.Var(index, within=pyo.Reals)
        m.add_component(name, var)
        rows = {k: var[k] == quicksum(terms.get(k, [])) for k in index}
        m.add_component(f"define_{name}", _constraint(rows))


def _facility_costs(b: Built, capex: Terms, fom: Terms, opex: Terms, salv: Terms) -> None:
    m, ds, net = b.model, b.dataset, b.network
    drawn = b.variant is Variant.DRAWS
    for n, k, y in net.builds:
        f, bloc = ds.facilities[(n, k)], ds.nodes[n]
        assert f.capex_usd_per_tpa is not None  # builds exist only with a capex (network.build_years)
        cost = f.capex_usd_per_tpa * MONEY * (m.overrun[n, k] if drawn else 1.0)
        capex[(bloc, y)].append(cost * m.build[n, k, y])
        if drawn:
            salv[bloc].append(cost * m.salvage_share[n, k, y] * m.build[n, k, y])
        elif net.salvage[(n, k, y)] > 0:
            salv[bloc].append(cost * net.salvage[(n, k, y)] * m.build[n, k, y])
    for n, k, y in m.q.index_set():
        f, bloc = ds.facilities[(n, k)], ds.nodes[n]
        if f.fixed_om_usd_per_tpa_yr:
            fom[(bloc, y)].append(f.fixed_om_usd_per_tpa_yr * MONEY * nameplate(m, (n, k, y)))
        if f.opex_usd_per_t and (n, k, y) in m.has_throughput:
            opex[(bloc, y)].append(f.opex_usd_per_t * MONEY * m.q[n, k, y])


def _flow_costs(b: Built) -> tuple[Terms, Terms]:
    m, net = b.model, b.network
    transport, tariff = defaultdict(list), defaultdict(list)
    for arcs, var in ((net.bundle_arcs, m.g), (net.element_arcs, m.h)):
        for key, (cost, duty) in arcs.items():
            y = key[-1]
            if cost:
                transport[y].append(cost * MONEY * var[key])
            if duty:
                tariff[y].append(duty * MONEY * var[key])
    return transport, tariff


def _circuit_costs(b: Built, capex: Terms, fom: Terms, salv: Terms) -> None:
    """Circuit capex, fixed O&M on nameplate (existing as a constant) and salvage, by bloc."""
    m, ds, net = b.model, b.dataset, b.network
    drawn = b.variant is Variant.DRAWS
    for n, e, y in net.circuit_builds:
        c, bloc = ds.circuits[(n, e)], ds.nodes[n]
        assert c.capex_usd_per_tpa is not None  # circuit builds exist only with a capex
        cost = c.capex_usd_per_tpa * MONEY * (m.overrun[n, 2] if drawn else 1.0)
        capex[(bloc, y)].append(cost * m.buildc[n, e, y])
        if drawn:
            salv[bloc].append(cost * m.salvagec[n, e, y] * m.buildc[n, e, y])
        elif net.circuit_salvage[(n, e, y)] > 0:
            salv[bloc].append(cost * net.circuit_salvage[(n, e, y)] * m.buildc[n, e, y])
    builds_of: defaultdict[Any, list[Any]] = defaultdict(list)
    for n, e, y in net.circuit_builds:
        builds_of[(n, e)].append(y)
    for n, e in net.circuits:
        c, bloc = ds.circuits[(n, e)], ds.nodes[n]
        if not c.fixed_om_usd_per_tpa_yr:
            continue
        lead = circuit_lead_time(ds, n, e)
        for y in ds.settings.years:
            plate = c.existing_tpa + quicksum(
                (m.in_servicec[n, e, y0, y] if drawn else 1.0) * m.buildc[n, e, y0]
                for y0 in builds_of[(n, e)]
                if y0 + lead <= y
            )
            fom[(bloc, y)].append(c.fixed_om_usd_per_tpa_yr * MONEY * plate)


def add_objective(b: Built) -> None:
    """Minimise discounted total cost (model.md, Objective).

        Σ_y df_y · [ Σ_b φ_b·( cf_b·CAPEX[b,y] + FOM[b,y] + of_b·OPEX[b,y] )
                   + TRANSPORT[y] + TARIFF[y]
                   + Σ_{m,e,p} holding[m,e] · st[m,e,p,y] + Σ_{m,p,r} extra[p,r] · x[m,p,r,y]
                   + unmet_penalty · UNMET[y] + shortfall_penalty · SHORTFALL[y]
                   + unmet_penalty · Σ_{n,k} w[n,k,y] ]
        − df_yN · Σ_b φ_b · cf_b · SALV[b]

    with df_y = (1 + r)^−(y − y0), φ_b = restricted_cost_factor for blocs in
    cost_advantage_blocs (default restricted_blocs; else 1), cf_b / of_b the
    scenario capex / opex factors. Holding (`holding_cost`) and recipe
    (`recipe_cost`) costs are system costs without φ; the must-run slack
    (`must_run_cost`) is a penalty, like unmet demand and shortfall.
    """
    m = b.model
    phi = m.cost_factor
    m.capex_cost = pyo.Expression(
        m.Y, rule=lambda _, y: quicksum(phi[bl] * m.capex_factor[bl] * m.CAPEX[bl, y] for bl in m.B)
    )
    m.fixed_om_cost = pyo.Expression(m.Y, rule=lambda _, y: quicksum(phi[bl] * m.FOM[bl, y] for bl in m.B))
    m.opex_cost = pyo.Expression(
        m.Y, rule=lambda _, y: quicksum(phi[bl] * m.opex_factor[bl] * m.OPEX[bl, y] for bl in m.B)
    )
    m.transport_cost = pyo.Expression(m.Y, rule=lambda _, y: m.TRANSPORT[y])
    m.tariff_cost = pyo.Expression(m.Y, rule=lambda _, y: m.TARIFF[y])
    m.unmet_cost = pyo.Expression(m.Y, rule=lambda _, y: m.unmet_penalty * m.UNMET[y])
    m.shortfall_cost = pyo.Expression(m.Y, rule=lambda _, y: m.shortfall_penalty * m.SHORTFALL[y])
    m.salvage_value = pyo.Expression(expr=quicksum(phi[bl] * m.capex_factor[bl] * m.SALV[bl] for bl in m.B))
    _v2_costs(b)
    last = m.Y.last()
    m.objective = pyo.Objective(
        expr=quicksum(
            m.discount[y]
            * (
                m.capex_cost[y]
                + m.fixed_om_cost[y]
                + m.opex_cost[y]
                + m.transport_cost[y]
                + m.tariff_cost[y]
                + m.unmet_cost[y]
                + m.shortfall_cost[y]
                + m.holding_cost[y]
                + m.recipe_cost[y]
                + m.must_run_cost[y]
            )
            for y in m.Y
        )
        - m.discount[last] * m.salvage_value,
        sense=pyo.minimize,
    )


def _v2_costs(b: Built) -> None:
    """The version-2 cost expressions per year, in million USD, undiscounted
    (zero without v2 data): `holding_cost`, `recipe_cost` (system costs) and
    `must_run_cost` (a penalty)."""
    m, ds = b.model, b.dataset
    terms: dict[str, Terms] = {
        "holding_cost": defaultdict(list),
        "recipe_cost": defaultdict(list),
        "must_run_cost": defaultdict(list),
    }
    for c, e, p, y in m.st:
        cost = ds.stockpiles[(c, e)].holding_cost_usd_per_t_yr
        if cost:
            terms["holding_cost"][y].append(cost * MONEY * m.st[c, e, p, y])
    for c, p, r, y in m.x:
        cost = ds.recipes[p][r].extra_cost_usd_per_t
        if cost:
            terms["recipe_cost"][y].append(cost * MONEY * m.x[c, p, r, y])
    for n, k, y in m.w:
        terms["must_run_cost"][y].append(m.w[n, k, y])
    docs = {
        "holding_cost": "stockpile holding cost (million USD, undiscounted)",
        "recipe_cost": "extra cost of recipes (million USD, undiscounted)",
        "must_run_cost": "penalty on must-run shortfall (million USD, undiscounted)",
    }
    for name, by_year in terms.items():
        scale = m.unmet_penalty if name == "must_run_cost" and by_year else 1.0
        m.add_component(
            name, pyo.Expression(m.Y, doc=docs[name], rule=lambda _, y, t=by_year, k=scale: k * quicksum(t.get(y, [])))
        )
