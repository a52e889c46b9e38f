"""Why is there unmet demand, independence shortfall or must-run shortfall, and what would remove it?

The slacks keep the LP feasible, so the useful answer is in workbook terms:
where and when; the binding constraints behind it (largest shadow prices, by
meaning: capacity and its ramp-up, circuits, availability ceilings, must-run
floors, stock limits, recipe shares, budgets), each with its `sheet!CELL`;
stockpiles that run empty and embargoes that cut supply; trade bans that cut
every path; the extra budget that removes the shortfall (an LP with the budget
as a variable) and the earliest independence year reachable with unlimited
budget.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from ..models.dataset import Dataset
from ..models.figures import shortfall_price_label
from ..models.highs import DEFAULT_OPTIONS, SolveOptions, Status
from ..models.model import Model
from ..models.network import build_network, reachable
from ..models.solution import Meaning, ShadowPrice, Solution
from ..models.variants import Variant

TOLERANCE = 1e-6
TOP = 5


@dataclass
class Diagnosis:
    findings: list[str] = field(default_factory=list)
    binding: list[dict[str, Any]] = field(default_factory=list)
    cutting_rules: list[str] = field(default_factory=list)
    extra_budget_usd: float | None = None
    earliest_independence_year: int | None = None

    def table(self) -> pd.DataFrame:
        return pd.DataFrame({"finding": self.findings})

    def as_dict(self) -> dict[str, Any]:
        return {
            "findings": self.findings,
            "binding": self.binding,
            "cutting_trade_rules": self.cutting_rules,
            "extra_budget_usd": self.extra_budget_usd,
            "earliest_independence_year": self.earliest_independence_year,
        }


def _years(years: Iterable[int]) -> str:
    ordered = sorted(set(years))
    return str(ordered[0]) if len(ordered) == 1 else f"{ordered[0]}-{ordered[-1]}"


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
        priced = shortfall_price_label(result.summary)
        for element, part in short.groupby("element"):
            lines.append(
                f"independence shortfall: {part['shortfall_t'].sum():,.1f} t of clean {element} in "
                f"{_years(part['year'])}{f' ({priced})' if priced else ''}"
            )
    return lines


PER_USD, PER_TPA, PER_T = "USD per USD", "USD per t/yr", "USD per t"


def _stage_id(ds: Dataset, k: int) -> str:
    return ds.stages[k - 1].id


def _ramp_place(ds: Dataset, n: str, k: int) -> str:
    """Where the ramp of facility (n, k) comes from: its row, its stage's row, or the setting."""
    stage = ds.stages[k - 1]
    if ds.facilities[(n, k)].ramp_up:
        return ds.facilities[(n, k)].place
    if stage.ramp_up:
        return stage.place or f"stages ({stage.id})"
    return ds.setting_places.get("ramp_up", "settings")


def _ramping(ds: Dataset, result: Solution, n: str, k: int, y: int) -> str | None:
    """'the build of 2026 runs at 40% of nameplate' when a build at (n, k) is still ramping up in y."""
    builds = result.tables.get("builds")
    profile = ds.ramp(n, k)
    if builds is None or not profile:
        return None
    mine = builds[(builds["node"] == n) & (builds["stage"] == _stage_id(ds, k))]
    for start, online in sorted(zip(mine["start_year"], mine["online_year"], strict=True)):
        age = y - int(online)
        if 0 <= age < len(profile) and profile[age] < 1:
            return f"the build of {start} runs at {profile[age]:.0%} of nameplate"
    return None


def _capacity(ds: Dataset, result: Solution, p: ShadowPrice) -> tuple[str, str, str]:
    n, k, y = str(p.node), int(p.stage or 0), int(p.year or 0)
    f = ds.facilities[(n, k)]
    ramping = _ramping(ds, result, n, k, y)
    if ramping:
        return f"capacity of {_stage_id(ds, k)} at {n} in {y} (ramp-up: {ramping})", _ramp_place(ds, n, k), PER_TPA
    why = "lead time" if f.capex_usd_per_tpa is not None else "no expansion allowed (capex blank)"
    return f"capacity of {_stage_id(ds, k)} at {n} in {y} ({why})", f.place, PER_TPA


def _circuit(ds: Dataset, _: Solution, p: ShadowPrice) -> tuple[str, str, str]:
    c = ds.circuits[(str(p.node), str(p.element))]
    if p.meaning is Meaning.CIRCUIT_MAX_CAPACITY:
        return f"max_tpa of the {p.element} circuit at {p.node}", c.place, PER_TPA
    why = "lead time" if c.capex_usd_per_tpa is not None else "no expansion allowed (capex blank)"
    return f"{p.element} circuit at {p.node} in {p.year} ({why})", c.place, PER_TPA


def _facility_row(ds: Dataset, _: Solution, p: ShadowPrice) -> tuple[str, str, str]:
    n, k = str(p.node), int(p.stage or 0)
    stage, place = _stage_id(ds, k), ds.facilities[(n, k)].place
    if p.meaning is Meaning.MAX_CAPACITY:
        return f"max_tpa of {stage} at {n}", place, PER_TPA
    if p.meaning is Meaning.MUST_RUN:
        return f"must-run floor (min_utilization) of {stage} at {n} in {p.year}", place, PER_T
    key = (n, k, int(p.year or 0))
    return f"availability ceiling of {stage} at {n} in {p.year}", ds.availability_places.get(key, "availability"), PER_T


def _stock_or_recipe(ds: Dataset, _: Solution, p: ShadowPrice) -> tuple[str, str, str]:
    if p.meaning is Meaning.STOCK_MAX:
        pile = ds.stockpiles[(str(p.node), str(p.element))]
        return f"stockpile limit max_t of {p.element} at {p.node} in {p.year}", pile.place, PER_T
    recipe = ds.recipes[str(p.product)][str(p.recipe)]
    return f"max_share of recipe {p.recipe} of {p.product} at {p.node} in {p.year}", recipe.place, PER_T


def _budget(ds: Dataset, _: Solution, p: ShadowPrice) -> tuple[str, str, str]:
    if p.meaning is Meaning.BUDGET_TOTAL:
        return "total budget", ds.setting_places.get("budget_usd", "settings"), PER_USD
    if p.meaning is Meaning.BUDGET_ANNUAL:
        return f"annual budget in {p.year}", ds.setting_places.get("annual_budget_usd", "settings"), PER_USD
    bb = ds.bloc_budgets[int(p.row or 0)]
    return f"budget of bloc {bb.bloc}", bb.place, PER_USD


Describe = Callable[[Dataset, Solution, ShadowPrice], tuple[str, str, str]]
DESCRIBE: dict[Meaning, Describe] = {
    Meaning.CAPACITY: _capacity,
    Meaning.MAX_CAPACITY: _facility_row,
    Meaning.AVAILABILITY: _facility_row,
    Meaning.MUST_RUN: _facility_row,
    Meaning.CIRCUIT_CAPACITY: _circuit,
    Meaning.CIRCUIT_MAX_CAPACITY: _circuit,
    Meaning.STOCK_MAX: _stock_or_recipe,
    Meaning.RECIPE_SHARE: _stock_or_recipe,
    Meaning.BUDGET_TOTAL: _budget,
    Meaning.BUDGET_ANNUAL: _budget,
    Meaning.BUDGET_BLOC: _budget,
}


def binding_constraints(ds: Dataset, result: Solution) -> list[dict[str, Any]]:
    """The binding rows that limit supply (capacity, circuits, ceilings, must-run floors, stock
    limits, recipe shares, budgets), largest shadow prices first, in workbook terms: every budget,
    then the TOP others."""
    rows: list[dict[str, Any]] = []
    for price in result.shadow_prices:
        describe = DESCRIBE.get(price.meaning)
        if describe is None or price.value <= TOLERANCE:
            continue
        constraint, place, unit = describe(ds, result, price)
        rows.append({"constraint": constraint, "place": place, "shadow_price": price.value, "unit": unit})
    rows.sort(key=lambda r: -r["shadow_price"])
    budgets = [r for r in rows if r["unit"] == PER_USD]
    others = [r for r in rows if r["unit"] != PER_USD]
    return budgets + others[:TOP]


def _short(result: Solution) -> tuple[set[tuple[str, str, int]], set[tuple[str, int]]]:
    """(node, element, year) with unmet demand and (element, year) with shortfall."""
    unmet, ind = result.tables.get("unmet"), result.tables.get("independence")
    missing = set() if unmet is None else {(r.node, r.element, int(r.year)) for r in unmet.itertuples()}
    short = set() if ind is None else {(r.element, int(r.year)) for r in ind.itertuples() if r.shortfall_t > TOLERANCE}
    return missing, short


def empty_stockpiles(ds: Dataset, result: Solution) -> list[str]:
    """Stockpiles that are empty at the end of a year in which their consumer has unmet demand of
    the element, or (at a protected consumer) the element falls short of the requirement."""
    stocks = result.tables.get("stocks")
    if stocks is None or not ds.stockpiles:
        return []
    held = stocks.groupby(["node", "element", "year"])["stock_t"].sum().to_dict()
    missing, short = _short(result)
    protected = {n for n, b in ds.nodes.items() if b in ds.settings.protected_blocs}
    lines = []
    for (c, e), pile in sorted(ds.stockpiles.items()):
        years = [
            y
            for y in ds.settings.years
            if ((c, e, y) in missing or (c in protected and (e, y) in short)) and held.get((c, e, y), 0.0) <= TOLERANCE
        ]
        if years:
            lines.append(f"the stockpile of {e} at {c} is empty in {_years(years)} ({pile.place})")
    return lines


def must_run_shortfalls(ds: Dataset, result: Solution) -> list[str]:
    """Must-run floors that could not be run (the `must_run` table's shortfall_t)."""
    table = result.tables.get("must_run")
    if table is None or not len(table):
        return []
    short = table[table["shortfall_t"] > TOLERANCE]
    stages = {stage.id: stage.order for stage in ds.stages}
    lines = []
    for (node, stage), part in short.groupby(["node", "stage"]):
        place = ds.facilities[(node, stages[stage])].place
        lines.append(
            f"must-run shortfall: {part['shortfall_t'].sum():,.1f} t of the {stage} floor at {node} in "
            f"{_years(part['year'])} cannot be run ({place})"
        )
    return lines


def embargoes(ds: Dataset, result: Solution) -> list[str]:
    """Unmet demand at consumers of an embargoed bloc from the embargo year on."""
    unmet = result.tables.get("unmet")
    if unmet is None or not len(unmet):
        return []
    lines = []
    for bloc, start in sorted(ds.settings.embargo.items()):
        hit = unmet[(unmet["bloc"] == bloc) & (unmet["year"] >= start)]
        place = ds.setting_places.get(f"embargo.{bloc}", "settings")
        for (node, element), part in hit.groupby(["node", "element"]):
            lines.append(
                f"embargo on mixed material to {bloc} from {start} ({place}): {part['unmet_t'].sum():,.1f} t of "
                f"{element} unmet at {node} in {_years(part['year'])}"
            )
    return lines


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


def _require(outcome: Solution, question: str, allowed: tuple[Status, ...] = (Status.OPTIMAL,)) -> None:
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
    return held_from({int(y): short[y] <= TOLERANCE for y in short.index})


def held_from(held: dict[int, bool]) -> int | None:
    """The earliest year from which something holds in every later year (None if not in the last)."""
    first = None
    for y in sorted(held, reverse=True):
        if not held[y]:
            break
        first = y
    return first


def diagnose(ds: Dataset, result: Solution, options: SolveOptions = DEFAULT_OPTIONS) -> Diagnosis | None:
    s = result.summary
    if not result.optimal or max(s["unmet_t"], s["shortfall_t"], s.get("must_run_shortfall_t", 0.0)) <= TOLERANCE:
        return None
    d = Diagnosis(findings=where_and_when(result) + must_run_shortfalls(ds, result))
    d.binding = binding_constraints(ds, result)
    for b in d.binding:
        d.findings.append(
            f"binds: {b['constraint']} at {b['place']}, shadow price {b['shadow_price']:,.4g} {b['unit']}"
        )
    d.findings += empty_stockpiles(ds, result) + embargoes(ds, result)
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
