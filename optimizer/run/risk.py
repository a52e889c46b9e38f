"""`rechain risk` (risk.md): sample the uncertainty sheet draw by draw, solve each draw in the
mode asked for, and summarise: percentiles, the probability that the independence requirement holds
per year, and the distribution of the earliest independence year.

Draw `i` uses random streams derived only from `(seed, i, row)`, so a draw's values depend neither
on the number of workers nor on the order in which draws finish.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..errors import InputError, Issue
from ..models.dataset import Dataset
from ..models.highs import DEFAULT_OPTIONS, SolveOptions
from ..models.model import Model, is_mutable, split
from ..models.solution import PER_KG, Solution, per_kg_premiums
from ..models.two_stage import HEDGE_LIMIT, TwoStage
from ..models.variants import Variant
from ..workbook.cases import make_dataset
from ..workbook.uncertainty import Uncertainty, in_precedence, raise_on_key_problems
from ..workbook.validate import Workbook
from .diagnosis import held_from

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
BINDING_DUAL = 1e-9  # USD per USD of budget


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
        places = [(t.node, t.stage)] if t.node is not None else build_options(base, t.stage or 0)
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


def _record(u: Uncertainty, places: list, drawn: np.ndarray, stage_ids: dict, values: dict, per_facility: dict) -> None:
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
    separation), overruns multiplying their capex, failed facilities without a new-build option
    (`keep_failed_builds`: with it, but their throughput capped at existing capacity, so committed
    builds are paid for and deliver nothing)."""
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


def holds_by_year(ds: Dataset, solution: Solution) -> dict[int, bool]:
    """Whether clean supply reaches (1 − α) of protected demand for every element in a year — in the
    years the requirement applies this is zero shortfall; it is judged the same way in earlier years."""
    alpha = ds.settings.max_restricted_share
    shares = solution.summary["clean_share"]
    held = {}
    for y in ds.settings.years:
        found = [by_year.get(str(y)) for by_year in shares.values()]
        held[y] = all(s is None or s >= 1 - alpha - SHARE_TOLERANCE for s in found)
    return held


@dataclass(frozen=True)
class RiskJob:
    """What every draw shares: the case, the uncertainty rows, the seed and the mode."""

    wb: Workbook
    scenario: str | None
    overrides: tuple
    rows: tuple[Uncertainty, ...]
    seed: int
    mode: str = "replan"
    recourse_year: int | None = None
    options: SolveOptions = DEFAULT_OPTIONS
    plan: tuple[tuple[tuple, float], ...] = ()  # commit: the committed builds

    def base(self) -> Dataset:
        return make_dataset(self.wb, self.scenario, self.overrides)

    def dataset(self, draw: Draw) -> Dataset:
        try:
            ds = make_dataset(self.wb, self.scenario, tuple(self.overrides) + draw.keys)
        except InputError as exc:
            raise_on_key_problems(exc, list(self.rows))
        return drawn_dataset(ds, draw, keep_failed_builds=self.mode != "replan")

    def run(self, i: int, cache: dict) -> dict:
        """Draw i's row: its sampled values, status and figures. A draw whose sampled values repeat an
        earlier draw's in this worker (discrete and bernoulli targets) re-uses that draw's figures."""
        base = cache.get("base") or cache.setdefault("base", self.base())
        draw = sample(list(self.rows), base, self.seed, i)
        seen = cache.setdefault("seen", {})
        same = (draw.keys, tuple(sorted(draw.facilities.items())))
        if same not in seen:
            seen[same] = self._solve(draw, cache)
        conditions = {f"condition.{label}": text for label, text in draw.conditions.items()}
        return {"draw": i, **draw.values, **conditions, **seen[same]}

    def _solve(self, draw: Draw, cache: dict) -> dict:
        ds = self.dataset(draw)
        model = self._model(draw, ds, cache)
        solution = model.solve(tables=False, cold=True)
        row: dict = {"status": solution.status.value}
        if not solution.optimal:
            row["reason"] = solution.message
            return row
        row.update(figures(ds, solution))
        alpha = ds.settings.max_restricted_share
        if self.mode == "replan" and alpha < 1:
            model.update("max_restricted_share", 1.0)
            free = model.solve(tables=False, cold=True)
            model.update("max_restricted_share", alpha)
            row["premium_usd"] = row["system_cost_usd"] - free.summary["system_cost_usd"] if free.optimal else math.nan
            if free.optimal:
                row.update(per_kg_premiums(solution.summary, free.summary))
                row["budget_binds"] = row["budget_binds"] or _budget_binds(free)
        return row

    def _model(self, draw: Draw, ds: Dataset, cache: dict) -> Model:
        """The draw's model. In `replan`, one model per worker, re-used (each solve cold, see
        docs/model.md §9) while the draw's case keys that change the structure stay the same:
        overruns, delays, failures and drawn embargoes are parameters and bounds (Variant.DRAWS; the
        model is built without the drawn blocs' embargo). Other modes build anew."""
        if self.mode != "replan":
            model = Model(ds, options=self.options)
            model.fix_builds(dict(self.plan), self.recourse_year)
            return model
        base = cache["base"]
        mutable = [(k, v) for k, v in draw.keys if is_mutable(k, float(v), base)]
        embargoes = {rest for head, rest in map(split, (k for k, _ in draw.keys)) if head == "embargo"}
        signature = tuple(kv for kv in draw.keys if kv not in mutable and split(kv[0])[0] != "embargo")
        model = cache.get("model")
        if model is None or cache.get("signature") != signature:
            built = self.dataset(replace(draw, facilities={}, keys=signature))
            kept = {b: y for b, y in built.settings.embargo.items() if b not in embargoes}
            built = replace(built, settings=replace(built.settings, embargo=kept))
            model = Model(built, Variant.DRAWS, self.options)
            cache.update(model=model, signature=signature)
        for k, v in mutable:
            model.update(k, float(v))
        model.set_embargo({b: ds.settings.embargo.get(b) for b in embargoes})
        model.set_draw({f: (fd.delay, fd.overrun) for f, fd in draw.facilities.items()})
        model.forbid_builds(frozenset(f for f, fd in draw.facilities.items() if fd.failed))
        return model


def figures(ds: Dataset, solution: Solution) -> dict:
    s = solution.summary
    held = holds_by_year(ds, solution)
    row = {k: s[k] for k in ("objective_usd", "system_cost_usd", "capex_usd", "protected_capex_usd")}
    row |= {k: s[k] for k in ("unmet_t", "shortfall_t")}
    row["budget_binds"] = _budget_binds(solution)
    row["earliest_independence_year"] = held_from(held)
    for y, ok in held.items():
        row[f"holds.{y}"] = ok
    for e, by_year in s["clean_share"].items():
        for y, share in by_year.items():
            row[f"clean_share.{e}.{y}"] = share
    return row


def _budget_binds(solution: Solution) -> bool:
    """Does a budget row hold the plan back (a nonzero dual of the total budget)?"""
    return abs(solution.summary.get("budget_dual_usd_per_usd") or 0.0) > BINDING_DUAL


def committed_plan(job: RiskJob) -> tuple[tuple[tuple, float], ...]:
    """The deterministic plan, solved with every target at its median / most likely value."""
    base = job.base()
    draw = sample(list(job.rows), base, job.seed, 0, central=True)
    model = Model(job.dataset(draw), options=job.options)
    solution = model.solve()
    if not solution.optimal:
        raise InputError(
            [Issue("--mode commit", "a deterministic plan to commit to", f"<no optimal plan: {solution.message}>")]
        )
    return tuple(sorted(model.builds().items(), key=str))


def check_draws(draws: int, mode: str, recourse_year: int | None, base: Dataset) -> None:
    issues = []
    if draws < 1:
        issues.append(Issue("--draws", "a number of draws >= 1", draws))
    if mode == "hedge" and draws > HEDGE_LIMIT:
        issues.append(Issue("--draws", f"at most {HEDGE_LIMIT} draws with --mode hedge (one LP holds them all)", draws))
    if mode not in MODES:
        issues.append(Issue("--mode", " | ".join(MODES), mode))
    years = base.settings.years
    if recourse_year is not None and not years.start <= recourse_year <= years.stop:
        issues.append(Issue("--recourse-year", f"a year from {years.start} to {years.stop}", recourse_year))
    if issues:
        raise InputError(issues)


def summarise(rows: list[dict], base: Dataset) -> dict[str, pd.DataFrame]:
    """The summary, probability-by-year, earliest-year and clean-share fan tables of the solved draws."""
    draws = pd.DataFrame(rows)
    ok = draws[draws["status"] == "optimal"] if len(draws) else draws
    n = len(ok)
    stats: dict[str, list] = {"statistic": ["p10", "p50", "p90", "mean"]}
    for figure in FIGURES + tuple(sorted(c for c in ok.columns if c.startswith(PER_KG))):
        v = pd.to_numeric(ok[figure], errors="coerce").dropna() if figure in ok else pd.Series(dtype=float)
        if len(v):
            q = v.quantile([0.1, 0.5, 0.9])
            stats[figure] = [q[0.1], q[0.5], q[0.9], v.mean()]
    years = list(base.settings.years)
    probability = pd.DataFrame(
        [(y, ok[f"holds.{y}"].astype(bool).mean() if n and f"holds.{y}" in ok else None, n) for y in years],
        columns=["year", "probability", "draws"],
    )
    earliest = ok["earliest_independence_year"] if n else pd.Series(dtype=float)
    counts = [(str(y), int((earliest == y).sum())) for y in years] + [("never", int(earliest.isna().sum()))]
    fan = []
    for col in [c for c in ok.columns if c.startswith("clean_share.")] if n else []:
        element, year = col.removeprefix("clean_share.").rsplit(".", 1)
        v = pd.to_numeric(ok[col], errors="coerce").dropna()
        if len(v):
            fan.append((element, int(year), v.quantile(0.1), v.quantile(0.5), v.quantile(0.9)))
    return {
        "draws": draws,
        "summary": pd.DataFrame(stats),
        "probability_by_year": probability,
        "earliest_year": pd.DataFrame(
            [(y, c, c / n if n else None) for y, c in counts], columns=["earliest_year", "draws", "share"]
        ),
        "clean_share_fan": pd.DataFrame(fan, columns=["element", "year", "p10", "p50", "p90"]),
    }


def load_risk(path, scenario: str | None, overrides: tuple) -> tuple[Workbook, tuple[Uncertainty, ...], Dataset]:
    """The workbook, the uncertainty rows of the case and the case itself; every input problem at once
    (the sheet checked as `rechain validate` checks it, a --set on a drawn key, scipy missing)."""
    from ..workbook.read import read_tables
    from ..workbook.uncertainty import check_uncertainty, scipy_stats
    from ..workbook.validate import validate_tables

    scipy_stats()
    tables = read_tables(path)
    wb, problems = validate_tables(tables)
    problems.raise_if_any()
    assert wb is not None
    base = make_dataset(wb, scenario, overrides)
    rows = check_uncertainty(tables.get("uncertainty"), wb, scenario, overrides, base)
    return wb, rows, base


def run_risk(
    job: RiskJob, draws: int, workers: int | None = None, scheduler: str | None = None, on_row=None
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
    job: RiskJob, draws: int, workers: int | None = None, scheduler: str | None = None, on_row=None
) -> tuple[dict[str, pd.DataFrame], bool]:
    """The hedged plan over draws 0 … draws − 1, each draw's figures under it, and the value of the
    stochastic solution and of perfect information against `commit` and `replan` on the same draws."""
    from .parallel import run_tasks

    base = job.base()
    recourse = recourse_of(job, base)
    job = replace(job, recourse_year=recourse)
    sampled = [sample(list(job.rows), base, job.seed, i) for i in range(draws)]
    datasets = [job.dataset(d) for d in sampled]
    two_stage = TwoStage(datasets, recourse, job.options)
    solutions = two_stage.solve()
    if on_row:
        on_row([{}])
    rows = []
    for d, ds, sol in zip(sampled, datasets, solutions, strict=True):
        row = {"draw": d.index, **d.values, "status": sol.status.value}
        row.update(figures(ds, sol) if sol.optimal else {"reason": sol.message})
        rows.append(row)
    tables = summarise(rows, base)
    replanned, done = run_tasks(replace(job, mode="replan"), list(range(draws)), workers, scheduler, None)
    committed, also = run_tasks(
        replace(job, mode="commit", plan=committed_plan(job)), list(range(draws)), workers, scheduler, None
    )
    tables["value"] = _values(rows, replanned, committed, recourse)
    tables["hedged_plan"] = _plan_table(two_stage.plan() if solutions and solutions[0].optimal else {}, base)
    return tables, done and also


def _plan_table(plan: dict, base: Dataset) -> pd.DataFrame:
    """The shared builds: (node, what, year started, t/yr), `what` a stage or `<element> circuit`."""
    stage_ids = {s.order: s.id for s in base.stages}
    rows = [
        (n, stage_ids[what] if isinstance(what, int) else f"{what} circuit", y, tpa)
        for (n, what, y), tpa in sorted(plan.items(), key=str)
        if tpa > 1e-6
    ]
    return pd.DataFrame(rows, columns=["node", "facility", "year", "built_tpa"])


def _mean_objective(rows: list[dict]) -> float | None:
    """Mean objective over the draws, or None unless every draw solved (the comparison needs all)."""
    if not rows or any(r.get("status") != "optimal" for r in rows):
        return None
    return float(np.mean([r["objective_usd"] for r in rows]))


def _values(hedged: list[dict], replanned: list[dict], committed: list[dict], recourse: int) -> pd.DataFrame:
    """VSS = commit mean − hedge mean; EVPI = hedge mean − replan mean (objectives, penalties included)."""
    h, r, c = _mean_objective(hedged), _mean_objective(replanned), _mean_objective(committed)
    vss = None if h is None or c is None else c - h
    evpi = None if h is None or r is None else h - r
    return pd.DataFrame(
        [
            ("recourse_year", recourse),
            ("hedge_mean_objective_usd", h),
            ("commit_mean_objective_usd", c),
            ("replan_mean_objective_usd", r),
            ("value_of_stochastic_solution_usd", vss),
            ("expected_value_of_perfect_information_usd", evpi),
        ],
        columns=["figure", "value"],
    )
