"""Warnings about results that may mislead: poor solution quality, weak
penalties, discount factors spanning more than HiGHS's tolerances resolve."""

from __future__ import annotations

import math

import pyomo.environ as pyo

from models.dataset import Dataset

QUALITY_LIMIT = 1e-5
PENALTY_MARGIN = 10.0
PENALTY_FLOOR = 1e-3  # smallest discounted penalty (million USD per t) solved without scaling the objective
SPAN_LIMIT = 1e7  # largest ratio of discount factors over the years with demand


def quality_warnings(summary: dict) -> list[str]:
    """Advice about inaccuracy, for an optimum only (a stopped solve has no quality)."""
    if summary.get("status", "optimal") != "optimal":
        return []
    found = []
    for key in ("max_primal_infeasibility", "max_dual_infeasibility"):
        value = summary.get(key) or 0.0
        if value > QUALITY_LIMIT:
            found.append(f"HiGHS reports a {key.replace('_', ' ')} of {value:.2e} (above {QUALITY_LIMIT:g}): "
                         "the solution may be inaccurate; check for extreme coefficients in the workbook")
    return found


def unit_cost_ceiling(ds: Dataset) -> float:
    """A generous per-year cost of supplying one t of final product, in USD: capex
    spread over the shorter of lifetime and horizon, plus fixed O&M, opex,
    transport and tariffs, at the dearest facility of every stage."""
    s = ds.settings
    years = len(s.years)
    factor = max([1.0, s.restricted_cost_factor] + list(ds.capex_factor.values()) + list(ds.opex_factor.values()))
    transport = max([s.default_transport_usd_per_t] + [r.cost_usd_per_t for r in ds.routes])
    tariff = sum(r.tariff_usd_per_t for r in ds.trade_rules)
    total, scale = 0.0, 1.0
    for stage in reversed(ds.stages):
        if stage.order > 1:
            scale /= stage.yield_
        costs = [(f.capex_usd_per_tpa or 0.0) / min(f.lifetime_years, years) + f.fixed_om_usd_per_tpa_yr
                 + f.opex_usd_per_t
                 for (n, k), f in ds.facilities.items() if k == stage.order]
        total += scale * (factor * max(costs, default=0.0) + transport + tariff)
    return total


def penalty_warnings(ds: Dataset) -> list[str]:
    ceiling = unit_cost_ceiling(ds)
    found = []
    for key in ("unmet_penalty_usd_per_t", "shortfall_penalty_usd_per_t"):
        value = getattr(ds.settings, key)
        if value < PENALTY_MARGIN * ceiling:
            found.append(f"settings {key} = {value:,.0f} is not far above the cost of supplying a tonne (up to "
                         f"{ceiling:,.0f} USD/t): the optimum may prefer paying it to supplying; results would "
                         "then mislead")
    return found


def _demand_discounts(m) -> list[float]:
    return [pyo.value(m.discount[y]) for y in sorted({y for (_, _, y) in m.u})]


def objective_scale(m) -> int:
    """Power of two that lifts the smallest discounted penalty to about 1 when
    discounting pushes it towards HiGHS's tolerances (1e-7); 0 otherwise. Only
    for the cost objective; scaling never changes the optimal plan."""
    discounts = _demand_discounts(m)
    penalties = [p for p in (pyo.value(m.unmet_penalty), pyo.value(m.shortfall_penalty)) if p > 0]
    if not m.objective.active or not discounts or not penalties:
        return 0
    floor = min(discounts) * min(penalties)
    return 0 if floor >= PENALTY_FLOOR or floor <= 0 else min(64, math.ceil(math.log2(1 / floor)))


def unreliable(m) -> str | None:
    """Why HiGHS cannot be trusted with this objective, or None."""
    years = sorted({y for (_, _, y) in m.u})
    discounts = _demand_discounts(m)
    if not m.objective.active or not discounts:
        return None
    span = max(discounts) / min(discounts) if min(discounts) > 0 else math.inf
    if span <= SPAN_LIMIT:
        return None
    return (f"numerically unreliable: discount factors over the years with demand ({years[0]}-{years[-1]}) span "
            f"{span:.1e}, more than HiGHS's tolerances resolve ({SPAN_LIMIT:.0e}); a solve could report a wrong "
            "optimum. Shorten the horizon or lower discount_rate")
