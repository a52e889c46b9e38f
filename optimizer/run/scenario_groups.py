"""Scenarios in groups (world costs, world supply and demand, policy) and under the requirement.

A scenario's group follows from the keys it changes (`KEY_GROUPS`, one row per settings column of the
schema, `demand_factor` and every key prefix); a scenario whose keys fall in more than one group is
`mixed`. Under the requirement (`require_from` = Y) a case is solved again with
max_restricted_share = 0 and independence_year = Y after its own rows; a case whose own rows already
ask for clean supply (α < 1) is shown once, with its premium over itself at α = 1.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from ..base.errors import InputError, Issue
from ..models.dataset import Dataset
from ..models.figures import shortfall_price_label
from ..models.solution import Solution
from ..workbook.cases import Case, Overrides
from ..workbook.keys import split_key
from ..workbook.validate import Workbook

GROUPS = {
    "world_costs": "world costs: cost factors, capex, opex, transport, discounting, penalties",
    "world_supply": "world supply and demand: capacities, ramp-up, floors, demand level, recipes, horizon",
    "policy": "policy: requirement, definition of clean, blocs, budgets, trade rules, stockpiles",
    "mixed": "mixed: rows of more than one group",
}
COSTS, SUPPLY, POLICY = "world_costs", "world_supply", "policy"
KEY_GROUPS = {
    "first_year": SUPPLY,
    "last_year": SUPPLY,
    "discount_rate": COSTS,
    "max_restricted_share": POLICY,
    "independence_year": POLICY,
    "restricted_blocs": POLICY,
    "clean_by": POLICY,
    "allied_only_stages": POLICY,
    "protected_blocs": POLICY,
    "budget_blocs": POLICY,
    "budget_usd": POLICY,
    "annual_budget_usd": POLICY,
    "restricted_cost_factor": COSTS,
    "unmet_penalty_usd_per_t": COSTS,
    "shortfall_penalty_usd_per_t": COSTS,
    "shortfall_at_any_price": COSTS,
    "default_transport_usd_per_t": COSTS,
    "cost_advantage_blocs": COSTS,
    "ramp_up": SUPPLY,
    "must_run_until_year": SUPPLY,
    "demand_factor": SUPPLY,
    "capex_factor": COSTS,
    "opex_factor": COSTS,
    "capacity_factor": SUPPLY,
    "bloc": POLICY,
    "ban": POLICY,
    "embargo": POLICY,
    "max_share": SUPPLY,
    "max_t": POLICY,
    "initial_t": POLICY,
}
REQUIRED_COLUMNS = [
    "requirement",
    "required_status",
    "required_reason",
    "required_system_cost_usd",
    "required_premium_usd",
    "required_unmet_t",
    "required_shortfall_t",
    "required_shortfall_priced",
    "required_clean_share_min",
]


def group_of(wb: Workbook, name: str | None) -> str:
    """The group of a scenario's rows (trade rules and bloc budgets of its own are policy); the base
    case is in every group."""
    if name is None:
        return ""
    found = {KEY_GROUPS.get(split_key(key)[0], POLICY) for key, _, _ in wb.scenarios.get(name, [])}
    if any(scope == name for scope, _ in (*wb.trade_rules, *wb.bloc_budgets)):
        found.add(POLICY)
    return found.pop() if len(found) == 1 else "mixed" if found else POLICY


def check_year(ds: Dataset, year: int) -> None:
    """The requirement's year lies in the horizon, else an InputError on `--require-from`."""
    first, last = ds.settings.first_year, ds.settings.last_year
    if not first <= year <= last:
        raise InputError([Issue("--require-from", f"a year from {first} to {last}", str(year))])


def required(overrides: Overrides, year: int, ds: Dataset) -> Overrides:
    """The overrides of a case under the requirement: clean supply from `year`, after its own rows (the
    year left out where the case has it already, so that the case keeps its structure: run.warm)."""
    year_row: Overrides = () if ds.settings.first_independence_year == year else (("independence_year", str(year)),)
    return (*overrides, ("max_restricted_share", "0"), *year_row)


def unconstrained(overrides: Overrides) -> Overrides:
    return (*overrides, ("max_restricted_share", "1"))


def own_requirement(ds: Dataset) -> bool:
    """Does the case already ask for clean supply (its rows or the settings give α < 1)?"""
    return ds.settings.max_restricted_share < 1


def requirement_cases(datasets: dict[str | None, Dataset], overrides: Overrides, year: int) -> list[Case]:
    """(scenario, overrides) of the extra case each case needs under the requirement: the case from
    `year`, or, when it asks for clean supply itself, the case unconstrained (its premium's base)."""
    return [
        (name, unconstrained(overrides) if own_requirement(ds) else required(overrides, year, ds))
        for name, ds in datasets.items()
    ]


def clean_share_min(result: Solution, year: int) -> float | None:
    """The lowest clean share of protected need over every element and year from `year` (years
    without need left out)."""
    shares = [
        share
        for by_year in result.summary.get("clean_share", {}).values()
        for y, share in by_year.items()
        if int(y) >= year and share is not None
    ]
    return min(shares) if shares else None


def required_figures(case: Solution, extra: Solution, ds: Dataset, year: int) -> dict[str, Any]:
    """The requirement columns of one case: `extra` is the case under the requirement, or (when the case
    asks for clean supply itself) the case unconstrained."""
    if own_requirement(ds):
        s = ds.settings
        said = f"its own: {1 - s.max_restricted_share:.0%} clean from {s.first_independence_year}, shown once"
        row: dict[str, Any] = {"requirement": said + " (the case's own figures)"}
        if case.optimal and extra.optimal:
            row["required_premium_usd"] = case.summary["system_cost_usd"] - extra.summary["system_cost_usd"]
            row["required_clean_share_min"] = clean_share_min(case, s.first_independence_year)
        elif not extra.optimal:
            row |= {"required_status": extra.status.value, "required_reason": f"unconstrained: {extra.message}"}
        return row
    row = {"requirement": f"clean from {year}", "required_status": extra.status.value}
    if not extra.optimal:
        return row | {"required_reason": extra.message}
    row |= {
        "required_system_cost_usd": extra.summary["system_cost_usd"],
        "required_unmet_t": extra.summary["unmet_t"],
        "required_shortfall_t": extra.summary["shortfall_t"],
        "required_shortfall_priced": shortfall_price_label(extra.summary),
        "required_clean_share_min": clean_share_min(extra, year),
    }
    if case.optimal:
        row["required_premium_usd"] = extra.summary["system_cost_usd"] - case.summary["system_cost_usd"]
    return row


def in_order(table: pd.DataFrame) -> pd.DataFrame:
    """The base first, then each group in GROUPS' order, within a group the largest change of system
    cost against the base first and the cases that did not solve last."""
    order = {g: i for i, g in enumerate(GROUPS)}
    rank = table["group"].map(lambda g: -1 if g == "" else order[g])
    size = -pd.to_numeric(table["system_cost_vs_base_usd"], errors="coerce")
    keys = pd.DataFrame({"rank": rank, "size": size})
    return table.loc[keys.sort_values(["rank", "size"], na_position="last", kind="stable").index].reset_index(drop=True)


def group_sheets(table: pd.DataFrame, prefix: str = "") -> dict[str, pd.DataFrame]:
    """One table per group that has scenarios (`prefix` + group), each with the base case first; the base
    alone (`sheet_names`) when there is no scenario."""
    base = table[table["group"] == ""]
    groups = [g for g in GROUPS if (table["group"] == g).any()]
    if not groups:
        return {_alone(prefix): base.drop(columns="group").reset_index(drop=True)}
    return {
        prefix + g: pd.concat([base, table[table["group"] == g]]).drop(columns="group").reset_index(drop=True)
        for g in groups
    }


def _alone(prefix: str) -> str:
    return prefix.rstrip("_") or "scenarios"


def sheet_names(wb: Workbook, prefix: str = "") -> list[str]:
    """The sheets `group_sheets` makes of the workbook's scenarios, in GROUPS' order."""
    found = {group_of(wb, name) for name in wb.scenario_names}
    return [prefix + g for g in GROUPS if g in found] or [_alone(prefix)]


def failures(table: pd.DataFrame) -> int:
    """Solves that did not succeed: the cases' and (when shown) those under the requirement."""
    failed = int((table["status"] != "optimal").sum())
    if "required_status" in table:
        failed += int((table["required_status"].dropna() != "optimal").sum())
    return failed


def titles(sheets: Iterable[str], prefix: str = "") -> dict[str, str]:
    """Each group sheet's group in words (`world costs`), for its chart's title."""
    return {sheet: GROUPS[sheet.removeprefix(prefix)] for sheet in sheets if sheet.removeprefix(prefix) in GROUPS}
