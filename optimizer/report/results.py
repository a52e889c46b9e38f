"""The files of one solve: results.xlsx (every result table, native charts, the run manifest) and
summary.json, written as one set."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..models.figures import column, part_column, shortfall_price_label
from ..models.solution import Solution
from .capacity import SHEET, capacity_charts
from .tables import Chart, _excel_charts
from .writers import save_json, save_xlsx, write_files

if TYPE_CHECKING:
    import pandas as pd

RESULT_FILES = ("results.xlsx", "summary.json")
MEAN_ENDS = ("marginal_supply_cost_mean_low_usd_per_kg", "marginal_supply_cost_mean_high_usd_per_kg")
RESULT_SHEETS = (
    "diagnosis",
    "costs",
    "capacity",
    "capacity_by_bloc",
    "builds",
    "throughput",
    "flows",
    "unmet",
    "independence",
    "clean_share",
    "duals",
    "binding_capacity",
    "marginal_supply_cost",
    "circuits",
    "stocks",
    "recipe_mix",
    "must_run",
)


def summary_table(result: Solution, man: dict[str, Any]) -> pd.DataFrame:
    import pandas as pd

    rows = [(k, v) for k, v in result.summary.items() if not isinstance(v, dict)]
    rows += [("shortfall_priced", shortfall_price_label(result.summary))]
    fig = result.figures
    if fig is not None:
        rows += [
            (part_column(part, kind), getattr(cost, kind))
            for part, cost in fig.costs_usd.items()
            for kind in ("discounted", "undiscounted")
        ]
        rows += [(column("clean_premium_usd_per_t", e), v) for e, v in (fig.clean_premium_usd_per_t or {}).items()]
        means = fig.marginal_supply_cost_mean_usd_per_kg
        rows += [(column("marginal_supply_cost_mean_usd_per_kg", e), v) for e, v in means.items()]
        rows += [  # where not unique: its ends (blank: no finite end)
            (column(name, e), v)
            for e, ends in fig.marginal_supply_cost_mean_range_usd_per_kg.items()
            for name, v in zip(MEAN_ENDS, ends, strict=True)
        ]
    return pd.DataFrame(
        [(k, v if isinstance(v, (int, float, str)) or v is None else str(v)) for k, v in rows],
        columns=["item", "value"],
    )


def run_table(man: dict[str, Any]) -> pd.DataFrame:
    import pandas as pd

    flat = []
    for k, v in man.items():
        if isinstance(v, dict):
            flat += [(f"{k}.{kk}", str(vv)) for kk, vv in v.items()]
        else:
            flat.append((k, "; ".join(v) if isinstance(v, list) else v))
    return pd.DataFrame(flat, columns=["item", "value"])


RESULT_CHARTS = (  # capacity_by_bloc: one chart per stage (capacity.capacity_charts)
    Chart(
        "clean_share",
        "year",
        "clean_share",
        "Clean share of protected demand by element",
        "element",
        "year",
        "clean share of protected demand",
    ),
)


def result_charts(sheets: dict[str, pd.DataFrame]) -> Callable[[Any], None]:
    """Adds the native charts: capacity by stage (small multiples), then the clean share."""

    def add(book: Any) -> None:
        panels = capacity_charts(book, sheets[SHEET]) if SHEET in sheets else 0
        _excel_charts([c for c in RESULT_CHARTS if c.sheet in sheets], sheets, first=panels + 1)(book)

    return add


def write_results(out: Path, result: Solution, man: dict[str, Any]) -> None:
    sheets = {"summary": summary_table(result, man)}
    sheets.update({name: result.tables[name] for name in RESULT_SHEETS if name in result.tables})
    if "independence" in sheets:  # its shortfall_t, with how it was priced
        sheets["independence"] = sheets["independence"].assign(shortfall_priced=shortfall_price_label(result.summary))
    sheets["run"] = run_table(man)
    xlsx, summary = (out / name for name in RESULT_FILES)
    write_files(
        {
            xlsx: lambda tmp: save_xlsx(tmp, sheets, result_charts(sheets)),
            summary: lambda tmp: save_json(tmp, result.summary | {"run": man}),
        }
    )
