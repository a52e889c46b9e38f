"""The rich terminal summary of one solve."""

from __future__ import annotations

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..models.solution import Solution, shortfall_price_label
from .text import missing, plain, rich_text, usd


def key_years(years: list[str]) -> list[str]:
    if len(years) <= 5:
        return years
    picks = {years[0], years[-1]} | {y for y in years if int(y) % 5 == 0}
    return sorted(picks)


def print_summary(console: Console, result: Solution, man: dict) -> None:
    s = result.summary
    colour = "green" if result.optimal else "red"
    scenario = plain(man.get("scenario") or "base")
    console.print(
        Text.assemble(
            (plain(man["input"]), "bold"),
            f" scenario={scenario} status=",
            (s["status"], colour),
            f" build {s['build_seconds']:.2f} s, solve {s['solve_seconds']:.2f} s",
        )
    )
    if not result.optimal:
        return
    _print_costs(console, result)
    _print_builds(console, result)
    _print_clean_shares(console, result)
    _print_marginal_supply_cost(console, result)
    _print_unmet_and_budget(console, result)


def _print_costs(console: Console, result: Solution) -> None:
    s = result.summary
    costs = Table(title="Cost (USD)", title_justify="left")
    costs.add_column("component")
    costs.add_column("discounted", justify="right")
    costs.add_column("undiscounted", justify="right")
    for part, v in s["costs_usd"].items():
        costs.add_row(rich_text(part), usd(v["discounted"]), usd(v["undiscounted"]))
    costs.add_row("[bold]system cost[/]", f"[bold]{usd(s['system_cost_usd'])}[/]", "")
    costs.add_row("objective", usd(s["objective_usd"]), "")
    console.print(costs)


def _print_builds(console: Console, result: Solution) -> None:
    s = result.summary
    builds = result.tables["builds"]
    if len(builds):
        pivot = builds.pivot_table(index="bloc", columns="stage", values="capex_usd", aggfunc="sum", fill_value=0)
        pivot = pivot[[stage for stage in s["stages"] if stage in pivot.columns]]  # chain order
        t = Table(
            title=f"Capex by bloc and stage (nominal; total {usd(s['capex_usd'])}, budget nodes "
            f"{usd(s['budget_capex_usd'])}, protected-bloc nodes {usd(s['protected_capex_usd'])})",
            title_justify="left",
        )
        t.add_column("bloc")
        for c in pivot.columns:
            t.add_column(rich_text(c), justify="right")
        for bloc, row in pivot.iterrows():
            t.add_row(rich_text(bloc), *(usd(v) for v in row))
        console.print(t)
    else:
        console.print("No new capacity is built.")


def _print_clean_shares(console: Console, result: Solution) -> None:
    s = result.summary
    shares = s["clean_share"]
    if shares:
        years = key_years(sorted({y for v in shares.values() for y in v}))
        t = Table(title="Clean share of protected demand", title_justify="left")
        t.add_column("element")
        for y in years:
            t.add_column(rich_text(y), justify="right")
        for e, by_year in shares.items():
            t.add_row(rich_text(e), *("-" if by_year.get(y) is None else f"{by_year[y]:.0%}" for y in years))
        console.print(t)


def _print_marginal_supply_cost(console: Console, result: Solution) -> None:
    """USD per kg of protected demand in the independence year and the last year; `*` where not unique."""
    by_element = result.summary.get("marginal_supply_cost_usd_per_kg") or {}
    table = result.tables.get("marginal_supply_cost")
    if not by_element or table is None:
        return
    years = sorted({y for v in by_element.values() for y in v}, key=int)
    first = str(result.summary.get("independence_year"))
    picks = sorted({first if first in years else years[0], years[-1]}, key=int)
    means = table[table["node"].isna()]
    open_ = {
        (e, str(y)) for e, y in means.loc[~means["unique"].astype(bool), ["element", "year"]].itertuples(index=False)
    }
    t = Table(title="Marginal supply cost (USD/kg, undiscounted)", title_justify="left")
    t.add_column("element")
    for y in picks:
        t.add_column(rich_text(y), justify="right")
    for e, by_year in by_element.items():
        cells = [
            "-" if by_year.get(y) is None else _per_kg(by_year[y]) + ("*" if (e, y) in open_ else "") for y in picks
        ]
        t.add_row(rich_text(e), *cells)
    console.print(t)
    if open_ & {(e, y) for e in by_element for y in picks}:
        console.print("  * not unique: a capacity is exactly used up (one end of a range of valid values)")


def _per_kg(v: float) -> str:
    return f"{v:,.2f}" if abs(v) >= 1 else f"{v:.3g}"


def _print_unmet_and_budget(console: Console, result: Solution) -> None:
    s = result.summary
    unmet, short = s["unmet_t"], s["shortfall_t"]
    priced = shortfall_price_label(s)
    console.print(
        f"Unmet demand: [bold]{unmet:,.1f} t[/]   independence shortfall"
        f"{f' ({priced})' if priced else ''}: [bold]{short:,.1f} t[/]"
    )
    must_run = s.get("must_run_shortfall_t") or 0.0
    if must_run > 0:
        console.print(f"Must-run shortfall: [bold]{must_run:,.1f} t[/] below the floors of existing capacity")
    if unmet > 0:
        top = result.tables["unmet"].groupby(["node", "element"])["unmet_t"].sum().nlargest(5)
        for (node, element), t_ in top.items():
            console.print(rich_text(f"  unmet {plain(element)} at {plain(node)}: {t_:,.1f} t"), highlight=False)
    diagnosis = s.get("diagnosis")
    if diagnosis:
        console.print("[bold]Why:[/]")
        for line in diagnosis["findings"]:
            console.print(rich_text(f"  - {plain(line)}"), highlight=False)
    dual = s["budget_dual_usd_per_usd"]
    if dual is not None:
        binding = dual > 1e-9
        console.print(
            f"Budget: {'[bold]binds[/]' if binding else 'does not bind'}; shadow price "
            f"{dual:.4f} USD of system cost per extra USD"
        )


def stdout_console() -> Console:
    """The console for result tables: wide when piped to a file, so nothing is cut."""
    import sys

    return Console() if sys.stdout.isatty() else Console(width=240)


def print_frame(console: Console, frame, title: str = "") -> None:
    """A table of results in the terminal: money compact, shares as %, text shown as data, never markup."""
    t = Table(title=rich_text(title) if title else None, title_justify="left")
    for col in frame.columns:
        t.add_column(
            rich_text(col), justify="right" if pd.api.types.is_numeric_dtype(frame[col]) else "left", overflow="fold"
        )
    for row in frame.itertuples(index=False):
        t.add_row(*(terminal_cell(str(col), v) for col, v in zip(frame.columns, row, strict=True)))
    console.print(t)


def terminal_cell(col: str, v) -> str | Text:
    if missing(v):
        return "-"
    if isinstance(v, bool) or not isinstance(v, (int, float, np.number)):
        return rich_text(v)
    if "usd" in col and "per" not in col:
        return usd(float(v))
    if "share" in col:
        return f"{v:.1%}"
    if "year" in col or col.endswith("_from"):
        return f"{v:.0f}"
    return f"{v + 0.0:,.4g}" if isinstance(v, (float, np.floating)) else f"{v:,}"


def print_risk(console: Console, tables: dict[str, pd.DataFrame], price: str) -> None:
    """`rechain risk` in 80 columns: over all draws, the probability that every element meets each
    threshold by year with its 90 % Wilson interval; per condition class, P(fully met); the premium."""
    from .risk import ALL_DRAWS, by_year, everywhere, summary_text

    draws = tables["draws"]
    failed = int((draws["status"] != "optimal").sum()) if "status" in draws else 0
    console.print(
        f"{len(draws)} draws, {failed} did not solve (counted as not met) · 90% Wilson intervals · shortfall {price}"
    )
    thresholds = tables["thresholds"]
    _print_compact(console, by_year(thresholds, "", ALL_DRAWS), "P(every element meets the threshold), all draws")
    conditions = thresholds.loc[thresholds["condition"] != "", ["condition", "class"]].drop_duplicates()
    for condition, group in conditions.groupby("condition", sort=False):
        frame = pd.DataFrame(
            {name: by_year(thresholds, str(condition), name).set_index("year")["fully met"] for name in group["class"]}
        )
        _print_compact(console, frame.rename_axis("year").reset_index(), f"P(fully met) by class of {condition}")
    summary = summary_text(everywhere(tables["summary"]), "", ALL_DRAWS)
    premium = summary[summary["figure"] == "premium (USD)"]
    if len(premium):
        _print_compact(console, premium[["subset", "draws", "P10", "P50", "P90", "mean"]], "premium (USD)")
    for r in summary[summary["figure"].str.startswith("P(")].itertuples(index=False):
        console.print(f"{r.figure}: {r.mean} of {r.draws} solved draws ({r.subset})")


def _print_compact(console: Console, frame: pd.DataFrame, title: str) -> None:
    from rich import box

    t = Table(title=rich_text(title) if title else None, title_justify="left", box=box.SIMPLE, padding=(0, 1))
    for col in frame.columns:
        t.add_column(rich_text(col), justify="left" if col == "subset" else "right", no_wrap=True)
    for row in frame.itertuples(index=False):
        t.add_row(*(rich_text("" if missing(v) else f"{v:.0f}" if isinstance(v, float) else v) for v in row))
    console.print(t)
