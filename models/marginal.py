"""Marginal supply cost of protected demand (model.md, "What a solve reports (additions)").

A pure function of a solved built model and the solver's raw duals: no
solving, no I/O.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pyomo.environ as pyo

from .constraints import need
from .dataset import MONEY
from .formulation import Built
from .highs import Probe
from .ranging import one_sided, probed, same
from .variants import Variant

KG_PER_T = 1000.0


@dataclass(frozen=True)
class MarginalSupplyCost:
    """USD per kg, undiscounted: per (element, year) the need-weighted mean over
    protected consumers (the plain mean where their need is all 0), and per
    (consumer, element, year). `ranges` holds, per (element, year) whose rows were not strictly
    inside their basis-stable interval, the one-sided derivatives (low, high) (models.ranging: −inf /
    +inf where a side has no finite end, nan where it could not be measured); `not_unique` the
    (element, year) whose low and high differ: every value between them is a valid marginal cost."""

    by_element: dict[tuple[str, int], float]
    by_consumer: dict[tuple[str, str, int], float]
    ranges: dict[tuple[str, int], tuple[float, float]] = field(default_factory=dict)
    not_unique: frozenset[tuple[str, int]] = frozenset()
    payment: dict[int, float] = field(default_factory=dict)  # year -> Σ need · msc, USD undiscounted

    def payment_usd(self, discount: dict[int, float]) -> dict[str, float]:
        """What protected consumers would pay for their need at marginal supply cost, over the
        horizon: undiscounted and discounted with `discount` (year -> factor)."""
        return {
            "discounted": sum(v * discount[y] for y, v in self.payment.items()),
            "undiscounted": sum(self.payment.values()),
        }


def _value(x: Any) -> float:
    return float(pyo.value(x, exception=False) or 0.0)


def relaxation_value(con: Any, raw: dict[Any, float]) -> float:
    """Objective saved by relaxing an inequality row by one unit (model units), whichever way Pyomo
    wrote it: `lower ≤ body` (a requirement with a constant side) or `body ≤ upper` (a limit, or a
    requirement with variables on both sides, as `need − supply ≤ 0`). For an equality, the change
    of the objective when its right-hand side (need, written second) rises by one."""
    value = raw.get(con, 0.0)
    return -value if con.has_ub() and not con.has_lb() else value


def marginal_supply_cost(built: Built, duals: dict[Any, float], probe: Probe | None = None) -> MarginalSupplyCost:
    """d(objective)/d(protected demand), per kg, undiscounted.

        msc[m,e,y] = ( λ_demand[m,e,y] + (1 − α) · λ_independence[e,y]  (+ λ_{v ≤ need}[m,e,y] if k̄ = 1) )

    λ_independence is d(objective)/d(required clean supply) whichever way Pyomo wrote the row
    (relaxation_value: with recipes, need has variables and the row is written `need − supply ≤ 0`).
                     / df_y / MONEY / 1000

    `duals` maps constraint data to its dual as the solver returns it
    (models.highs.SolveOutcome.duals): Pyomo's convention, d(objective)/d(bound),
    objective in million USD (MONEY). A row that is absent or has no dual counts 0.
    Duals need not be unique where a capacity is exactly used up; this reads
    the solver's choice, and with `probe` (the solved LP) measures the one-sided
    derivatives where ranging cannot show them equal (models.ranging), in the same units.
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
    payment: defaultdict[int, float] = defaultdict(float)
    for c, e, y in net.demand_rows:
        if c not in protected:
            continue
        dual = duals.get(demand[c, e, y], 0.0) if (c, e, y) in demand else 0.0
        if (e, y) in independence:
            dual += (1 - alpha) * relaxation_value(independence[e, y], duals)
        if (c, e, y) in clean_cap:
            dual += duals.get(clean_cap[c, e, y], 0.0)
        usd_per_kg = dual / _value(m.discount[y]) / MONEY / KG_PER_T
        by_consumer[(c, e, y)] = usd_per_kg
        amount = _value(need(built, c, e, y))
        weights[(e, y)].append((amount, usd_per_kg))
        payment[y] += amount * KG_PER_T * usd_per_kg
    by_element: dict[tuple[str, int], float] = {}
    for key, pairs in sorted(weights.items()):
        total = sum(w for w, _ in pairs)
        by_element[key] = sum(w * v for w, v in pairs) / total if total > 0 else sum(v for _, v in pairs) / len(pairs)
    sides = one_sided(built, probe, sorted(by_element)) if probe is not None and probed(built) else {}
    ranges = {key: (low / _per_kg(built, key[1]), high / _per_kg(built, key[1])) for key, (low, high) in sides.items()}
    not_unique = frozenset(key for key, (low, high) in sides.items() if not same(low, high))
    return MarginalSupplyCost(by_element, by_consumer, ranges, not_unique, dict(payment))


def _per_kg(built: Built, y: int) -> float:
    """Objective units per t of year y in undiscounted USD per kg."""
    return _value(built.model.discount[y]) * MONEY * KG_PER_T
