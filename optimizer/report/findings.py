"""findings.md and its tables and charts, from the tables `rechain.run.findings` computed: every
sentence is computed from a table beside it, a point that did not solve is said to be so."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from ..base.stats import wilson
from ..models.figures import column, keyed
from ..models.highs import Status
from ..models.subject import Subject
from .commitment import commitment_section, commitment_sentences
from .evidence import tier_section, tornado_chart, tornado_section, tornado_sentence, validation_section
from .results import run_table
from .risk import fan_png, thresholds_png
from .tables import Chart, cell_text, markdown_table, scenarios_charts, write_tables
from .text import markdown_code, markdown_text, usd
from .writers import write_markdown

FULLY_CLEAN = 1 - 1e-6  # a largest clean share this close to 1 is full independence


def escaped(subject: Subject) -> Subject:
    """The subject with its bloc names escaped for Markdown (`markdown_text`)."""
    names = ("restricted", "protected", "advantaged", "budget")
    texts: dict[str, Any] = {n: markdown_text(getattr(subject, n)) for n in names}
    return replace(subject, **texts)


def same_draws(outlook: pd.DataFrame, taken: dict[int, float]) -> pd.DataFrame:
    """The outlook's table with `defined_by` saying, of each row that took a smaller budget's draws, which."""
    said = outlook.copy()
    for row, budget in taken.items():
        said.loc[row, "defined_by"] += f"; the same draws as {usd(budget)}, where the budget bound in no draw"
    return said


def markdown_frames(sheets: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The tables with every text cell escaped for Markdown, for the sentences that quote them."""

    def text(frame: pd.DataFrame) -> pd.DataFrame:
        columns = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
        return frame.assign(
            **{c: frame[c].map(lambda v: markdown_text(v) if isinstance(v, str) else v) for c in columns}
        )

    return {name: text(frame) for name, frame in sheets.items()}


def charts(subject: Subject, outlook: str = "", groups: dict[str, str] | None = None) -> list[Chart]:
    """The report's charts; `outlook`: the outlook charts' subtitle (budget, draws, price); `groups`: the
    scenario tables (sheet -> group in words), one bar chart each."""
    return [
        Chart(
            "budgets",
            "budget_usd",
            "max_clean_share",
            f"Largest clean share a capex budget buys, clean from {subject.year}",
            "budget_blocs",
            f"capex budget at nodes of the blocs in the legend, {subject.first_year}–{subject.last_year} "
            "(USD, nominal)",
            f"largest clean share of {subject.protected} demand with no shortfall",
            subject.case,
        ),
        Chart(
            "cost_factor",
            "restricted_cost_factor",
            "premium_usd",
            f"Premium of fully clean supply from {subject.year} by the cost factor of {subject.advantaged}",
            None,
            f"cost factor of {subject.advantaged} nodes (1 = the same costs as elsewhere)",
            "premium over the unconstrained plan (USD, system cost)",
            subject.discounting,
        ),
        *scenarios_charts(groups or {}, subject.case, f"clean from {subject.year}"),
        Chart(
            "outlook_fan",
            "year",
            "clean_share_p50",
            f"Clean share of {subject.protected} need by element over the draws (median, P10–P90)",
            "element",
            "year",
            "clean share of protected need",
            outlook,
            ("clean_share_p10", "clean_share_p90"),
            lambda path, frame, footer: fan_png(path, _unprefixed(frame, "clean_share_"), outlook, footer),
        ),
        Chart(
            "outlook_thresholds",
            "year",
            "probability",
            f"Probability that every element of {subject.protected} demand meets each threshold",
            "threshold",
            "year",
            "share of all draws",
            outlook,
            ("probability_low", "probability_high"),
            lambda path, frame, footer: thresholds_png(
                path, _unprefixed(frame, "probability_"), outlook, footer, subject.price
            ),
        ),
    ]


def _unprefixed(frame: pd.DataFrame, prefix: str) -> pd.DataFrame:
    return frame.rename(columns={c: c.removeprefix(prefix) for c in frame.columns})


def _table(frame: pd.DataFrame) -> str:
    """A Markdown table; a reason column with nothing in it is left out."""
    empty = [c for c in ("reason", "required_reason") if c in frame and frame[c].isna().all()]
    return markdown_table(frame.drop(columns=empty))


def _failed(row: pd.Series) -> str:
    return f"did not solve ({row['status']}: {row['reason']})"


def _ok(row: pd.Series) -> bool:
    return bool(row["status"] == Status.OPTIMAL.value)


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
        text = f"- {subject.protected.capitalize()} demand {row['case']}: "
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
            text + f"system cost {usd(row['system_cost_usd'])}{premium}{per_kg(row)}; nominal capex "
            f"{usd(row['capex_usd'])}, of which at {subject.protected} nodes "
            f"{usd(row['protected_capex_usd'])}; independence shortfall {tonnes(row['shortfall_t'])} "
            f"({row['shortfall_priced']}), unmet demand {tonnes(row['unmet_t'])}."
        )
    return lines


def shortfall_meaning(subject: Subject) -> str:
    if subject.price == "at any price":
        return (
            "Shortfalls are at any price: the least shortfall that lead times, ramp-up and ore allow, whatever it "
            "costs; a deadline that falls short is also shown under each stockpile scenario of the workbook (stock "
            "taken counts as clean supply). At the physical limit the last tonne's marginal cost can be very high."
        )
    return (
        f"Shortfalls are priced at the {subject.price}: a plan buys shortfall where clean supply costs more, so a "
        "shortfall is not proof that the requirement cannot be met (`--any-price` finds the least possible one)."
    )


def tonnes(v: float) -> str:
    return f"{cell_text('t', v)} t"


def per_kg(row: pd.Series) -> str:
    """` (+0.104 USD/kg for Nd at the margin)`: the per-kg premiums of a row, if any; where one is not
    unique, its range (`premium_unique.<e>` False: see range_text)."""
    parts = []
    for e, k in keyed(row.index, "premium_usd_per_kg").items():
        if not pd.isna(row[k]):
            low, high = (row.get(column(name, e)) for name in ("premium_low_usd_per_kg", "premium_high_usd_per_kg"))
            parts.append(
                f"{range_text(row[k], row.get(column('premium_unique', e)), low, high)} for {markdown_text(e)}"
            )
    return f" ({', '.join(parts)} at the margin)" if parts else ""


NOT_UNIQUE = "(the marginal cost is not unique here)"


def range_text(point: float, unique: object, low: float, high: float) -> str:
    """A per-kg figure: `+80.12 USD/kg` where unique (or not known to be otherwise); where `unique` is False,
    `between +X and +Y USD/kg (the marginal cost is not unique here)`, an end that is blank (no finite end)
    said in words."""
    if unique is None or pd.isna(unique) or bool(unique):
        return f"{signed(point)} USD/kg"
    if pd.isna(low) and pd.isna(high):
        return f"any value, with no finite end either way, around {signed(point)} USD/kg {NOT_UNIQUE}"
    if pd.isna(high):
        return f"{signed(low)} USD/kg or more, with no finite upper end {NOT_UNIQUE}"
    if pd.isna(low):
        return f"{signed(high)} USD/kg or less, with no finite lower end {NOT_UNIQUE}"
    return f"between {signed(low)} and {signed(high)} USD/kg {NOT_UNIQUE}"


def signed(v: float) -> str:
    """A number as its table shows it, with its sign."""
    text = cell_text("usd_per_kg", v)
    return text if text.startswith("-") else "+" + text


def factor_sentence(subject: Subject, factors: pd.DataFrame) -> list[str]:
    ok = factors[factors["status"] == Status.OPTIMAL.value]
    if ok.empty:
        return []
    parts = [
        f"{usd(r.premium_usd)} at factor {r.restricted_cost_factor:g}" + (f" ({r.defined_by})" if r.defined_by else "")
        for r in ok.itertuples()
    ]
    return [
        f"- Premium of fully clean supply from {subject.year} by the cost factor of {subject.advantaged}: "
        + "; ".join(parts)
        + "."
    ]


def budget_sentence(subject: Subject, budgets: pd.DataFrame) -> list[str]:
    """The smallest budget of the settings' budget_blocs that buys fully clean supply (or the most any buys)."""
    ok = budgets[budgets["status"] == Status.OPTIMAL.value]
    if "budget_blocs" in ok:
        ok = ok[ok["budget_blocs"] == subject.budget]
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
    per_t = "clean_premium_usd_per_t"
    text = f"the clean premium is highest for {hi['element']} ({cell_text(per_t, hi[per_t])} USD per t)"
    if len(ok) > 1:
        text += f" and lowest for {lo['element']} ({cell_text(per_t, lo[per_t])} USD per t)"
    return [f"- When {share}% of {subject.protected} demand must be clean from {subject.year}, {text}."]


def payment_sentence(subject: Subject, payment: pd.DataFrame) -> list[str]:
    ok = payment[payment["status"] == Status.OPTIMAL.value].dropna(subset=["protected_payment_usd"])
    at = ok[ok["case"] == f"fully clean from {subject.year}"]
    if ok.empty or at.empty or ok.iloc[0]["case"] != "unconstrained":
        return []
    free, row = ok.iloc[0], at.iloc[0]
    change = "" if pd.isna(row["payment_change_share"]) else f" ({row['payment_change_share']:+.1%})"
    share = "n/a" if pd.isna(row["premium_share_of_payment"]) else f"{row['premium_share_of_payment']:.1%}"
    return [
        f"- What {subject.protected} buyers pay (their need at marginal supply cost, {subject.discounting}): "
        f"{usd(free['protected_payment_usd'])} unconstrained, {usd(row['protected_payment_usd'])} fully clean "
        f"from {subject.year}{change}; the system premium of {usd(row['premium_usd'])} is {share} of what they "
        "pay unconstrained."
    ]


def definition_sentence(subject: Subject, table: pd.DataFrame) -> list[str]:
    parts = []
    for r in table.itertuples():
        figure = (
            f"premium {usd(r.premium_usd)}, shortfall {tonnes(r.shortfall_t)}"
            if r.status == Status.OPTIMAL.value and not pd.isna(r.premium_usd)
            else f"did not solve ({r.status})"
        )
        parts.append(f"{r.definition} ({r.defined_by}): {figure}")
    if len(parts) < 2:
        return []
    return [f"- Fully clean from {subject.year} by the definition of clean: " + "; ".join(parts) + "."]


def comparator_sentence(subject: Subject, table: pd.DataFrame) -> list[str]:
    if table.empty:
        return []
    parts = []
    for element, rows in table.groupby("element", sort=False):
        first = rows.iloc[0]
        model = first["model_usd_per_kg"]
        ends = (
            first.get("marginal_unique"),
            first.get("marginal_low_usd_per_kg"),
            first.get("marginal_high_usd_per_kg"),
        )
        said = "no per-kg premium" if pd.isna(model) else range_text(model, *ends)
        if not pd.isna(first["model_low_usd_per_kg"]):
            low, high = signed(first["model_low_usd_per_kg"]), signed(first["model_high_usd_per_kg"])
            said += f" ({low} to {high} over the cost factors)"
        public = "; ".join(
            f"{_span(r.premium_low_usd_per_kg, r.premium_high_usd_per_kg)} ({r.comparator})" for r in rows.itertuples()
        )
        parts.append(f"{element}: model {said} against {public}")
    return [
        f"- Per kg of {subject.protected} demand from {subject.year}, beside public comparators: "
        + "; ".join(parts)
        + "."
    ]


def _span(low: float, high: float) -> str:
    if pd.isna(high) or high == low:
        return f"{signed(low)} USD/kg"
    return f"{signed(low)} to {signed(high)} USD/kg"


def budget_label(budget: float, table: pd.DataFrame | None = None) -> str:
    """The name of a budget in sentences and chart notes, with the blocs whose capex it caps (the
    `budget_blocs` of its row in `table`): `budget of $8.50 bn allied capex`."""
    at = None if table is None or "budget_blocs" not in table else table[table["budget_usd"] == budget]
    if at is None or at.empty or pd.isna(at["budget_blocs"].iloc[0]):
        return f"budget {usd(budget)}"
    return f"budget of {usd(budget)} {at['budget_blocs'].iloc[0]} capex"


def share(col: str, v: object) -> str:
    return cell_text(col, v) or "n/a"


def chance(row: pd.Series, infix: str) -> str:
    """`62.5% (41.2%–80.1%)`: a probability of the outlook table with its 90 % interval."""
    p, low, high = (row[f"probability_{infix}{end}"] for end in ("", "_low", "_high"))
    if pd.isna(p):
        return "n/a"
    return f"{share('probability', p)} ({share('probability', low)}–{share('probability', high)})"


def _thresholds_text(r: pd.Series) -> str:
    """`fully clean in 25.0% (5.8%–64.4%), ≥99% in …, ≥95% in …`, or one figure when all three agree."""
    full, p99, p95 = chance(r, "full"), chance(r, "99"), chance(r, "95")
    if full == p99 == p95:
        return f"{full} at every threshold"
    return f"fully clean in {full}, ≥99% in {p99}, ≥95% in {p95}"


def draws_text(n: int) -> str:
    return f"{n} draw" + ("" if n == 1 else "s")


def solved_budgets(outlook: pd.DataFrame, probability: pd.DataFrame) -> list[float]:
    """The budgets whose draws were solved (larger ones that bound in no draw repeat them)."""
    return [b for b in outlook["budget_usd"] if (probability["budget_usd"] == b).any()]


def outlook_sentences(subject: Subject, sheets: dict[str, pd.DataFrame], man: dict[str, Any]) -> list[str]:
    """One sentence per figure: the thresholds per budget and deadline, the element that decides, each
    condition's classes, the premium over all draws and over the draws that meet the requirement."""
    outlook, probability = sheets["outlook"], sheets["outlook_probability"]
    solved = solved_budgets(outlook, probability)
    if outlook.empty or not solved:
        return []
    y, who = subject.year, subject.protected
    lines = [
        f"- **Under uncertainty, {subject.price}** (`rechain risk`, replan, {man['draws']} draws per budget, "
        f"seed {man['seed']}; the workbook's uncertainty sheet; in brackets the 90% Wilson interval; a draw that "
        f"did not solve counts as not clean), with clean supply required from {y}, the share of draws in which "
        f"every element of {who} demand is fully clean, at least 99% clean and at least 95% clean:"
    ]
    for budget in solved:
        row = outlook[outlook["budget_usd"] == budget].iloc[0]
        if not row["solved"]:
            lines.append(f"  - {budget_label(budget, outlook)}: no draw solved (0 of {row['draws']} draws solved).")
            continue
        parts = [f"{r['year']}: {_thresholds_text(r)}" for _, r in _rows(probability, budget, True, True).iterrows()]
        lines.append(
            f"  - {budget_label(budget, outlook)}: " + "; ".join(parts) + f" ({row['requirement_met']} of "
            f"{draws_text(row['draws'])} meet the requirement in every year from {y}; {row['solved']} solved)."
        )
    top = solved[-1]
    blocs = outlook[outlook["budget_usd"] == top]["budget_blocs"].iloc[0] if "budget_blocs" in outlook else None
    larger = outlook[(outlook["budget_usd"] > top)]
    same = (larger if blocs is None else larger[larger["budget_blocs"] == blocs])["budget_usd"].tolist()
    if same:
        of = "" if blocs is None else f" of {blocs} capex"
        lines.append(
            f"- Budgets{of} above {usd(top)} ({', '.join(usd(b) for b in same)}) bound in no draw and change nothing."
        )
    lines += _element_sentence(subject, probability, top)
    lines += _condition_sentences(subject, probability, top)
    lines += _premium_sentence(subject, outlook, top)
    return lines


def _rows(probability: pd.DataFrame, budget: float, all_draws: bool, every_element: bool) -> pd.DataFrame:
    """The outlook rows of one budget: over all draws or per condition class, for every element at once or
    per element."""
    at = probability[probability["budget_usd"] == budget]
    at = at[(at["condition"] == "") == all_draws]
    return at[(at["element"] == "all") == every_element]


def _element_sentence(subject: Subject, probability: pd.DataFrame, budget: float) -> list[str]:
    """Per element, from the deadline on: how often it is fully clean and its median clean share."""
    at = _rows(probability, budget, True, False)
    at = at[at["year"] >= subject.year]
    if at.empty:
        return []
    order = at.groupby("element")["probability_full"].min().sort_values(kind="stable").index
    parts = []
    for element in order:
        rows = at[at["element"] == element].sort_values("year")
        parts.append(
            f"{element} "
            + ", ".join(
                f"{r['year']}: {chance(r, 'full')}, median clean share {share('clean_share', r['clean_share_p50'])} "
                f"(P10 {share('clean_share', r['clean_share_p10'])})"
                for _, r in rows.iterrows()
            )
        )
    return [
        f"- By element with {budget_label(budget, probability)}, the share of draws in which it is fully clean "
        "(the least likely element first): " + "; ".join(parts) + "."
    ]


def _condition_sentences(subject: Subject, probability: pd.DataFrame, budget: float) -> list[str]:
    """Per condition row: every element fully clean in each class's draws, from the deadline on."""
    at = _rows(probability, budget, False, True)
    at = at[at["year"] >= subject.year]
    lines = []
    for condition, rows in at.groupby("condition", sort=False):
        parts = [
            f"{condition} = {name} ({draws_text(group['draws'].iloc[0])}): "
            + ", ".join(f"{r['year']}: {chance(r, 'full')}" for _, r in group.sort_values("year").iterrows())
            for name, group in rows.groupby("class", sort=False)
        ]
        lines.append(
            f"- Split by the condition {condition} (each class's draws on their own), with "
            f"{budget_label(budget, probability)}, the share of draws in which every element is fully clean: "
            + "; ".join(parts)
            + "."
        )
    return lines


def _premium_sentence(subject: Subject, outlook: pd.DataFrame, budget: float) -> list[str]:
    r = outlook[outlook["budget_usd"] == budget].iloc[0]

    def spread(name: str) -> str:
        low, mid, high = (r[f"{name}_p{q}_usd"] for q in (10, 50, 90))
        if pd.isna(mid):
            return "n/a"
        return usd(mid) if low == high else f"{usd(low)} to {usd(high)} (median {usd(mid)})"

    return [
        f"- With {budget_label(budget, outlook)}, the premium of clean supply from {subject.year} over each draw's own "
        f"unconstrained plan is P10–P90 {spread('premium')} over the solved draws ({r['solved']}) and "
        f"{spread('premium_if_met')} over the draws that meet the requirement ({r['requirement_met']}); "
        f"{subject.protected} capex {spread('protected_capex')} and, where the requirement is met, "
        f"{spread('protected_capex_if_met')}."
    ]


def outlook_note(subject: Subject, sheets: dict[str, pd.DataFrame], man: dict[str, Any]) -> str:
    """The outlook charts' subtitle: the chart budget (the largest solved), the draws and the price."""
    solved = solved_budgets(sheets["outlook"], sheets["outlook_probability"]) if len(sheets["outlook"]) else []
    if not solved:
        return ""
    return (
        f"{budget_label(solved[-1], sheets['outlook'])}; clean from {subject.year} required; "
        f"{man['draws']} draws, seed {man['seed']}, replan, {subject.price}"
    )


def findings_md(
    subject: Subject,
    sheets: dict[str, pd.DataFrame],
    man: dict[str, Any],
    files: set[str],
    rows: int = 0,
    groups: dict[str, str] | None = None,
) -> str:
    """findings.md: labels in sentences and headings are escaped (`escaped`, `markdown_frames`);
    tables escape their own cells."""
    subject, said = escaped(subject), markdown_frames(sheets)

    def image(sheet: str, text: str) -> list[str]:
        name = f"findings_tables_{sheet}.png"
        return [f"![{text}]({name})", ""] if name in files else []

    lines = [
        *_preamble(subject, man),
        *_headline(subject, sheets, said, man),
        *_deadline_sections(subject, sheets),
        *comparator_section(subject, sheets["comparators"]),
        *outlook_section(subject, sheets, man, rows, image),
        *tornado_section(subject, sheets.get("tornado", pd.DataFrame()), image),
        *(tier_section(subject, sheets["tiers"], said["tiers"], man["draws"]) if "tiers" in sheets else []),
        *commitment_section(subject, sheets, man),
        *_factor_budget_sections(subject, sheets, image),
        *_binding_section(subject, sheets),
        *scenarios_section(subject, sheets, groups or {}, image),
        *claims_section(sheets["claims"]),
        *validation_section(sheets.get("validation", pd.DataFrame()), said.get("validation", pd.DataFrame())),
        *_limits_section(subject, sheets),
    ]
    return "\n".join(lines)


def _premium_shares(sheets: dict[str, pd.DataFrame]) -> list[int]:
    """The shares (in %) of the clean_premium_<share>pct tables, in their order."""
    return [int(n.removeprefix("clean_premium_").removesuffix("pct")) for n in sheets if n.startswith("clean_premium_")]


def _preamble(subject: Subject, man: dict[str, Any]) -> list[str]:
    source = markdown_code(man["input"])
    return [
        f"# The cost of supply free of {subject.restricted} for {subject.protected} demand — findings from {source}",
        "",
        f"Generated by `rechain report` from {source} (SHA-256 `{man['input_sha256'][:16]}…`), "
        f"rechain {man['versions'].get('rechain')}, Pyomo {man['versions'].get('pyomo')}, "
        f"HiGHS (highspy) {man['versions'].get('highspy')}"
        + (f", on {man['written_utc']}. " if man.get("written_utc") else ". ")
        + f"Every number below comes from a solve in that run. Costs are {subject.discounting} over "
        f"{subject.first_year}–{subject.last_year}, with a cost factor of {subject.cost_factor:g} for "
        f"{subject.advantaged}; capex is nominal. Clean supply has never touched a node of {subject.restricted}.",
        "",
    ]


def _headline(
    subject: Subject, sheets: dict[str, pd.DataFrame], said: dict[str, pd.DataFrame], man: dict[str, Any]
) -> list[str]:
    share = _premium_shares(sheets)[0]
    return [
        "## Headline",
        "",
        *headline(subject, said["deadlines"]),
        *factor_sentence(subject, said["cost_factor"]),
        *budget_sentence(subject, said["budgets"]),
        *premium_sentence(subject, share, said[f"clean_premium_{share}pct"]),
        *payment_sentence(subject, said["payment"]),
        *definition_sentence(subject, said["definitions"]),
        *comparator_sentence(subject, said["comparators"]),
        *outlook_sentences(subject, said, man),
        *tornado_sentence(subject, said.get("tornado", pd.DataFrame())),
        *commitment_sentences(subject, said, man),
        "",
    ]


def _deadline_sections(subject: Subject, sheets: dict[str, pd.DataFrame]) -> list[str]:
    """The sections of fully clean supply by deadline, of what allies pay and of the definitions of clean."""
    y = subject.year
    return [
        "## Cost of fully clean supply by deadline",
        "",
        f"**Unconstrained plan and fully clean supply of {subject.protected} demand from each deadline** "
        "(premium over the unconstrained plan):",
        "",
        _table(sheets["deadlines"]),
        "",
        shortfall_meaning(subject)
        + f" `premium_usd_per_kg.<element>` states the premium per kg of {subject.protected} demand: the change "
        "in its marginal supply cost against the unconstrained plan (undiscounted USD per kg, the mean over the "
        "years from the deadline), comparable with price floors and observed premiums. Marginal costs are duals, "
        "measured on both sides: where one more tonne costs more than one tonne less saves (a capacity exactly "
        "used up), the marginal cost is not unique: an element's `premium_unique` column is then False and its "
        "`premium_low_usd_per_kg` and `premium_high_usd_per_kg` columns give the range of valid premiums (blank: "
        "no finite end; the results' `marginal_supply_cost` sheet gives each year's range). A "
        "negative change means the clean plan's extra capacity makes that element cheaper at the margin "
        "(elements come out of the same ore).",
        "",
        "## What allies pay",
        "",
        f"**What {subject.protected} buyers pay for their need at marginal supply cost** ({subject.discounting}; "
        "the system premium is over the unconstrained plan's world system cost):",
        "",
        _table(sheets["payment"]),
        "",
        f"World system cost includes the supply of {subject.restricted} to themselves and costs common to every "
        f"plan, so a premium as a share of it looks small; against what {subject.protected} buyers pay it does "
        "not. Their payment values each tonne they need at its marginal supply cost (the dual, what one more "
        "tonne would cost): a competitive price, not a contract price.",
        "",
        f"## Definitions of clean (fully clean from {y})",
        "",
        f"**Fully clean supply of {subject.protected} demand from {y} under each definition of clean** "
        "(premium over the unconstrained plan of the same definition):",
        "",
        _table(sheets["definitions"]),
        "",
    ]


def _factor_budget_sections(
    subject: Subject, sheets: dict[str, pd.DataFrame], image: Callable[[str, str], list[str]]
) -> list[str]:
    """The sections of the sensitivity to the cost factor and of the clean share each budget buys."""
    y = subject.year
    return [
        f"## Sensitivity to the cost factor of {subject.advantaged} (fully clean from {y})",
        "",
        f"**Premium of fully clean supply from {y} at each cost factor of {subject.advantaged}** "
        "(the premium is over the unconstrained plan at the same factor):",
        "",
        _table(sheets["cost_factor"]),
        "",
        *image("cost_factor", "premium by cost factor"),
        f"## The clean share each budget buys (clean from {y})",
        "",
        f"**Largest clean share of {subject.protected} demand with no shortfall, for each capex budget** (nominal; "
        f"`budget_blocs` names the blocs whose capex it caps: the settings' {subject.budget} for the grid, and a "
        "scenario's own for the budget it sets, so that a row and the scenario it cites are the same case):",
        "",
        _table(sheets["budgets"]),
        "",
        *image("budgets", "clean share a budget buys"),
    ]


def _binding_section(subject: Subject, sheets: dict[str, pd.DataFrame]) -> list[str]:
    """Where it binds: the clean premium by element at each share, and the binding capacity."""
    y, shares = subject.year, _premium_shares(sheets)
    premiums = [sheets[f"clean_premium_{s}pct"] for s in shares]
    return [
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
    ]


def _limits_section(subject: Subject, sheets: dict[str, pd.DataFrame]) -> list[str]:
    return [
        "## What the model does not capture",
        "",
        "- Prices and market reactions: demand is fixed and met at least cost.",
        "- Permitting, financing and skills risk beyond the stated lead times; capacity never retires.",
        f"- Clean means 'never touched a node of {subject.restricted}': ore or processing anywhere else counts "
        "as clean.",
        "- Anything not in the workbook (recycling, undocumented output); see its sources sheet.",
        *(
            [f"- Features of the model this workbook does not use: {'; '.join(subject.unused)}."]
            if subject.unused
            else []
        ),
        *(
            [
                "- Project risk (overruns, delays, failures): one plan assumes every project arrives; nothing "
                "was drawn, so no probabilities are stated."
            ]
            if sheets["outlook"].empty
            else [
                "- Project risk beyond the uncertainty sheet: its rows are the only uncertain quantities, and each "
                "draw is solved with perfect foresight of its own values (replan), so the probabilities are of "
                "what a plan made with hindsight could reach, an upper bound for a plan made today."
            ]
        ),
        "- Demand grows as the workbook says; a demand factor scales every year alike (no faster-growth path).",
        "- Marginal supply costs are duals, not prices: no market clearing, contracts, subsidies or tariffs "
        "beyond the workbook's.",
        "",
    ]


def _margin(draws: int) -> str:
    """Half the widest 90 % Wilson interval at this sample size (at p = 1/2)."""
    low, high = wilson(draws // 2, max(draws, 1))
    return f"{(high - low) / 2:.0%}"


def comparator_section(subject: Subject, table: pd.DataFrame) -> list[str]:
    if table.empty:
        return []
    return [
        "## Per-kg premiums beside public comparators",
        "",
        f"**The model's per-kg premium of fully clean supply from {subject.year}** (at the settings' cost factor, "
        "and its range over the cost factors of the sensitivity table) **beside public figures** (the workbook's "
        "comparators sheet; USD per kg over China's price):",
        "",
        _table(table),
        "",
    ]


def outlook_section(
    subject: Subject,
    sheets: dict[str, pd.DataFrame],
    man: dict[str, Any],
    rows: int,
    image: Callable[[str, str], list[str]],
) -> list[str]:
    title = f"## Under uncertainty: how likely clean supply is, by budget (required from {subject.year})"
    outlook = sheets["outlook"]
    if outlook.empty:
        why = "`--draws 0` was asked for" if rows else "the workbook has no uncertainty sheet"
        return [title, "", f"Nothing was drawn: {why}.", ""]
    solved = solved_budgets(outlook, sheets["outlook_probability"])
    chart = budget_label(solved[-1], markdown_frames({"o": outlook})["o"]) if solved else ""
    return [
        title,
        "",
        f"**What was drawn.** `rechain risk` in mode {man['mode']}, {subject.price}: {man['draws']} draws per "
        f"budget, seed {man['seed']}, {rows} row{'s' if rows != 1 else ''} of the workbook's uncertainty sheet "
        "(its rows and notes say what is uncertain and why; nothing else is). Each draw is the case with clean "
        f"supply required from {subject.year} and that budget on the capex of the blocs its row names "
        "(`budget_blocs`: the settings' for budget 0, a scenario's own for the budget it sets), solved with "
        "foresight of its own values "
        + (
            "(replan); with the shortfall at any price the least shortfall that lead times, ramp-up, ore and "
            "failures allow is found first, then the least cost at it, so a probability does not depend on the "
            "shortfall penalty. "
            if subject.price == "at any price"
            else f"(replan); a shortfall is priced at the {subject.price}, so a draw may buy shortfall where clean "
            "supply costs more. "
        )
        + "**What is measured.** The clean share of protected need per element and year counts clean stock "
        "taken; an element is fully clean in a year when its clean share reaches the requirement (zero "
        "shortfall), and the probabilities at 95% and 99% say how close the draws that are not come. "
        "Probabilities are over every draw (a draw that did not solve counts as not clean), with 90% Wilson "
        "intervals: with "
        f"{man['draws']} draws an interval is up to about ±{_margin(man['draws'])} wide. Each condition row of "
        "the sheet (an external event such as an embargo) splits the draws into its classes, each on its own. "
        "Premiums are system cost without penalties over the same draw's unconstrained plan, over all solved "
        "draws and over those that meet the requirement. A budget that bound in no draw gives every larger "
        "budget the same draws.",
        "",
        "**By budget** (premium and capex in whole USD, P10/P50/P90):",
        "",
        _table(outlook),
        "",
        "**Probabilities by budget, condition class, element and deadline** (`all` = every element at once; "
        "clean share quantiles over the solved draws):",
        "",
        _table(sheets["outlook_probability"]),
        "",
        *image("outlook_fan", f"clean share by element over the draws, {chart}"),
        *image("outlook_thresholds", f"probability of each threshold by year, {chart}"),
    ]


def scenarios_section(
    subject: Subject, sheets: dict[str, pd.DataFrame], groups: dict[str, str], image: Callable[[str, str], list[str]]
) -> list[str]:
    """One table and bar chart per group of scenarios (world costs, world supply and demand, policy), each
    case also with clean supply required from the report's deadline."""
    lines = [
        "## Scenarios",
        "",
        "**Each scenario of the workbook beside the base case, by group** (the workbook's own settings, no report "
        "overrides; a scenario's group follows from the keys it changes, the largest change of system cost "
        f"first). The `required_` columns show each case with {subject.protected} demand fully clean from "
        f"{subject.year}: its premium over the same case unconstrained, so a scenario that changes who counts "
        "as clean shows its cost there, not as a change against the base; unmet demand, the independence "
        f"shortfall ({subject.price}) and the lowest clean share over every element and year from {subject.year}. "
        "A scenario that asks for clean supply itself is shown once (`requirement` says so), with its premium "
        "over itself unconstrained.",
        "",
    ]
    for sheet, group in groups.items():
        name, _, what = group.partition(": ")
        lines += [f"### {name.capitalize()}" + (f" ({what})" if what else ""), "", _table(sheets[sheet]), ""]
        lines += image(sheet, f"system cost of each scenario against the base case, {name}")
    return lines


def claims_section(table: pd.DataFrame) -> list[str]:
    if table.empty:
        return []
    return [
        "## Claims against evidence",
        "",
        "**Each claim of the workbook's claims sheet, the evidence found, and what the model says of the scenario "
        "it names** (against the base case):",
        "",
        _table(table),
        "",
    ]


def write_findings(
    out: Path,
    subject: Subject,
    sheets: dict[str, pd.DataFrame],
    man: dict[str, Any],
    rows: int = 0,
    groups: dict[str, str] | None = None,
) -> None:
    """findings_tables.* (xlsx, CSV, Markdown, PNG) and findings.md beside them; `rows`: how many
    uncertainty rows the outlook drew; `groups`: the scenario tables (sheet -> its group in words)."""
    note = outlook_note(subject, sheets, man)
    written = write_tables(
        out,
        "findings_tables",
        sheets,
        run_table(man),
        [*charts(subject, note, groups), tornado_chart(subject)],
        "rechain findings: tables",
    )
    files = {p.name for p in written}
    write_markdown(out / "findings.md", findings_md(subject, sheets, man, files, rows, groups))
