"""`rechain compare A B` on sweep, frontier, scenarios and risk folders, hand-made here as the CSV files those
commands write (`<stem>_<table>.csv`, `<stem>_run.csv`): every expected change is B − A of the numbers
written below."""

import json

import pandas as pd
import pytest
from rechain.run.compare_tables import compare_table

RUN = "item,value\ninput,w\ncommand,{command}\n{extra}complete,{complete}\nwritten_utc,{stamp}\n"


def folder(tmp_path, name: str, stem: str, tables: dict[str, str], run: str = "", complete: bool = True):
    """A result folder: `<stem>_<table>.csv` per table and `<stem>_run.csv` (written_utc differs per folder)."""
    path = tmp_path / name
    path.mkdir()
    for table, text in tables.items():
        (path / f"{stem}_{table}.csv").write_text(text)
    command = stem.removesuffix("_incomplete")
    (path / f"{stem}_run.csv").write_text(RUN.format(command=command, extra=run, complete=complete, stamp=name))
    return path


def rows(done, table: str) -> list[dict]:
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)[table]


SWEEP_A = "demand_factor,status,system_cost_usd,shortfall_t\n1,optimal,100,0\n2,optimal,200,5\n"
SWEEP_B = (
    "demand_factor,status,system_cost_usd,shortfall_t\n1,optimal,100.00000001,0\n2,optimal,250,5\n3,infeasible,,\n"
)


def test_sweep_points_changed_added_and_unchanged(tmp_path, rechain):
    """A: factors 1, 2 (cost 100, 200; shortfall 0, 5). B: factors 1, 2, 3 (cost 100.00000001, 250; 3 did not
    solve, its figures blank). Factor 1: 1e-8 apart, within 1e-6 relative: no row. Factor 2: cost +50
    (changed); its shortfall 5 = 5: no row. Factor 3 is only in B with blank figures: no number row, and its
    status (blank in A, infeasible in B) is a label. Settings: the grid differs (1,2 → 1,2,3); written_utc
    is never compared."""
    a = folder(tmp_path, "a", "sweep", {"sweep": SWEEP_A}, 'grid.demand_factor,"1,2"\n')
    b = folder(tmp_path, "b", "sweep", {"sweep": SWEEP_B}, 'grid.demand_factor,"1,2,3"\n')
    done = rechain("compare", a, b, "--json")
    assert rows(done, "sweep") == [
        {"demand_factor": "2", "column": "system_cost_usd", "A": 200.0, "B": 250.0, "change": 50.0, "what": "changed"}
    ]
    assert rows(done, "labels") == [
        {"table": "sweep", "point": "demand_factor=3", "column": "status", "A": "", "B": "infeasible"}
    ]
    assert rows(done, "settings") == [{"item": "grid.demand_factor", "A": "1,2", "B": "1,2,3"}]


def test_a_point_only_in_one_folder():
    """Factor 3 has cost 400 in B only: one row, A blank, change blank, `only in B`."""
    a = pd.DataFrame({"f": ["1"], "cost": ["100"]})
    b = pd.DataFrame({"f": ["1", "3"], "cost": ["100", "400"]})
    numbers, labels = compare_table(a, b, ["f"])
    assert numbers.drop(columns=["A", "change"]).values.tolist() == [["3", "cost", 400.0, "only in B"]]
    assert numbers[["A", "change"]].isna().all().all() and labels == []


FRONTIER = {
    "cost_of_independence": "restricted_cost_factor,alpha,status,premium_usd,shortfall_t\n"
    ",1.0,optimal,0,0\n,0.5,optimal,{premium},{short}\n",
    "budget_frontier": "restricted_cost_factor,budget_usd,status,max_clean_share\n"
    ",0,optimal,0\n,1000,optimal,{share}\n",
}


def frontier(tmp_path, name, premium, short, share):
    tables = {k: v.format(premium=premium, short=short, share=share) for k, v in FRONTIER.items()}
    return folder(tmp_path, name, "frontier", tables)


def test_frontier_per_alpha_and_per_budget(tmp_path, rechain):
    """One cost factor (blank). α = 0.5: premium 300 → 450 (+150), shortfall 2 → 0 (−2); α = 1 unchanged.
    Budget 1000: the clean share it buys 0.4 → 0.75 (+0.35); budget 0 unchanged."""
    done = rechain("compare", frontier(tmp_path, "a", 300, 2, 0.4), frontier(tmp_path, "b", 450, 0, 0.75), "--json")
    changed = [(r["alpha"], r["column"], r["change"]) for r in rows(done, "cost_of_independence")]
    assert changed == [("0.5", "premium_usd", 150.0), ("0.5", "shortfall_t", -2.0)]
    budget = rows(done, "budget_frontier")
    assert [(r["budget_usd"], r["column"]) for r in budget] == [("1000", "max_clean_share")]
    assert budget[0]["change"] == pytest.approx(0.35)
    assert budget[0]["restricted_cost_factor"] == ""


SCENARIOS = "scenario,changes,status,reason,system_cost_usd,unmet_t,shortfall_t\n"


def test_scenarios_per_scenario(tmp_path, rechain):
    """base unchanged; embargo: cost 500 → 650 (+150) and unmet 3 → 0 (−3), its definition `embargo.allied=2025`
    → `=2030` a label; stock only in A (cost 700: a row `only in A`, its definition and status labels)."""
    a = folder(
        tmp_path,
        "a",
        "scenarios",
        {
            "scenarios": SCENARIOS + "base,,optimal,,400,0,0\n"
            "embargo,embargo.allied=2025,optimal,,500,3,0\nstock,stock=1,optimal,,700,0,0\n"
        },
    )
    b = folder(
        tmp_path,
        "b",
        "scenarios",
        {"scenarios": SCENARIOS + "base,,optimal,,400,0,0\nembargo,embargo.allied=2030,optimal,,650,0,0\n"},
    )
    done = rechain("compare", a, b, "--json")
    changed = [(r["scenario"], r["column"], r["change"], r["what"]) for r in rows(done, "scenarios")]
    assert changed == [("embargo", "system_cost_usd", 150.0, "changed"), ("embargo", "unmet_t", -3.0, "changed")] + [
        ("stock", c, None, "only in A") for c in ("system_cost_usd", "unmet_t", "shortfall_t")
    ]
    labels = [(r["point"], r["column"], r["A"], r["B"]) for r in rows(done, "labels")]
    assert labels == [
        ("scenario=embargo", "changes", "embargo.allied=2025", "embargo.allied=2030"),
        ("scenario=stock", "changes", "stock=1", ""),
        ("scenario=stock", "status", "optimal", ""),
    ]


THRESHOLDS = "condition,class,element,year,threshold,draws,met,probability\n"
SUMMARY = "condition,class,subset,figure,n,p50\n"
VALUE = 'figure,value\nhedge_mean_objective_usd,{mean}\ncomparison_draws_done,"{done}"\n'


def risk(tmp_path, name, met: int, p50: float, mean: float, done: str, complete: bool = True):
    stem = "risk" if complete else "risk_incomplete"
    tables = {
        "thresholds": THRESHOLDS + f",all draws,Dy,2035,fully met,40,{met},{met / 40}\n"
        ",all draws,Dy,2040,fully met,40,8,0.2\n",
        "summary": SUMMARY + f",all draws,all draws,premium_usd,40,{p50}\n",
        "value": VALUE.format(mean=mean, done=done),
    }
    return folder(tmp_path, name, stem, tables, "seed,0\ndraws,40\n", complete)


def test_risk_probabilities_per_element_and_year(tmp_path, rechain):
    """Dy 2035 fully met in 20 of 40 draws → 30 of 40: met +10, probability 0.5 → 0.75 (+0.25); 2040 (8 of 40)
    unchanged. The summary's median premium 5e9 → 4e9 (−1e9), keyed by its own `figure` column. The hedge's
    value table mixes numbers and text: the mean objective 10 → 12 (+2) is a number, `comparison_draws_done`
    a label."""
    a = risk(tmp_path, "a", 20, 5e9, 10, "replan 40 of 40, commit 40 of 40")
    b = risk(tmp_path, "b", 30, 4e9, 12, "replan 3 of 40, commit 0 of 40")
    done = rechain("compare", a, b, "--json")
    changed = [(r["element"], r["year"], r["column"], r["change"]) for r in rows(done, "thresholds")]
    assert changed == [("Dy", "2035", "met", 10.0), ("Dy", "2035", "probability", 0.25)]
    assert [(r["figure"], r["column"], r["change"]) for r in rows(done, "summary")] == [("premium_usd", "p50", -1e9)]
    assert [(r["figure"], r["change"]) for r in rows(done, "value")] == [("hedge_mean_objective_usd", 2.0)]
    assert [(r["point"], r["B"]) for r in rows(done, "labels")] == [
        ("figure=comparison_draws_done", "replan 3 of 40, commit 0 of 40")
    ]


def test_partial_runs_are_said_to_be_partial(tmp_path, rechain):
    """Two interrupted risk runs (risk_incomplete_*.csv) with equal numbers: nothing changed, yet the settings
    show `complete` False on both sides and stderr says each is a partial run."""
    a = risk(tmp_path, "a", 20, 5e9, 10, "x", complete=False)
    b = risk(tmp_path, "b", 20, 5e9, 10, "x", complete=False)
    done = rechain("compare", a, b, "--json")
    assert rows(done, "settings") == [{"item": "complete", "A": "False", "B": "False"}]
    assert rows(done, "thresholds") == [] and rows(done, "labels") == []
    assert "A is a partial run (risk_incomplete.*)" in done.stderr and "B is a partial run" in done.stderr


def test_mixed_kinds_exit_2(tmp_path, rechain):
    """sweep against frontier: exit 2 naming B and both kinds. A report's folder (findings): refused, named.
    Two folders that both hold sweep and risk results: exit 2 (which pair is meant is not known)."""
    sweep = folder(tmp_path, "sweep", "sweep", {"sweep": SWEEP_A})
    done = rechain("compare", sweep, frontier(tmp_path, "frontier", 1, 1, 1))
    assert done.returncode == 2, done.stderr
    assert "B: expected a folder of the same kind as A (sweep results), found frontier results" in done.stderr
    findings = tmp_path / "findings"
    findings.mkdir()
    (findings / "findings.md").write_text("# findings\n")
    done = rechain("compare", findings, sweep)
    assert done.returncode == 2 and "found results of rechain findings, not compared: findings.md" in done.stderr
    both = [folder(tmp_path, n, "sweep", {"sweep": SWEEP_A}) for n in ("x", "y")]
    for path in both:
        (path / "risk_run.csv").write_text("item,value\n")
    done = rechain("compare", *both)
    assert done.returncode == 2 and "A and B: expected folders that hold the results of one command" in done.stderr
    assert rechain("compare", both[0], sweep).returncode == 0  # the one kind in common: sweep


def test_a_sweep_over_other_parameters_exit_2(tmp_path, rechain):
    """A sweeps demand_factor, B budget_usd: the points cannot be matched; exit 2 naming both."""
    a = folder(tmp_path, "a", "sweep", {"sweep": SWEEP_A})
    b = folder(tmp_path, "b", "sweep", {"sweep": SWEEP_A.replace("demand_factor", "budget_usd")})
    done = rechain("compare", a, b)
    assert done.returncode == 2
    assert "B: expected a sweep over the same parameters as A (demand_factor), found budget_usd" in done.stderr


def test_out_writes_the_kinds_tables(tmp_path, rechain):
    """--out of a sweep comparison: compare_sweep.csv and compare_labels.csv beside compare.xlsx; a second run
    into the folder needs --force."""
    a = folder(tmp_path, "a", "sweep", {"sweep": SWEEP_A})
    b = folder(tmp_path, "b", "sweep", {"sweep": SWEEP_B})
    out = tmp_path / "out"
    assert rechain("compare", a, b, "--out", out).returncode == 0
    assert pd.read_csv(out / "compare_sweep.csv")["change"].tolist() == [50.0]
    assert pd.read_csv(out / "compare_labels.csv")["B"].tolist() == ["infeasible"]
    assert rechain("compare", a, b, "--out", out).returncode == 2
    assert rechain("compare", a, b, "--out", out, "--force").returncode == 0


def test_an_unreadable_table_exit_2(tmp_path, rechain):
    """risk_value.csv whose third line has 3 fields under a 2-column header: exit 2 naming A and the file."""
    a = risk(tmp_path, "a", 20, 5e9, 10, "x")
    b = risk(tmp_path, "b", 20, 5e9, 10, "x")
    (a / "risk_value.csv").write_text("figure,value\nx,1\ny,2,3\n")
    done = rechain("compare", a, b)
    assert done.returncode == 2 and "A: expected a readable risk_value.csv (rechain risk --out)" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_point_listed_twice(tmp_path, rechain):
    """`--param demand_factor=1,2,2` lists factor 2 twice: matched occurrence by occurrence. A: 2 → 200 and 200;
    B: 2 → 200 and 260: the second occurrence (repeat 1) changed by +60, the first not at all."""
    a = folder(tmp_path, "a", "sweep", {"sweep": SWEEP_A + "2,optimal,200,5\n"})
    b = folder(tmp_path, "b", "sweep", {"sweep": SWEEP_A + "2,optimal,260,5\n"})
    done = rechain("compare", a, b, "--json")
    assert [(r["demand_factor"], r["repeat"], r["change"]) for r in rows(done, "sweep")] == [("2", 1, 60.0)]


def test_a_folder_without_its_tables_exit_2(tmp_path, rechain):
    """B holds only sweep.md (its CSVs deleted): nothing to compare, so exit 2 naming B, not "0 tables changed"."""
    a = folder(tmp_path, "a", "sweep", {"sweep": SWEEP_A})
    b = tmp_path / "b"
    b.mkdir()
    (b / "sweep.md").write_text("# sweep\n")
    done = rechain("compare", a, b)
    assert done.returncode == 2
    assert "B: expected the tables of rechain sweep --out as CSV (sweep_<table>.csv), found sweep.md" in done.stderr


def test_the_terminal_shows_the_first_rows_of_a_long_table(tmp_path, rechain, monkeypatch):
    """100 sweep points whose cost all rise by 1: 100 changed rows. The terminal prints the first 40
    (COMPARE_SHOWN): point 40 is shown, point 41 is not, and stderr says where every row is; --json has 100."""
    from rechain.report import shown

    header = "demand_factor,status,system_cost_usd\n"
    a = folder(tmp_path, "a", "sweep", {"sweep": header + "".join(f"{i},optimal,{i}\n" for i in range(1, 101))})
    b = folder(tmp_path, "b", "sweep", {"sweep": header + "".join(f"{i},optimal,{i + 1}\n" for i in range(1, 101))})
    monkeypatch.setattr(shown, "COMPARE_SHOWN", 40)
    done = rechain("compare", a, b)
    assert done.returncode == 0, done.stderr
    shown = [line.split("│")[1].strip() for line in done.stdout.splitlines() if line.count("│") > 3]
    assert shown[-1] == "40" and "41" not in shown
    assert "the first 40 rows shown of sweep (100): --out or --json holds every row" in done.stderr
    assert len(rows(rechain("compare", a, b, "--json"), "sweep")) == 100


def test_two_real_sweeps(examples, tmp_path, rechain):
    """The tiny example (one Buyer needing 10 t of A a year, 2025-27; a separation plant at 1,000 USD/tpa with
    yield 0.5, lead time 1) swept over demand_factor 1,2 (A) and 1,3 (B), as `rechain sweep --out` writes them.
    Every tonne scales with the factor (nothing binds but demand), so system cost is 2,800 per unit of factor
    (test_compare's derivation: opex 1,200 + capex 20,000 − salvage 18,400): factor 1 is 2,800 in both (no
    row), factor 2 (5,600) only in A, factor 3 (8,400) only in B. The grids differ in the settings."""
    a, b = tmp_path / "a", tmp_path / "b"
    for out, grid in ((a, "1,2"), (b, "1,3")):
        done = rechain("sweep", examples / "tiny", "--param", f"demand_factor={grid}", "--workers", "1", "--out", out)
        assert done.returncode == 0, done.stderr
    done = rechain("compare", a, b, "--json")
    cost = {
        (r["demand_factor"], r["what"]): (r["A"], r["B"])
        for r in rows(done, "sweep")
        if r["column"] == "system_cost_usd"
    }
    assert cost == {
        ("2.0", "only in A"): (pytest.approx(5600), None),
        ("3.0", "only in B"): (None, pytest.approx(8400)),
    }
    assert {r["demand_factor"] for r in rows(done, "sweep")} == {"2.0", "3.0"}
    assert [r["item"] for r in rows(done, "settings")] == ["grid.demand_factor"]
