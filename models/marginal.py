"""Marginal supply cost of protected demand (model.md, "What a solve reports (additions)").

A pure function of a solved built model and the solver's raw duals: no
solving, no I/O.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pyomo.environ as pyo
from pyomo.core.expr.visitor import identify_variables

from .constraints import need
from .dataset import MONEY
from .formulation import Built
from .variants import Variant

KG_PER_T = 1000.0
USED = 1e-6  # t: a row with a variable above this is in use
TIGHT = 1e-7  # slack at most this share of the row's size: exactly used up
ZERO_DUAL = 1e-9  # million USD per unit (0.001 USD): a dual this small is 0
CEILINGS = ("capacity", "availability", "circuit_capacity", "stock_max", "recipe_share", "budget_annual")
YEARLESS = ("max_capacity", "circuit_max_capacity", "budget_total", "budget_bloc")


@dataclass(frozen=True)
class MarginalSupplyCost:
    """USD per kg, undiscounted: per (element, year) the need-weighted mean over
    protected consumers (the plain mean where their need is all 0), and per
    (consumer, element, year). `not_unique` holds the (element, year) whose
    value is one end of an interval of valid values (see `degenerate_marks`)."""

    by_element: dict[tuple[str, int], float]
    by_consumer: dict[tuple[str, str, int], float]
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


def marginal_supply_cost(built: Built, duals: dict[Any, float], marks: bool = True) -> MarginalSupplyCost:
    """d(objective)/d(protected demand), per kg, undiscounted.

        msc[m,e,y] = ( λ_demand[m,e,y] + (1 − α) · λ_independence[e,y]  (+ λ_{v ≤ need}[m,e,y] if k̄ = 1) )

    λ_independence is d(objective)/d(required clean supply) whichever way Pyomo wrote the row
    (relaxation_value: with recipes, need has variables and the row is written `need − supply ≤ 0`).
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
    found = degenerate_marks(built, duals) if marks else set()
    not_unique = frozenset((e, y) for e, y in by_element if found & {(e, y), (e, None), (None, y), (None, None)})
    return MarginalSupplyCost(by_element, by_consumer, not_unique, dict(payment))


Mark = tuple[str | None, int | None]  # (element, year); None = every element or every year


def _marks(built: Built, name: str, index: Any) -> list[Mark]:
    """The (element, year) a ceiling row concerns."""
    year = None if name in YEARLESS else index[-1] if isinstance(index, tuple) else index
    if name in ("circuit_capacity", "circuit_max_capacity", "stock_max"):
        return [(index[1], year)]
    if name == "recipe_share":
        return [(e, year) for e in built.dataset.recipes[index[1]][index[2]].t_per_t]
    return [(None, year)]


def degenerate_marks(built: Built, duals: dict[Any, float]) -> set[Mark]:
    """Where the solver sits on a capacity exactly used up with a zero dual.

    A ceiling row (capacity, availability, circuit, stockpile, recipe share, budgets) that is
    in use, has no slack and has a zero dual marks a degenerate vertex: the solver priced the
    margin as if the ceiling were loose, while a dual up to the next supplier's cost is as
    valid. Capacity serves every year after its build, so the other years in which the same
    row (facility, circuit, ...) is exactly used up are marked too. A yearless ceiling
    (max_tpa, budget_usd) marks every year. A zero flow at a zero reduced cost (the solver at
    the other end of the interval) is not seen.
    """
    m = built.model
    marks: set[Mark] = set()
    for name in CEILINGS + YEARLESS:
        component = m.component(name)
        if component is None:
            continue
        tight: defaultdict[Any, list[Any]] = defaultdict(list)  # the row without its year -> indexes used up
        degenerate = set()
        for index, con in component.items():
            if _exactly_used_up(con):
                group = index[:-1] if isinstance(index, tuple) and name in CEILINGS else index
                tight[group].append(index)
                if abs(duals.get(con, 0.0)) <= ZERO_DUAL:
                    degenerate.add(group)
        for group in degenerate:
            for index in tight[group]:
                marks.update(_marks(built, name, index))
    return marks


def _exactly_used_up(con: Any) -> bool:
    values = [abs(_value(v)) for v in identify_variables(con.body, include_fixed=False)]
    if not values or max(values) <= USED:
        return False
    body, bound = _value(con.body), con.upper if con.has_ub() else con.lower
    limit = _value(bound)
    return abs(limit - body) <= TIGHT * max(1.0, abs(limit), max(values))
