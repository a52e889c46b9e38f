"""The files of `rechain risk` (risk.md v3): risk.xlsx (every table, native charts), risk_*.csv, risk.md
(sentences, the tables over all draws, then each condition's) and PNGs: the clean-share fan per element
(the primary chart), the probabilities by year at the three thresholds with their intervals, and the
premium histogram."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..models.figures import FIGURE, split_column
from .tables import Chart, _excel_charts, _png, markdown_table, money_tick, money_unit, words, wrapped
from .text import markdown_text, mathtext, usd
from .writers import save_csv, save_text, save_xlsx, write_files

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

HEDGE_SHEETS = ("value", "hedged_plan")
SHEETS = (
    *HEDGE_SHEETS,
    "draws",
    "thresholds",
    "clean_share_fan",
    "summary",
    "probability_by_year",
    "earliest_year",
    "premium_histogram",
)
PICTURES = ("clean_share_fan", "probability_by_year", "premium_histogram")  # risk_<name>.png
LEVELS = ("≥95%", "≥99%", "fully met")
STYLES = (("o", 10, 3.0), ("s", 6, 2.0), ("o", 3, 1.2))  # so that lines that coincide stay visible
ALL_DRAWS = "all draws"
BINS = 10
STATS = ("p10", "p50", "p90", "mean")


def premium_histogram(draws: pd.DataFrame) -> pd.DataFrame:
    """Draws per premium bin (optimal draws with a premium only)."""
    if "premium_usd" not in draws or "status" not in draws:
        return pd.DataFrame(columns=["premium_usd", "draws"])
    v = pd.to_numeric(draws.loc[draws["status"] == "optimal", "premium_usd"], errors="coerce").dropna()
    if v.empty:
        return pd.DataFrame(columns=["premium_usd", "draws"])
    if v.min() == v.max():
        return pd.DataFrame([(usd(float(v.min())), len(v))], columns=["premium_usd", "draws"])
    edges = round_edges(float(v.min()), float(v.max()), min(BINS, max(1, v.nunique())))
    counts, _ = np.histogram(v, bins=edges)
    div, unit = money_unit(edges)
    tick = money_tick(div, unit)
    labels = [f"{tick(lo)} to {tick(hi)}" for lo, hi in zip(edges[:-1], edges[1:], strict=True)]
    return pd.DataFrame({"premium_usd": labels, "draws": counts})


def round_edges(low: float, high: float, bins: int) -> np.ndarray:
    """Bin edges on round numbers (steps of 1, 2, 2.5 or 5 times a power of ten) covering [low, high]
    with at most `bins` bins: 0.13 to 0.97 in 5 bins gives 0, 0.2, ..., 1."""
    from matplotlib.ticker import MaxNLocator

    edges = np.asarray(MaxNLocator(nbins=bins, steps=[1, 2, 2.5, 5, 10]).tick_values(low, high))
    below, above = edges[edges <= low], edges[edges >= high]
    if not below.size or not above.size:  # the locator's tolerance left an end uncovered (e.g. low = -1e-5)
        return np.linspace(low, high, bins + 1)
    first, last = float(below.max()), float(above.min())
    return edges[(edges >= first) & (edges <= last)]


def charts(note: str) -> list[Chart]:
    """The native Excel charts (over all draws; the PNGs are drawn by this module)."""
    return [
        Chart("clean_share_fan", "year", "p50", "Clean share of protected need: median of the draws", "element",
              "year", "clean share", note),
        Chart("thresholds", "year", "probability", "Probability that every element meets each threshold, by year",
              "threshold", "year", "share of all draws", note),
        Chart("premium_histogram", "premium_usd", "draws", "Premium of independence over the draws", None,
              "premium (system cost minus the draw's own unconstrained cost)", "draws", note, upright=True),
    ]  # fmt: skip


def everywhere(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows over all draws (condition "")."""
    return frame[frame["condition"] == ""] if "condition" in frame else frame


def _chart_frames(sheets: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    thresholds = everywhere(sheets["thresholds"])
    return {
        "clean_share_fan": everywhere(sheets["clean_share_fan"]),
        "thresholds": thresholds[thresholds["element"] == "all"],
        "premium_histogram": sheets["premium_histogram"],
    }


def write_risk(
    out: Path, stem: str, tables: dict[str, pd.DataFrame], run: pd.DataFrame, note: str, price: str
) -> list[Path]:
    """Every file of a risk run, written as one set; `price` is `price_label` of the base case."""
    out = Path(out)
    sheets = {**tables, "premium_histogram": premium_histogram(tables["draws"])}
    sheets = {k: sheets[k] for k in SHEETS if k in sheets}
    specs, frames = charts(note), _chart_frames(sheets)
    writers: dict[Path, Callable[[Path], None]] = {
        out / f"{stem}.xlsx": lambda tmp: save_xlsx(tmp, {**sheets, "run": run}, _excel_charts(specs, frames))
    }
    for name, frame in {**sheets, "run": run}.items():
        writers[out / f"{stem}_{name}.csv"] = partial(save_csv, frame=frame)
    footer = _footer(run)
    pictures: dict[str, Callable[[Path], None]] = {
        "clean_share_fan": lambda tmp: fan_png(tmp, frames["clean_share_fan"], note, footer),
        "probability_by_year": lambda tmp: thresholds_png(tmp, frames["thresholds"], note, footer, price),
        "premium_histogram": lambda tmp: _png(tmp, specs[2], frames["premium_histogram"], footer),
    }
    drawn = [name for name in PICTURES if _has_data(name, frames)]
    for name in drawn:
        writers[out / f"{stem}_{name}.png"] = pictures[name]
    text = risk_markdown(sheets, run, price, [f"{stem}_{name}.png" for name in drawn])
    writers[out / f"{stem}.md"] = lambda tmp: save_text(tmp, text)
    write_files(writers)
    return list(writers)


def _has_data(name: str, frames: dict[str, pd.DataFrame]) -> bool:
    frame = frames["thresholds" if name == "probability_by_year" else name]
    column = {"clean_share_fan": "p50", "probability_by_year": "probability", "premium_histogram": "draws"}[name]
    return not frame.empty and bool(frame[column].notna().any())


def _footer(run: pd.DataFrame) -> str:
    facts = dict(zip(run["item"], run["value"], strict=True))
    stamp = f" · {facts['written_utc']}" if facts.get("written_utc") else ""
    return (
        f"rechain {facts.get('versions.rechain', '')} · input {facts.get('input', '')} "
        f"sha256 {str(facts.get('input_sha256', ''))[:12]}{stamp}"
    )


def _figure(fig: Figure, title: str, note: str, footer: str) -> None:
    """Title, the case beneath it and the footer, placed in inches so that neither overlaps the plots."""
    width, height = fig.get_size_inches()
    fig.suptitle(mathtext(title), fontsize=12, y=1 - 0.12 / height, va="top")
    text = wrapped(mathtext(note), width) if note else ""
    if note:
        fig.text(0.5, 1 - 0.42 / height, text, fontsize=8, color="dimgrey", ha="center", va="top")
    if footer:
        fig.text(0.01, 0.005, mathtext(footer), fontsize=6, color="grey", ha="left", va="bottom")
    extra = 0.14 * text.count("\n")  # inches for each further line of the note
    fig.tight_layout(rect=(0, 0.2 / height, 1, 1 - (0.55 + extra) / height))


def _percent_axis(ax: Axes) -> None:
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    ax.set_ylim(-0.02, 1.02)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    ax.grid(alpha=0.3)


def fan_png(path: Path, fan: pd.DataFrame, note: str, footer: str) -> None:
    """Small multiples, one per element: the P10–P90 band of the clean share and its median, by year."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    elements = list(dict.fromkeys(fan["element"]))
    cols = min(3, len(elements))
    rows = -(-len(elements) // cols)
    size = (max(7.0, 3.6 * cols + 0.6), 2.7 * rows + 1.1 if cols > 1 else 4.6)
    fig, axes = plt.subplots(rows, cols, figsize=size, dpi=120, squeeze=False)
    for ax, element in zip(axes.flat, elements, strict=False):
        at = fan[fan["element"] == element].sort_values("year")
        years = at["year"].astype(float)
        low, mid, high = (pd.to_numeric(at[c], errors="coerce") for c in ("p10", "p50", "p90"))
        ax.fill_between(years, low, high, color="#1F77B4", alpha=0.25, linewidth=0, label="P10–P90")
        for edge in (low, high):  # the band's edges stay visible where it narrows onto the median
            ax.plot(years, edge, color="#1F77B4", linestyle="--", linewidth=0.8, alpha=0.8)
        ax.plot(years, mid, color="#1F77B4", marker="o", markersize=3, label="median")
        ax.set_title(mathtext(element), fontsize=10)
        _percent_axis(ax)
    for ax in list(axes.flat)[len(elements) :]:
        ax.set_visible(False)
    axes[0][0].legend(fontsize=7, loc="lower right")
    for ax in axes[:, 0]:
        ax.set_ylabel("clean share of protected need", fontsize=8)
    _figure(fig, "Clean share by element and year over the draws (median, P10–P90)", note, footer)
    fig.savefig(path, format="png")
    plt.close(fig)


def thresholds_png(path: Path, thresholds: pd.DataFrame, note: str, footer: str, price: str) -> None:
    """The probability that every element meets each threshold, by year, with its 90 % Wilson band."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 4.8), dpi=120)
    for level, colour, (marker, size, width) in zip(LEVELS, ("#2CA02C", "#FF7F0E", "#1F77B4"), STYLES, strict=True):
        at = thresholds[thresholds["threshold"] == level].sort_values("year")
        years = at["year"].astype(float)
        low, high = (pd.to_numeric(at[c], errors="coerce") for c in ("low", "high"))
        ax.fill_between(years, low, high, color=colour, alpha=0.15, linewidth=0)
        label = "clean share " + level if level != "fully met" else "fully met (zero shortfall)"
        p = pd.to_numeric(at["probability"], errors="coerce")
        ax.plot(years, p, color=colour, marker=marker, markersize=size, linewidth=width, label=label)
    _percent_axis(ax)
    ax.set_xlabel("year")
    ax.set_ylabel("share of all draws (failed draws count as not met)", fontsize=8)
    ax.legend(fontsize=8, title=f"every element · bands: 90% Wilson · {price}", title_fontsize=7, loc="best")
    _figure(fig, "Probability that the requirement holds, by year and threshold", note, footer)
    fig.savefig(path, format="png")
    plt.close(fig)


def percent(p: float | None, low: float | None = None, high: float | None = None) -> str:
    """`75% (41–93%)`; blank when no draw was there."""
    if p is None or pd.isna(p):
        return ""
    if low is None or pd.isna(low):
        return f"{p:.0%}"
    return f"{p:.0%} ({100 * low:.0f}–{high:.0%})"


def by_year(thresholds: pd.DataFrame, condition: str, name: str, element: str = "all") -> pd.DataFrame:
    """year | ≥95% | ≥99% | fully met, each a probability with its interval."""
    at = thresholds[(thresholds["condition"] == condition) & (thresholds["class"] == name)]
    at = at[at["element"] == element]
    table: dict[str, dict[object, str]] = {level: {} for level in LEVELS}
    for r in at.itertuples(index=False):
        table[r.threshold][r.year] = percent(r.probability, r.low, r.high)
    frame = pd.DataFrame(table)
    return frame.rename_axis("year").reset_index()


def by_element(thresholds: pd.DataFrame) -> pd.DataFrame:
    """year | one column per element: P(fully met) over all draws, with its interval."""
    at = everywhere(thresholds)
    at = at[(at["threshold"] == "fully met") & (at["element"] != "all")]
    table: dict[str, dict[object, str]] = {}
    for r in at.itertuples(index=False):
        table.setdefault(r.element, {})[r.year] = percent(r.probability, r.low, r.high)
    return pd.DataFrame(table).rename_axis("year").reset_index()


def value_text(figure: str, v: float | None) -> str:
    """A summary value in its unit."""
    if v is None or pd.isna(v):
        return ""
    if _per_kg(figure) is not None:
        return f"${v:,.2f}/kg"
    if figure.startswith("p_"):
        return f"{v:.0%}"
    if figure.endswith("_usd"):
        return usd(float(v))
    if figure.endswith("_t"):
        return f"{v:,.0f} t"
    return f"{v:.0f}" if "year" in figure else f"{v:,.4g}"


def figure_label(figure: str) -> str:
    """`system_cost_usd` → `system cost (USD)`, `premium_usd_per_kg.NdPr` → `premium per kg (NdPr)`."""
    element = _per_kg(figure)
    if element is not None:
        return f"premium per kg ({element})"
    if figure == "p_committed_overruns_budget":
        return "P(committed plan overruns the budget)"
    return words(figure)


def _per_kg(figure: str) -> str | None:
    """The element of a per-kg premium's column (`premium_usd_per_kg.NdPr`), None for another figure."""
    split = split_column(figure)
    return split[1][0] if split is not None and split[0].name == "premium_usd_per_kg" else None


def summary_text(summary: pd.DataFrame, condition: str, name: str) -> pd.DataFrame:
    """figure | subset | draws | P10 | P50 | P90 | mean, each value in its unit."""
    at = summary[(summary["condition"] == condition) & (summary["class"] == name)]
    rows = [
        (figure_label(r.figure), r.subset, r.n, *(value_text(r.figure, getattr(r, c)) for c in STATS))
        for r in at.itertuples(index=False)
    ]
    return pd.DataFrame(rows, columns=["figure", "subset", "draws", "P10", "P50", "P90", "mean"])


def _fact(run: pd.DataFrame, item: str, default: object = "") -> Any:  # the run sheet's cell, of any type

    found = run.loc[run["item"] == item, "value"]
    return found.iloc[0] if len(found) else default


def drawn_targets(draws: pd.DataFrame) -> str:
    """What the draws sampled: the columns between `draw` and `status`, by kind (`capex_overrun`,
    `failure`, a case key …), with the number of facilities where more than one."""
    columns = [str(c) for c in draws.columns]
    if "draw" not in columns or "status" not in columns:
        return "nothing"
    sampled = columns[columns.index("draw") + 1 : columns.index("status")]
    kinds: dict[str, int] = {}
    for c in sampled:
        if (split_column(c) or (None,))[0] is not FIGURE["condition"]:
            kinds[c.split(".")[0]] = kinds.get(c.split(".")[0], 0) + 1
    return ", ".join(f"{k} ({n} places)" if n > 1 else k for k, n in kinds.items()) or "nothing"


def sentences(sheets: dict[str, pd.DataFrame], run: pd.DataFrame, price: str) -> list[str]:
    """What a reader must know to cite the probabilities: sample, what was drawn, failures, the
    intervals, and the price of a shortage."""
    draws = sheets["draws"]
    n = len(draws)
    failed = int((draws["status"] != "optimal").sum()) if "status" in draws else 0
    said = [
        f"{n} draws (mode {_fact(run, 'mode')}, seed {_fact(run, 'seed')}) of the uncertainty sheet's "
        f"{_fact(run, 'uncertainty')} rows; drawn: {drawn_targets(draws)}."
    ]
    if str(_fact(run, "complete", True)) == "False":
        said.append(f"The run was interrupted: {n} of the {_fact(run, 'draws')} draws asked for are summarised.")
    said.append(
        f"{failed} of {n} draws did not solve; they count as not meeting any threshold and stay in every "
        "probability's denominator."
        if failed
        else "Every draw solved."
    )
    said.append(
        "A probability is the share of all draws in which the clean share of protected need reaches 95 %, 99 %, "
        "or the requirement is fully met (clean supply ≥ (1 − α) of protected need: zero shortfall), in every "
        "element or in one; in brackets its 90 % Wilson interval. A year outside a draw's horizon counts as not met."
    )
    said.append(_price_sentence(price))
    return said + _more_sentences(sheets)


def _price_sentence(price: str) -> str:
    if price == "at any price":
        return (
            "Every draw was solved at any price: the least shortfall its lead times, ramp, ore and failures "
            "allow first, then the least cost, so no probability depends on a penalty."
        )
    return (
        f"A shortfall was priced, not forbidden ({price}): a draw leaves protected need uncovered wherever "
        "clean supply would cost more than that, so each probability holds at that penalty only."
    )


def _more_sentences(sheets: dict[str, pd.DataFrame]) -> list[str]:
    summary = everywhere(sheets["summary"])
    said = []
    met = summary[(summary["subset"] == "requirement met") & (summary["figure"] == "system_cost_usd")]
    if len(met):
        said.append(
            f"{int(met['n'].iloc[0])} draws meet the requirement in every year from the independence year; "
            "figures are given over all solved draws and over those."
        )
    over = summary[(summary["subset"] == ALL_DRAWS) & (summary["figure"] == "p_committed_overruns_budget")]
    if len(over) and not pd.isna(over["mean"].iloc[0]):
        said.append(
            f"The committed plan's spending exceeds a budget row in {over['mean'].iloc[0]:.0%} of the "
            f"{int(over['n'].iloc[0])} solved draws."
        )
    conditions = _classes(sheets["thresholds"])
    if conditions:
        named = "; ".join(f"{c} ({', '.join(names)})" for c, names in conditions.items())
        said.append(f"Each condition splits the draws on its own (no joint classes): {named}.")
    return said


def _classes(thresholds: pd.DataFrame) -> dict[str, list[str]]:
    pairs = thresholds.loc[thresholds["condition"] != "", ["condition", "class"]].drop_duplicates()
    found: dict[str, list[str]] = {}
    for condition, name in pairs.itertuples(index=False):
        found.setdefault(condition, []).append(name)
    return found


def _section(sheets: dict[str, pd.DataFrame], condition: str, name: str, level: str) -> list[str]:
    title = "All draws" if condition == "" else f"Condition {condition}: {name}"
    lines = [f"{level} {markdown_text(title)}", "", "Probability that every element meets each threshold:", ""]
    lines += [markdown_table(by_year(sheets["thresholds"], condition, name)), ""]
    lines += [markdown_table(summary_text(sheets["summary"], condition, name)), ""]
    return lines


def risk_markdown(sheets: dict[str, pd.DataFrame], run: pd.DataFrame, price: str, pictures: list[str]) -> str:
    """risk.md: sentences, the all-draws tables (by year, by element, figures, earliest year), each
    condition class's, the hedge tables, the charts and the run."""
    lines = ["# rechain risk", "", *(markdown_text(s) for s in sentences(sheets, run, price)), ""]
    lines += _section(sheets, "", ALL_DRAWS, "##")
    lines += ["Probability that each element is fully met:", "", markdown_table(by_element(sheets["thresholds"])), ""]
    lines += ["Earliest independence year:", "", markdown_table(everywhere(sheets["earliest_year"])), ""]
    for condition, names in _classes(sheets["thresholds"]).items():
        for name in names:
            lines += _section(sheets, condition, name, "##")
    for name in HEDGE_SHEETS:
        if name in sheets:
            lines += [f"## {name.replace('_', ' ')}", "", markdown_table(sheets[name]), ""]
    lines += [f"![{name}]({name})\n" for name in pictures]
    lines += ["## run", "", markdown_table(run), ""]
    return "\n".join(lines)
