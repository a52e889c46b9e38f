"""The evidence sections of findings.md (issue 21): the model against observed shares, the tornado of
the drivers that move the headline, and the sensitivity to the attrition tiers. Every number a
sentence quotes is a cell of the table beside it, written as the table writes it (`cell_text`)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from ..models.subject import Subject
from .tables import Chart, cell_text, markdown_table
from .text import usd

TOP = 3  # drivers named in the headline
MOVES = 1e-6  # a change smaller than this (USD or t) does not move the headline


def _table(frame: pd.DataFrame) -> str:
    if "reason" in frame and frame["reason"].isna().all():
        frame = frame.drop(columns="reason")
    return markdown_table(frame)


def validation_section(table: pd.DataFrame, said: pd.DataFrame) -> list[str]:
    """The validation sheet's shares beside the unconstrained plan's, one sentence per stage and bloc."""
    if table.empty:
        return []
    lines = [
        "## Validation against observed shares",
        "",
        "**Each observed or projected share of the workbook's validation sheet beside the same bloc's share of "
        "the stage's world output in the unconstrained plan** (throughput of the bloc's nodes over every node's; "
        "`difference_points` = model − observed, in percentage points):",
        "",
        _table(table),
        "",
    ]
    for (stage, bloc), rows in said.groupby(["stage", "bloc"], sort=False):
        parts = [_compared(r) for _, r in rows.iterrows()]
        lines.append(f"- {str(stage).capitalize()}, share of {bloc}: " + "; ".join(parts) + ".")
    return lines + [""]


def _compared(r: pd.Series) -> str:
    observed = cell_text("observed_share", r["observed_share"])
    if pd.isna(r["model_share"]):
        why = "outside the horizon" if r["status"] == "optimal" else f"the plan did not solve ({r['status']})"
        return f"{r['year']}: {observed} observed, no model share ({why})"
    points = cell_text("difference_points", r["difference_points"])
    points = points if points.startswith("-") else "+" + points
    return f"{r['year']}: the model {cell_text('model_share', r['model_share'])} against {observed} ({points} points)"


def tornado_chart(subject: Subject) -> Chart:
    return Chart(
        "tornado",
        "driver",
        "premium_change_usd",
        f"What moves the premium of fully clean supply from {subject.year}",
        "end",
        "driver (one at a time, at each end of its range)",
        "premium change against the base point (USD)",
        subject.case,
    )


def _top(table: pd.DataFrame, change: str) -> list[str]:
    swing = table[change].abs().groupby(table["driver"], sort=False).max()
    swing = swing[swing > MOVES].sort_values(ascending=False, kind="stable")
    return list(swing.index[:TOP])


def _ends(rows: pd.DataFrame, figure: str, text: Callable[[float], str]) -> str:
    parts = [f"{text(r[figure])} at {r['value']}" for _, r in rows.iterrows() if not pd.isna(r[figure])]
    return " to ".join(parts) if parts else "did not solve"


def _tonnes(v: float) -> str:
    return f"{cell_text('shortfall_t', v)} t"


def tornado_sentence(subject: Subject, said: pd.DataFrame) -> list[str]:
    """The three drivers that move the premium most, and the three that move the first deadline's shortfall."""
    if said.empty or said["base_premium_usd"].isna().all():
        return []
    base = said.iloc[0]
    premium = [
        f"{d} ({_ends(said[said['driver'] == d], 'premium_usd', usd)})" for d in _top(said, "premium_change_usd")
    ]
    short = [
        f"{d} ({_ends(said[said['driver'] == d], 'shortfall_t', _tonnes)})" for d in _top(said, "shortfall_change_t")
    ]
    return [
        f"- **What moves the headline most** (each driver alone at the low and the high end of its range, a fresh "
        f"solve each; table `tornado`): the premium of fully clean supply from {subject.year} "
        f"({usd(base['base_premium_usd'])} at the base point) moves most with "
        + ("; ".join(premium) or "no driver")
        + f"; the shortfall when clean supply is required from {subject.deadlines[0]} "
        f"({_tonnes(base['base_shortfall_t'])} at the base point) with "
        + ("; ".join(short) or "no driver: it stays where it is at both ends of every range")
        + "."
    ]


def tornado_section(subject: Subject, table: pd.DataFrame, image: Callable[[str, str], list[str]]) -> list[str]:
    if table.empty:
        return []
    return [
        f"## What moves the headline: a tornado (clean from {subject.year}; shortfall from {subject.deadlines[0]})",
        "",
        "**Each driver alone at the low and the high end of its range, every other input as in the workbook** "
        "(`rechain.run.tornado`): the rows of the uncertainty sheet grouped (every capex overrun row at once, every "
        "lead-time delay row at once, the failure rows per tier or all at once, each case key on its own; a "
        "condition row such as an embargo is an event the outlook splits by, not a driver), each row "
        "at the lowest and highest value it can draw (a failure: none and all); and the capacity of the largest mine "
        "outside the restricted blocs of each element, × 0.5 and × 1.5. Each point is a fresh solve (a replan draw "
        "with every value fixed, cold), as is the base point; changes are against the base point. Rows are sorted by "
        "the premium's swing, the larger change of the two ends:",
        "",
        _table(table),
        "",
        *image("tornado", "change of the premium by driver"),
    ]


def tier_section(subject: Subject, table: pd.DataFrame, said: pd.DataFrame, draws: int) -> list[str]:
    title = "## Sensitivity to the attrition tiers"
    if table.empty:
        why = (
            "`--draws 0` was asked for"
            if not draws
            else "no tiered rows: no row's note begins with its tier (`tier=studied;` and the like)"
        )
        return [title, "", f"Nothing was drawn: {why}.", ""]
    first = said.iloc[0]
    parts = []
    for (tier, end), rows in said.groupby(["tier", "end"], sort=False):
        label = "the sheet as it is" if tier == "base" else f"tier={tier} at p {rows['p_values'].iloc[0]} ({end})"
        chances = ", ".join(
            f"{r['year']}: {cell_text('probability_full', r['probability_full'])}" for _, r in rows.iterrows()
        )
        parts.append(f"{label}: {chances}")
    return [
        title,
        "",
        f"**P(every element of {subject.protected} demand fully clean) when each tier's failure probabilities are "
        "scaled** (× 0.5, and × 1.5 capped at 1; the tier is the prefix of a row's note, e.g. `tier=funded;`), "
        f"clean supply required from {subject.year}, budget {usd(first['budget_usd'])} (the outlook's chart budget), "
        f"{first['draws']} of the outlook's draws (the same seed: a draw differs only where a failure of that tier "
        "flips), replan, 90% Wilson intervals; `change_points` is against the sheet as it is:",
        "",
        _table(table),
        "",
        "- By tier: " + "; ".join(parts) + ".",
        "",
    ]
