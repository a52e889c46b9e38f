"""Turn a solved model into a typed result: summary figures and tables.

Every cost is read from the model's named cost expressions, the same ones
the objective sums, so reports cannot drift from what was optimised.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

import pandas as pd
import pyomo.environ as pyo

from .constraints import delivered, need
from .dataset import MONEY
from .figures import (
    Basis,
    Cost,
    Ends,
    Figures,
    Notes,
    Premium,
    RunFacts,
    one_value,
    per_kg_premium,
    summary,
)
from .formulation import Built
from .highs import SolveOutcome, Status
from .marginal import MarginalSupplyCost, marginal_supply_cost, relaxation_value
from .network import circuit_lead_time

COST_PARTS = ("capex", "fixed_om", "opex", "transport", "tariff", "holding", "recipe")
PENALTIES = ("unmet", "shortfall", "must_run")


@dataclass(frozen=True)
class Solution:
    """What a solve returns: a status from a closed vocabulary, HiGHS's words, the run's facts, the typed
    figures (optimal only; models.figures), the result tables and the shadow prices by meaning
    (ShadowPrice). The variants add the least α (budget frontier) or the least budget (diagnosis)."""

    status: Status
    message: str
    run: RunFacts
    figures: Figures | None = None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    shadow_prices: tuple[ShadowPrice, ...] = ()
    least_alpha: float | None = None
    least_budget_usd: float | None = None
    notes: Notes | None = None

    @property
    def optimal(self) -> bool:
        return self.status is Status.OPTIMAL

    @property
    def summary(self) -> dict[str, Any]:
        """Every figure by name as summary.json holds it (models.figures.summary)."""
        return summary(self.run, self.figures, self.notes)


def failed(status: Status, message: str) -> Solution:
    """A run that never solved (it raised): its status and message only."""
    return Solution(status, message, RunFacts(status.value, message, solved=False))


def _v(component: Any) -> float:
    return float(pyo.value(component, exception=False) or 0.0)


def cost_parts(built: Built) -> dict[str, tuple[float, float]]:
    """(discounted, undiscounted) USD per cost part, salvage and penalties."""
    m = built.model
    parts: dict[str, tuple[float, float]] = {}
    for name in COST_PARTS + PENALTIES:
        expr = getattr(m, f"{name}_cost")
        undiscounted = sum(_v(expr[y]) for y in m.Y)
        discounted = sum(_v(m.discount[y]) * _v(expr[y]) for y in m.Y)
        parts[name] = (discounted / MONEY, undiscounted / MONEY)
    salvage = _v(m.salvage_value)
    parts["salvage"] = (-_v(m.discount[m.Y.last()]) * salvage / MONEY, -salvage / MONEY)
    return parts


def capex_spent(built: Built, budget_only: bool = False, blocs: Iterable[str] | None = None) -> float:
    """Nominal, undiscounted capex in USD, cost factors applied: at every node,
    at budget-bloc nodes (`budget_only`) or at the nodes of `blocs`."""
    m, ds = built.model, built.dataset
    if blocs is None:
        blocs = ds.budget_blocs if budget_only else m.B
    blocs = [b for b in m.B if b in blocs]
    return sum(_v(m.cost_factor[b]) * _v(m.capex_factor[b]) * _v(m.CAPEX[b, y]) for b in blocs for y in m.Y) / MONEY


def clean_supply(built: Built) -> dict[tuple[str, int], tuple[float, float]]:
    """(protected need, clean supply to it) per (element, year) with protected need, in t, in every
    year of the horizon (model.md v3, "Clean share counts stock"): need_P[e,y] and, for k̄ ≥ 2,
    clean[e,y] (clean deliveries − clean stock put + clean stock taken), the expressions the
    independence rows use; for k̄ = 1 the v formula Σ_{m ∈ P} min(Σ_{n ∉ R} c[n,e]·g[n,m,y], need[m,e,y])."""
    m, ds = built.model, built.dataset
    if ds.last_stage >= 2:
        return {key: (_v(m.protected_need[key]), _v(m.clean[key])) for key in m.protected_need}
    protected = {n for n, b in ds.nodes.items() if b in ds.settings.protected_blocs}
    clean: defaultdict[Any, float] = defaultdict(float)
    for c, e, y in built.network.demand_rows:
        if c in protected:
            content = sum(_v(t) for t in delivered(built, c, e, y, clean_only=True))
            clean[(e, y)] += min(content, _v(need(built, c, e, y)))
    return {key: (_v(m.protected_need[key]), clean[key]) for key in m.protected_need}


def run_facts(built: Built, outcome: SolveOutcome, build_seconds: float) -> RunFacts:
    """What every solve reports: status, HiGHS's words, timings, the LP's size and how shortfall is priced."""
    m, ds = built.model, built.dataset
    return RunFacts(
        outcome.status.value,
        outcome.message,
        solve_seconds=round(outcome.solve_seconds, 3),
        build_seconds=round(build_seconds, 3),
        translate_seconds=round(outcome.translate_seconds, 3),
        highs_seconds=round(outcome.highs_seconds, 3),
        max_primal_infeasibility=outcome.infeasibility[0],
        max_dual_infeasibility=outcome.infeasibility[1],
        stages=tuple(stage.id for stage in ds.stages),
        variables=sum(1 for _ in m.component_data_objects(pyo.Var, active=True)),
        constraints=sum(1 for _ in m.component_data_objects(pyo.Constraint, active=True)),
        shortfall_at_any_price=ds.settings.shortfall_at_any_price,
        shortfall_penalty_usd_per_kg=float(f"{_v(m.shortfall_penalty) / MONEY / 1000:.12g}"),
    )


def extract(built: Built, outcome: SolveOutcome, build_seconds: float, with_tables: bool = True) -> Solution:
    """The typed solution; without tables only the summary figures (draws of `rechain risk`)."""
    run = run_facts(built, outcome, build_seconds)
    if outcome.status is not Status.OPTIMAL:
        return Solution(outcome.status, outcome.message, run)
    parts = cost_parts(built)
    duals = shadow_prices(built, outcome.duals)
    supply = clean_supply(built)
    unmet = _table_unmet(built)
    msc = marginal_supply_cost(built, outcome.duals, outcome.probe if with_tables else None)
    figures = _figures(built, parts, duals, supply, msc, float(unmet["unmet_t"].sum()) if len(unmet) else 0.0)
    if not with_tables:
        return Solution(outcome.status, outcome.message, run, figures, {}, duals)
    tables = {
        "costs": pd.DataFrame(
            [(n, d, u) for n, (d, u) in parts.items()], columns=["component", "discounted_usd", "undiscounted_usd"]
        ),
        "capacity": _table_capacity(built),
        "capacity_by_bloc": _table_capacity_by_bloc(built),
        "builds": _table_builds(built),
        "throughput": _table_throughput(built),
        "flows": _table_flows(built),
        "unmet": unmet,
        "independence": _table_independence(built, supply, duals),
        "duals": _table_duals(built, duals),
        "binding_capacity": _table_binding_capacity(built, duals),
    }
    tables["clean_share"] = tables["independence"][["element", "year", "clean_share"]]
    tables["marginal_supply_cost"] = _table_marginal_supply_cost(msc)
    tables.update(v2_tables(built))
    figures = replace(figures, clean_premium_usd_per_t=_clean_premiums(tables["independence"]))
    return Solution(outcome.status, outcome.message, run, figures, tables, duals)


def _figures(
    built: Built,
    parts: dict[str, tuple[float, float]],
    duals: tuple[ShadowPrice, ...],
    supply: dict[tuple[str, int], tuple[float, float]],
    msc: MarginalSupplyCost,
    unmet_t: float,
) -> Figures:
    """The figures of an optimal solve but the clean premiums (they come of the independence table)."""
    m, ds = built.model, built.dataset
    penalty = sum(parts[p][0] for p in PENALTIES)
    objective = _v(m.objective) / MONEY
    budget_dual = next((p.value for p in duals if p.meaning is Meaning.BUDGET_TOTAL), None)
    first = ds.settings.first_independence_year
    return Figures(
        objective_usd=objective,
        system_cost_usd=objective - penalty,
        penalty_usd=penalty,
        capex_usd=capex_spent(built),
        budget_capex_usd=capex_spent(built, budget_only=True),
        protected_capex_usd=capex_spent(built, blocs=ds.settings.protected_blocs),
        unmet_t=unmet_t,
        shortfall_t=sum((s.value or 0.0) for s in m.s.values()),
        must_run_shortfall_t=sum((w.value or 0.0) for w in m.w.values()),
        clean_share={key: round(c / d, 6) if d > 0 else None for key, (d, c) in sorted(supply.items())},
        budget_dual_usd_per_usd=None if ds.settings.budget_usd is None else (budget_dual or 0.0),
        costs_usd={name: Basis(d, u) for name, (d, u) in parts.items()},
        independence_year=first,
        marginal_supply_cost_usd_per_kg=dict(sorted(msc.by_element.items())),
        marginal_supply_cost_range_usd_per_kg={key: _range(msc, key) for key in sorted(msc.not_unique)},
        marginal_supply_cost_mean_usd_per_kg=msc_means(msc, first),
        marginal_supply_cost_mean_range_usd_per_kg=msc_mean_ranges(msc, first),
        protected_payment_usd=Basis(**msc.payment_usd({y: _v(m.discount[y]) for y in m.Y})),
    )


def _table_binding_capacity(built: Built, duals: tuple[ShadowPrice, ...]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            (p.node, _bloc(built, p.node), _stage(built, p.stage), p.year, p.value)
            for p in duals
            if p.meaning is Meaning.CAPACITY and p.node is not None and p.stage is not None
        ],
        columns=["node", "bloc", "stage", "year", "usd_per_tpa"],
    )


def per_kg_premiums(case: Figures, free: Figures) -> dict[str, Premium]:
    """The per-kg premium per element of a case over the unconstrained case (figures.per_kg_premium): from
    their marginal supply costs in the years from the case's independence year that both have."""
    first = case.independence_year
    base, ranges = free.marginal_supply_cost_usd_per_kg, free.marginal_supply_cost_range_usd_per_kg
    found: dict[str, Premium] = {}
    for e, by_year in sorted(case.by_year("marginal_supply_cost_usd_per_kg").items()):
        years = [y for y in by_year if y >= first and (e, y) in base]
        if years:
            own = [(by_year[y], case.marginal_supply_cost_range_usd_per_kg.get((e, y))) for y in years]
            found[e] = per_kg_premium(own, [(base[(e, y)], ranges.get((e, y))) for y in years])
    return found


def msc_means(msc: MarginalSupplyCost, first_year: int) -> dict[str, float]:
    """Marginal supply cost per element (USD/kg, undiscounted), the mean over the years from
    `first_year` (the independence year) with protected demand; the per-kg premium of a
    case is its mean minus the unconstrained case's."""
    years: defaultdict[str, list[float]] = defaultdict(list)
    for (e, y), v in sorted(msc.by_element.items()):
        if y >= first_year:
            years[e].append(v)
    return {e: sum(vs) / len(vs) for e, vs in years.items()}


def msc_mean_ranges(msc: MarginalSupplyCost, first_year: int) -> dict[str, Ends]:
    """`marginal_supply_cost_mean_range_usd_per_kg`: element -> (low, high) of msc_means where a year's
    marginal cost is not unique: the mean of each year's low (high), the point where unique; None for an
    end that is not finite. Ends within 0.1% of the mean are one value (one_value): none."""
    found = {}
    for e in sorted({e for e, y in msc.not_unique if y >= first_year}):
        years = [y for (e2, y) in msc.by_element if e2 == e and y >= first_year]
        costs: list[Cost] = [(msc.by_element[(e, y)], _range_of(msc, (e, y))) for y in years]
        low, high = _mean([c[1][0] if c[1] else c[0] for c in costs]), _mean([c[1][1] if c[1] else c[0] for c in costs])
        if not one_value(low, high, sum(c[0] for c in costs) / len(costs)):
            found[e] = (low, high)
    return found


def _range_of(msc: MarginalSupplyCost, key: tuple[str, int]) -> Ends | None:
    return _range(msc, key) if key in msc.not_unique else None


def _mean(values: list[float | None]) -> float | None:
    return None if any(v is None for v in values) else sum(v for v in values if v is not None) / len(values)


def clean_premiums(result: Solution) -> dict[str, float]:
    """Clean premium per element, in discounted USD per t: the mean shadow price of
    the independence row over the years in which the requirement applies
    (required clean t > 0). Elements it never applies to are left out."""
    if not result.optimal:
        return {}
    return _clean_premiums(result.tables["independence"])


def _clean_premiums(ind: pd.DataFrame) -> dict[str, float]:
    ind = ind[(ind["required_clean_t"] > 0) & ind["clean_premium_usd_per_t"].notna()]
    return {e: float(v) for e, v in ind.groupby("element")["clean_premium_usd_per_t"].mean().items()}


PER_USD = "USD per USD of budget (discounted objective)"
PER_T = "USD per t (discounted)"
PER_TPA = "USD per t/yr (discounted)"


class Meaning(Enum):
    """What a shadow price is the price of: its label (the constraint family), meaning and unit.

    Signed so that a positive value means "this constraint is costing money"."""

    BUDGET_TOTAL = ("budget_total", "total capex budget of the budget blocs", PER_USD)
    BUDGET_ANNUAL = ("budget_annual", "capex budget of the budget blocs in one year", PER_USD)
    BUDGET_BLOC = ("budget_bloc", "capex budget of one bloc (budgets sheet)", PER_USD)
    INDEPENDENCE = ("independence", "clean supply required for protected demand (the clean premium)", PER_T)
    DEMAND = ("demand", "demand at a node (the cost of one more t delivered)", PER_T)
    PRODUCT_DEMAND = ("recipe_mix", "product demand at a node (the cost of one more t of product)", PER_T)
    CAPACITY = ("capacity", "capacity in service (the value of one more t/yr)", PER_TPA)
    MAX_CAPACITY = ("max_capacity", "capacity ceiling max_tpa (the value of one more t/yr of ceiling)", PER_TPA)
    CIRCUIT_CAPACITY = ("circuit_capacity", "circuit capacity in service (the value of one more t/yr)", PER_TPA)
    CIRCUIT_MAX_CAPACITY = (
        "circuit_max_capacity",
        "circuit capacity ceiling max_tpa (the value of one more t/yr of ceiling)",
        PER_TPA,
    )
    AVAILABILITY = ("availability", "throughput ceiling in one year (the value of one more t)", PER_T)
    MUST_RUN = ("must_run", "must-run floor (the cost of one more t of floor)", PER_T)
    STOCK_MAX = ("stock_max", "stockpile limit max_t (the value of one more t of room)", PER_T)
    RECIPE_SHARE = ("recipe_share", "recipe share limit max_share (the value of one more t of product)", PER_T)

    def __init__(self, label: str, text: str, unit: str) -> None:
        self.label, self.text, self.unit = label, text, unit


@dataclass(frozen=True)
class ShadowPrice:
    """One row's shadow price in report units, its index by name (None where it does not apply)."""

    meaning: Meaning
    value: float
    node: str | None = None
    stage: int | None = None  # stage order k
    element: str | None = None
    year: int | None = None
    bloc: str | None = None
    product: str | None = None
    recipe: str | None = None
    row: int | None = None  # BUDGET_BLOC: position of its row in Dataset.bloc_budgets


Index = dict[str, Any]
# family -> (meaning, reported only where non-zero, names of its index)
FAMILIES: tuple[tuple[str, Meaning, bool, tuple[str, ...]], ...] = (
    ("budget_annual", Meaning.BUDGET_ANNUAL, False, ("year",)),
    ("budget_bloc", Meaning.BUDGET_BLOC, False, ("row",)),
    ("independence", Meaning.INDEPENDENCE, False, ("element", "year")),
    ("demand", Meaning.DEMAND, False, ("node", "element", "year")),
    ("recipe_mix", Meaning.PRODUCT_DEMAND, False, ("node", "product", "year")),
    ("capacity", Meaning.CAPACITY, True, ("node", "stage", "year")),
    ("max_capacity", Meaning.MAX_CAPACITY, True, ("node", "stage")),
    ("circuit_capacity", Meaning.CIRCUIT_CAPACITY, True, ("node", "element", "year")),
    ("circuit_max_capacity", Meaning.CIRCUIT_MAX_CAPACITY, True, ("node", "element")),
    ("availability", Meaning.AVAILABILITY, True, ("node", "stage", "year")),
    ("must_run", Meaning.MUST_RUN, True, ("node", "stage", "year")),
    ("stock_max", Meaning.STOCK_MAX, True, ("node", "element", "year")),
    ("recipe_share", Meaning.RECIPE_SHARE, True, ("node", "product", "recipe", "year")),
)


def shadow_prices(built: Built, raw: dict[Any, float]) -> tuple[ShadowPrice, ...]:
    """Shadow prices in report units: budget rows in USD saved per USD, the other rows in
    discounted USD per t or per t/yr; capacity-like rows only where they bind (non-zero)."""
    m, ds = built.model, built.dataset
    result: list[ShadowPrice] = []
    if m.component("budget_total") is not None:
        result.append(ShadowPrice(Meaning.BUDGET_TOTAL, relaxation_value(m.budget_total, raw)))
    for name, meaning, binding_only, parts in FAMILIES:
        component = m.component(name)
        if component is None:
            continue
        scale = 1.0 if meaning.unit == PER_USD else MONEY
        for index, con in component.items():
            value = relaxation_value(con, raw) / scale
            if binding_only and abs(value) <= 1e-6:
                continue
            named: Index = dict(zip(parts, index if isinstance(index, tuple) else (index,), strict=True))
            if meaning is Meaning.BUDGET_BLOC:
                named["bloc"] = ds.bloc_budgets[named["row"]].bloc
            result.append(ShadowPrice(meaning, value, **named))
    return tuple(result)


DUAL_COLUMNS = ("bloc", "node", "stage", "element", "year")


def _table_duals(built: Built, duals: tuple[ShadowPrice, ...]) -> pd.DataFrame:
    """One row per shadow price, its index spelled out in columns; a product (and its recipe,
    as `product.recipe`) in the element column."""
    rows: list[Any] = []
    for price in duals:
        element = price.element
        if price.product is not None:
            element = price.product if price.recipe is None else f"{price.product}.{price.recipe}"
        rows.append(
            {
                "constraint": price.meaning.label,
                "meaning": price.meaning.text,
                "bloc": _bloc(built, price.node) if price.node is not None else price.bloc,
                "node": price.node,
                "stage": None if price.stage is None else _stage(built, price.stage),
                "element": element,
                "year": price.year,
                "shadow_price": price.value,
                "unit": price.meaning.unit,
            }
        )
    table = pd.DataFrame(rows, columns=["constraint", "meaning", *DUAL_COLUMNS, "shadow_price", "unit"])
    return table.astype({"year": "Int64"})


def _bloc(built: Built, n: str) -> str:
    return built.dataset.nodes[n]


def _stage(built: Built, k: int) -> str:
    return built.dataset.stages[k - 1].id


def _table_capacity(built: Built) -> pd.DataFrame:
    m, ds = built.model, built.dataset
    rows = [
        (n, _bloc(built, n), _stage(built, k), y, ds.facilities[(n, k)].existing_tpa, _v(m.cap[n, k, y]))
        for (n, k, y) in m.cap
    ]
    return pd.DataFrame(rows, columns=["node", "bloc", "stage", "year", "existing_tpa", "capacity_tpa"])


def _table_capacity_by_bloc(built: Built) -> pd.DataFrame:
    """Capacity in service per stage (in chain order), bloc and year."""
    m = built.model
    sums: defaultdict[Any, float] = defaultdict(float)
    for n, k, y in m.cap:
        sums[(k, _bloc(built, n), y)] += _v(m.cap[n, k, y])
    rows = [(y, b, _stage(built, k), f"{_stage(built, k)} · {b}", t) for (k, b, y), t in sorted(sums.items())]
    return pd.DataFrame(rows, columns=["year", "bloc", "stage", "stage_bloc", "capacity_tpa"])


def _table_builds(built: Built) -> pd.DataFrame:
    """Builds with their capex after factors; with circuits, also circuit builds (stage
    separation, column `element`: the circuit's element, blank for a facility)."""
    m, ds = built.model, built.dataset
    rows: list[Any] = []
    for (n, k, y), var in m.build.items():
        if (var.value or 0.0) > 1e-6:
            f, b = ds.facilities[(n, k)], _bloc(built, n)
            factor = _v(m.cost_factor[b]) * _v(m.capex_factor[b])
            rows.append(
                (n, b, _stage(built, k), y, y + f.lead_time_years, var.value, var.value * f.capex_usd_per_tpa * factor)
            )
    columns = ["node", "bloc", "stage", "start_year", "online_year", "build_tpa", "capex_usd"]
    if not built.network.circuits:
        return pd.DataFrame(rows, columns=columns)
    rows = [(*row, None) for row in rows]
    for (n, e, y), var in m.buildc.items():
        if (var.value or 0.0) > 1e-6:
            c, b = ds.circuits[(n, e)], _bloc(built, n)
            capex = var.value * (c.capex_usd_per_tpa or 0.0) * _v(m.cost_factor[b]) * _v(m.capex_factor[b])
            rows.append((n, b, _stage(built, 2), y, y + circuit_lead_time(ds, n, e), var.value, capex, e))
    return pd.DataFrame(rows, columns=[*columns, "element"])


def _table_throughput(built: Built) -> pd.DataFrame:
    m = built.model
    rows: list[Any] = []
    for n, k, y in m.q:
        q, cap = _v(m.q[n, k, y]), _v(m.cap[n, k, y])
        rows.append((n, _bloc(built, n), _stage(built, k), y, q, q / cap if cap > 0 else None))
    return pd.DataFrame(rows, columns=["node", "bloc", "stage", "year", "throughput_t", "utilisation"])


def _table_flows(built: Built) -> pd.DataFrame:
    m, ds = built.model, built.dataset
    sums: defaultdict[Any, float] = defaultdict(float)
    for (n, c, y), var in m.g.items():
        t = var.value or 0.0
        if t > 1e-9:
            prov = "mixed" if n in ds.restricted_at(1) else "clean"
            for e, share in ds.composition[n].items():
                sums[(_bloc(built, n), _bloc(built, c), _stage(built, 1), e, prov, y)] += share * t
    for (n, c, k, e, p, y), var in m.h.items():
        t = var.value or 0.0
        if t > 1e-9:
            sums[(_bloc(built, n), _bloc(built, c), _stage(built, k), e, p, y)] += t
    rows = [(*key, t) for key, t in sorted(sums.items(), key=lambda kv: (kv[0][5], kv[0][:5]))]
    return pd.DataFrame(rows, columns=["from_bloc", "to_bloc", "stage", "element", "provenance", "year", "t"])


def _table_unmet(built: Built) -> pd.DataFrame:
    m = built.model
    rows = [(c, _bloc(built, c), e, y, var.value) for (c, e, y), var in m.u.items() if (var.value or 0) > 1e-6]
    return pd.DataFrame(rows, columns=["node", "bloc", "element", "year", "unmet_t"])


def _table_independence(
    built: Built, supply: dict[tuple[str, int], tuple[float, float]], duals: tuple[ShadowPrice, ...]
) -> pd.DataFrame:
    m, ds = built.model, built.dataset
    premium = {(p.element, p.year): p.value for p in duals if p.meaning is Meaning.INDEPENDENCE}
    alpha = _v(m.alpha)
    rows: list[Any] = []
    for (e, y), (d, clean) in sorted(supply.items()):
        applies = y >= ds.settings.first_independence_year
        shortfall = m.s[e, y].value if (e, y) in m.s else 0.0
        rows.append(
            (
                e,
                y,
                d,
                clean,
                clean / d if d > 0 else None,
                (1 - alpha) * d if applies else 0.0,
                shortfall or 0.0,
                premium.get((e, y)),
            )
        )
    return pd.DataFrame(
        rows,
        columns=[
            "element",
            "year",
            "protected_demand_t",
            "clean_t",
            "clean_share",
            "required_clean_t",
            "shortfall_t",
            "clean_premium_usd_per_t",
        ],
    )


def _table_marginal_supply_cost(msc: MarginalSupplyCost) -> pd.DataFrame:
    """Per element and year the need-weighted mean (node blank), then per protected consumer.
    `unique` is False where the marginal cost is not unique (models.ranging): the element's row then
    gives the interval of valid values, `low_usd_per_kg` to `high_usd_per_kg` (blank where a side has
    no finite end or could not be measured); both blank where it is unique. A consumer's row carries
    its element's flag."""
    rows: list[Any] = [
        (e, y, None, v, *_range(msc, (e, y)), (e, y) not in msc.not_unique) for (e, y), v in msc.by_element.items()
    ]
    rows += [(e, y, c, v, None, None, (e, y) not in msc.not_unique) for (c, e, y), v in sorted(msc.by_consumer.items())]
    columns = ["element", "year", "node", "usd_per_kg", "low_usd_per_kg", "high_usd_per_kg", "unique"]
    table = pd.DataFrame(rows, columns=columns).astype({"low_usd_per_kg": float, "high_usd_per_kg": float})
    return table.sort_values(["element", "year"], kind="stable").reset_index(drop=True)


def _range(msc: MarginalSupplyCost, key: tuple[str, int]) -> tuple[float | None, float | None]:
    """(low, high) USD/kg where not unique, each None where not finite; (None, None) where unique."""
    if key not in msc.not_unique:
        return None, None
    low, high = msc.ranges[key]
    return (low if math.isfinite(low) else None), (high if math.isfinite(high) else None)


def v2_tables(built: Built) -> dict[str, pd.DataFrame]:
    """The tables of the version-2 additions, each only when the case has that feature:
    `circuits`, `stocks`, `recipe_mix` and `must_run`."""
    m, net = built.model, built.network
    tables = {}
    if net.circuits:
        tables["circuits"] = _table_circuits(built)
    if len(m.st):
        tables["stocks"] = pd.DataFrame(
            [
                (c, e, p, y, _v(var), _v(m.put[c, e, p, y]) if (c, e, p, y) in m.put else 0.0)
                + (_v(m.take[c, e, p, y]) if (c, e, p, y) in m.take else 0.0,)
                for (c, e, p, y), var in m.st.items()
            ],
            columns=["node", "element", "provenance", "year", "stock_t", "put_t", "take_t"],
        )
    if len(m.x):
        tables["recipe_mix"] = _table_recipe_mix(built)
    if net.must_run:
        tables["must_run"] = pd.DataFrame(
            [
                (n, _stage(built, k), y, floor, _v(m.q[n, k, y]), _v(m.w[n, k, y]))
                for (n, k, y), floor in net.must_run.items()
            ],
            columns=["node", "stage", "year", "floor_t", "throughput_t", "shortfall_t"],
        )
    return tables


def _table_circuits(built: Built) -> pd.DataFrame:
    """Per circuit and year: capacity in service (ramped), the build started that year and the
    element separated at the node (t element)."""
    m, idx = built.model, built.index
    separated: defaultdict[Any, float] = defaultdict(float)
    for (n, k, e, _p, y), arcs in idx.elements_out.items():
        if k == 2:
            separated[(n, e, y)] += sum(_v(m.h[a]) for a in arcs)
    rows = [
        (n, e, y, _v(m.capc[n, e, y]), _v(m.buildc[n, e, y]) if (n, e, y) in m.buildc else 0.0, separated[(n, e, y)])
        for (n, e, y) in m.capc
    ]
    return pd.DataFrame(rows, columns=["node", "element", "year", "capacity_t", "built_t", "separated_t"])


def _table_recipe_mix(built: Built) -> pd.DataFrame:
    """t of product per recipe, consumer and year, and its share of that product's t made."""
    m = built.model
    made: defaultdict[Any, float] = defaultdict(float)
    for (c, p, _r, y), var in m.x.items():
        made[(c, p, y)] += _v(var)
    rows = [
        (c, p, r, y, _v(var), _v(var) / made[(c, p, y)] if made[(c, p, y)] > 0 else None)
        for (c, p, r, y), var in m.x.items()
    ]
    return pd.DataFrame(rows, columns=["node", "product", "recipe", "year", "product_t", "share"])
