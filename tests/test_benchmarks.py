"""Benchmarks are scripts, not timed tests: CI only checks the smallest size runs."""

import csv
import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def test_scale_benchmark_smoke(tmp_path):
    out = tmp_path / "scale.csv"
    done = subprocess.run([sys.executable, str(BENCHMARKS / "scale.py"), "--nodes", "8", "--years", "4",
                           "--csv", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with out.open() as fh:
        [row] = list(csv.DictReader(fh))
    assert row["status"] == "optimal" and int(row["variables"]) > 0 and float(row["highs_alone_s"]) > 0


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
    done = subprocess.run([sys.executable, str(BENCHMARKS / "v2.py"), str(examples / "tiny"), "--repeat", "1"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    rows = {line.split(" | ")[0]: line.split(" | ") for line in done.stdout.splitlines() if " | " in line}
    assert {"as loaded", "v2 fields empty", "all v2 features"} <= set(rows)
    assert all(row[-1] == "optimal" for name, row in rows.items() if name != "case")
    assert rows["as loaded"][1:4] == rows["v2 fields empty"][1:4]
    assert int(rows["all v2 features"][1]) > int(rows["as loaded"][1])


def test_resolve_benchmark_smoke(examples):
    """The paths-to-HiGHS benchmark on the tiny example: it prints its ratios and every solve is optimal."""
    done = subprocess.run([sys.executable, str(BENCHMARKS / "resolve.py"), str(examples / "tiny"), "--repeat", "1"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "direct/highspy" in done.stdout and "statuses ['optimal']" in done.stdout
