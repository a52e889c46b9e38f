"""Cost aggregates, the named cost expressions and the objective (model.md, Objective).

Each cost is an aggregate variable per bloc and year with constant
coefficients, multiplied in the named expressions by one mutable factor
(cost factor φ, capex/opex factor, discount factor). The objective and the
reports read the same named expressions.
"""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo
from pyomo.core.util import quicksum

from .constraints import _constraint
from .dataset import MONEY


def add_cost_aggregates(b) -> None:
    """Nominal, undiscounted cost aggregates in million USD, before factors.

        CAPEX[b,y]  = Σ_{n ∈ b, k} capex[n,k] · build[n,k,y]
        FOM[b,y]    = Σ_{n ∈ b, k} fixed_om[n,k] · cap[n,k,y]
        OPEX[b,y]   = Σ_{n ∈ b, k} opex[n,k] · q[n,k,y]
        SALV[b]     = Σ_{n ∈ b, k, y} capex[n,k] · ρ[n,k,y] · build[n,k,y]
        TRANSPORT[y] = Σ_arcs transport · flow,   TARIFF[y] = Σ_arcs tariff · flow
        UNMET[y]    = Σ_{m,e} u[m,e,y],           SHORTFALL[y] = Σ_e s[e,y]
    """
    m, ds, net = b.model, b.dataset, b.network
    capex, fom, opex, salv = (defaultdict(list) for _ in range(4))
    for (n, k, y) in net.builds:
        f, bloc = ds.facilities[(n, k)], ds.nodes[n]
        capex[(bloc, y)].append(f.capex_usd_per_tpa * MONEY * m.build[n, k, y])
        if net.salvage[(n, k, y)] > 0:
            salv[bloc].append(f.capex_usd_per_tpa * net.salvage[(n, k, y)] * MONEY * m.build[n, k, y])
    for (n, k, y) in m.q.index_set():
        f, bloc = ds.facilities[(n, k)], ds.nodes[n]
        if f.fixed_om_usd_per_tpa_yr:
            fom[(bloc, y)].append(f.fixed_om_usd_per_tpa_yr * MONEY * m.cap[n, k, y])
        if f.opex_usd_per_t and (n, k, y) in m.has_throughput:
            opex[(bloc, y)].append(f.opex_usd_per_t * MONEY * m.q[n, k, y])
    transport, tariff = defaultdict(list), defaultdict(list)
    for arcs, var in ((net.bundle_arcs, m.g), (net.element_arcs, m.h)):
        for key, (cost, duty) in arcs.items():
            y = key[-1]
            if cost:
                transport[y].append(cost * MONEY * var[key])
            if duty:
                tariff[y].append(duty * MONEY * var[key])
    unmet = defaultdict(list)
    for (c, e, y) in m.u:
        unmet[y].append(m.u[c, e, y])
    shortfall = defaultdict(list)
    for (e, y) in m.s:
        shortfall[y].append(m.s[e, y])

    by_bloc_year = [(bl, y) for bl in m.B for y in m.Y]
    for name, terms, index in (("CAPEX", capex, by_bloc_year), ("FOM", fom, by_bloc_year),
                               ("OPEX", opex, by_bloc_year), ("SALV", salv, list(m.B)),
                               ("TRANSPORT", transport, list(m.Y)), ("TARIFF", tariff, list(m.Y)),
                               ("UNMET", unmet, list(m.Y)), ("SHORTFALL", shortfall, list(m.Y))):
        var = pyo.Var(index, within=pyo.Reals)
        m.add_component(name, var)
        rows = {k: var[k] == quicksum(terms.get(k, []))
                for k in index}
        m.add_component(f"define_{name}", _constraint(rows))


def add_objective(b) -> None:
    """Minimise discounted total cost (model.md, Objective).

        Σ_y df_y · [ Σ_b φ_b·( cf_b·CAPEX[b,y] + FOM[b,y] + of_b·OPEX[b,y] )
                   + TRANSPORT[y] + TARIFF[y]
                   + unmet_penalty · UNMET[y] + shortfall_penalty · SHORTFALL[y] ]
        − df_yN · Σ_b φ_b · cf_b · SALV[b]

    with df_y = (1 + r)^−(y − y0), φ_b = restricted_cost_factor for restricted
    blocs (else 1), cf_b / of_b the scenario capex / opex factors.
    """
    m = b.model
    phi = m.cost_factor
    m.capex_cost = pyo.Expression(m.Y, rule=lambda _, y: quicksum(
        phi[bl] * m.capex_factor[bl] * m.CAPEX[bl, y] for bl in m.B))
    m.fixed_om_cost = pyo.Expression(m.Y, rule=lambda _, y: quicksum(phi[bl] * m.FOM[bl, y] for bl in m.B))
    m.opex_cost = pyo.Expression(m.Y, rule=lambda _, y: quicksum(
        phi[bl] * m.opex_factor[bl] * m.OPEX[bl, y] for bl in m.B))
    m.transport_cost = pyo.Expression(m.Y, rule=lambda _, y: m.TRANSPORT[y])
    m.tariff_cost = pyo.Expression(m.Y, rule=lambda _, y: m.TARIFF[y])
    m.unmet_cost = pyo.Expression(m.Y, rule=lambda _, y: m.unmet_penalty * m.UNMET[y])
    m.shortfall_cost = pyo.Expression(m.Y, rule=lambda _, y: m.shortfall_penalty * m.SHORTFALL[y])
    m.salvage_value = pyo.Expression(expr=quicksum(phi[bl] * m.capex_factor[bl] * m.SALV[bl] for bl in m.B))
    last = m.Y.last()
    m.objective = pyo.Objective(expr=quicksum(
        m.discount[y] * (m.capex_cost[y] + m.fixed_om_cost[y] + m.opex_cost[y] + m.transport_cost[y]
                         + m.tariff_cost[y] + m.unmet_cost[y] + m.shortfall_cost[y]) for y in m.Y)
        - m.discount[last] * m.salvage_value, sense=pyo.minimize)
