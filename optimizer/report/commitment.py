"""findings.md's "What committing costs": the headline sentence and the section, from the tables
`commitment` and `commitment_by_year` (`rechain.run.commitment`); every number as its table shows it."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..models.subject import Subject
from .tables import cell_text, markdown_table
from .text import markdown_code, usd

COMMIT, REPLAN, DIFFERENCE = "commit", "replan", "commit − replan"


def _figure(table: pd.DataFrame, mode: str) -> pd.Series:
    return table[table["mode"] == mode].iloc[0]


def _n(v: object) -> str:
    """A count as the tables show it."""
    return cell_text("draws", v)


def _t(v: object) -> str:
    return f"{cell_text('unmet_p50_t', v) or 'n/a'} t"


def _p(row: pd.Series, mode: str) -> str:
    """`62.5% (41.2%–80.1%)`: P(every element fully clean) in one mode with its 90 % interval."""
    p, low, high = (row[f"probability_{mode}{end}"] for end in ("", "_low", "_high"))
    if pd.isna(p):
        return "n/a"
    return f"{cell_text('probability', p)} ({cell_text('probability', low)}–{cell_text('probability', high)})"


def _case(subject: Subject, budget: float, man: dict[str, Any]) -> str:
    return (
        f"budget {usd(budget)}, clean supply required from {subject.year}, the outlook's {man['draws']} draws "
        f"(seed {man['seed']}), {subject.price}"
    )


def commitment_sentences(subject: Subject, sheets: dict[str, pd.DataFrame], man: dict[str, Any]) -> list[str]:
    """The headline bullet: each mode's requirement met, P(fully clean) at the deadlines, median unmet
    demand, committed capex and P(overrun), and the difference in expected system cost and unmet demand."""
    table, by_year = sheets["commitment"], sheets["commitment_by_year"]
    if table.empty:
        return []
    replan, commit, diff = (_figure(table, m) for m in (REPLAN, COMMIT, DIFFERENCE))
    if not commit["solved"]:
        return [f"- **What committing costs** ({_case(subject, commit['budget_usd'], man)}): no commit draw solved."]
    years = by_year[by_year["year"].isin(subject.deadlines)]
    clean = "; ".join(
        f"{cell_text('year', r['year'])}: {_p(r, COMMIT)} against {_p(r, REPLAN)}" for _, r in years.iterrows()
    )
    return [
        f"- **What committing costs** ({_case(subject, commit['budget_usd'], man)}; `rechain risk --mode commit`): "
        "committing today to the plan made with every uncertain value at its median, its builds fixed and only "
        f"operations re-planned in each draw, meets the requirement in every year from {subject.year} in "
        f"{_n(commit['requirement_met'])} of {_n(commit['draws'])} draws, against {_n(replan['requirement_met'])} "
        f"of {_n(replan['draws'])} when each draw is re-planned"
        + (f"; every element fully clean, committed against re-planned, in {clean}" if clean else "")
        + f". Median unmet demand {_t(commit['unmet_p50_t'])} (P90 {_t(commit['unmet_p90_t'])}) against "
        f"{_t(replan['unmet_p50_t'])} (P90 {_t(replan['unmet_p90_t'])}); the committed plan's capex "
        f"{usd(commit['capex_p50_usd'])} (median, with each draw's overruns) exceeds a budget row in "
        f"{cell_text('probability', commit['probability_committed_overruns_budget']) or 'n/a'} of draws. "
        + _difference_text(replan, commit, diff)
    ]


def _difference_text(replan: pd.Series, commit: pd.Series, diff: pd.Series) -> str:
    """`Committing … instead of re-planning costs $X more (less) in expected system cost … and leaves Y t
    unmet in the median draw`, the sign said in words."""
    change = diff["system_cost_mean_usd"]
    if pd.isna(change):
        cost = "changes expected system cost by n/a"
    else:
        cost = f"costs {usd(abs(change))} {'more' if change >= 0 else 'less'} in expected system cost"
    unmet = _t(commit["unmet_p50_t"])
    if replan["unmet_p50_t"]:
        unmet += f" (re-planning: {_t(replan['unmet_p50_t'])})"
    return (
        f"**Committing to today's plan instead of re-planning {cost}** ({usd(commit['system_cost_mean_usd'])} "
        f"against {usd(replan['system_cost_mean_usd'])}; system cost carries no penalty for unmet demand) "
        f"**and leaves {unmet} unmet in the median draw.**"
    )


def commitment_section(subject: Subject, sheets: dict[str, pd.DataFrame], man: dict[str, Any]) -> list[str]:
    table = sheets["commitment"]
    if table.empty:
        return []
    budget, y = table["budget_usd"].iloc[0], subject.year
    return [
        f"## What committing costs (budget {usd(budget)}, clean from {y})",
        "",
        "**What was solved.** The outlook's draws at the budget of its charts (the largest budget whose draws "
        f"were solved): the same {man['draws']} draws, seed {man['seed']}, the same sampled values draw by draw, "
        "each solved twice. *replan* is the outlook: each draw re-optimised with foresight of its own values. "
        "*commit* (`rechain risk --mode commit`) commits today to the deterministic plan, the case with every "
        "row of the uncertainty sheet at its median (continuous) or most likely value (discrete, bernoulli): "
        "its builds are fixed; in each draw a failed project delivers nothing, a delay shifts it and an overrun "
        "raises its cost; only operations (flows, stock, unmet demand, shortfall) are re-optimised and no other "
        "build is allowed. The budget rows bind new builds only, so the committed spending stands beside the "
        "budget: the share of draws in which it exceeds a budget row. Unmet demand is demand no supply meets "
        "(t over the horizon); capex is nominal (commit: the committed plan's, with the draw's overruns); the "
        f"expected system cost is the mean over the solved draws ({subject.discounting}), without penalties: a "
        "draw pays nothing here for demand it leaves unmet.",
        "",
        "**By mode** (`commit − replan`: each figure's difference; medians and P90 over the solved draws):",
        "",
        markdown_table(table),
        "",
        f"**Share of draws in which every element is fully clean, by year from {y}** (90% Wilson intervals):",
        "",
        markdown_table(sheets["commitment_by_year"]),
        "",
        _hedge(subject, budget, man),
        "",
    ]


def _hedge(subject: Subject, budget: float, man: dict[str, Any]) -> str:
    """Why the hedge is not in the report, and the command that computes it."""
    command = (
        f"rechain risk {man['input']} --mode hedge --draws {man['draws']} --seed {man['seed']} "
        f"--set max_restricted_share=0 --set independence_year={subject.year} --set budget_usd={float(budget)!r}"
        + (" --any-price" if subject.price == "at any price" else "")
    )
    return (
        "**Hedge.** The two-stage plan over the same draws (builds starting before "
        f"{subject.first_year + 3} shared by every draw, later builds and operations per draw; "
        "`rechain risk --mode hedge`) is not solved by the report, to keep its run time bounded: it is one LP "
        f"holding all {man['draws']} draws at once, built and solved in one process. It is computed, with its "
        f"value of the stochastic solution against commit, by {markdown_code(command)}."
    )
