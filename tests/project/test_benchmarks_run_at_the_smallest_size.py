"""Benchmarks are scripts, not timed tests: CI only checks the smallest size runs."""

import csv
import importlib.util
import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def benchmark(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_scale_benchmark_smoke(tmp_path):
    """The smallest size; `--path` reaches rechain's process as RECHAIN_SOLVER_PATH (recorded in `path`);
    the goals of issue 13 are printed, here as not measured (~5k variables is not within 2x of 17k)."""
    out = tmp_path / "scale.csv"
    done = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "scale.py"),
            "--nodes",
            "8",
            "--years",
            "4",
            "--path",
            "persistent",
            "--csv",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    with out.open() as fh:
        [row] = list(csv.DictReader(fh))
    assert row["status"] == "optimal" and int(row["variables"]) > 0 and float(row["highs_alone_s"]) > 0
    assert row["path"] == "persistent"
    assert "~17,000 variables: not measured (goal <= 1.5x)" in done.stdout
    assert "~300,000 variables: not measured (goal <= 1.2x)" in done.stdout


def test_scale_benchmark_best_of_runs():
    """Least time of each column over runs, the ratio from those: total 4 / alone 2 = 2.0."""
    scale = benchmark("scale")
    runs = [
        {c: 1 for c in scale.COLUMNS} | {"total_s": t, "highs_alone_s": a, "peak_mib": p}
        for t, a, p in ((5.0, 2.0, 300.0), (4.0, 2.5, 310.0))
    ]
    best = scale.best(runs)
    assert [best[c] for c in ("total_s", "highs_alone_s", "peak_mib", "total_over_highs")] == [4.0, 2.0, 300.0, 2.0]


def test_linopy_benchmark_rechain_layer_smoke(tmp_path):
    """The linopy benchmark without linopy (`--layers rechain`): rechain's columns only, no ratios."""
    out = tmp_path / "linopy.csv"
    done = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "linopy_lp.py"),
            "--nodes",
            "8",
            "--years",
            "4",
            "--layers",
            "rechain",
            "--csv",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    with out.open() as fh:
        [row] = list(csv.DictReader(fh))
    assert row["status"] == "optimal" and int(row["variables"]) > 0
    assert float(row["rechain_build_to_highs_s"]) >= float(row["rechain_build_s"]) > 0
    assert not [c for c in row if c.startswith("linopy_") or c.endswith("_ratio") or c.startswith("objective")]


def test_linopy_benchmark_without_linopy_says_so(tmp_path):
    """With linopy not importable, asking for it ends with exit 2 and one line saying what to do."""
    script = (
        f"import runpy, sys; sys.modules['linopy'] = None; sys.argv = ['linopy_lp.py', '--nodes', '8', "
        f"'--csv', {str(tmp_path / 'x.csv')!r}]; runpy.run_path({str(BENCHMARKS / 'linopy_lp.py')!r}, "
        "run_name='__main__')"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr == "linopy is not installed: pip install -e '.[bench]', or run with --layers rechain\n"
    assert done.stdout == "" and not (tmp_path / "x.csv").exists()


def test_linopy_benchmark_objective_check():
    """objective_match: |a − b| / max(|a|, 1) <= 1e-6 and the same number of columns.
    100 vs 100.00005: 5e-7, a match; 100 vs 100.001: 1e-5, none; 0.5 vs 0.5000008: 8e-7 over 1, a match."""
    lp = benchmark("linopy_lp")
    run = {m: 1.0 for m in lp.MEASURES} | {"variables": 10, "constraints": 4, "status": "optimal"}

    def match(a, b, columns=10):
        row = lp.combine(8, {"rechain": run | {"objective": a}, "linopy": run | {"objective": b, "variables": columns}})
        return row["objective_match"]

    assert match(100.0, 100.00005) and not match(100.0, 100.001) and match(0.5, 0.5000008)
    assert not match(100.0, 100.0, columns=11)


def test_risk_benchmark_smoke(examples):
    """The risk benchmark on the tiny example (the reference takes minutes): the magnet row is left out
    (tiny has no magnet stage), every draw and the two-draw hedge model solve."""
    done = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "risk.py"),
            "--workbook",
            str(examples / "tiny"),
            "--draws",
            "3",
            "--workers",
            "1",
            "--hedge",
            "2",
            "--sample",
            "2",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    [draws] = [line for line in done.stdout.splitlines() if line.startswith("3 replan draws, 1 workers")]
    assert draws.endswith("3 optimal") and done.stdout.rstrip().endswith("status optimal")
    assert any(line.startswith("later draws at any price") for line in done.stdout.splitlines())
    risk = benchmark("risk")
    assert [r[0] for r in risk.fitting(risk.ROWS, {"mining", "separation"})] == [
        "capex_overrun.separation",
        "lead_time_delay.separation",
        "failure.mining",
        "demand_factor",
    ]


def test_generate_any_size_is_valid(tmp_path):
    from rechain.workbook.cases import make_dataset
    from rechain.workbook.generate import world, write_world
    from rechain.workbook.validate import load_workbook

    for nodes, years, elements in ((3, 1, 1), (12, 5, 9)):
        path = tmp_path / f"w{nodes}.xlsx"
        write_world(path, world(nodes, years, elements, seed=1))
        wb = load_workbook(path)
        assert not [w for w in wb.warnings if "unknown" in w]
        for scenario in (None, "controls", "cheap_china"):
            make_dataset(wb, scenario)


def test_v2_benchmark_smoke(examples):
    """The v2 benchmark on the tiny example (the reference takes about a minute): every case solves,
    and the case with all v2 features is larger than the plain one."""
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "v2.py"), str(examples / "tiny"), "--repeat", "1"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    rows = {line.split(" | ")[0]: line.split(" | ") for line in done.stdout.splitlines() if " | " in line}
    assert {"as loaded", "v2 fields empty", "all v2 features"} <= set(rows)
    assert all(row[-1] == "optimal" for name, row in rows.items() if name != "case")
    assert rows["as loaded"][1:4] == rows["v2 fields empty"][1:4]
    assert int(rows["all v2 features"][1]) > int(rows["as loaded"][1])


def test_resolve_benchmark_smoke(examples):
    """The paths-to-HiGHS benchmark on the tiny example: it prints its ratios and every solve is optimal."""
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "resolve.py"), str(examples / "tiny"), "--repeat", "1"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "direct/highspy" in done.stdout and "statuses ['optimal']" in done.stdout
