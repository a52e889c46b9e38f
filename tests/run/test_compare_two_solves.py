"""`rechain compare A B`: what changed between two solve folders, derived by hand on a two-plant world."""

import json

import openpyxl
import pandas as pd
import pytest
from rechain.run import compare
from rechain.run.compare import binding, budget, builds, settings, shortfall

TWO_PLANTS = {
    "nodes.csv": "node,bloc,note\nMine,allied,\nNear,allied,\nFar,china,\nBuyer,allied,\n",
    "stages.csv": "stage,order,yield\nmining,1,\nseparation,2,0.5\n",
    "composition.csv": "node,element,share\nMine,A,1\n",
    "demand.csv": "node,element,year,demand_t\nBuyer,A,2025,10\nBuyer,A,2026,10\nBuyer,A,2027,10\n",
    "facilities.csv": "node,stage,existing_tpa,capex_usd_per_tpa,opex_usd_per_t,lead_time_years,source\n"
    "Mine,mining,100,,10,0,example\nNear,separation,0,1000,20,1,example\nFar,separation,0,1500,20,1,example\n",
    "settings.csv": "key,value\nfirst_year,2025\nlast_year,2027\ndiscount_rate,0\n",
}


@pytest.fixture
def solved(tmp_path, rechain):
    """A: the two-plant world as it is. B: the same with --set capex_factor.allied=2 (Near costs 2,000/tpa)."""
    world = tmp_path / "world"
    world.mkdir()
    for name, text in TWO_PLANTS.items():
        (world / name).write_text(text)
    a, b = tmp_path / "a", tmp_path / "b"
    assert rechain("solve", world, "--out", a).returncode == 0
    assert rechain("solve", world, "--set", "capex_factor.allied=2", "--out", b).returncode == 0
    return a, b


def test_a_capex_change_moves_the_build(solved, rechain, tmp_path):
    """Both plants separate 20 t ore into 10 t A from 2026 (lead time 1, built in 2025); 2025's 10 t stay unmet.
    A: Near is cheaper (1,000 < 1,500/tpa): 20 tpa at Near, capex 20,000, salvage 0.92 x 20,000 = 18,400
    (2 of 25 years used); opex 2 x (20 x 10 + 20 x 20) = 1,200; system cost 2,800.
    B: Near costs 2,000 > 1,500: 20 tpa at Far, capex 30,000, salvage 27,600, same opex: system cost 3,600.
    Change: system cost +800 (objective too: the unmet penalty 10 x 1e7 is the same), capex +10,000, salvage −9,200;
    budget capex (capex of blocs not restricted) 20,000 → 0, as Far is in china; opex and penalty unchanged.
    Builds: Near −20 t/yr (removed), Far +20 t/yr (added).
    Far is in china (restricted): the clean share of 2026 and 2027 falls from 1 to 0 (change −1); 2025 stays 0.
    Unmet demand is 10 t in 2025 in both: no change. The one setting that differs: capex_factor.allied."""
    a, b = solved
    done = rechain("compare", a, b, "--json")
    assert done.returncode == 0, done.stderr
    tables = json.loads(done.stdout)
    costs = {row["item"]: row for row in tables["costs"]}
    assert costs["system_cost"]["change_usd"] == pytest.approx(800)
    assert costs["capex"]["A_usd"] == pytest.approx(20000) and costs["capex"]["B_usd"] == pytest.approx(30000)
    assert costs["salvage_discounted"]["change_usd"] == pytest.approx(-9200)
    assert costs["budget_capex"]["change_usd"] == pytest.approx(-20000)
    assert set(costs) == {"system_cost", "objective", "capex", "budget_capex", "capex_discounted", "salvage_discounted"}
    assert tables["totals"] == [] and tables["budget"] == []
    moved = {(row["node"], row["start_year"]): (row["change_tpa"], row["what"]) for row in tables["builds"]}
    assert moved == {("Near", 2025): (pytest.approx(-20), "removed"), ("Far", 2025): (pytest.approx(20), "added")}
    shares = {row["year"]: row["change_share"] for row in tables["clean_share"]}
    assert shares == {2026: pytest.approx(-1), 2027: pytest.approx(-1)}
    assert tables["unmet"] == [] and tables["shortfall"] == []
    changed = {row["item"]: (row["A"], row["B"]) for row in tables["settings"]}
    assert changed == {"overrides.capex_factor.allied": ("", "2")}


def test_terminal_and_files(solved, rechain, tmp_path):
    """Without --json the changed tables are printed; --out writes compare.xlsx and one CSV per table."""
    a, b = solved
    out = tmp_path / "diff"
    done = rechain("compare", a, b, "--out", out)
    assert done.returncode == 0, done.stderr
    assert "Near" in done.stdout and "removed" in done.stdout
    assert "5 of 9 tables changed" in done.stderr
    book = openpyxl.load_workbook(out / "compare.xlsx")
    assert {
        "settings",
        "costs",
        "totals",
        "builds",
        "clean_share",
        "unmet",
        "shortfall",
        "binding_capacity",
        "budget",
        "run",
    } <= set(book.sheetnames)
    assert pd.read_csv(out / "compare_builds.csv")["what"].tolist() == ["added", "removed"]


def test_same_folder_twice_changes_nothing(solved, rechain):
    """A folder against itself: every table is empty (no row differs)."""
    a, _ = solved
    tables = json.loads(rechain("compare", a, a, "--json").stdout)
    assert all(rows == [] for name, rows in tables.items() if name != "run")


def test_not_result_folders(solved, rechain, tmp_path):
    """A folder without results, a missing folder: exit 2, both named; a solve folder against a sweep's folder:
    exit 2, mixed kinds."""
    a, _ = solved
    empty, sweep = tmp_path / "empty", tmp_path / "sweep"
    empty.mkdir()
    sweep.mkdir()
    (sweep / "sweep.xlsx").write_bytes(b"")
    done = rechain("compare", empty, tmp_path / "nowhere")
    assert done.returncode == 2
    assert "A: expected a result folder of rechain solve, sweep, frontier, scenarios or risk" in done.stderr
    assert "found an empty folder" in done.stderr and "B: expected" in done.stderr
    assert "no such folder" in done.stderr and "Traceback" not in done.stderr
    done = rechain("compare", a, sweep)
    assert done.returncode == 2 and "B: expected a folder of the same kind as A (solve results)" in done.stderr
    assert "found sweep results: sweep.xlsx" in done.stderr


def test_a_broken_summary_is_an_input_error(solved, rechain):
    """summary.json that is not JSON: exit 2 naming B, no traceback."""
    a, b = solved
    (b / "summary.json").write_text("{not json")
    done = rechain("compare", a, b)
    assert done.returncode == 2 and "B: expected readable results.xlsx and summary.json" in done.stderr


def test_out_never_over_an_input_nor_an_earlier_compare(solved, rechain, tmp_path):
    """--out inside A is refused before anything is written; a folder with an earlier compare needs --force."""
    a, b = solved
    done = rechain("compare", a, b, "--out", a / "diff")
    assert done.returncode == 2 and "refusing to write over the input" in done.stderr
    assert not (a / "diff").exists()
    out = tmp_path / "diff"
    assert rechain("compare", a, b, "--out", out).returncode == 0
    done = rechain("compare", a, b, "--out", out)
    assert done.returncode == 2 and "holds another run's results (compare.md" in done.stderr
    assert rechain("compare", a, b, "--out", out, "--force").returncode == 0


def test_builds_added_removed_changed():
    """By hand: Near 20 → 15 (changed, −5), Far 0 → 20 (added), Old 5 → 0 (removed), Same 7 → 7 (left out)."""
    a = pd.DataFrame(
        {"node": ["Near", "Old", "Same"], "stage": ["s"] * 3, "start_year": [2025] * 3, "build_tpa": [20.0, 5.0, 7.0]}
    )
    b = pd.DataFrame(
        {"node": ["Near", "Far", "Same"], "stage": ["s"] * 3, "start_year": [2025] * 3, "build_tpa": [15.0, 20.0, 7.0]}
    )
    rows = builds(a, b).set_index("node")
    assert rows["what"].to_dict() == {"Far": "added", "Near": "changed", "Old": "removed"}
    assert rows["change_tpa"].to_dict() == {"Far": 20.0, "Near": -5.0, "Old": -5.0}


def test_binding_rows_only_in_one_side():
    """By hand: Plant 2025 binds in both (80 → 100, +20), Plant 2026 only in A (−50), Mine 2026 only in B (+30)."""
    a = pd.DataFrame({"node": ["Plant", "Plant"], "stage": ["s", "s"], "year": [2025, 2026], "usd_per_tpa": [80, 50]})
    b = pd.DataFrame({"node": ["Plant", "Mine"], "stage": ["s", "s"], "year": [2025, 2026], "usd_per_tpa": [100, 30]})
    rows = {(r["node"], r["year"]): (r["change_usd_per_tpa"], r["binds"]) for _, r in binding(a, b).iterrows()}
    assert rows == {
        ("Plant", 2025): (20, "in both"),
        ("Plant", 2026): (-50, "only in A"),
        ("Mine", 2026): (30, "only in B"),
    }


def test_settings_leave_out_timings():
    """Timings and the time written always differ and are left out; scenario and versions are compared."""
    ra = {"scenario": None, "solve_seconds": 1.0, "written_utc": "x", "versions": {"rechain": "0.2.0"}}
    rb = {"scenario": "low", "solve_seconds": 2.0, "written_utc": "y", "versions": {"rechain": "0.3.0"}}
    assert settings(ra, rb).values.tolist() == [["scenario", "None", "low"], ["versions.rechain", "0.2.0", "0.3.0"]]


def test_shortfall_by_element_and_year():
    """By hand: A short 4 t of Dy in 2030, B short 1 t: change −3; Tb 0 in both is left out; 2031 only in B: +2."""
    a = pd.DataFrame({"element": ["Dy", "Tb"], "year": [2030, 2030], "shortfall_t": [4.0, 0.0]})
    b = pd.DataFrame({"element": ["Dy", "Tb", "Dy"], "year": [2030, 2030, 2031], "shortfall_t": [1.0, 0.0, 2.0]})
    rows = shortfall(a, b)
    assert rows[["element", "year", "change_t"]].values.tolist() == [["Dy", 2030, -3.0], ["Dy", 2031, 2.0]]


def test_budget_dual_appearing_is_a_change():
    """By hand: no binding budget in A (dual blank), 0.25 USD per USD in B: one row; equal duals: no row."""
    rows = budget({"budget_dual_usd_per_usd": None}, {"budget_dual_usd_per_usd": 0.25})
    assert rows["B_usd_per_usd"].tolist() == [0.25] and rows["A_usd_per_usd"].isna().all()
    assert budget({"budget_dual_usd_per_usd": 0.25}, {"budget_dual_usd_per_usd": 0.25}).empty


def test_broken_or_partial_results(solved, rechain):
    """results.xlsx that is no workbook: exit 2 naming A. A results.xlsx without the builds sheet (B) counts as no
    builds: Near's 20 t/yr of A is then removed (change −20) and nothing is added."""
    a, b = solved
    book = openpyxl.load_workbook(b / "results.xlsx")
    del book["builds"]
    book.save(b / "results.xlsx")
    done = rechain("compare", a, b, "--json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["builds"]
    assert [(r["node"], r["change_tpa"], r["what"]) for r in rows] == [("Near", -20, "removed")]
    (a / "results.xlsx").write_bytes(b"not a zip")
    done = rechain("compare", a, b)
    assert done.returncode == 2 and "A: expected readable results.xlsx" in done.stderr
    assert "Traceback" not in done.stderr


def test_budget_dual_in_json(solved, rechain):
    """B's summary says the budget binds at 0.25 USD per USD, A's has none: one budget row, A null, B 0.25."""
    a, b = solved
    summary = json.loads((b / "summary.json").read_text())
    (b / "summary.json").write_text(json.dumps(summary | {"budget_dual_usd_per_usd": 0.25}))
    done = rechain("compare", a, b, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["budget"] == [
        {"row": "budget", "A_usd_per_usd": None, "B_usd_per_usd": 0.25, "change_usd_per_usd": None}
    ]


def test_solver_noise_is_no_change():
    """A budget dual of 0.25 in A and 0.25 + 1e-9 in B: within 1e-6 · max(1, |A|, |B|) = 1e-6, no row. A system
    cost of 6.4e10 against 6.4e10 + 1,000 (1.6e-8 of it, HiGHS's noise at that size): no row either, while
    + 1e6 (1.6e-5 of it) is a change."""
    assert budget({"budget_dual_usd_per_usd": 0.25}, {"budget_dual_usd_per_usd": 0.25 + 1e-9}).empty
    big = {"system_cost_usd": 6.4e10}
    assert compare.costs(big, {"system_cost_usd": 6.4e10 + 1e3}).empty
    assert compare.costs(big, {"system_cost_usd": 6.4e10 + 1e6})["change_usd"].tolist() == [1e6]
