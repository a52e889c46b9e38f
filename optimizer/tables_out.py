"""Write result tables as .xlsx (with native line charts), .csv, .md and .png."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .outputs import atomic_path, safe_text, write_csv, write_markdown, write_xlsx


@dataclass(frozen=True)
class Chart:
    sheet: str
    x: str
    y: str
    title: str
    group: str | None = None  # one line per value of this column
    x_label: str = ""
    y_label: str = ""


def markdown_table(frame: pd.DataFrame, digits: int = 4) -> str:
    def fmt(v):
        if v is None or (isinstance(v, float) and pd.isna(v)):
            return ""
        if isinstance(v, float):
            return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.{digits}g}"
        return str(safe_text(v)).replace("|", "\\|")

    lines = ["| " + " | ".join(map(str, frame.columns)) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def _excel_charts(charts: list[Chart], sheets: dict[str, pd.DataFrame]):
    from openpyxl.chart import Reference, ScatterChart, Series

    def add(book):
        for spec in charts:
            frame = sheets[spec.sheet]
            if frame.empty or spec.y not in frame or spec.x not in frame:
                continue
            ws = book[spec.sheet[:31]]
            chart = ScatterChart()
            chart.title, chart.style = spec.title, 13
            chart.x_axis.title, chart.y_axis.title = spec.x_label or spec.x, spec.y_label or spec.y
            chart.height, chart.width = 9, 16
            xcol, ycol = frame.columns.get_loc(spec.x) + 1, frame.columns.get_loc(spec.y) + 1
            groups = [(None, frame.index)] if spec.group is None else list(frame.groupby(spec.group, sort=False).groups.items())
            for name, idx in groups:
                positions = [frame.index.get_loc(i) + 2 for i in idx]
                lo, hi = min(positions), max(positions)
                xs = Reference(ws, min_col=xcol, min_row=lo, max_row=hi)
                ys = Reference(ws, min_col=ycol, min_row=lo, max_row=hi)
                series = Series(ys, xs, title=spec.y if name is None else f"{spec.group} = {name}")
                series.marker.symbol = "circle"
                chart.series.append(series)
            chart.x_axis.delete = False
            chart.y_axis.delete = False
            ws.add_chart(chart, f"{chr(ord('A') + min(len(frame.columns) + 1, 25))}2")
    return add


def _png(path: Path, spec: Chart, frame: pd.DataFrame, footer: str = "") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=120)
    groups = [(None, frame)] if spec.group is None else list(frame.groupby(spec.group, sort=False))
    for name, part in groups:
        ax.plot(part[spec.x], part[spec.y], marker="o", label=None if name is None else f"{spec.group} = {name}")
    ax.set_title(spec.title)
    ax.set_xlabel(spec.x_label or spec.x)
    ax.set_ylabel(spec.y_label or spec.y)
    ax.grid(alpha=0.3)
    if spec.group is not None:
        ax.legend()
    if footer:
        fig.text(0.01, 0.005, footer, fontsize=6, color="grey", ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)


def write_tables(out: Path, stem: str, sheets: dict[str, pd.DataFrame], run: pd.DataFrame,
                 charts: list[Chart] = (), title: str = "") -> list[Path]:
    """`stem`.xlsx with every table and the run manifest, one CSV per table,
    `stem`.md, and one PNG per chart. Returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    write_xlsx(out / f"{stem}.xlsx", {**sheets, "run": run}, charts=_excel_charts(list(charts), sheets))
    written.append(out / f"{stem}.xlsx")
    for name, frame in {**sheets, "run": run}.items():
        write_csv(out / f"{stem}_{name}.csv", frame)
        written.append(out / f"{stem}_{name}.csv")
    facts = dict(zip(run["item"], run["value"]))
    footer = (f"rechain {facts.get('versions.rechain', '')} · input {facts.get('input', '')} "
              f"sha256 {str(facts.get('input_sha256', ''))[:12]} · {facts.get('written_utc', '')}")
    md = [f"# {title or stem}", ""]
    for name, frame in sheets.items():
        md += [f"## {name}", "", markdown_table(frame), ""]
    for spec in charts:
        if not sheets[spec.sheet].empty and spec.y in sheets[spec.sheet]:
            png = out / f"{stem}_{spec.sheet}.png"
            _png(png, spec, sheets[spec.sheet], footer)
            md += [f"![{spec.title}]({png.name})", ""]
            written.append(png)
    md += ["## run", "", markdown_table(run), ""]
    write_markdown(out / f"{stem}.md", "\n".join(md))
    written.append(out / f"{stem}.md")
    return written
