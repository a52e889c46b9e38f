"""Charts an analyst can trust (issue 22 section 4): per cent axes, frontier lines joined across
per-group grids, shortfall points marked, the same scale in the PNG and its Excel twin, subtitles wrapped."""

import re
import zipfile

import numpy as np
import openpyxl
import pandas as pd
from rechain.report.tables import SHORT, Chart, write_tables

from writing import captured_figures, run_sheet

# fmt: off

def budget_frontier():
    """Two cost factors, each with its own budget grid (0 to the capex of full independence):
    factor 1 at $0, $2 bn, $4 bn; factor 0.5 at $0, $1 bn, $3 bn. Only $0 is shared, so in the wide table
    every other x is blank for one of the two factors."""
    return pd.DataFrame({"restricted_cost_factor": [1.0, 1.0, 1.0, 0.5, 0.5, 0.5],
                         "budget_usd": [0, 2e9, 4e9, 0, 1e9, 3e9],
                         "status": ["optimal"] * 6,
                         "max_clean_share": [0.3, 0.6, 0.9, 0.3, 0.5, 0.8]})


FRONTIER = Chart("budget_frontier", "budget_usd", "max_clean_share", "Independence a budget buys",
                 "restricted_cost_factor", "budget (USD)", "largest clean share with no shortfall")


def test_frontier_lines_join_points_of_their_own_grid(tmp_path, monkeypatch):
    """Factor 1's line runs through its own three budgets (0, 2, 4 bn) with no blank between them, though
    factor 0.5's budgets (1, 3 bn) sit in between; the same for factor 0.5. Before the fix each line
    carried NaN at the other factor's budgets and was drawn as isolated dots."""
    figures = captured_figures(monkeypatch)
    write_tables(tmp_path, "frontier", {"budget_frontier": budget_frontier()}, run_sheet(), [FRONTIER])
    lines = {ln.get_label(): ln for ln in figures[0].axes[0].get_lines()}
    assert list(lines["1.0"].get_xdata()) == [0, 2e9, 4e9]
    assert list(lines["1.0"].get_ydata()) == [0.3, 0.6, 0.9]
    assert list(lines["0.5"].get_xdata()) == [0, 1e9, 3e9]


def test_frontier_excel_spans_blanks_but_keeps_failed_gaps(tmp_path):
    """Excel: per-factor grids leave blanks that are not failures, so the chart spans them ("span");
    a table on one shared grid with a failed point keeps the failure a gap ("gap")."""
    aligned = budget_frontier().assign(budget_usd=[0, 1e9, 2e9] * 2,
                                       status=["optimal", "infeasible"] + ["optimal"] * 4)
    aligned.loc[1, "max_clean_share"] = np.nan
    write_tables(tmp_path, "f", {"budget_frontier": budget_frontier(), "aligned": aligned}, run_sheet(),
                 [FRONTIER, Chart("aligned", "budget_usd", "max_clean_share", "A", "restricted_cost_factor")])
    with zipfile.ZipFile(tmp_path / "f.xlsx") as z:
        blanks = [re.findall(r'dispBlanksAs val="(\w+)"', z.read(f"xl/charts/chart{i}.xml").decode()) for i in (1, 2)]
    assert blanks == [["span"], ["gap"]]


def fan():
    """Medians of clean shares 0.2 to 0.7 in a column named p50 (not a share by its name; its label says so)."""
    return pd.DataFrame({"year": [2030, 2035, 2030, 2035], "element": ["Dy", "Dy", "Tb", "Tb"],
                         "p50": [0.2, 0.5, 0.4, 0.7]})


FAN = Chart("fan", "year", "p50", "Median clean share", "element", "year", "clean share")


def test_share_axes_in_per_cent_from_0_to_100_in_png_and_excel(tmp_path, monkeypatch):
    """A share axis reads 0%...100% and runs from 0 to 1 in both the PNG and the native chart (the same
    scale in the twins), even for medians of 0.2-0.7 whose column is named p50."""
    figures = captured_figures(monkeypatch)
    write_tables(tmp_path, "risk", {"fan": fan()}, run_sheet(), [FAN])
    ax = figures[0].axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert labels[0] == "0%" and labels[-1] == "100%"
    assert ax.get_ylim() == (0.0, 1.0)
    (chart,) = openpyxl.load_workbook(tmp_path / "risk.xlsx")["fan"]._charts
    assert chart.y_axis.number_format.formatCode == "0%"
    assert (chart.y_axis.scaling.min, chart.y_axis.scaling.max) == (0.0, 1.0)


def sweep():
    """Budgets $0, $1 bn, $2 bn: at $0 demand is left unmet (shortfall 500 t priced at the penalty), so its
    system cost ($70 bn) is the lowest though it buys least; $1 bn and $2 bn meet demand."""
    return pd.DataFrame({"budget_usd": [0, 1e9, 2e9], "status": ["optimal"] * 3,
                         "system_cost_usd": [7e10, 8e10, 8.5e10], "shortfall_t": [500.0, 0.0, 0.0]})


SWEEP = Chart("sweep", "budget_usd", "system_cost_usd", "System cost by budget")


def test_shortfall_points_marked_in_png(tmp_path, monkeypatch):
    """Only the $0 point ($70 bn) is ringed, with a legend entry 'falls short (shortfall at the penalty)'."""
    figures = captured_figures(monkeypatch)
    write_tables(tmp_path, "sweep", {"sweep": sweep()}, run_sheet(), [SWEEP])
    ax = figures[0].axes[0]
    (marks,) = [ln for ln in ax.get_lines() if ln.get_label() == SHORT]
    assert list(marks.get_xdata()) == [0] and list(marks.get_ydata()) == [7e10]
    assert SHORT in [t.get_text() for t in ax.get_legend().get_texts()]


def test_shortfall_points_marked_in_excel(tmp_path):
    """The native chart has a 'falls short' series whose only value is at the $0 row (y $70 bn), with a legend."""
    write_tables(tmp_path, "sweep", {"sweep": sweep()}, run_sheet(), [SWEEP])
    book = openpyxl.load_workbook(tmp_path / "sweep.xlsx")
    (chart,) = book["sweep"]._charts
    data = book[chart.series[0].xVal.numRef.f.split("!")[0].strip("'")]
    header = [c.value for c in next(data.iter_rows(max_row=1))]
    column = header.index(SHORT)
    assert [row[column].value for row in data.iter_rows(min_row=2)] == [7e10, None, None]
    assert chart.legend is not None and len(chart.series) == 2


def test_long_subtitle_wraps_inside_the_figure(tmp_path, monkeypatch):
    """A 300-character note on a 7-inch figure wraps at about 105 characters a line (15 an inch at 8 pt), so
    it needs at least three lines, and its box stays inside the figure."""
    figures = captured_figures(monkeypatch)
    note = " · ".join(f"assumption {i} holds" for i in range(16))
    write_tables(tmp_path, "sweep", {"sweep": sweep()}, run_sheet(), [Chart(**{**SWEEP.__dict__, "note": note})])
    fig = figures[0]
    title = fig.axes[0].title
    assert title.get_text().count("\n") >= 2
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    box = title.get_window_extent(FigureCanvasAgg(fig).get_renderer())
    assert box.x0 >= 0 and box.x1 <= fig.bbox.width and box.y1 <= fig.bbox.height


def test_png_and_excel_twins_share_log_or_linear(tmp_path, monkeypatch):
    """Premiums $0, $50 m, $2 bn, $9 bn: positive values span 180x but a zero cannot sit on a log axis, so
    both twins are linear; capacities 10, 100, 5,000 t/yr (500x, all positive) are log in both."""
    figures = captured_figures(monkeypatch)
    premium = pd.DataFrame({"share": [0, 0.3, 0.6, 1.0], "premium_usd": [0, 5e7, 2e9, 9e9]})
    capacity = pd.DataFrame({"year": [2030, 2031, 2032], "capacity_tpa": [10, 100, 5000]})
    write_tables(tmp_path, "t", {"premium": premium, "capacity": capacity}, run_sheet(),
                 [Chart("premium", "share", "premium_usd", "Premium"), Chart("capacity", "year", "capacity_tpa", "C")])
    assert [fig.axes[0].get_yscale() for fig in figures] == ["linear", "log"]
    book = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert [book[name]._charts[0].y_axis.scaling.logBase for name in ("premium", "capacity")] == [None, 10]


def test_histogram_bins_on_round_edges_drawn_upright(tmp_path, monkeypatch):
    """Premiums $0.13 bn to $0.97 bn over 5 bins: round edges $0, $200 m, ..., $1 bn (steps of 0.2 bn), so the
    bins read in one unit, "$0 to $0.2 bn" ... "$0.8 bn to $1 bn", and hold 1, 1, 0, 1, 2 draws (0.13; 0.35; -; 0.61;
    0.85, 0.97). The PNG draws them as upright columns left to right; the Excel chart is a column chart."""
    from rechain.report.risk import charts, premium_histogram

    draws = pd.DataFrame({"status": "optimal", "premium_usd": [0.13e9, 0.35e9, 0.61e9, 0.85e9, 0.97e9]})
    table = premium_histogram(draws)
    assert table["premium_usd"].iloc[0] == "$0 to $0.2 bn" and table["premium_usd"].iloc[-1] == "$0.8 bn to $1 bn"
    assert table["draws"].tolist() == [1, 1, 0, 1, 2]
    figures = captured_figures(monkeypatch)
    write_tables(tmp_path, "risk", {"premium_histogram": table}, run_sheet(), [charts("")[2]])
    bars = figures[0].axes[0].patches
    assert [round(b.get_height()) for b in bars] == [1, 1, 0, 1, 2] and bars[0].get_x() < bars[1].get_x()
    assert openpyxl.load_workbook(tmp_path / "risk.xlsx")["premium_histogram"]._charts[0].type == "col"


def test_scenario_bars_sorted_by_size_failed_last(tmp_path, monkeypatch):
    """Scenarios a +$1 bn, b −$2 bn, c did not solve, d +$3 bn: bars top down d, a, b, then c (no value)."""
    from rechain.report.tables import scenarios_charts

    figures = captured_figures(monkeypatch)
    table = pd.DataFrame({"scenario": ["a", "b", "c", "d"], "status": ["optimal", "optimal", "infeasible", "optimal"],
                          "system_cost_vs_base_usd": [1e9, -2e9, np.nan, 3e9]})
    write_tables(tmp_path, "s", {"scenarios": table}, run_sheet(), scenarios_charts({"scenarios": ""}, ""))
    labels = [t.get_text() for t in figures[0].axes[0].get_yticklabels()]
    assert labels == ["d", "a", "b", "c (did not solve)"]


def test_fan_bands_have_dashed_edges(tmp_path, monkeypatch):
    """Two elements' P10-P90 bands (Dy 0.1-0.5, Tb 0.3-0.9) overlap between 0.3 and 0.5; each band's edges are
    drawn as dashed lines in its median's colour, so both stay readable: 2 medians + 4 dashed edges."""
    figures = captured_figures(monkeypatch)
    fan = pd.DataFrame({"year": [2030, 2035] * 2, "element": ["Dy", "Dy", "Tb", "Tb"], "p50": [0.2, 0.3, 0.5, 0.6],
                        "p10": [0.1, 0.1, 0.3, 0.3], "p90": [0.5, 0.5, 0.9, 0.9]})
    write_tables(tmp_path, "f", {"fan": fan}, run_sheet(),
                 [Chart("fan", "year", "p50", "Fan", "element", "year", "clean share", band=("p10", "p90"))])
    lines = figures[0].axes[0].get_lines()
    dashed = [ln for ln in lines if ln.get_linestyle() == "--"]
    assert len(dashed) == 4 and sorted(ln.get_ydata()[0] for ln in dashed) == [0.1, 0.3, 0.5, 0.9]
    colours = {ln.get_label(): ln.get_color() for ln in lines if ln.get_linestyle() == "-"}
    assert {ln.get_color() for ln in dashed} == set(colours.values())


def test_risk_fan_subtitle_wraps_inside_the_figure(tmp_path, monkeypatch):
    """The risk fan (two elements, a 7.8-inch figure: 117 characters a line) with a 185-character note wraps it
    onto two lines, and the note stays inside the figure's width."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from rechain.report.risk import fan_png

    figures = captured_figures(monkeypatch)
    fan = pd.DataFrame({"year": [2030, 2031] * 2, "element": ["Dy", "Dy", "Tb", "Tb"],
                        "p10": [0, 0.1] * 2, "p50": [0.1, 0.3] * 2, "p90": [0.2, 0.5] * 2})
    note = "base case · a long note that goes on " * 5
    fan_png(tmp_path / "fan.png", fan, note, "footer")
    fig = figures[0]
    (text,) = [t for t in fig.texts if "base case" in t.get_text()]
    assert text.get_text().count("\n") == 1
    box = text.get_window_extent(FigureCanvasAgg(fig).get_renderer())
    assert box.x0 >= 0 and box.x1 <= fig.bbox.width


def test_zero_position_rule():
    """$0 is drawn apart at 10^floor(log10 p − ½) for the smallest positive budget p, when the positives span
    more than 100x and nothing is negative: p = $1.62 bn (9.21 − 0.5 = 8.71) gives $100 m; p = $5 bn (9.70 −
    0.5 = 9.20) gives $1 bn; positives spanning only 50x, no zero, or a negative value give none."""
    from rechain.report.apart import zero_position

    assert zero_position([0, 1.62e9, 3e11]) == 1e8
    assert zero_position([0, 5e9, 1e12]) == 1e9
    assert [zero_position(v) for v in ([0, 1e9, 5e10], [1e9, 3e11], [-1, 0, 1e9, 1e12])] == [None, None, None]


def budgets():
    """The report's budgets table in small: $0 buys a clean share of 30 %, $2 bn 60 %, $4 bn 90 %, $300 bn 100 %.
    Positives span 150x, so the axis is log from $100 m (10^floor(log10 2e9 − ½) = 10^8, where $0 is drawn) to
    $1,000 bn (the decade above $300 bn)."""
    return pd.DataFrame({"budget_usd": [0, 2e9, 4e9, 3e11], "status": ["optimal"] * 4,
                         "max_clean_share": [0.3, 0.6, 0.9, 1.0]})


BUDGETS = Chart("budgets", "budget_usd", "max_clean_share", "Largest clean share a capex budget buys")


def test_budget_png_log_axis_with_zero_apart(tmp_path, monkeypatch):
    """PNG: log x from $100 m to $1,000 bn; the line runs through $2 bn, $4 bn, $300 bn only; the $0 point (30 %)
    is a marker of its own at $100 m, whose tick reads '$0 (no budget)'; ticks at the decades above read $1 bn,
    $10 bn, $100 bn, $1,000 bn."""
    figures = captured_figures(monkeypatch)
    write_tables(tmp_path, "findings_tables", {"budgets": budgets()}, run_sheet(), [BUDGETS])
    ax = figures[0].axes[0]
    assert ax.get_xscale() == "log" and ax.get_xlim() == (1e8, 1e12)
    xs = [list(ln.get_xdata()) for ln in ax.get_lines()]
    assert [2e9, 4e9, 3e11] in xs and [1e8] in xs
    (zero,) = [ln for ln in ax.get_lines() if list(ln.get_xdata()) == [1e8]]
    assert list(zero.get_ydata()) == [0.3] and zero.get_linestyle() == "None"
    figures[0].canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["$0\n(no budget)", "$1 bn", "$10 bn", "$100 bn", "$1,000 bn"]


def test_budget_excel_log_axis_with_zero_apart(tmp_path):
    """Excel, the same scale: log base 10 from 1e8 to 1e12, the tick at 1e8 formatted as '$0 (no budget)'; the
    line's column is blank at the $0 row (x = 1e8) and the 30 % sits in a series of its own, with no line, on a
    row after the table's."""
    write_tables(tmp_path, "findings_tables", {"budgets": budgets()}, run_sheet(), [BUDGETS])
    book = openpyxl.load_workbook(tmp_path / "findings_tables.xlsx")
    (chart,) = book["budgets"]._charts
    x = chart.x_axis
    assert (x.scaling.logBase, x.scaling.min, x.scaling.max) == (10, 1e8, 1e12)
    assert x.number_format.formatCode.startswith('[<=100000000]"$0 (no budget)"')
    data = book["chart1 budgets"]
    rows = [[c.value for c in row] for row in data.iter_rows(min_row=2)]
    assert [r[:2] for r in rows] == [[1e8, None], [2e9, 0.6], [4e9, 0.9], [3e11, 1.0], [1e8, None]]
    assert rows[-1][-1] == 0.3 and len(chart.series) == 2
    assert chart.series[1].yVal.numRef.f.endswith("$D$6") and chart.series[1].graphicalProperties.line.noFill


def capacity_by_bloc():
    """Mining: allied 100, 100, 200 t/yr and china 5,000 in 2030-2032 (non_allied has no mine); separation:
    allied 10, 20, 30, china 1,000 and non_allied 5 a year. Blocs in the table's order: allied, china, non_allied."""
    rows = [("mining", "allied", [100, 100, 200]), ("mining", "china", [5000] * 3),
            ("separation", "allied", [10, 20, 30]), ("separation", "china", [1000] * 3),
            ("separation", "non_allied", [5] * 3)]
    table = [(y, b, s, f"{s} · {b}", v) for s, b, vs in rows for y, v in zip((2030, 2031, 2032), vs, strict=True)]
    return pd.DataFrame(table, columns=["year", "bloc", "stage", "stage_bloc", "capacity_tpa"])


def test_capacity_charts_one_per_stage(tmp_path):
    """results.xlsx: one native chart per stage on the capacity_by_bloc sheet, side by side (columns G and Q, row 2),
    titled by stage; each has one line per bloc (allied, china, non_allied: the same colours in both), the years
    2030-2032 on x in both, and y on its own scale (mining's non_allied line is 0, not missing). The clean share
    chart's data comes after the stages' (chart3)."""
    from rechain.report.results import result_charts
    from rechain.report.writers import save_xlsx

    clean = pd.DataFrame({"element": ["Dy"] * 3, "year": [2030, 2031, 2032], "clean_share": [0.1, 0.5, 1.0]})
    save_xlsx(tmp_path / "r.xlsx", {"capacity_by_bloc": capacity_by_bloc(), "clean_share": clean},
              result_charts({"capacity_by_bloc": capacity_by_bloc(), "clean_share": clean}))
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames[2:] == ["chart1 capacity stage 1", "chart2 capacity stage 2", "chart3 clean_share"]
    mining, separation = book["capacity_by_bloc"]._charts
    assert [(c.anchor._from.col, c.anchor._from.row) for c in (mining, separation)] == [(6, 1), (16, 1)]
    titles = [c.title.tx.rich.p[0].r[0].t for c in (mining, separation)]
    assert titles == ["Capacity in service: mining", "Capacity in service: separation"]
    for chart in (mining, separation):
        assert [s.graphicalProperties.line.solidFill.srgbClr for s in chart.series] == ["1F77B4", "FF7F0E", "2CA02C"]
        assert (chart.x_axis.scaling.min, chart.x_axis.scaling.max) == (2030, 2032)
        assert chart.y_axis.scaling.max is None
    data = book["chart1 capacity stage 1"]
    assert [c.value for c in data[1]][:4] == ["year", "allied", "china", "non_allied"]
    assert [[c.value for c in row][:4] for row in data.iter_rows(min_row=2)] == [
        [2030, 100, 5000, 0], [2031, 100, 5000, 0], [2032, 200, 5000, 0]]


def test_zero_apart_on_a_plain_axis(tmp_path, monkeypatch):
    """Not money: demand factors 0, 0.01, 2 (positives 200x apart): $0's rule with a plain label, the zero drawn
    at 10^floor(log10 0.01 − ½) = 10^floor(−2.5) = 0.001 and labelled '0' in the PNG and in Excel's format."""
    figures = captured_figures(monkeypatch)
    frame = pd.DataFrame({"demand_factor": [0, 0.01, 2], "system_cost_usd": [1e9, 2e9, 3e9]})
    spec = Chart("sweep", "demand_factor", "system_cost_usd", "S")
    write_tables(tmp_path, "sweep", {"sweep": frame}, run_sheet(), [spec])
    ax = figures[0].axes[0]
    figures[0].canvas.draw()
    assert ax.get_xlim()[0] == 0.001 and ax.get_xticklabels()[0].get_text() == "0"
    (chart,) = openpyxl.load_workbook(tmp_path / "sweep.xlsx")["sweep"]._charts
    assert chart.x_axis.number_format.formatCode == '[<=0.001]"0";General'
