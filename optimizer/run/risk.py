"""`rechain risk` (risk.md): sample the uncertainty sheet draw by draw, solve each draw in the
mode asked for, and summarise: percentiles, the probability that the independence requirement holds
per year, and the distribution of the earliest independence year.

Draw `i` uses random streams derived only from `(seed, i, row)`, so a draw's values depend neither
on the number of workers nor on the order in which draws finish.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..base.errors import InputError, Issue
from ..base.stats import wilson
from ..models.dataset import Dataset
from ..models.figures import column, keyed, premium_columns
from ..models.highs import DEFAULT_OPTIONS, SolveOptions
from ..models.model import Model, split
from ..models.pool import Pool
from ..models.solution import Solution, per_kg_premiums
from ..models.two_stage import HEDGE_LIMIT, TwoStage
from ..models.variants import Variant
from ..workbook.cases import Overrides, make_dataset
from ..workbook.uncertainty import Uncertainty, in_precedence, raise_on_key_problems
from ..workbook.validate import Workbook
from .diagnosis import held_from

if TYPE_CHECKING:
    from ..workbook.read import RawSheet
    from .parallel import OnRow, Row

MODES = ("replan", "commit", "hedge")
SHARE_TOLERANCE = 1e-6
FIGURES = (
    "system_cost_usd",
    "premium_usd",
    "capex_usd",
    "protected_capex_usd",
    "unmet_t",
    "shortfall_t",
    "earliest_independence_year",
)
ALL_DRAWS, REQUIREMENT_MET, ALL_ELEMENTS = "all draws", "requirement met", "all"
FULLY_MET = "fully met"
THRESHOLDS = (("≥95%", 0.95), ("≥99%", 0.99), (FULLY_MET, None))  # None: 1 − α
QUANTILES = (0.1, 0.5, 0.9)
SHARE_DIGITS = 9
OVERRUNS = "committed_overruns_budget"
THRESHOLD_COLUMNS = [
    "condition",
    "class",
    "element",
    "year",
    "threshold",
    "draws",
    "solved",
    "met",
    "probability",
    "low",
    "high",
]
FAN_COLUMNS = ["condition", "class", "element", "year", "n", "p10", "p50", "p90"]
SUMMARY_COLUMNS = ["condition", "class", "subset", "figure", "n", "p10", "p50", "p90", "mean"]
EARLIEST_COLUMNS = ["condition", "class", "earliest_year", "draws", "share"]
BINDING_DUAL = 1e-9  # USD per USD of budget
BUDGET_TOLERANCE = 1e-9  # relative: committed capex above a budget row by more than this overruns it


@dataclass(frozen=True)
class FacilityDraw:
    delay: int = 0
    overrun: float = 1.0
    failed: bool = False


@dataclass(frozen=True)
class Draw:
    index: int
    values: dict[str, float]  # the draws table's columns: every sampled value
    keys: tuple[tuple[str, str], ...] = ()  # case keys as --set entries
    facilities: dict[tuple[str, int], FacilityDraw] = field(default_factory=dict)
    conditions: dict[str, str] = field(default_factory=dict)  # condition row's target label -> its class

    def head(self) -> Row:
        """The draws table's first columns: the index, every sampled value, every condition's class."""
        return {"draw": self.index, **self.values, **{column("condition", k): v for k, v in self.conditions.items()}}


def build_options(ds: Dataset, order: int) -> list[tuple[str, int]]:
    """Facilities of a stage with a new-build option (their own or, at separation, a circuit's)."""
    circuit_nodes = {n for (n, _), c in ds.circuits.items() if c.capex_usd_per_tpa is not None}
    return sorted(
        (n, k)
        for (n, k), f in ds.facilities.items()
        if k == order and (f.capex_usd_per_tpa is not None or (k == 2 and n in circuit_nodes))
    )


def sample(rows: list[Uncertainty], base: Dataset, seed: int, i: int, central: bool = False) -> Draw:
    """Draw i (or, with `central`, every row at its median / most likely value). Each row's values are
    its distribution's inverse CDF at U_j = Φ(√ρ · Z_f + √(1 − ρ) · ε_j), one U_j per facility it applies
    to (risk.md v3, "Correlated draws"); a later row in precedence overrides an earlier one."""
    stage_ids = {s.order: s.id for s in base.stages}
    draw = Draw(i, {})
    keys: dict[str, str] = {}
    per_facility: dict[tuple[str, int], dict[str, float]] = {}
    factors: dict[int, float] = {}
    for u in in_precedence(rows):
        t = u.target
        places = [(t.node, t.stage or 0)] if t.node is not None else build_options(base, t.stage or 0)
        n = 1 if t.kind == "key" else len(places)
        if n == 0:
            continue
        drawn = np.full(n, u.distribution.central()) if central else u.distribution.ppf(u.uniforms(seed, i, n, factors))
        if u.condition:
            draw.conditions[t.label(stage_ids)] = u.distribution.class_of(float(drawn[0]))
        if t.kind == "key":
            draw.values[t.key] = float(drawn[0])
            keys[t.key] = t.text(drawn[0])
        else:
            _record(u, places, drawn, stage_ids, draw.values, per_facility)
    facilities = {
        key: FacilityDraw(
            max(0, math.floor(d.get("lead_time_delay", 0.0))), d.get("capex_overrun", 1.0), d.get("failure", 0.0) >= 0.5
        )
        for key, d in per_facility.items()
    }
    return replace(draw, keys=tuple(keys.items()), facilities=facilities)


def _record(
    u: Uncertainty,
    places: list[tuple[str, int]],
    drawn: np.ndarray,
    stage_ids: dict[int, str],
    values: dict[str, float],
    per_facility: dict[tuple[str, int], dict[str, float]],
) -> None:
    """A facility row's values: per facility, and in the draws table one column per facility (one for
    the stage when the row is shared)."""
    t = u.target
    whole_stage = u.shared and t.node is None
    if whole_stage:
        values[t.label(stage_ids)] = float(drawn[0])
    for (n, k), v in zip(places, drawn, strict=True):
        per_facility.setdefault((n, k), {})[t.kind] = float(v)
        if not whole_stage:
            values[f"{t.kind}.{n}.{stage_ids[k]}"] = float(v)


def drawn_dataset(ds: Dataset, draw: Draw, keep_failed_builds: bool = False) -> Dataset:
    """The case of one draw: delays added to the lead time of new builds (and of circuits at
    separation), overruns multiplying their capex, failed facilities without a new-build option.
    `keep_failed_builds` (commit, hedge): failed facilities keep it, their throughput capped at existing
    capacity (committed builds are paid for and deliver nothing), and delays and overruns stay out of
    the case: they are the DRAWS model's parameters (`draw_parameters`), so a committed build that a
    delay pushes past last_year keeps its variable and is paid (Model.commit)."""
    if keep_failed_builds:
        draw = replace(draw, facilities={f: FacilityDraw(failed=fd.failed) for f, fd in draw.facilities.items()})
    facilities, circuits, availability = dict(ds.facilities), dict(ds.circuits), dict(ds.availability)
    for (n, k), fd in draw.facilities.items():
        f = facilities[(n, k)]
        drop = fd.failed and not keep_failed_builds
        capex = None if drop or f.capex_usd_per_tpa is None else f.capex_usd_per_tpa * fd.overrun
        facilities[(n, k)] = replace(f, lead_time_years=f.lead_time_years + fd.delay, capex_usd_per_tpa=capex)
        if fd.failed and keep_failed_builds:
            for y in ds.settings.years:
                availability[(n, k, y)] = min(availability.get((n, k, y), math.inf), f.existing_tpa)
        if k != 2:
            continue
        for (cn, e), c in ds.circuits.items():
            if cn == n:
                lead = None if c.lead_time_years is None else c.lead_time_years + fd.delay
                ccapex = None if drop or c.capex_usd_per_tpa is None else c.capex_usd_per_tpa * fd.overrun
                circuits[(cn, e)] = replace(c, lead_time_years=lead, capex_usd_per_tpa=ccapex)
    return replace(ds, facilities=facilities, circuits=circuits, availability=availability)


def draw_parameters(draw: Draw) -> dict[tuple[str, int], tuple[int, float]]:
    """(delay, overrun) per facility, as Model.set_draw and Model.commit take them."""
    return {f: (fd.delay, fd.overrun) for f, fd in draw.facilities.items()}


def holds_by_year(ds: Dataset, solution: Solution) -> dict[int, bool]:
    """Whether clean supply reaches (1 − α) of protected demand for every element in a year — in the
    years the requirement applies this is zero shortfall; it is judged the same way in earlier years."""
    alpha = ds.settings.max_restricted_share
    assert solution.figures is not None
    shares = solution.figures.by_year("clean_share")
    held = {}
    for y in ds.settings.years:
        found = [by_year.get(y) for by_year in shares.values()]
        held[y] = all(s is None or s >= 1 - alpha - SHARE_TOLERANCE for s in found)
    return held


@dataclass(frozen=True)
class RiskJob:
    """What every draw shares: the case, the uncertainty rows, the seed and the mode."""

    wb: Workbook
    scenario: str | None
    overrides: Overrides
    rows: tuple[Uncertainty, ...]
    seed: int
    mode: str = "replan"
    recourse_year: int | None = None
    options: SolveOptions = DEFAULT_OPTIONS
    plan: CommittedPlan | None = None  # commit: the deterministic plan
    premium: bool = True  # replan: also solve each draw at α = 1 for its premium

    def base(self) -> Dataset:
        return make_dataset(self.wb, self.scenario, self.overrides)

    def case(self, draw: Draw) -> Dataset:
        """The draw's case: the workbook's with the draw's keys (its facilities' draws not applied)."""
        try:
            ds = make_dataset(self.wb, self.scenario, tuple(self.overrides) + draw.keys)
        except InputError as exc:
            raise_on_key_problems(exc, list(self.rows))
        return ds

    def dataset(self, draw: Draw) -> Dataset:
        return drawn_dataset(self.case(draw), draw, keep_failed_builds=self.mode != "replan")

    def run(self, i: int, cache: dict[Any, Any]) -> Row:
        """Draw i's row: its sampled values, status and figures. A draw whose sampled values repeat an
        earlier draw's in this worker (discrete and bernoulli targets) re-uses that draw's figures."""
        base = cache.get("base") or cache.setdefault("base", self.base())
        draw = sample(list(self.rows), base, self.seed, i)
        seen: dict[object, Row] = cache.setdefault("seen", {})
        same = (draw.keys, tuple(sorted(draw.facilities.items())))
        if same not in seen:
            seen[same] = self._solve(draw, cache)
        return draw.head() | seen[same]

    def _solve(self, draw: Draw, cache: dict[Any, Any]) -> Row:
        if self.plan is not None and not self.plan.optimal:
            return {"status": self.plan.status, "reason": f"deterministic plan: {self.plan.message}"}
        case = self.case(draw)
        ds = drawn_dataset(case, draw, keep_failed_builds=self.mode != "replan")
        try:
            model = self._model(draw, case, ds, cache)
        except ValueError as exc:  # a committed build this draw's case cannot hold (Model.commit)
            return {"status": "error", "reason": str(exc)}
        solution = model.solve(tables=False, cold=True)
        row: Row = {"status": solution.status.value}
        if not solution.optimal:
            row["reason"] = solution.message
            return row
        row.update(figures(ds, solution))
        if self.mode == "commit":
            row.update(committed_spending(ds, model.committed_capex()))
        alpha = ds.settings.max_restricted_share
        if self.mode == "replan" and alpha < 1 and self.premium:
            model.update("max_restricted_share", 1.0)
            free = model.solve(tables=False, cold=True)
            model.update("max_restricted_share", alpha)
            base = free.figures
            row["premium_usd"] = math.nan if base is None else row["system_cost_usd"] - base.system_cost_usd
            if base is not None and solution.figures is not None:
                row.update(premium_columns(per_kg_premiums(solution.figures, base)))
                row["budget_binds"] = row["budget_binds"] or _budget_binds(free)
        return row

    def _model(self, draw: Draw, case: Dataset, ds: Dataset, cache: dict[Any, Any]) -> Model:
        """The draw's model. In `replan`, the pool's model of the draw's case (one per worker, each
        solve cold, see docs/model.md §9): overruns, delays, failures and drawn embargoes are
        parameters and bounds (Variant.DRAWS; the model is of the case without the drawn blocs'
        embargo), set here for every draw. Other modes build anew."""
        if self.mode != "replan":
            assert self.plan is not None
            model = Model(ds, Variant.DRAWS, self.options)
            model.commit(dict(self.plan.builds), draw_parameters(draw), self.recourse_year)
            return model
        embargoes = {rest for head, rest in map(split, (k for k, _ in draw.keys)) if head == "embargo"}
        kept = {b: y for b, y in case.settings.embargo.items() if b not in embargoes}
        pool: Pool = cache.setdefault("pool", Pool(Variant.DRAWS, self.options, keep=1))
        model = pool.model(replace(case, settings=replace(case.settings, embargo=kept)))
        model.set_embargo({b: ds.settings.embargo.get(b) for b in embargoes})
        model.set_draw({f: (fd.delay, fd.overrun) for f, fd in draw.facilities.items()})
        model.forbid_builds(frozenset(f for f, fd in draw.facilities.items() if fd.failed))
        return model


def figures(ds: Dataset, solution: Solution) -> Row:
    """A solved draw's figures, `holds.<y>` for every year of its horizon and `clean_share.<e>.<y>`
    (blank: no protected need), rounded to 1e-9 so that no figure depends on the worker's LP order."""
    fig = solution.figures
    assert fig is not None
    held = holds_by_year(ds, solution)
    names = ("objective_usd", "system_cost_usd", "capex_usd", "protected_capex_usd", "unmet_t", "shortfall_t")
    row: Row = {k: getattr(fig, k) for k in names}
    row["budget_binds"] = _budget_binds(solution)
    row["earliest_independence_year"] = held_from(held)
    row |= {column("holds", y): ok for y, ok in held.items()}
    for (e, y), share in fig.clean_share.items():
        row[column("clean_share", e, y)] = None if share is None else round(share, SHARE_DIGITS)
    return row


def _budget_binds(solution: Solution) -> bool:
    """Does a budget row hold the plan back (a nonzero dual of the total budget)?"""
    dual = None if solution.figures is None else solution.figures.budget_dual_usd_per_usd
    return abs(dual or 0.0) > BINDING_DUAL


def committed_spending(ds: Dataset, spent: dict[tuple[str, int], float]) -> dict[str, float | bool]:
    """commit: the committed builds' capex (nominal USD with the drawn overrun, φ and capex_factor, as
    budget rows count it; per (bloc, start year)) and whether it alone exceeds any budget row: the total
    budget_usd or annual_budget_usd in any year over the budget blocs, or a bloc's row of the budgets
    sheet (risk.md v3: the budget rows cover recourse builds only)."""
    s, covered = ds.settings, ds.budget_blocs
    by_year = {y: sum(v for (bl, yy), v in spent.items() if yy == y and bl in covered) for y in s.years}
    over = s.budget_usd is not None and sum(by_year.values()) > s.budget_usd * (1 + BUDGET_TOLERANCE)
    over |= s.annual_budget_usd is not None and max(by_year.values()) > s.annual_budget_usd * (1 + BUDGET_TOLERANCE)
    for row in ds.bloc_budgets:
        bloc_spent = sum(v for (bl, _), v in spent.items() if bl == row.bloc)
        over |= bloc_spent > row.budget_usd * (1 + BUDGET_TOLERANCE)
    return {"committed_capex_usd": sum(spent.values()), "committed_overruns_budget": bool(over)}


@dataclass(frozen=True)
class CommittedPlan:
    """The deterministic plan of commit (and of VSS): its builds (t/yr per (node, stage order or element,
    start year)), or the status and message of a solve that did not finish optimal."""

    builds: tuple[tuple[tuple[str, object, int], float], ...] = ()
    status: str = "optimal"
    message: str = ""

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"


def committed_plan(job: RiskJob) -> CommittedPlan:
    """The deterministic plan: every row at `Distribution.central()` (the median of a continuous
    distribution, the most likely value of a discrete or bernoulli one), solved on the DRAWS model of
    the commit draws with those delays and overruns (so its builds are variables of every draw's
    model). A plan that does not solve optimal (time limit, infeasible) is a failed run, not an input
    error: every commit draw then reports its status and message."""
    base = job.base()
    draw = sample(list(job.rows), base, job.seed, 0, central=True)
    model = Model(replace(job, mode="commit").dataset(draw), Variant.DRAWS, job.options)
    model.set_draw(draw_parameters(draw))
    solution = model.solve(tables=False)
    if not solution.optimal:
        return CommittedPlan(status=solution.status.value, message=solution.message)
    return CommittedPlan(tuple(sorted(model.builds().items(), key=str)))


MAX_DRAWS = 100_000  # risk and report: draws one run may ask for (every draw's row is held in memory)


def check_draw_count(draws: int, mode: str = "replan", least: int = 1) -> None:
    """--draws within [least, MAX_DRAWS] (hedge: HEDGE_LIMIT, one LP holds them all), before any work."""
    hedge = mode == "hedge"
    limit = HEDGE_LIMIT if hedge else MAX_DRAWS
    why = " draws with --mode hedge (one LP holds them all)" if hedge else ""
    if draws < least:
        raise InputError([Issue("--draws", f"a number of draws >= {least}", str(draws))])
    if draws > limit:
        raise InputError([Issue("--draws", f"at most {limit}{why}", str(draws))])


def check_draws(mode: str, recourse_year: int | None, base: Dataset) -> None:
    issues = []
    if mode not in MODES:
        issues.append(Issue("--mode", " | ".join(MODES), mode))
    years = base.settings.years
    if recourse_year is not None and not years.start <= recourse_year <= years.stop:
        issues.append(Issue("--recourse-year", f"a year from {years.start} to {years.stop}", str(recourse_year)))
    if issues:
        raise InputError(issues)


def summarise(rows: list[Row], base: Dataset) -> dict[str, pd.DataFrame]:
    """The draws and their summaries (risk.md v3), each over all draws (condition "", class "all
    draws") and then per class of every `condition.<label>` column, one condition at a time:
    `thresholds`, `clean_share_fan`, `summary` and `earliest_year`; and `probability_by_year` (all
    draws, every element fully met, as in `thresholds`)."""
    draws = pd.DataFrame(rows).reset_index(drop=True)
    met = _met(draws, base)
    required = _requirement_met(draws, base, met)
    groups = _groups(draws)
    thresholds = _table(THRESHOLD_COLUMNS, (r for g in groups for r in _threshold_rows(g, draws, met, base)))
    whole = thresholds[(thresholds["condition"] == "") & (thresholds["element"] == ALL_ELEMENTS)]
    by_year = whole[whole["threshold"] == FULLY_MET][["year", "probability", "draws", "solved", "low", "high"]]
    return {
        "draws": draws,
        "thresholds": thresholds,
        "clean_share_fan": _table(FAN_COLUMNS, (r for g in groups for r in _fan_rows(g, draws, base))),
        "summary": _table(SUMMARY_COLUMNS, (r for g in groups for r in _summary_rows(g, draws, required))),
        "probability_by_year": by_year.reset_index(drop=True),
        "earliest_year": _table(EARLIEST_COLUMNS, (r for g in groups for r in _earliest_rows(g, draws, base))),
    }


def _table(columns: list[str], rows: Iterable[tuple[object, ...]]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=columns)


@dataclass(frozen=True)
class Group:
    """Draws summarised together: all of them, or one class of one condition row."""

    condition: str  # "" = all draws
    name: str  # the class
    mask: pd.Series  # bool, aligned with the draws


def _groups(draws: pd.DataFrame) -> list[Group]:
    """All draws, then each class of each `condition.<label>` column (each condition on its own)."""
    groups = [Group("", ALL_DRAWS, pd.Series(True, index=draws.index))]
    for label, name_of in keyed(draws.columns, "condition").items():
        classes = draws[name_of].map(lambda v: None if v is None or v != v else str(v))
        for name in sorted(classes.dropna().unique(), key=_class_order):
            groups.append(Group(label, name, classes.eq(name)))
    return groups


def _class_order(name: str) -> tuple[int, float, str]:
    """Numbers by value first (years, 0 and 1), then text, "below …" before "at or above …"."""
    try:
        return (0, float(name), "")
    except ValueError:
        return (1, 0.0 if name.startswith("below") else 1.0, name)


def _column(draws: pd.DataFrame, name: str) -> pd.Series:
    """A column as numbers (NaN where blank or absent)."""
    if name not in draws:
        return pd.Series(np.nan, index=draws.index, dtype=float)
    return pd.to_numeric(draws[name], errors="coerce").astype(float)


def _solved(draws: pd.DataFrame) -> pd.Series:
    return draws["status"].eq("optimal") if "status" in draws else pd.Series(False, index=draws.index)


def _elements(draws: pd.DataFrame) -> list[str]:
    return sorted({key.rsplit(".", 1)[0] for key in keyed(draws.columns, "clean_share")})


def _met(draws: pd.DataFrame, base: Dataset) -> dict[tuple[str, int, str], pd.Series]:
    """Per (element or "all", year, threshold), whether each draw meets it: it solved, the year is in
    its horizon (its row has `holds.<y>`) and its clean share s is blank (no protected need) or
    s ≥ level − 1e-6, level = 0.95, 0.99 or, for "fully met", 1 − α (the draw's α)."""
    alpha = _column(draws, "max_restricted_share").fillna(base.settings.max_restricted_share)
    solved = _solved(draws)
    elements = _elements(draws)
    met = {}
    for y in base.settings.years:
        inside = solved & _column(draws, column("holds", y)).notna()
        for label, level in THRESHOLDS:
            bar = 1 - alpha if level is None else pd.Series(level, index=draws.index)
            every = inside.copy()
            for e in elements:
                share = _column(draws, column("clean_share", e, y))
                met[(e, y, label)] = inside & (share.isna() | (share >= bar - SHARE_TOLERANCE))
                every &= met[(e, y, label)]
            met[(ALL_ELEMENTS, y, label)] = every
    return met


def _requirement_met(draws: pd.DataFrame, base: Dataset, met: dict[tuple[str, int, str], pd.Series]) -> pd.Series:
    """Solved draws in which every element is fully met in every year from the case's independence
    year (the draw's, where it is drawn) to the base case's last year."""
    start = _column(draws, "independence_year").fillna(base.settings.first_independence_year)
    required = _solved(draws)
    for y in base.settings.years:
        required &= (start > y) | met[(ALL_ELEMENTS, y, FULLY_MET)]
    return required


def _threshold_rows(
    g: Group, draws: pd.DataFrame, met: dict[tuple[str, int, str], pd.Series], base: Dataset
) -> list[tuple[object, ...]]:
    """P(threshold met) = met / draws, every draw of the group in `draws` (one that did not solve
    counts as not meeting it), with its 90 % Wilson interval."""
    n, solved = int(g.mask.sum()), int((g.mask & _solved(draws)).sum())
    rows: list[tuple[object, ...]] = []
    for element in [ALL_ELEMENTS, *_elements(draws)]:
        for y in base.settings.years:
            for label, _ in THRESHOLDS:
                k = int((g.mask & met[(element, y, label)]).sum())
                low, high = wilson(k, n) if n else (None, None)
                rows.append((g.condition, g.name, element, y, label, n, solved, k, k / n if n else None, low, high))
    return rows


def _fan_rows(g: Group, draws: pd.DataFrame, base: Dataset) -> list[tuple[object, ...]]:
    """P10, P50, P90 of the clean share per element and year, over the solved draws of the group
    that have a share there (a draw with no protected need that year has none)."""
    solved = g.mask & _solved(draws)
    rows: list[tuple[object, ...]] = []
    for e in _elements(draws):
        for y in base.settings.years:
            v = _column(draws, column("clean_share", e, y))[solved].dropna()
            q = [float(v.quantile(p)) if len(v) else None for p in QUANTILES]
            rows.append((g.condition, g.name, e, y, len(v), *q))
    return rows


def _figures_of(draws: pd.DataFrame) -> list[str]:
    per_kg = sorted(keyed(draws.columns, "premium_usd_per_kg").values())
    return [f for f in (*FIGURES, *per_kg, "committed_capex_usd") if f in draws]


def _summary_rows(g: Group, draws: pd.DataFrame, required: pd.Series) -> list[tuple[object, ...]]:
    """P10, P50, P90 and mean of each figure over the group's solved draws, and over those that meet
    the requirement; `p_committed_overruns_budget` is the share of them (in `mean`) whose committed
    spending exceeds a budget row."""
    rows: list[tuple[object, ...]] = []
    for subset, chosen in ((ALL_DRAWS, g.mask & _solved(draws)), (REQUIREMENT_MET, g.mask & required)):
        for figure in _figures_of(draws):
            v = _column(draws, figure)[chosen].dropna()
            q = [float(v.quantile(p)) if len(v) else None for p in QUANTILES]
            rows.append((g.condition, g.name, subset, figure, len(v), *q, float(v.mean()) if len(v) else None))
        if OVERRUNS in draws:
            v = draws.loc[chosen, OVERRUNS].dropna().astype(bool)
            rows.append((g.condition, g.name, subset, f"p_{OVERRUNS}", len(v), None, None, None, _mean(v)))
    return rows


def _mean(v: pd.Series) -> float | None:
    return float(v.mean()) if len(v) else None


def _earliest_rows(g: Group, draws: pd.DataFrame, base: Dataset) -> list[tuple[object, ...]]:
    """Draws of the group by earliest independence year, "never", and "did not solve"; shares of
    every draw of the group."""
    n, solved = int(g.mask.sum()), g.mask & _solved(draws)
    earliest = _column(draws, "earliest_independence_year")[solved]
    counts = [(str(y), int((earliest == y).sum())) for y in base.settings.years]
    counts += [("never", int(earliest.isna().sum())), ("did not solve", int(n - solved.sum()))]
    return [(g.condition, g.name, label, c, c / n if n else None) for label, c in counts]


def load_risk(
    path: Path, scenario: str | None, overrides: tuple[tuple[str, str], ...], required: bool = True
) -> tuple[Workbook, tuple[Uncertainty, ...], Dataset]:
    """The workbook, the uncertainty rows of the case and the case itself; every input problem at once
    (the sheet checked as `rechain validate` checks it, a --set on a drawn key, scipy missing, and with
    `required` no uncertainty sheet)."""
    from ..workbook.read import read_tables
    from ..workbook.uncertainty import check_uncertainty, scipy_stats
    from ..workbook.validate import validate_tables

    scipy_stats()
    tables = read_tables(path)
    wb, problems = validate_tables(tables)
    problems.raise_if_any()
    assert wb is not None
    if required:
        _require_uncertainty(tables)
    base = make_dataset(wb, scenario, overrides)
    rows = check_uncertainty(tables.get("uncertainty"), wb, scenario, overrides, base)
    return wb, rows, base


def _require_uncertainty(tables: dict[str, RawSheet]) -> None:
    """No uncertainty sheet: every draw would be the base case and each probability 0 or 1, so it is an
    input error, naming a sheet whose name is close (a sheet present without rows draws nothing, on purpose)."""
    if "uncertainty" in tables:
        return
    import difflib

    near = difflib.get_close_matches("uncertainty", [str(n) for n in tables], n=1, cutoff=0.6)
    found = "<no such sheet>"
    if near:
        found = f"<no such sheet; sheet '{tables[near[0]].name}' is not read: did you mean 'uncertainty'?>"
    raise InputError([Issue("workbook", "a sheet named 'uncertainty' with the rows to draw (risk.md)", found)])


def run_risk(
    job: RiskJob, draws: int, workers: int | None = None, scheduler: str | None = None, on_row: OnRow = None
) -> tuple[dict[str, pd.DataFrame], bool]:
    """The risk tables of draws 0 … draws − 1, and whether the run completed (False after an
    interrupt: the finished draws are kept)."""
    from .parallel import run_tasks

    if job.mode == "hedge":
        return run_hedge(job, draws, workers, scheduler, on_row)
    if job.mode == "commit":
        job = replace(job, plan=committed_plan(job))
    rows, complete = run_tasks(job, list(range(draws)), workers, scheduler, on_row)
    return summarise(rows, job.base()), complete


def recourse_of(job: RiskJob, base: Dataset) -> int:
    return job.recourse_year if job.recourse_year is not None else base.settings.first_year + 3


def run_hedge(
    job: RiskJob, draws: int, workers: int | None = None, scheduler: str | None = None, on_row: OnRow = None
) -> tuple[dict[str, pd.DataFrame], bool]:
    """The hedged plan over draws 0 … draws − 1, each draw's figures under it, and the value of the
    stochastic solution and of perfect information against `commit` and `replan` on the same draws.
    `on_row` sees 3 × draws rows in all (the hedged draws, then the replanned, then the committed ones);
    after an interrupt the comparison stops and the value table keeps only what every draw gave."""
    from .parallel import run_tasks

    base = job.base()
    recourse = recourse_of(job, base)
    job = replace(job, recourse_year=recourse)
    sampled = [sample(list(job.rows), base, job.seed, i) for i in range(draws)]
    datasets = [job.dataset(d) for d in sampled]
    two_stage = TwoStage(datasets, recourse, job.options, [draw_parameters(d) for d in sampled])
    solutions = two_stage.solve()
    rows = []
    for d, ds, sol in zip(sampled, datasets, solutions, strict=True):
        row = d.head() | {"status": sol.status.value}
        row.update(figures(ds, sol) if sol.optimal else {"reason": sol.message})
        rows.append(row)
    if on_row:
        on_row(rows)
    tables = summarise(rows, base)
    replanned, done = run_tasks(replace(job, mode="replan"), list(range(draws)), workers, scheduler, on_row)
    plan = committed_plan(job) if done else CommittedPlan(status="interrupted", message="not solved")
    committed: list[Row] = []
    if done:
        committed, done = run_tasks(
            replace(job, mode="commit", plan=plan), list(range(draws)), workers, scheduler, on_row
        )
    tables["value"] = _values(rows, replanned, committed, recourse, plan, draws)
    tables["hedged_plan"] = _plan_table(two_stage.plan() if solutions and solutions[0].optimal else {}, base)
    return tables, done


def _plan_table(plan: dict[tuple[str, object, int], float], base: Dataset) -> pd.DataFrame:
    """The shared builds: (node, what, year started, t/yr), `what` a stage or `<element> circuit`."""
    stage_ids = {s.order: s.id for s in base.stages}
    rows = [
        (n, stage_ids[what] if isinstance(what, int) else f"{what} circuit", y, tpa)
        for (n, what, y), tpa in sorted(plan.items(), key=str)
        if tpa > 1e-6
    ]
    return pd.DataFrame(rows, columns=["node", "facility", "year", "built_tpa"])


def _mean_objective(rows: list[Row], draws: int) -> float | None:
    """Mean objective over the draws, or None unless all `draws` draws are there and solved (the
    comparison needs every one: a mean over the draws finished before an interrupt is another number)."""
    if len(rows) != draws or not rows or any(r.get("status") != "optimal" for r in rows):
        return None
    return float(np.mean([r["objective_usd"] for r in rows]))


def _values(
    hedged: list[Row], replanned: list[Row], committed: list[Row], recourse: int, plan: CommittedPlan, draws: int
) -> pd.DataFrame:
    """VSS = commit mean − hedge mean; EVPI = hedge mean − replan mean (objectives, penalties included).
    The commit term follows commit's readings (recourse year, budget rows, salvage; risk.md v3); a
    deterministic plan that did not solve leaves VSS blank and says why; a mode whose draws did not all
    finish (an interrupt) leaves its mean and the values that need it blank, and `comparison_draws_done`
    says how many of each finished."""
    h, r, c = (_mean_objective(rows, draws) for rows in (hedged, replanned, committed))
    vss = None if h is None or c is None else c - h
    evpi = None if h is None or r is None else h - r
    plan_status = plan.status if plan.optimal else f"{plan.status}: {plan.message}"
    return pd.DataFrame(
        [
            ("recourse_year", recourse),
            ("deterministic_plan_status", plan_status),
            ("hedge_mean_objective_usd", h),
            ("commit_mean_objective_usd", c),
            ("replan_mean_objective_usd", r),
            ("value_of_stochastic_solution_usd", vss),
            ("expected_value_of_perfect_information_usd", evpi),
            ("comparison_draws_done", f"replan {len(replanned)} of {draws}, commit {len(committed)} of {draws}"),
        ],
        columns=["figure", "value"],
    )
