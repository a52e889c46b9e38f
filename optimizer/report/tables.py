"""Write result tables as .xlsx (with native line charts), .csv, .md and .png."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .apart import LOG_SPAN, excel_zero_format, log_top, zero_label, zero_position
from .text import MINUS, markdown_text, mathtext, missing, plain, usd
from .writers import safe_text, save_csv, save_text, save_xlsx, write_files

if TYPE_CHECKING:
    from matplotlib.axes import Axes


class Tick(Protocol):
    """A tick label function for matplotlib's FuncFormatter: (value, position) -> label."""

    def __call__(self, v: float, _pos: int | None = None, /) -> str: ...


FAILED = "did not solve"
SHORT = "falls short (shortfall at the penalty)"
PALETTE = (
    "1F77B4",
    "FF7F0E",
    "2CA02C",
    "D62728",
    "9467BD",
    "8C564B",
    "E377C2",
    "7F7F7F",
    "BCBD22",
    "17BECF",
    "AEC7E8",
    "FFBB78",
    "98DF8A",
    "FF9896",
    "C5B0D5",
    "C49C94",
    "F7B6D2",
    "C7C7C7",
    "DBDB8D",
    "9EDAE5",
)


@dataclass(frozen=True)
class Chart:
    sheet: str
    x: str
    y: str
    title: str
    group: str | None = None  # one line per value of this column
    x_label: str = ""
    y_label: str = ""
    note: str = ""  # a subtitle: the case (deadline, cost factor, discounting...)
    band: tuple[str, str] | None = None  # (low, high) columns shaded around each line (PNG; Excel draws y)
    picture: Callable[[Path, pd.DataFrame, str], None] | None = None  # its own PNG (path, frame, footer)
    upright: bool = False  # categories as columns left to right (a histogram's bins), not bars top down
    by_size: bool = False  # categories from the largest y to the smallest (scenarios); failed ones last
    series: tuple[tuple[str, str], ...] = ()  # (column, legend label): several y columns of one table as groups


def is_money(name: str) -> bool:
    return "usd" in name and "per" not in name


def is_share(name: str) -> bool:
    return "share" in name or name.startswith("probability")


def y_kind(spec: Chart) -> str:
    """The y column's name, or "share" when its label says it is one (a median `p50` of clean shares)."""
    return "share" if is_share(spec.y) or is_share(spec.y_label) else spec.y


def wrapped(text: str, inches: float) -> str:
    """A subtitle broken into lines that fit the figure's width at 8 pt (about 15 characters an inch)."""
    import textwrap

    return "\n".join(textwrap.wrap(text, max(20, int(inches * 15))))


def is_year(name: str) -> bool:
    return "year" in name


def cell_text(col: str, v: object, digits: int = 4) -> str:
    """A number as the Markdown tables show it in column `col` (sentences quote it the same way)."""
    if missing(v):
        return ""
    if isinstance(v, bool) or not isinstance(v, (int, float, np.number)):
        return markdown_text(safe_text(v))
    if is_year(col) or col.endswith("_from"):
        return f"{v:.0f}"
    if col.endswith("_usd"):
        return usd(float(v))
    if is_share(col):
        return f"{v:.1%}"
    if isinstance(v, (float, np.floating)):
        return f"{v:,.0f}" if abs(float(v)) >= 1000 else f"{v + 0.0:.{digits}g}"
    return f"{v:,}"


def markdown_table(frame: pd.DataFrame, digits: int = 4) -> str:
    """A GitHub Markdown table: text escaped, money as `$1.40 bn`, shares as percentages."""
    cols = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(markdown_text(c) for c in cols) + " |", "|" + "---|" * len(cols)]
    lines += [
        "| " + " | ".join(cell_text(c, v, digits) for c, v in zip(cols, row, strict=True)) + " |"
        for row in frame.itertuples(index=False)
    ]
    return "\n".join(lines)


def words(column: str) -> str:
    """An axis label from a column name: `system_cost_usd` -> `system cost (USD)`."""
    for suffix, unit in (("_usd", " (USD)"), ("_tpa", " (t/yr)"), ("_t", " (t)")):
        if column.endswith(suffix):
            return column[: -len(suffix)].replace("_", " ") + unit
    return column.replace("_", " ")


@dataclass(frozen=True)
class Lines:
    """What a chart draws: numeric or categorical x, one y column per group (blank where not solved)."""

    x: pd.Series  # sorted x positions
    ys: pd.DataFrame  # index aligned with x, one column per group
    failed_x: list[float]
    ticks: list[str] | None  # labels of categorical x positions
    short: pd.DataFrame | None = None  # True where the point left demand unmet (shortfall_t > 0), shaped as ys
    apart: float | None = None  # where x = 0 is drawn on a log axis (apart.zero_position); x holds it for 0

    def line(self, name: str) -> pd.Series:
        """One group's points, joined across x positions only other groups have (their blanks are not
        failures); a failed point stays a gap."""
        y = self.ys[name]
        return y[y.notna() | y.index.isin(self.failed_x)]


def chart_lines(spec: Chart, frame: pd.DataFrame) -> Lines:
    frame = frame.reset_index(drop=True)
    failed = frame["status"].astype(str) != "optimal" if "status" in frame else pd.Series(False, frame.index)
    y = pd.to_numeric(frame[spec.y], errors="coerce").where(~failed)
    x = pd.to_numeric(frame[spec.x], errors="coerce")
    ticks = None
    if x.isna().any() and frame[spec.x].notna().any():
        ticks = list(dict.fromkeys(frame[spec.x].astype(str)))
        x = frame[spec.x].astype(str).map({t: i for i, t in enumerate(ticks)}).astype(float)
    if ticks is not None and spec.by_size:
        ticks = sized(frame[spec.x].astype(str), y)
        x = frame[spec.x].astype(str).map({t: i for i, t in enumerate(ticks)}).astype(float)
    group = frame[spec.group].astype(str) if spec.group else pd.Series(spec.y, frame.index)
    long = pd.DataFrame({"x": x, "group": group, "y": y}).dropna(subset=["x"])
    ys = long.groupby(["x", "group"], sort=False)["y"].first().unstack("group")
    ys = ys[list(dict.fromkeys(long["group"]))].sort_index()
    failed_x = sorted(set(x[failed].dropna()))
    short = None
    if "shortfall_t" in frame:
        gap = (pd.to_numeric(frame["shortfall_t"], errors="coerce").fillna(0) > 0) & ~failed
        short = long.assign(y=gap).groupby(["x", "group"], sort=False)["y"].any().unstack("group")
        short = short.reindex(index=ys.index, columns=ys.columns).fillna(False).astype(bool)
    apart = zero_position(ys.index) if ticks is None else None
    if apart is not None:
        ys, failed_x = ys.rename(index={0.0: apart}), [apart if x == 0 else x for x in failed_x]
        short = None if short is None else short.rename(index={0.0: apart})
    return Lines(pd.Series(ys.index, index=ys.index), ys, failed_x, ticks, short, apart)


def sized(labels: pd.Series, y: pd.Series) -> list[str]:
    """Category labels ordered by their largest y, largest first; those without a value last."""
    top = y.groupby(labels, sort=False).max()
    return list(top.sort_values(ascending=False, na_position="last", kind="stable").index)


def log_scale(values: ArrayLike) -> bool:
    """A log axis when every value is positive and they span more than LOG_SPAN times."""
    v = numbers(values)
    return bool(len(v)) and bool((v > 0).all()) and v.max() / v.min() > LOG_SPAN


def money_unit(values: ArrayLike) -> tuple[float, str]:
    v = numbers(values).abs()
    top = v.max() if len(v) else 0.0
    for div, unit in ((1e9, " bn"), (1e6, " m"), (1e3, " k")):
        if top >= div:
            return div, unit
    return 1.0, ""


def money_tick(div: float | None, unit: str = "") -> Tick:
    """Tick labels `$2 bn`, `−$500 m`: one unit for the axis, or (div None, log axes) one per tick."""

    def fmt(v: float, _pos: int | None = None) -> str:
        if v == 0:
            return "$0"
        d, u = money_unit([v]) if div is None else (div, unit)
        scaled = abs(v) / d
        text = f"{scaled:,.0f}" if scaled >= 1000 else f"{scaled:.4g}"
        return (MINUS if v < 0 else "") + f"${text}{u}"

    return fmt


def plain_tick(v: float, _pos: int | None = None) -> str:
    return f"{v:,.0f}" if abs(v) >= 1 else f"{v:.3g}"


def _png(path: Path, spec: Chart, frame: pd.DataFrame, footer: str = "") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    lines = chart_lines(spec, frame)
    many = lines.ys.shape[1] > 8
    rows = len(lines.ticks) if lines.ticks is not None else 0
    tall = rows > 8
    beside = many or (lines.ticks is not None and lines.ys.shape[1] > 1)  # the legend right of the axes
    fig, ax = plt.subplots(figsize=(9 if beside else 7, 4.6 + (0.25 * rows - 2 if tall else 0)), dpi=120)
    if many:
        ax.set_prop_cycle(color=matplotlib.color_sequences["tab20"])  # the colours of plt.get_cmap("tab20")
    if lines.ticks is not None:
        (_columns if spec.upright else _bars)(ax, spec, lines)
    else:
        _lines(ax, spec, lines, [chart_lines(replace(spec, y=column), frame).ys for column in spec.band or ()], many)
        _short_marks(ax, lines)
        if lines.failed_x:
            ax.plot(
                lines.failed_x,
                [0] * len(lines.failed_x),
                "x",
                color="red",
                markersize=9,
                markeredgewidth=2,
                transform=ax.get_xaxis_transform(),
                clip_on=False,
                label=FAILED,
            )
        _axes(ax, spec, lines)
        _zero_apart_axis(ax, spec, lines)
    if lines.ys.isna().all().all():
        ax.text(0.5, 0.5, "no point solved", transform=ax.transAxes, ha="center", color="red")
    fig.suptitle(mathtext(spec.title), fontsize=12)
    if spec.note:
        ax.set_title(wrapped(mathtext(spec.note), fig.get_size_inches()[0]), fontsize=8, color="dimgrey")
    if ax.get_legend_handles_labels()[1]:
        where: dict[str, Any] = dict(loc="upper left", bbox_to_anchor=(1.01, 1)) if beside else {}
        ax.legend(
            title=mathtext(words(spec.group)) if spec.group else None,
            fontsize=7 if many else 8,
            title_fontsize=8,
            **where,
        )
    if footer:
        fig.text(0.01, 0.005, mathtext(footer), fontsize=6, color="grey", ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(path, format="png")
    plt.close(fig)


def _lines(ax: Axes, spec: Chart, lines: Lines, bands: list[pd.DataFrame], many: bool) -> None:
    """One line per group (joined across other groups' x), with its (low, high) band and dashed band edges."""
    for name in lines.ys.columns:
        y = lines.line(name)
        (line,) = ax.plot(
            y.index[y.index != lines.apart],
            y[y.index != lines.apart],
            marker="o",
            markersize=3 if many else 5,
            label=mathtext(name) if spec.group else None,
        )
        if lines.apart is not None:  # the zero, unjoined to the line on the log axis
            ax.plot([lines.apart], [y.get(lines.apart)], "o", color=line.get_color(), markersize=3 if many else 5,
                    clip_on=False)  # fmt: skip
        if bands:
            ax.fill_between(lines.x, bands[0][name], bands[1][name], color=line.get_color(), alpha=0.15)
            for edge in bands:  # dashed edges keep overlapping bands apart
                ax.plot(lines.x, edge[name], color=line.get_color(), linestyle="--", linewidth=0.8)


def _short_marks(ax: Axes, lines: Lines) -> None:
    """Points that left demand unmet, ringed in red: their cost is not that of meeting demand."""
    if lines.short is None or not lines.short.to_numpy().any():
        return
    xs: list[float] = []
    ys: list[float] = []
    for name in lines.ys.columns:
        at = lines.short[name] & lines.ys[name].notna()
        xs += list(lines.ys.index[at])
        ys += list(lines.ys[name][at])
    ax.plot(xs, ys, "o", markersize=11, markerfacecolor="none", markeredgecolor="red", markeredgewidth=1.5,
            label=SHORT, zorder=3)  # fmt: skip


def _columns(ax: Axes, spec: Chart, lines: Lines) -> None:
    """Categories (a histogram's bins) as upright columns left to right, labels turned when many."""
    from matplotlib.ticker import MaxNLocator

    assert lines.ticks is not None
    values = lines.ys.iloc[:, 0].fillna(0)
    ax.bar(lines.x, values, width=0.9, color="#" + PALETTE[0])
    turn = len(lines.ticks) > 4
    ax.set_xticks(range(len(lines.ticks)), [mathtext(t) for t in lines.ticks], rotation=30 if turn else 0,
                  ha="right" if turn else "center", fontsize=7)  # fmt: skip
    ax.set_xlabel(mathtext(spec.x_label or words(spec.x)))
    ax.set_ylabel(mathtext(spec.y_label or words(spec.y)))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3, axis="y")


def _bars(ax: Axes, spec: Chart, lines: Lines) -> None:
    """Categories (scenario names) as horizontal bars, first on top; a category that did not
    solve has no bar and says so in red."""
    from matplotlib.ticker import FuncFormatter, PercentFormatter

    assert lines.ticks is not None
    groups = list(lines.ys.columns)
    height = 0.8 / len(groups)
    for j, name in enumerate(groups):
        values = lines.ys[name]
        shown = values.notna()
        bars = ax.barh(
            lines.x[shown] + (j - (len(groups) - 1) / 2) * height,
            values[shown],
            height=height,
            label=mathtext(name) if spec.group else None,
        )
        if is_money(spec.y):
            ax.bar_label(bars, [mathtext(usd(v)) for v in values[shown]], padding=3, fontsize=7)
    failed = set(lines.failed_x)
    labels = [mathtext(t) + (f" ({FAILED})" if i in failed else "") for i, t in enumerate(lines.ticks)]
    ax.set_yticks(range(len(labels)), labels)
    for i, tick in enumerate(ax.get_yticklabels()):
        if i in failed:
            tick.set_color("red")
    ax.invert_yaxis()
    ax.margins(x=0.3)  # room for the value labels at both ends
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_ylabel(mathtext(spec.x_label or words(spec.x)))
    ax.set_xlabel(mathtext(spec.y_label or words(spec.y)))
    ax.grid(alpha=0.3, axis="x")
    v = numbers(lines.ys)
    if is_money(spec.y):
        ax.xaxis.set_major_formatter(FuncFormatter(money_tick(*money_unit(v))))
    elif is_share(y_kind(spec)):
        ax.xaxis.set_major_formatter(PercentFormatter(1.0))


def _axes(ax: Axes, spec: Chart, lines: Lines) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter, ScalarFormatter

    ax.set_xlabel(mathtext(spec.x_label or words(spec.x)))
    ax.set_ylabel(mathtext(spec.y_label or words(spec.y)))
    ax.grid(alpha=0.3)
    for axis, name, values in ((ax.xaxis, spec.x, lines.x), (ax.yaxis, y_kind(spec), lines.ys)):
        categorical = axis is ax.xaxis and lines.ticks is not None
        v = numbers(values)
        logged = not categorical and log_scale(v)  # Excel's rule: a zero keeps the axis linear in both twins
        if logged:
            (ax.set_xscale if axis is ax.xaxis else ax.set_yscale)("log")
        if categorical and lines.ticks is not None:
            turn = len(lines.ticks) > 4
            ax.set_xticks(
                range(len(lines.ticks)),
                [mathtext(t) for t in lines.ticks],
                rotation=30 if turn else 0,
                ha="right" if turn else "center",
            )
        elif is_money(name):
            axis.set_major_formatter(FuncFormatter(money_tick(*((None,) if logged else money_unit(v)))))
        elif is_share(name):
            axis.set_major_formatter(PercentFormatter(1.0))
            if axis is ax.yaxis and not logged:
                ax.set_ylim(*share_range(v))
        elif is_year(name):
            axis.set_major_locator(MaxNLocator(integer=True))
            axis.set_major_formatter(FuncFormatter(lambda t, _p: f"{t:.0f}"))
        elif logged:
            axis.set_major_formatter(FuncFormatter(plain_tick))
        else:
            axis.set_major_formatter(ScalarFormatter(useOffset=False))


def _zero_apart_axis(ax: Axes, spec: Chart, lines: Lines) -> None:
    """The log x axis from the zero's position (labelled as zero) to the decade above the largest x, with a
    break mark `//` on the axis between the zero and the smallest positive x."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator

    if lines.apart is None:
        return
    top, label = log_top(lines.x), zero_label(spec.x, is_money(spec.x))
    ax.set_xlim(lines.apart, top)
    decades = LogLocator(numticks=20).tick_values(lines.apart, top)
    ax.xaxis.set_major_locator(FixedLocator([t for t in decades if lines.apart <= t <= top]))
    first = float(lines.x[lines.x > lines.apart].min())
    minor = LogLocator(subs=tuple(range(2, 10)), numticks=20).tick_values(lines.apart, top)
    ax.xaxis.set_minor_locator(FixedLocator([t for t in minor if 10 ** math.floor(math.log10(first)) < t < top]))
    tick, zero = money_tick(None) if is_money(spec.x) else plain_tick, label.replace(" (", "\n(")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, p: zero if v == lines.apart else tick(v, p)))
    ax.text((lines.apart * first) ** 0.5, 0, "//", transform=ax.get_xaxis_transform(), ha="center", va="center",
            fontsize=11, color="dimgrey", backgroundcolor="white", clip_on=False)  # fmt: skip


def share_range(v: pd.Series) -> tuple[float, float]:
    """A share axis from 0 % to 100 % (wider only if a value falls outside), the same in PNG and Excel."""
    return min(0.0, float(v.min())) if len(v) else 0.0, max(1.0, float(v.max())) if len(v) else 1.0


def numbers(values: ArrayLike) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=float).ravel()).dropna()


def failed_level(lines: Lines) -> float:
    """Where failed points are marked in Excel: the bottom of the y axis."""
    v = numbers(lines.ys)
    if log_scale(v):
        return float(v.min())
    return min(0.0, float(v.min())) if len(v) else 0.0


def excel_format(name: str, values: ArrayLike) -> str:
    if is_money(name) and log_scale(values):
        return '[>=1000000000]"$"#,##0.0,,," bn";[>=1000000]"$"#,##0.0,," m";"$"#,##0'
    if is_money(name):
        div, unit = money_unit(values)
        scale = {1e9: ",,,", 1e6: ",,", 1e3: ",", 1.0: ""}[div]
        body = f'#,##0.0{scale}"{unit}"' if unit else "#,##0"
        return f'"$"{body};"{MINUS}$"{body}'
    if is_share(name):
        return "0%"
    if is_year(name):
        return "0"
    v = numbers(values)
    return "#,##0" if len(v) and v.abs().max() >= 100 else "General"


def excel_title(spec: Chart) -> Any:  # an openpyxl Title
    """The chart title in bold, the note beneath it smaller."""
    from openpyxl.chart.text import RichText, Text
    from openpyxl.chart.title import Title
    from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties, RegularTextRun

    def para(text: str, size: int, bold: bool) -> Paragraph:
        props = CharacterProperties(sz=size, b=bold)
        return Paragraph(pPr=ParagraphProperties(defRPr=props), r=[RegularTextRun(rPr=props, t=plain(text))])

    paras = [para(spec.title, 1200, True)] + ([para(spec.note, 800, False)] if spec.note else [])
    return Title(tx=Text(rich=RichText(p=paras)), overlay=False)


def as_series(spec: Chart, frame: pd.DataFrame) -> tuple[Chart, pd.DataFrame]:
    """A chart of several y columns (`spec.series`) as one y column (named `spec.y`) with a `series` group;
    a row's status counts for the first series only (a blank in another is a gap, not a failure)."""
    if not spec.series:
        return spec, frame
    columns = [c for c, _ in spec.series if c in frame]
    parts: list[pd.DataFrame] = []
    for i, (column, label) in enumerate(spec.series):
        if column in frame:
            part = frame.drop(columns=columns).assign(series=label, **{spec.y: frame[column]})
            parts.append(part if i == 0 or "status" not in part else part.assign(status="optimal"))
    return replace(spec, group="series", series=()), pd.concat(parts, ignore_index=True)


def _excel_charts(charts: list[Chart], sheets: dict[str, pd.DataFrame], first: int = 1) -> Callable[[Any], None]:
    """Adds the charts (their data sheets `chart<first> <sheet>`, `chart<first + 1> ...`) to a workbook."""

    def add(book: Any) -> None:  # an openpyxl Workbook
        for i, spec in enumerate(charts):
            spec, frame = as_series(spec, sheets[spec.sheet])
            if frame.empty or spec.y not in frame or spec.x not in frame:
                continue
            _excel_chart(book, spec, chart_lines(spec, frame), f"chart{i + first} {spec.sheet}"[:31])

    return add


def _excel_chart(book: Any, spec: Chart, lines: Lines, data_name: str, where: str | None = None) -> None:
    """A scatter chart with lines (numeric x) or a bar chart (categories) on the table's sheet, at cell `where`
    (default: right of the table, below its other charts); its data, sorted by x, on a sheet of its own."""
    from openpyxl.chart import Reference, ScatterChart, Series
    from openpyxl.utils import get_column_letter

    data = _chart_data(book.create_sheet(data_name), spec, lines)
    n, groups = len(lines.x) + 1, lines.ys.shape[1]
    ws = book[spec.sheet[:31]]
    where = where or f"{get_column_letter(ws.max_column + 2)}{2 + 22 * len(ws._charts)}"
    if lines.ticks is not None:
        ws.add_chart(_excel_bars(data, spec, lines, n, groups), where)
        return
    chart = ScatterChart()
    chart.height, chart.width = 10, 20 if groups > 8 else 16
    chart.title = excel_title(spec)
    chart.x_axis.title = plain(spec.x_label or words(spec.x))
    chart.y_axis.title = plain(spec.y_label or words(spec.y))
    chart.display_blanks = "span" if joined(lines) else "gap"
    xs = Reference(data, min_col=1, min_row=2, max_row=n)
    marks: dict[int, str | None] = {groups + 2: None} if lines.failed_x else {}
    if has_short(lines):
        marks[groups + 3] = "short"
    for c in [*range(2, groups + 2), *marks]:
        series = Series(Reference(data, min_col=c, min_row=1, max_row=n), xs, title_from_data=True)
        _style(series, PALETTE[(c - 2) % len(PALETTE)] if c < groups + 2 else marks[c])
        chart.series.append(series)
    chart.series += _zero_series(data, lines, n)
    _excel_axes(chart, spec, lines)
    _unlisted(chart, len(chart.series) - len(zero_points(lines)))
    ws.add_chart(chart, where)


def zero_points(lines: Lines) -> list[tuple[int, float]]:
    """(group position, y) of each group's point at x = 0 when the zero is drawn apart (else none)."""
    if lines.apart is None:
        return []
    at = lines.ys.loc[lines.apart]
    return [(j, float(v)) for j, v in enumerate(at) if not pd.isna(v)]


def _zero_series(data: Any, lines: Lines, n: int) -> list[Any]:
    """Each group's point at x = 0, unjoined to its line: a series of one row (after the table's rows) in
    the group's colour."""
    from openpyxl.chart import Reference, Series

    found = []
    for i, (j, _y) in enumerate(zero_points(lines)):
        row = dict(min_row=n + 1 + i, max_row=n + 1 + i)
        series = Series(Reference(data, min_col=data.max_column, **row), Reference(data, min_col=1, **row))
        _style(series, PALETTE[j % len(PALETTE)])
        series.graphicalProperties.line.solidFill = None
        series.graphicalProperties.line.noFill = True
        found.append(series)
    return found


def _unlisted(chart: Any, first: int) -> None:
    """Series from `first` on (the zeros drawn apart) have no legend entry: their colour names the group."""
    from openpyxl.chart.legend import LegendEntry

    if chart.legend is not None:
        chart.legend.legendEntry = [LegendEntry(idx=i, delete=True) for i in range(first, len(chart.series))]


def _excel_bars(data: Any, spec: Chart, lines: Lines, n: int, groups: int) -> Any:
    """Horizontal bars, one per category (the label column names it, 'did not solve' included)."""
    from openpyxl.chart import BarChart, Reference

    assert lines.ticks is not None
    chart = BarChart()
    chart.type, chart.grouping = "col" if spec.upright else "bar", "clustered"
    chart.height, chart.width = max(8, 2 + 0.6 * len(lines.ticks)), 16
    chart.title = excel_title(spec)
    chart.x_axis.title = plain(spec.x_label or words(spec.x))
    chart.y_axis.title = plain(spec.y_label or words(spec.y))
    chart.add_data(Reference(data, min_col=2, max_col=groups + 1, min_row=1, max_row=n), titles_from_data=True)
    chart.set_categories(Reference(data, min_col=groups + 3, min_row=2, max_row=n))
    for i, series in enumerate(chart.series):
        series.graphicalProperties.solidFill = PALETTE[i % len(PALETTE)]
    chart.x_axis.scaling.orientation = "minMax" if spec.upright else "maxMin"  # first on top, as in the table
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.y_axis.number_format = excel_format(y_kind(spec), lines.ys)
    chart.y_axis.crosses = "min" if spec.upright else "max"
    if not spec.group:
        chart.legend = None
    return chart


def joined(lines: Lines) -> bool:
    """Lines span blanks when some group lacks an x another group has (budget grids per cost factor)."""
    return bool(lines.ys.drop(index=lines.failed_x, errors="ignore").isna().to_numpy().any())


def has_short(lines: Lines) -> bool:
    return lines.ticks is None and lines.short is not None and bool(lines.short.to_numpy().any())


def short_level(lines: Lines, x: float) -> float | None:
    """Where the 'falls short' mark sits at x: the lowest point there that left demand unmet."""
    if lines.short is None or not has_short(lines):
        return None
    at = lines.ys.loc[x][lines.short.loc[x]].dropna()
    return float(at.min()) if len(at) else None


def _chart_data(data: Any, spec: Chart, lines: Lines) -> Any:  # an openpyxl Worksheet
    """x, one column per group, the 'did not solve' marks at the foot of the y axis, and any x labels."""
    names = [plain(c) for c in lines.ys.columns] if spec.group else [plain(spec.y_label or words(spec.y))]
    extra = ["label"] if lines.ticks is not None else [SHORT] if has_short(lines) else []
    zero = [zero_label(spec.x, is_money(spec.x))] if lines.apart is not None else []
    x_name = plain(spec.x) + (f" (0 drawn at {lines.apart:g})" if zero else "")
    data.append([x_name, *names, FAILED, *extra, *zero])
    failed, level = set(lines.failed_x), failed_level(lines)
    for pos, (x, row) in enumerate(zip(lines.x, lines.ys.itertuples(index=False), strict=False)):
        label: list[str | float | None] = (
            [plain(lines.ticks[pos]) + (f" ({FAILED})" if x in failed else "")] if lines.ticks is not None else []
        )
        label += [short_level(lines, x)] if has_short(lines) else []
        data.append(
            [
                x if lines.ticks is None else pos + 1,
                *(None if pd.isna(v) or x == lines.apart else float(v) for v in row),
                level if x in failed else None,
                *label,
            ]
        )
    for _j, y in zero_points(lines):  # after the table's rows: apart from the lines
        data.append([lines.apart, *[None] * (len(names) + 1 + len(extra)), y])
    return data


def _style(series: Any, colour: str | None) -> None:
    """A coloured line with small circles, or without a line: (colour None) red crosses for failed points,
    ("short") hollow red circles round points that left demand unmet."""
    from openpyxl.chart.marker import Marker

    if colour in (None, "short"):
        series.marker = Marker(symbol="x", size=9) if colour is None else Marker(symbol="circle", size=11)
        series.marker.graphicalProperties.line.solidFill = "FF0000"
        if colour == "short":
            series.marker.graphicalProperties.noFill = True
        series.graphicalProperties.line.noFill = True
        return
    series.marker.symbol, series.marker.size, series.smooth = "circle", 4, False
    series.marker.graphicalProperties.solidFill = colour
    series.marker.graphicalProperties.line.solidFill = colour
    series.graphicalProperties.line.solidFill = colour
    series.graphicalProperties.line.width = 19050  # EMU: 1.5 pt


def _excel_axes(chart: Any, spec: Chart, lines: Lines) -> None:
    for axis, name, values in ((chart.x_axis, spec.x, lines.x), (chart.y_axis, y_kind(spec), lines.ys)):
        axis.delete = False
        axis.number_format = "0" if lines.ticks is not None and axis is chart.x_axis else excel_format(name, values)
        axis.majorTickMark = "out"
        if log_scale(values) and not (lines.ticks is not None and axis is chart.x_axis):
            axis.scaling.logBase = 10
    y = numbers(lines.ys)
    if is_share(y_kind(spec)) and not log_scale(y):
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = share_range(y)
    chart.x_axis.crosses = chart.y_axis.crosses = "min"  # axes at the bottom and left, also below zero
    x = numbers(lines.x)
    if len(x) and lines.ticks is None and not log_scale(x):
        pad = 0.0 if len(x) > 1 else max(1.0, abs(float(x.iloc[0])) * 0.001)  # one year: that year ± 1
        chart.x_axis.scaling.min, chart.x_axis.scaling.max = float(x.min()) - pad, float(x.max()) + pad
    chart.legend.position = "r" if spec.group else "b"
    if not spec.group and not lines.failed_x and not has_short(lines):
        chart.legend = None
    if lines.apart is not None:  # as the PNG: from the zero's decade, labelled as zero, to the decade above
        money = is_money(spec.x)
        chart.x_axis.number_format = excel_zero_format(lines.apart, zero_label(spec.x, money), money)
        chart.x_axis.scaling.min, chart.x_axis.scaling.max = lines.apart, log_top(lines.x)


def table_files(out: Path, stem: str, sheets: Iterable[str], charts: Iterable[Chart | str] = ()) -> list[Path]:
    """Every file `write_tables` may write for these sheet names and charts (Chart or sheet name), for
    `check_outputs` before a run."""
    out = Path(out)
    files = [out / f"{stem}.xlsx"] + [out / f"{stem}_{name}.csv" for name in [*sheets, "run"]]
    files += [out / f"{stem}_{getattr(spec, 'sheet', spec)}.png" for spec in charts]
    return list(dict.fromkeys(files + [out / f"{stem}.md"]))


def write_tables(
    out: Path,
    stem: str,
    sheets: dict[str, pd.DataFrame],
    run: pd.DataFrame,
    charts: Sequence[Chart] = (),
    title: str = "",
) -> list[Path]:
    """`stem`.xlsx with every table and the run manifest, one CSV per table,
    `stem`.md, and one PNG per chart, written as one set (all or nothing). Returns the paths written."""
    out = Path(out)
    charts = list(charts)
    drawn = [spec for spec in charts if not sheets[spec.sheet].empty and spec.y in sheets[spec.sheet]]
    facts = dict(zip(run["item"], run["value"], strict=True))
    footer = (
        f"rechain {facts.get('versions.rechain', '')} · input {facts.get('input', '')} "
        f"sha256 {str(facts.get('input_sha256', ''))[:12]}"
    ) + (f" · {facts['written_utc']}" if facts.get("written_utc") else "")
    writers: dict[Path, Callable[[Path], None]] = {
        out / f"{stem}.xlsx": lambda tmp: save_xlsx(tmp, {**sheets, "run": run}, _excel_charts(charts, sheets))
    }
    for name, frame in {**sheets, "run": run}.items():
        writers[out / f"{stem}_{name}.csv"] = partial(save_csv, frame=frame)
    md = [f"# {markdown_text(title or stem)}", ""]
    for name, frame in sheets.items():
        md += [f"## {markdown_text(name)}", "", markdown_table(frame), ""]
    for spec in drawn:
        png = out / f"{stem}_{spec.sheet}.png"
        writers[png] = partial(_picture, spec=spec, frame=sheets[spec.sheet], footer=footer)

        md += [f"![{markdown_text(spec.title)}]({png.name})", ""]
    md += ["## run", "", markdown_table(run), ""]
    writers[out / f"{stem}.md"] = lambda tmp: save_text(tmp, "\n".join(md))
    write_files(writers)
    return list(writers)


def _picture(path: Path, spec: Chart, frame: pd.DataFrame, footer: str) -> None:
    spec, frame = as_series(spec, frame)
    if spec.picture is not None:
        spec.picture(path, frame, footer)
    else:
        _png(path, spec, frame, footer)


def scenarios_charts(titles: dict[str, str], note: str, required: str = "") -> list[Chart]:
    """Each group's scenarios' system cost against the base case's, as bars sorted by size: one chart per
    sheet, `titles` naming each sheet's group; with `required` (the requirement in words, e.g. `clean from
    2035`), beside each bar the case's premium under the requirement over itself unconstrained."""
    series = (
        (("system_cost_vs_base_usd", "as it is, against the base"),
         ("required_premium_usd", f"{required}, over itself"))
        if required
        else ()
    )  # fmt: skip
    title = (
        f"Scenarios against the base case and {required}"
        if required
        else "System cost of each scenario against the base case"
    )
    return [
        Chart(
            sheet,
            "scenario",
            "system_cost_vs_base_usd",
            title + (f" — {group.split(':')[0]}" if group else ""),
            None,
            "scenario",
            "system cost minus the base case's, or premium over itself (USD)"
            if required
            else "system cost minus the base case's (USD)",
            note,
            by_size=True,
            series=series,
        )
        for sheet, group in titles.items()
    ]
