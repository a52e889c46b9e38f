"""What a command shows beside its files: the terminal's columns of each table, the chart specs of sweep and
frontier, and the case a chart shows, in words."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..models.dataset import Dataset
from ..models.figures import keyed
from .tables import Chart

RISK_JSON = ("value", "thresholds", "summary", "probability_by_year", "earliest_year", "clean_share_fan")
COMPARE_SHOWN = 40  # rows of each changed table `compare` prints (the files and --json hold all)
SWEEP_SHOWN = ("status", "reason", "system_cost_usd", "capex_usd", "shortfall_t", "shortfall_priced", "unmet_t")
FRONTIER_SHOWN = (
    *("alpha", "budget_usd", "min_alpha", "status", "reason", "system_cost_usd", "premium_usd", "capex_usd"),
    *("restricted_cost_factor", "shortfall_t", "shortfall_priced", "unmet_t"),
)
SCENARIOS_SHOWN = (
    "scenario",
    "changes",
    "status",
    "reason",
    "system_cost_usd",
    "system_cost_vs_base_usd",
    "capex_usd",
    "protected_capex_usd",
    "unmet_t",
    "shortfall_t",
    "shortfall_priced",
    "requirement",
    "required_status",
    "required_reason",
    "required_premium_usd",
    "required_unmet_t",
    "required_shortfall_t",
    "required_shortfall_priced",
    "required_clean_share_min",
)


def sweep_columns(table: pd.DataFrame, params: list[str]) -> list[str]:
    """The terminal's sweep columns: the swept keys, the status, cost and shortfall (all of them are in the files)."""
    return [c for c in table.columns if c in params or c in SWEEP_SHOWN]


def frontier_columns(frame: pd.DataFrame) -> list[str]:
    """The terminal's frontier columns: the point, its status, cost and premium (all of them are in the files)."""
    per_kg = set(keyed(frame.columns, "premium_usd_per_kg").values())
    return [c for c in frame if c in FRONTIER_SHOWN or c in per_kg]


def scenarios_columns(frame: pd.DataFrame) -> list[str]:
    """The columns the terminal shows of a scenario table: SCENARIOS_SHOWN, reasons only where one is given."""
    return [c for c in SCENARIOS_SHOWN if c in frame and not (c.endswith("reason") and frame[c].isna().all())]


def records(tables: dict[str, pd.DataFrame], run: dict[str, Any]) -> dict[str, Any]:
    """--json of a multi-point command: every table as a list of rows, and the run (`complete`: all points
    done)."""
    return {name: frame.to_dict(orient="records") for name, frame in tables.items()} | {"run": run}


def risk_records(tables: dict[str, pd.DataFrame], run: dict[str, Any]) -> dict[str, Any]:
    """--json of `risk`: its summary tables (RISK_JSON) as lists of rows, and the run."""
    return {k: v.to_dict(orient="records") for k, v in tables.items() if k in RISK_JSON} | {"run": run}


def blocs(ds: Dataset) -> str:
    return " and ".join(sorted(ds.budget_blocs)) or "no"


def case_note(
    ds: Dataset, scenario: str | None, overrides: tuple[tuple[str, str], ...], swept: tuple[str, ...] = ()
) -> str:
    """The case a chart shows, in words: scenario, deadline, cost factor, discounting (what a chart
    varies itself, `swept`, is left to its axes and legend)."""
    s = ds.settings
    parts = {
        "scenario": f"scenario {scenario}" if scenario else "base case",
        "independence_year": f"requirement from {s.first_independence_year}",
        "restricted_cost_factor": f"restricted cost factor {s.restricted_cost_factor:g}",
        "discount_rate": f"discounted at {s.discount_rate:.1%} a year to {s.first_year}"
        if s.discount_rate
        else "undiscounted",
    }
    shown = [text for key, text in parts.items() if key not in swept]
    if s.budget_usd is not None or s.annual_budget_usd is not None or {"budget_usd", "annual_budget_usd"} & {*swept}:
        shown.append(f"budget of {blocs(ds)} capex")  # which capex a budget caps (docs/model.md, Readings decided)
    return " · ".join(shown + [f"{k}={v}" for k, v in overrides if k not in swept])


def sweep_charts(table: pd.DataFrame, params: list[str], note: str) -> list[Chart]:
    """System cost by the first swept key, a line per value of the second."""
    if "system_cost_usd" not in table:
        return []
    first, second = params[0], (params[1] if len(params) > 1 else None)
    return [
        Chart("sweep", first, "system_cost_usd", f"System cost by {first}", second, first, "system cost (USD)", note)
    ]


def frontier_charts(group: str | None, note: str, blocs: str = "") -> list[Chart]:
    return [
        Chart(
            "cost_of_independence",
            "clean_required_share",
            "premium_usd",
            "Cost of independence: premium over the unconstrained plan",
            group,
            "clean share of protected demand required (1 − α)",
            "premium (USD, system cost)",
            note,
        ),
        Chart(
            "budget_frontier",
            "budget_usd",
            "max_clean_share",
            "Independence a budget buys",
            group,
            f"budget (USD, nominal capex at {blocs} nodes)" if blocs else "budget (USD, nominal capex)",
            "largest clean share with no shortfall",
            note,
        ),
    ]
