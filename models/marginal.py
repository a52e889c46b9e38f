"""Marginal supply cost of protected demand (model.md, "What a solve reports (additions)").

A pure function of a solved built model and the solver's raw duals: no
solving, no I/O.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import pyomo.environ as pyo

from .constraints import need
from .dataset import MONEY
from .formulation import Built
from .variants import Variant

KG_PER_T = 1000.0


@dataclass(frozen=True)
class MarginalSupplyCost:
    """USD per kg, undiscounted: per (element, year) the need-weighted mean over
    protected consumers (the plain mean where their need is all 0), and per
    (consumer, element, year)."""

    by_element: dict[tuple[str, int], float]
    by_consumer: dict[tuple[str, str, int], float]


def _value(x: Any) -> float:
    return float(pyo.value(x, exception=False) or 0.0)


def marginal_supply_cost(built: Built, duals: dict[Any, float]) -> MarginalSupplyCost:
    """d(objective)/d(protected demand), per kg, undiscounted.

        msc[m,e,y] = ( λ_demand[m,e,y] + (1 − α) · λ_independence[e,y]  (+ λ_{v ≤ need}[m,e,y] if k̄ = 1) )
                     / df_y / MONEY / 1000

    `duals` maps constraint data to its dual as the solver returns it
    (models.highs.SolveOutcome.duals): Pyomo's convention, d(objective)/d(bound),
    objective in million USD (MONEY). A row that is absent or has no dual counts 0.
    Duals need not be unique where a capacity is exactly used up; this reads
    the solver's choice.
    """
    m, ds, net = built.model, built.dataset, built.network
    s = ds.settings
    protected = {n for n, bloc in ds.nodes.items() if bloc in s.protected_blocs}
    alpha = _value(m.alpha_var if built.variant is Variant.LEAST_ALPHA else m.alpha)
    independence = getattr(m, "independence", {})
    clean_cap = getattr(m, "clean_cap_demand", {})
    demand = getattr(m, "demand", {})
    by_consumer: dict[tuple[str, str, int], float] = {}
    weights: dict[tuple[str, int], list[tuple[float, float]]] = defaultdict(list)
    for c, e, y in net.demand_rows:
        if c not in protected:
            continue
        dual = duals.get(demand[c, e, y], 0.0) if (c, e, y) in demand else 0.0
        if (e, y) in independence:
            dual += (1 - alpha) * duals.get(independence[e, y], 0.0)
        if (c, e, y) in clean_cap:
            dual += duals.get(clean_cap[c, e, y], 0.0)
        usd_per_kg = dual / _value(m.discount[y]) / MONEY / KG_PER_T
        by_consumer[(c, e, y)] = usd_per_kg
        weights[(e, y)].append((_value(need(built, c, e, y)), usd_per_kg))
    by_element: dict[tuple[str, int], float] = {}
    for key, pairs in sorted(weights.items()):
        total = sum(w for w, _ in pairs)
        by_element[key] = sum(w * v for w, v in pairs) / total if total > 0 else sum(v for _, v in pairs) / len(pairs)
    return MarginalSupplyCost(by_element, by_consumer)
