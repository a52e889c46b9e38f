"""Warnings about results that may mislead: poor solution quality, weak penalties."""

from __future__ import annotations

from typing import Any

from ..models.dataset import Dataset

QUALITY_LIMIT = 1e-5
PENALTY_MARGIN = 10.0


def quality_warnings(summary: dict[str, Any]) -> list[str]:
    """Advice about inaccuracy, for an optimum only (a stopped solve has no quality)."""
    if summary.get("status", "optimal") != "optimal":
        return []
    found = []
    for key in ("max_primal_infeasibility", "max_dual_infeasibility"):
        value = summary.get(key) or 0.0
        if value > QUALITY_LIMIT:
            found.append(
                f"HiGHS reports a {key.replace('_', ' ')} of {value:.2e} (above {QUALITY_LIMIT:g}): "
                "the solution may be inaccurate; check for extreme coefficients in the workbook"
            )
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
        costs = [
            (f.capex_usd_per_tpa or 0.0) / min(f.lifetime_years, years) + f.fixed_om_usd_per_tpa_yr + f.opex_usd_per_t
            for (n, k), f in ds.facilities.items()
            if k == stage.order
        ]
        total += scale * (factor * max(costs, default=0.0) + transport + tariff)
    return total


def penalty_warnings(ds: Dataset) -> list[str]:
    ceiling = unit_cost_ceiling(ds)
    found = []
    for key in ("unmet_penalty_usd_per_t", "shortfall_penalty_usd_per_t"):
        value = getattr(ds.settings, key)
        if value < PENALTY_MARGIN * ceiling:
            found.append(
                f"settings {key} = {value:,.0f} is not far above the cost of supplying a tonne (up to "
                f"{ceiling:,.0f} USD/t): the optimum may prefer paying it to supplying; results would "
                "then mislead"
            )
    return found
