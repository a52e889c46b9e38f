"""The headline answer (`rechain report`): every number from a solve in this run.

Deadlines, budgets and cost factors come from the workbook (its horizon, the
capex of its cheapest fully clean plan, its scenarios); every sentence of
findings.md is computed from the tables beside it. A point that does not solve
is a row with its status and reason, never a crash.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..models.highs import DEFAULT_OPTIONS, SolveOptions, Status
from ..models.solution import Solution, clean_premiums
from ..report.tables import Chart, markdown_table, write_tables
from ..report.terminal import usd
from ..report.writers import write_markdown
from ..workbook.cases import make_dataset
from ..workbook.validate import Workbook
from .frontier import budget_frontier
from .scenarios import compare_scenarios, figures, make_cases, scenarios_chart, solve_case

COST_FACTORS = (1.0, 0.667, 0.5, 0.333, 0.25)
BUDGET_MULTIPLES = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5)  # of the budget capex of the cheapest fully clean plan
PREMIUM_ALPHAS = (0.1, 0.5)  # at alpha = 0 the requirement equals demand and its dual is not unique
PLAN = ("system_cost_usd", "capex_usd", "protected_capex_usd", "unmet_t", "shortfall_t")
FULLY_CLEAN = 1 - 1e-6  # a largest clean share this close to 1 is full independence
DEADLINE_COLUMNS = [
    "case",
    "independence_year",
    "status",
    "reason",
    "system_cost_usd",
    "premium_usd",
    "premium_share",
    "capex_usd",
    "protected_capex_usd",
    "unmet_t",
    "shortfall_t",
]
FACTOR_COLUMNS = [
    "restricted_cost_factor",
    "defined_by",
    "status",
    "reason",
    "unconstrained_system_cost_usd",
    "system_cost_usd",
    "premium_usd",
    "premium_share",
    "capex_usd",
    "protected_capex_usd",
    "unmet_t",
    "shortfall_t",
]


def deadlines(first_year: int, last_year: int) -> tuple[int, ...]:
    """Up to three deadlines, from first_year + 5 (or the middle of a shorter horizon) to last_year."""
    start = first_year + min(5, (last_year - first_year) // 2)
    return tuple(sorted({round(start + (last_year - start) * i / 2) for i in range(3)}))


def _names(blocs) -> str:
    return " and ".join(sorted(blocs)) or "none"


@dataclass(frozen=True)
class Subject:
    """What the workbook says the report is about."""

    first_year: int
    last_year: int
    discount_rate: float
    cost_factor: float
    restricted: str
    protected: str
    budget: str
    deadlines: tuple[int, ...]

    @classmethod
    def of(cls, wb: Workbook) -> Subject:
        ds = make_dataset(wb)
        s = ds.settings
        return cls(
            s.first_year,
            s.last_year,
            s.discount_rate,
            s.restricted_cost_factor,
            _names(s.restricted_blocs),
            _names(s.protected_blocs),
            _names(ds.budget_blocs),
            deadlines(s.first_year, s.last_year),
        )

    @property
    def year(self) -> int:
        """The deadline the sensitivity tables use: the middle one."""
        return self.deadlines[len(self.deadlines) // 2]

    @property
    def discounting(self) -> str:
        if not self.discount_rate:
            return "undiscounted"
        return f"discounted at {self.discount_rate:.1%} a year to {self.first_year}"

    @property
    def case(self) -> str:
        return f"cost factor {self.cost_factor:g} for {self.restricted}, {self.discounting}"


class Runner:
    """Solves cases of one workbook, each once, counting every request as progress."""

    def __init__(self, wb: Workbook, options: SolveOptions, tick):
        self.wb, self.options, self.tick = wb, options, tick
        self.settings = make_dataset(wb).settings
        self.solved: dict[tuple, Solution] = {}

    def solve(self, **overrides) -> Solution:
        key = tuple(sorted((k, _text(v)) for k, v in overrides.items() if getattr(self.settings, k, None) != v))
        if key not in self.solved:
            self.solved[key] = solve_case(make_dataset(self.wb, None, key), self.options)
        self.tick()
        return self.solved[key]

    @property
    def failed(self) -> int:
        return sum(not r.optimal for r in self.solved.values())


def _text(value) -> str:
    return repr(float(value)) if isinstance(value, float) else str(value)


def _premium(clean: Solution, free: Solution) -> dict:
    if not (clean.optimal and free.optimal):
        return {"premium_usd": None, "premium_share": None}
    cost, base = clean.summary["system_cost_usd"], free.summary["system_cost_usd"]
    return {"premium_usd": cost - base, "premium_share": (cost - base) / base if base else None}


def _worse(clean: Solution, free: Solution) -> dict:
    """status and reason of a row made of two solves: the first that failed."""
    for label, r in (("unconstrained plan", free), ("fully clean plan", clean)):
        if not r.optimal:
            return {"status": r.status.value, "reason": f"{label}: {r.message}"}
    return {"status": Status.OPTIMAL.value, "reason": None}


def deadline_table(run: Runner, subject: Subject) -> pd.DataFrame:
    free = run.solve(max_restricted_share=1.0)
    rows = [{"case": "unconstrained"} | figures(free, PLAN)]
    for year in subject.deadlines:
        clean = run.solve(max_restricted_share=0.0, independence_year=year)
        rows.append({"case": f"fully clean from {year}"} | figures(clean, PLAN) | _premium(clean, free))
    table = pd.DataFrame(rows, columns=DEADLINE_COLUMNS)
    table["independence_year"] = pd.Series([None, *subject.deadlines], dtype=object)
    return table


def _scenario_values(wb: Workbook, setting: str) -> list[tuple[float, str]]:
    """(value, scenario) for every scenario row that sets `setting` to a number."""
    found = []
    for name, entries in sorted(wb.scenarios.items()):
        for key, value, _ in entries:
            if key.strip().lower() == setting and value not in (None, ""):
                found.append((float(value), name))
    return found


def cost_factors(wb: Workbook, setting: float) -> list[tuple[float, str]]:
    """(factor, where it comes from): a default grid, the settings and every scenario that sets one."""
    sources = defaultdict(list, {f: [] for f in COST_FACTORS})
    sources[float(setting)].append("settings")
    for value, name in _scenario_values(wb, "restricted_cost_factor"):
        sources[value].append(f"scenario {name}")
    return [(f, "; ".join(names)) for f, names in sorted(sources.items(), reverse=True)]


def cost_factor_table(run: Runner, subject: Subject) -> pd.DataFrame:
    rows = []
    for factor, source in cost_factors(run.wb, subject.cost_factor):
        free = run.solve(max_restricted_share=1.0, restricted_cost_factor=factor)
        clean = run.solve(max_restricted_share=0.0, independence_year=subject.year, restricted_cost_factor=factor)
        row = {"restricted_cost_factor": factor, "defined_by": source} | _worse(clean, free)
        if clean.optimal and free.optimal:
            row |= (
                {"unconstrained_system_cost_usd": free.summary["system_cost_usd"]}
                | {k: clean.summary[k] for k in PLAN}
                | _premium(clean, free)
            )
        rows.append(row)
    return pd.DataFrame(rows, columns=FACTOR_COLUMNS)


def budget_grid(wb: Workbook, clean: Solution) -> list[tuple[float, str]]:
    """(budget, where it comes from): multiples of the budget capex of the cheapest fully
    clean plan, and every budget_usd a scenario sets."""
    sources = defaultdict(list)
    top = clean.summary["budget_capex_usd"] if clean.optimal else 0.0
    for m in BUDGET_MULTIPLES if top > 0 else (0.0,):
        sources[m * top].append(f"{m:g} × budget capex of the fully clean plan")
    for value, name in _scenario_values(wb, "budget_usd"):
        sources[value].append(f"budget_usd of scenario {name}")
    return [(b, "; ".join(names)) for b, names in sorted(sources.items())]


def budget_table(run: Runner, subject: Subject, grid: list[tuple[float, str]]) -> pd.DataFrame:
    budgets = [b for b, _ in grid]
    try:
        table = budget_frontier(
            run.wb, None, (("independence_year", str(subject.year)),), budgets, None, run.options, lambda _: run.tick()
        )
    except Exception as exc:  # a failed frontier is reported, never fatal
        table = pd.DataFrame(
            {"budget_usd": budgets, "status": Status.ERROR.value, "reason": f"{type(exc).__name__}: {exc}"}
        )
    table = table.drop(columns=["restricted_cost_factor"], errors="ignore")
    if "reason" not in table:
        table.insert(table.columns.get_loc("status") + 1, "reason", None)
    table.insert(1, "defined_by", [source for _, source in grid])
    return table


def premium_table(result: Solution) -> pd.DataFrame:
    """Clean premium and shortfall per element (one row with status and reason if it failed)."""
    columns = ["element", "status", "reason", "clean_premium_usd_per_t", "shortfall_t"]
    if not result.optimal:
        return pd.DataFrame([figures(result, ())], columns=columns)
    shortfall = result.tables["independence"].groupby("element")["shortfall_t"].sum()
    rows = [
        {
            "element": e,
            "status": result.status.value,
            "reason": None,
            "clean_premium_usd_per_t": p,
            "shortfall_t": float(shortfall.get(e, 0.0)),
        }
        for e, p in sorted(clean_premiums(result).items())
    ]
    return pd.DataFrame(rows, columns=columns)


def binding_stages(result: Solution, stages) -> pd.DataFrame:
    """Binding capacity by stage (in chain order) and bloc: how many facility-years bind and
    the value of one more t/yr there (discounted USD)."""
    columns = [
        "order",
        "stage",
        "bloc",
        "status",
        "reason",
        "binding_facility_years",
        "mean_usd_per_tpa",
        "max_usd_per_tpa",
    ]
    if not result.optimal:
        return pd.DataFrame([figures(result, ())], columns=columns)
    order = {s.id: s.order for s in stages}
    cap = result.tables["binding_capacity"]
    table = (
        cap.groupby(["stage", "bloc"])["usd_per_tpa"]
        .agg(["count", "mean", "max"])
        .reset_index()
        .rename(columns={"count": "binding_facility_years", "mean": "mean_usd_per_tpa", "max": "max_usd_per_tpa"})
    )
    table["order"] = table["stage"].map(order)
    table["status"], table["reason"] = result.status.value, None
    return table.sort_values(["order", "bloc"])[columns].reset_index(drop=True)


def write_report(
    wb: Workbook, path: Path, out: Path, man: dict, options=DEFAULT_OPTIONS, progress=None, show=None
) -> int:
    """findings.md, its charts and tables; returns how many points did not solve. `show(sheets)`
    sees the tables before they are written."""
    make_cases(wb)
    subject = Subject.of(wb)
    total = [
        2
        + len(subject.deadlines)
        + len(PREMIUM_ALPHAS)
        + 2 * len(cost_factors(wb, subject.cost_factor))
        + len(BUDGET_MULTIPLES)
        + 1
        + len(wb.scenario_names)
    ]
    done = [0]

    def tick(*_):
        done[0] += 1
        if progress:
            progress(done[0], max(total[0], done[0]))

    run = Runner(wb, options, tick)
    sheets = {"deadlines": deadline_table(run, subject)}
    clean = run.solve(max_restricted_share=0.0, independence_year=subject.year)
    sheets["cost_factor"] = cost_factor_table(run, subject)
    grid = budget_grid(wb, clean)
    total[0] += len(grid) - len(BUDGET_MULTIPLES)
    sheets["budgets"] = budget_table(run, subject, grid)
    for alpha in PREMIUM_ALPHAS:
        sheets[f"clean_premium_{round((1 - alpha) * 100)}pct"] = premium_table(
            run.solve(max_restricted_share=alpha, independence_year=subject.year)
        )
    sheets["binding_stages"] = binding_stages(clean, make_dataset(wb).stages)
    sheets["scenarios"] = compare_scenarios(wb, (), options, on_row=tick)
    if show:
        show(sheets)
    from ..report.results import run_table

    written = write_tables(out, "findings_tables", sheets, run_table(man), charts(subject), "rechain findings: tables")
    write_markdown(out / "findings.md", findings_md(subject, sheets, man, {p.name for p in written}))
    return (
        run.failed
        + int((sheets["budgets"]["status"] != "optimal").sum())
        + int((sheets["scenarios"]["status"] != "optimal").sum())
    )


def charts(subject: Subject) -> list[Chart]:
    return [
        Chart(
            "budgets",
            "budget_usd",
            "max_clean_share",
            f"Largest clean share a capex budget buys, clean from {subject.year}",
            None,
            f"capex budget of {subject.budget} nodes, {subject.first_year}–{subject.last_year} (USD, nominal)",
            f"largest clean share of {subject.protected} demand with no shortfall",
            subject.case,
        ),
        Chart(
            "cost_factor",
            "restricted_cost_factor",
            "premium_usd",
            f"Premium of fully clean supply from {subject.year} by the cost factor of {subject.restricted}",
            None,
            f"cost factor of {subject.restricted} nodes (1 = the same costs as elsewhere)",
            "premium over the unconstrained plan (USD, system cost)",
            subject.discounting,
        ),
        scenarios_chart(subject.case),
    ]


def _table(frame: pd.DataFrame) -> str:
    """A Markdown table; a reason column with nothing in it is left out."""
    if "reason" in frame and frame["reason"].isna().all():
        frame = frame.drop(columns="reason")
    return markdown_table(frame)


def _failed(row) -> str:
    return f"did not solve ({row['status']}: {row['reason']})"


def _ok(row) -> bool:
    return row["status"] == Status.OPTIMAL.value


def headline(subject: Subject, deadlines_: pd.DataFrame) -> list[str]:
    free = deadlines_.iloc[0]
    horizon = f"{subject.first_year}–{subject.last_year}"
    lines = [
        f"- Unconstrained plan (the cheapest chain, {subject.restricted} allowed): "
        + (
            f"system cost {usd(free['system_cost_usd'])} ({subject.discounting}, {horizon}); nominal capex "
            f"{usd(free['capex_usd'])}, of which at {subject.protected} nodes {usd(free['protected_capex_usd'])}."
            if _ok(free)
            else _failed(free) + "."
        )
    ]
    for _, row in deadlines_.iloc[1:].iterrows():
        text = f"- {subject.protected.capitalize()} demand fully clean from {row['independence_year']}: "
        if not _ok(row):
            lines.append(text + _failed(row) + ".")
            continue
        premium = (
            ""
            if pd.isna(row.get("premium_usd"))
            else (
                f", a premium of {usd(row['premium_usd'])}"
                + ("" if pd.isna(row["premium_share"]) else f" ({row['premium_share']:.1%})")
            )
        )
        lines.append(
            text + f"system cost {usd(row['system_cost_usd'])}{premium}; nominal capex "
            f"{usd(row['capex_usd'])}, of which at {subject.protected} nodes "
            f"{usd(row['protected_capex_usd'])}; independence shortfall {row['shortfall_t']:,.0f} t, "
            f"unmet demand {row['unmet_t']:,.0f} t."
        )
    return lines


def factor_sentence(subject: Subject, factors: pd.DataFrame) -> list[str]:
    ok = factors[factors["status"] == Status.OPTIMAL.value]
    if ok.empty:
        return []
    parts = [
        f"{usd(r.premium_usd)} at factor {r.restricted_cost_factor:g}" + (f" ({r.defined_by})" if r.defined_by else "")
        for r in ok.itertuples()
    ]
    return [
        f"- Premium of fully clean supply from {subject.year} by the cost factor of {subject.restricted}: "
        + "; ".join(parts)
        + "."
    ]


def budget_sentence(subject: Subject, budgets: pd.DataFrame) -> list[str]:
    ok = budgets[budgets["status"] == Status.OPTIMAL.value]
    if ok.empty:
        return []
    full = ok[ok["max_clean_share"] >= FULLY_CLEAN]
    where = f"at {subject.budget} nodes"
    if len(full):
        first = full.iloc[0]
        text = (
            f"the smallest capex budget {where} in the grid that buys fully clean supply from {subject.year} "
            f"with no shortfall is {usd(first['budget_usd'])} (it spends {usd(first['budget_capex_usd'])} of it)"
        )
    else:
        best = ok.loc[ok["max_clean_share"].idxmax()]
        text = (
            f"no capex budget {where} in the grid (up to {usd(ok['budget_usd'].max())}) buys fully clean supply "
            f"from {subject.year}; the most any buys is {best['max_clean_share']:.1%} "
            f"(at {usd(best['budget_usd'])})"
        )
    return [f"- Budgets: {text}."]


def premium_sentence(subject: Subject, share: int, premiums: pd.DataFrame) -> list[str]:
    ok = premiums[premiums["status"] == Status.OPTIMAL.value].dropna(subset=["clean_premium_usd_per_t"])
    if ok.empty:
        return []
    hi, lo = ok.loc[ok["clean_premium_usd_per_t"].idxmax()], ok.loc[ok["clean_premium_usd_per_t"].idxmin()]
    text = f"the clean premium is highest for {hi['element']} ({usd(hi['clean_premium_usd_per_t'])} per t)"
    if len(ok) > 1:
        text += f" and lowest for {lo['element']} ({usd(lo['clean_premium_usd_per_t'])} per t)"
    return [f"- When {share}% of {subject.protected} demand must be clean from {subject.year}, {text}."]


def findings_md(subject: Subject, sheets: dict[str, pd.DataFrame], man: dict, files: set[str]) -> str:
    y, shares = subject.year, [round((1 - a) * 100) for a in PREMIUM_ALPHAS]
    premiums = [sheets[f"clean_premium_{s}pct"] for s in shares]

    def image(sheet: str, text: str) -> list[str]:
        name = f"findings_tables_{sheet}.png"
        return [f"![{text}]({name})", ""] if name in files else []

    lines = [
        f"# The cost of supply free of {subject.restricted} for {subject.protected} demand — findings from "
        f"`{man['input']}`",
        "",
        f"Generated by `rechain report` from `{man['input']}` (SHA-256 `{man['input_sha256'][:16]}…`), "
        f"rechain {man['versions'].get('rechain')}, Pyomo {man['versions'].get('pyomo')}, "
        f"HiGHS (highspy) {man['versions'].get('highspy')}, on {man['written_utc']}. "
        f"Every number below comes from a solve in that run. Costs are {subject.discounting} over "
        f"{subject.first_year}–{subject.last_year}, with a cost factor of {subject.cost_factor:g} for "
        f"{subject.restricted}; capex is nominal. Clean supply has never touched a node of {subject.restricted}.",
        "",
        "## Headline",
        "",
        *headline(subject, sheets["deadlines"]),
        *factor_sentence(subject, sheets["cost_factor"]),
        *budget_sentence(subject, sheets["budgets"]),
        *premium_sentence(subject, shares[0], premiums[0]),
        "",
        "## Cost of fully clean supply by deadline",
        "",
        f"**Unconstrained plan and fully clean supply of {subject.protected} demand from each deadline** "
        "(premium over the unconstrained plan):",
        "",
        _table(sheets["deadlines"]),
        "",
        "A shortfall means the requirement cannot be met in time at any price (lead times and ore bind).",
        "",
        f"## Sensitivity to the cost factor of {subject.restricted} (fully clean from {y})",
        "",
        f"**Premium of fully clean supply from {y} at each cost factor of {subject.restricted}** "
        "(the premium is over the unconstrained plan at the same factor):",
        "",
        _table(sheets["cost_factor"]),
        "",
        *image("cost_factor", "premium by cost factor"),
        f"## The clean share each budget buys (clean from {y})",
        "",
        f"**Largest clean share of {subject.protected} demand with no shortfall, for each capex budget at "
        f"{subject.budget} nodes** (nominal):",
        "",
        _table(sheets["budgets"]),
        "",
        *image("budgets", "clean share a budget buys"),
        "## Where it binds",
        "",
        "The clean premium is the shadow price of the independence requirement (discounted USD per t of clean "
        f"supply), averaged over the years from {y} in which it applies. At 100% the requirement equals demand "
        "and the premium is not unique, so it is shown at lower shares.",
        "",
        *[
            part
            for s, table in zip(shares, premiums, strict=False)
            for part in (
                f"**Clean premium by element when {s}% of {subject.protected} demand must be clean from {y}:**",
                "",
                _table(table),
                "",
            )
        ],
        f"**Binding capacity by stage (in chain order) and bloc, fully clean from {y}:** the value of one more "
        "t/yr of capacity in a year where it binds (discounted USD per t/yr).",
        "",
        _table(sheets["binding_stages"]) if len(sheets["binding_stages"]) else "No capacity binds.",
        "",
        "## Scenarios",
        "",
        "**Each scenario of the workbook beside the base case** (the workbook's own settings, no report overrides):",
        "",
        _table(sheets["scenarios"]),
        "",
        "## What the model does not capture",
        "",
        "- Prices, market reactions and stockpiles: demand is fixed and met at least cost.",
        "- Permitting, financing and skills risk beyond the stated lead times; capacity never retires.",
        f"- Clean means 'never touched a node of {subject.restricted}': ore or processing anywhere else counts "
        "as clean.",
        "- Anything not in the workbook (recycling, undocumented output); see its sources sheet.",
        "",
    ]
    return "\n".join(lines)
