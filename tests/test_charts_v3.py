"""Charts an analyst can trust (issue 22 section 4): per cent axes, frontier lines joined across
per-group grids, shortfall points marked, the same scale in the PNG and its Excel twin, subtitles wrapped."""

import re
import zipfile

import numpy as np
import openpyxl
import pandas as pd
from rechain.report.tables import SHORT, Chart, write_tables
from test_trust_writers import captured_figures, run_sheet

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
