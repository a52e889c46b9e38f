"""The rich terminal summary of one solve."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..models.figures import shortfall_price_label
from ..models.solution import Solution
from .text import MINUS, missing, plain, rich_text, usd


def key_years(years: list[int]) -> list[int]:
    if len(years) <= 5:
        return years
    picks = {years[0], years[-1]} | {y for y in years if y % 5 == 0}
    return sorted(picks)


def print_summary(console: Console, result: Solution, man: dict[str, Any]) -> None:
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


def _titled(console: Console, title: str, table: Table) -> None:
    """A table under its title: the title wraps at the console's width, never at the table's."""
    console.print(rich_text(title), style="italic", highlight=False)
    console.print(table)


def _print_costs(console: Console, result: Solution) -> None:
    s = result.summary
    costs = Table()
    costs.add_column("component")
    costs.add_column("discounted", justify="right")
    costs.add_column("undiscounted", justify="right")
    parts = s["costs_usd"]
    money = money_formatter([s["system_cost_usd"], s["objective_usd"], 0.0, *(v[k] for v in parts.values() for k in v)])
    for part, v in parts.items():
        costs.add_row(rich_text(part), money(v["discounted"]), money(v["undiscounted"]))
    costs.add_row("[bold]system cost[/]", f"[bold]{money(s['system_cost_usd'])}[/]", "")
    costs.add_row("objective", money(s["objective_usd"]), "")
    _titled(console, "Cost (USD)", costs)


def _print_builds(console: Console, result: Solution) -> None:
    s = result.summary
    builds = result.tables["builds"]
    if len(builds):
        pivot = builds.pivot_table(index="bloc", columns="stage", values="capex_usd", aggfunc="sum", fill_value=0)
        pivot = pivot[[stage for stage in s["stages"] if stage in pivot.columns]]  # chain order
        title = (
            f"Capex by bloc and stage (nominal; total {usd(s['capex_usd'])}, budget nodes "
            f"{usd(s['budget_capex_usd'])}, protected-bloc nodes {usd(s['protected_capex_usd'])})"
        )
        money = money_formatter([0.0, *pivot.to_numpy().ravel()])
        names = ["bloc", *map(str, pivot.columns)]
        cells: Sequence[Sequence[str | Text]] = [
            [rich_text(b) for b in pivot.index],
            *([money(v) for v in pivot[c]] for c in pivot.columns),
        ]
        print_parts(console, title, names, cells, [False] + [True] * len(pivot.columns))
    else:
        console.print("No new capacity is built.")


def _print_clean_shares(console: Console, result: Solution) -> None:
    assert result.figures is not None
    shares = result.figures.by_year("clean_share")
    if shares:
        years = key_years(sorted({y for v in shares.values() for y in v}))
        t = Table()
        t.add_column("element")
        for y in years:
            t.add_column(rich_text(str(y)), justify="right")
        for e, by_year in shares.items():
            t.add_row(rich_text(e), *("-" if by_year.get(y) is None else f"{by_year[y]:.0%}" for y in years))
        _titled(console, "Clean share of protected demand", t)


def _print_marginal_supply_cost(console: Console, result: Solution) -> None:
    """USD per kg of protected demand in the independence year and the last year; `low–high` where not unique."""
    assert result.figures is not None
    by_element = result.figures.by_year("marginal_supply_cost_usd_per_kg")
    ranges = result.figures.marginal_supply_cost_range_usd_per_kg
    if not by_element:
        return
    years = sorted({y for v in by_element.values() for y in v})
    first = result.figures.independence_year
    picks = sorted({first if first in years else years[0], years[-1]})
    t = Table()
    t.add_column("element")
    for y in picks:
        t.add_column(rich_text(str(y)), justify="right")
    places = {y: max(2, decimals([v[y] for v in by_element.values() if v.get(y) is not None])) for y in picks}
    shown = False
    for e, by_year in by_element.items():
        cells = []
        for y in picks:
            ends = ranges.get((e, y))
            shown |= ends is not None
            cells.append("-" if by_year.get(y) is None else _msc_cell(by_year[y], ends, places[y]))
        t.add_row(rich_text(e), *cells)
    _titled(console, "Marginal supply cost (USD/kg, undiscounted)", t)
    if shown:
        console.print("  low–high: not unique (one t less saves low, one t more costs high; ∞: no finite end)")


def _msc_cell(point: float, ends: tuple[float | None, float | None] | None, places: int) -> str:
    """`2.00` where unique, `2.00–5.00` where not (∞ for an end that is not finite)."""
    if ends is None:
        return f"{point:,.{places}f}"
    low, high = (
        ("-∞" if ends[0] is None else f"{ends[0]:,.{places}f}"),
        ("∞" if ends[1] is None else f"{ends[1]:,.{places}f}"),
    )
    return f"{low}–{high}"


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
    """The console for result tables: the terminal's width (or $COLUMNS); 240 wide when piped, so nothing is cut."""
    import os
    import sys

    return Console() if sys.stdout.isatty() or os.environ.get("COLUMNS") else Console(width=240)


KEY_VALUE = (["figure", "value"], ["item", "value"])
MONEY_UNITS = ((1e9, " bn"), (1e6, " m"), (1e3, " k"), (1.0, ""))
MAX_DECIMALS = 4


def print_frame(console: Console, frame: pd.DataFrame, title: str = "") -> None:
    """A table of results in the terminal: one format per column (money in one unit, shares as %, years
    as written), text shown as data, never markup. When it is wider than the console, its columns are
    split over several tables, each repeating the first column: numbers are never broken."""
    key_value = [str(c) for c in frame.columns] in KEY_VALUE
    cells = {
        col: _row_cells(frame) if key_value and i == 1 else column_cells(str(col), frame[col])
        for i, col in enumerate(frame.columns)
    }
    right = [pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c]) for c in frame]
    print_parts(console, title, [str(c) for c in frame.columns], [cells[c] for c in frame.columns], right)


def print_parts(
    console: Console,
    title: str,
    names: list[str],
    cells: Sequence[Sequence[str | Text]],
    right: list[bool],
    simple: bool = False,
) -> None:
    """A table in as many parts as the console's width needs, each repeating column 0 (`title (1/2)`, ...);
    right-aligned columns and column 0 never wrap."""
    from rich import box

    groups = column_groups(names, cells, console.width)
    for n, group in enumerate(groups, start=1):
        t = Table(box=box.SIMPLE, padding=(0, 1)) if simple else Table()
        for i in group:
            t.add_column(rich_text(names[i]), justify="right" if right[i] else "left", no_wrap=right[i] or i == 0)
        for r in range(len(cells[0])):
            t.add_row(*(cells[i][r] for i in group))
        part = f" ({n}/{len(groups)})" if len(groups) > 1 else ""
        if title:
            _titled(console, title + part, t)
        else:
            console.print(t)


def _row_cells(frame: pd.DataFrame) -> list[str | Text]:
    """An item/value table: each value formatted as its item's name asks."""
    return [terminal_cell(str(name), v) for name, v in frame.itertuples(index=False)]


def column_groups(names: list[str], cells: Sequence[Sequence[str | Text]], width: int) -> list[list[int]]:
    """Column indices per table so each table fits `width` (a column takes its widest cell or header plus 3):
    column 0 in every table, the others in order, as many per table as fit (at least one)."""
    need = [max([len(n)] + [len(str(c)) for c in col]) + 3 for n, col in zip(names, cells, strict=True)]
    groups: list[list[int]] = []
    for i in range(1, len(names)):
        if groups and sum(need[j] for j in groups[-1]) + need[i] + 1 <= width:
            groups[-1].append(i)
        else:
            groups.append([0, i])
    return groups or [[0]]


def column_cells(col: str, series: pd.Series) -> list[str | Text]:
    """The cells of one column, all in one format: money in one unit (`$ bn`, `$ m`, `$ k`), shares in %,
    years without separators, other numbers with the fewest decimals that show every value (at most 4)."""
    values = list(series)
    numbers = [float(v) for v in values if _is_number(v)]
    if not numbers or len(numbers) + sum(map(missing, values)) < len(values):
        return [terminal_cell(col, v) for v in values]
    fmt = number_formatter(col, series, numbers)
    return ["-" if missing(v) else fmt(float(v)) for v in values]


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_)) and not missing(v)


def number_formatter(col: str, series: pd.Series, numbers: list[float]) -> Callable[[float], str]:
    from .writers import looks_like_years

    if "share" in col:
        return lambda v: f"{v:.1%}"
    if "year" in col or col.endswith("_from") or looks_like_years(series):
        return lambda v: f"{v:.0f}"
    if money_column(col):
        return money_formatter(numbers)
    d = decimals(numbers)
    return lambda v: f"{v + 0.0:,.{d}f}"


def money_formatter(numbers: list[float]) -> Callable[[float], str]:
    """One unit for the column, chosen by its largest value: 1.4e9 and 2e7 read $1.40 bn and $0.02 bn."""
    top = max(abs(v) for v in numbers)
    div, unit = next(((d, u) for d, u in MONEY_UNITS if top >= d), MONEY_UNITS[-1])
    places = 0 if div == 1.0 else 2
    return lambda v: f"{MINUS if v < 0 else ''}${abs(v) / div:,.{places}f}{unit}"


def decimals(numbers: list[float]) -> int:
    """The fewest decimals (at most 4) at which every value reads as it does at 4 (0.5, 20000 -> 1)."""
    return next(d for d in range(MAX_DECIMALS + 1) if all(round(v, d) == round(v, MAX_DECIMALS) for v in numbers))


def money_column(col: str) -> bool:
    """USD amounts (`capex_usd`, `..._of_perfect_information_usd`), not prices (`usd_per_kg`)."""
    return "usd" in col and "usd_per" not in col


def terminal_cell(col: str, v: Any) -> str | Text:
    if missing(v):
        return "-"
    if isinstance(v, bool) or not isinstance(v, (int, float, np.number)):
        return rich_text(v)
    if money_column(col):
        return usd(float(v))
    if "share" in col:
        return f"{v:.1%}"
    if "year" in col or col.endswith("_from"):
        return f"{v:.0f}"
    return f"{v + 0.0:,.{decimals([float(v)])}f}" if isinstance(v, (float, np.floating)) else f"{v:,}"


def hedge_in_words(values: pd.DataFrame) -> list[str]:
    """VSS = commit mean - hedge mean and EVPI = hedge mean - replan mean (risk.md), said in words."""
    v = dict(zip(values["figure"], values["value"], strict=True))
    vss, evpi = v.get("value_of_stochastic_solution_usd"), v.get("expected_value_of_perfect_information_usd")
    lines = []
    if missing(vss):
        lines.append("The value of hedging was not computed (see deterministic_plan_status and comparison_draws_done).")
    elif vss is not None and vss > 0:
        lines.append(f"Committing to the deterministic plan costs {usd(vss)} more on average than the hedged plan.")
    else:
        lines.append("Committing to the deterministic plan costs no more on average than the hedged plan.")
    if not missing(evpi):
        lines.append(
            f"Knowing each draw's outcome before building would save {usd(evpi)} on average against the hedged plan."
        )
    return lines


def print_risk(console: Console, tables: dict[str, pd.DataFrame], price: str) -> None:
    """`rechain risk` in 80 columns: over all draws, the probability that every element meets each
    threshold by year with its 90 % Wilson interval; per condition class, P(fully met); the premium."""
    from .risk import ALL_DRAWS, by_year, everywhere, summary_text

    if "value" in tables:
        for line in hedge_in_words(tables["value"]):
            console.print(line, highlight=False)
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
    """A borderless table of text and whole numbers."""
    names = [str(c) for c in frame.columns]
    cells = [["" if missing(v) else f"{v:.0f}" if isinstance(v, float) else str(v) for v in frame[c]] for c in frame]
    print_parts(
        console,
        title,
        names,
        [[rich_text(v) for v in col] for col in cells],
        [n != "subset" for n in names],
        simple=True,
    )
