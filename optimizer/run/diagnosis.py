"""Why is there unmet demand or independence shortfall, and what would remove it?

The slacks keep the LP feasible, so the useful answer is in workbook terms:
where and when, the binding constraints behind it (largest shadow prices),
trade bans that cut every path, the extra budget that removes the shortfall
(an LP with the budget as a variable) and the earliest independence year
reachable with unlimited budget.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from ..models.dataset import Dataset
from ..models.highs import DEFAULT_OPTIONS, SolveOptions, Status
from ..models.model import Model, Variant
from ..models.network import build_network, reachable
from ..models.solution import Solution

TOLERANCE = 1e-6
TOP = 5


@dataclass
class Diagnosis:
    findings: list[str] = field(default_factory=list)
    binding: list[dict] = field(default_factory=list)
    cutting_rules: list[str] = field(default_factory=list)
    extra_budget_usd: float | None = None
    earliest_independence_year: int | None = None

    def table(self) -> pd.DataFrame:
        return pd.DataFrame({"finding": self.findings})

    def as_dict(self) -> dict:
        return {
            "findings": self.findings,
            "binding": self.binding,
            "cutting_trade_rules": self.cutting_rules,
            "extra_budget_usd": self.extra_budget_usd,
            "earliest_independence_year": self.earliest_independence_year,
        }


def _years(years) -> str:
    years = sorted(set(years))
    return str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"


def where_and_when(result: Solution) -> list[str]:
    lines = []
    unmet = result.tables.get("unmet")
    if unmet is not None and len(unmet):
        for (node, element), part in unmet.groupby(["node", "element"]):
            lines.append(
                f"unmet demand: {part['unmet_t'].sum():,.1f} t of {element} at {node} in {_years(part['year'])}"
            )
    ind = result.tables.get("independence")
    if ind is not None and len(ind):
        short = ind[ind["shortfall_t"] > TOLERANCE]
        for element, part in short.groupby("element"):
            lines.append(
                f"independence shortfall: {part['shortfall_t'].sum():,.1f} t of clean {element} in "
                f"{_years(part['year'])}"
            )
    return lines


def binding_constraints(ds: Dataset, result: Solution) -> list[dict]:
    """The largest shadow prices among capacity, max_tpa and budget rows, in workbook terms."""
    rows = []
    for (name, index), value in result.shadow_prices.items():
        if value <= TOLERANCE:
            continue
        if name == "capacity":
            n, k, y = index
            f = ds.facilities[(n, k)]
            why = "lead time" if f.capex_usd_per_tpa is not None else "no expansion allowed (capex blank)"
            rows.append(
                {
                    "constraint": f"capacity of {ds.stages[k - 1].id} at {n} in {y} ({why})",
                    "place": f.place,
                    "shadow_price": value,
                    "unit": "USD per t/yr",
                }
            )
        elif name == "max_capacity":
            n, k = index
            rows.append(
                {
                    "constraint": f"max_tpa of {ds.stages[k - 1].id} at {n}",
                    "place": ds.facilities[(n, k)].place,
                    "shadow_price": value,
                    "unit": "USD per t/yr",
                }
            )
        elif name == "budget_total":
            rows.append(
                {
                    "constraint": "total budget",
                    "place": ds.setting_places.get("budget_usd", "settings"),
                    "shadow_price": value,
                    "unit": "USD per USD",
                }
            )
        elif name == "budget_annual":
            rows.append(
                {
                    "constraint": f"annual budget in {index}",
                    "place": ds.setting_places.get("annual_budget_usd", "settings"),
                    "shadow_price": value,
                    "unit": "USD per USD",
                }
            )
        elif name == "budget_bloc":
            bb = ds.bloc_budgets[index]
            rows.append(
                {
                    "constraint": f"budget of bloc {bb.bloc}",
                    "place": bb.place,
                    "shadow_price": value,
                    "unit": "USD per USD",
                }
            )
    rows.sort(key=lambda r: -r["shadow_price"])
    budgets = [r for r in rows if r["unit"] == "USD per USD"]
    capacity = [r for r in rows if r["unit"] != "USD per USD"]
    return budgets + capacity[:TOP]


def cutting_rules(ds: Dataset, result: Solution) -> list[str]:
    """Trade bans without which an unmet consumer could be reached at all."""
    unmet = result.tables.get("unmet")
    if unmet is None or not len(unmet):
        return []
    missing = {(r.node, r.element, r.year) for r in unmet.itertuples()} - reachable(ds, build_network(ds))
    found = []
    for rule in ds.trade_rules:
        if rule.allowed or not missing:
            continue
        relaxed = replace(ds, trade_rules=tuple(r for r in ds.trade_rules if r is not rule))
        restored = missing & reachable(relaxed, build_network(relaxed))
        if restored:
            m, e, y = sorted(restored)[0]
            found.append(
                f"the trade ban at {rule.place} ({rule.from_bloc or 'any'} -> {rule.to_bloc or 'any'}"
                f"{', ' + rule.element if rule.element else ''}) cuts every path to {m} for {e} "
                f"(e.g. {y})"
            )
    return found


class NotSolved(Exception):
    """A diagnostic LP that did not solve: its question stays open."""


def _require(outcome, question: str, allowed=(Status.OPTIMAL,)) -> None:
    if outcome.status not in allowed:
        raise NotSolved(
            f"{question} could not be worked out: the solve ended {outcome.status.value} ({outcome.message})"
        )


def extra_budget(ds: Dataset, options: SolveOptions) -> float | None:
    """Least total budget with no shortfall, minus the budget given; None if no budget
    suffices; NotSolved if HiGHS did not say."""
    solution = Model(ds, Variant.LEAST_BUDGET, options).solve()
    _require(solution, "the extra budget that removes the shortfall", (Status.OPTIMAL, Status.INFEASIBLE))
    if solution.least_budget_usd is None:
        return None
    return max(0.0, solution.least_budget_usd - (ds.settings.budget_usd or 0.0))


def earliest_year(ds: Dataset, options: SolveOptions) -> int | None:
    """First year from which the requirement holds in every later year with unlimited budget."""
    s = replace(ds.settings, budget_usd=None, annual_budget_usd=None, independence_year=ds.settings.first_year)
    solution = Model(replace(ds, settings=s, bloc_budgets=()), options=options).solve()
    _require(solution, "the earliest independence year reachable with unlimited budget")
    short = solution.tables["independence"].groupby("year")["shortfall_t"].sum()
    ok = None
    for y in sorted(short.index, reverse=True):
        if short[y] > TOLERANCE:
            break
        ok = int(y)
    return ok


def diagnose(ds: Dataset, result: Solution, options: SolveOptions = DEFAULT_OPTIONS) -> Diagnosis | None:
    s = result.summary
    if not result.optimal or (s["unmet_t"] <= TOLERANCE and s["shortfall_t"] <= TOLERANCE):
        return None
    d = Diagnosis(findings=where_and_when(result))
    d.binding = binding_constraints(ds, result)
    for b in d.binding:
        d.findings.append(
            f"binds: {b['constraint']} at {b['place']}, shadow price {b['shadow_price']:,.4g} {b['unit']}"
        )
    d.cutting_rules = cutting_rules(ds, result)
    d.findings += d.cutting_rules
    if s["shortfall_t"] > TOLERANCE:
        for explain in ([_extra_budget_finding] if ds.settings.budget_usd is not None else []) + [_year_finding]:
            try:
                explain(ds, options, d)
            except NotSolved as exc:
                d.findings.append(str(exc))
    return d


def _extra_budget_finding(ds: Dataset, options: SolveOptions, d: Diagnosis) -> None:
    d.extra_budget_usd = extra_budget(ds, options)
    d.findings.append(
        "no extra total budget removes the shortfall (time, capacity or ore bind)"
        if d.extra_budget_usd is None
        else f"an extra total budget of {d.extra_budget_usd:,.0f} USD removes the shortfall"
    )


def _year_finding(ds: Dataset, options: SolveOptions, d: Diagnosis) -> None:
    year = d.earliest_independence_year = earliest_year(ds, options)
    if year is None:
        d.findings.append("with unlimited budget the requirement cannot be met in any year of the horizon")
    elif year <= ds.settings.first_independence_year:
        d.findings.append(f"with unlimited budget the requirement could be met from {year}: money, not time, binds")
    else:
        d.findings.append(
            f"with unlimited budget the earliest reachable independence year is {year}: lead "
            "times and capacity bind before it"
        )
