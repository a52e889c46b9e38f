"""Chunks in worker processes and on a dask LocalCluster give the in-process rows."""

import pytest
from rechain.run.parallel import chunks_of, run_points
from rechain.run.sweep import grid
from rechain.workbook.keys import parse_params
from rechain.workbook.validate import load_workbook

PARAMS = ["max_restricted_share=0.9:0.1:3", "budget_usd=50,650"]


def same_rows(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert x.keys() == y.keys()
        for k, v in x.items():
            assert y[k] == (pytest.approx(v, rel=1e-6, abs=1e-6) if isinstance(v, float) else v)


def test_chunks_are_contiguous_and_complete():
    points = [{"i": str(i)} for i in range(7)]
    chunks = chunks_of(points, 3)
    assert [len(c) for c in chunks] == [3, 2, 2]
    assert [p for c in chunks for p in c] == points


def test_worker_processes_match_in_process(examples):
    wb = load_workbook(examples / "frontier")
    points = grid(parse_params(PARAMS))
    serial, done1 = run_points(wb, None, (), points, workers=1)
    pooled, done2 = run_points(wb, None, (), points, workers=2)
    assert done1 and done2
    same_rows(serial, pooled)


def test_local_cluster_matches_in_process(examples):
    from dask.distributed import LocalCluster

    wb = load_workbook(examples / "frontier")
    points = grid(parse_params(PARAMS))
    serial, _ = run_points(wb, None, (), points, workers=1)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=":0"
    ) as cluster:
        distributed, complete = run_points(wb, None, (), points, workers=2, scheduler=cluster.scheduler_address)
    assert complete
    same_rows(serial, distributed)


def test_sweep_cli_writes_every_format(examples, tmp_path, rechain):
    out = tmp_path / "sweep"
    done = rechain(
        "sweep", examples / "frontier", "--param", "max_restricted_share=1:0:3", "--workers", "1", "--out", out
    )
    assert done.returncode == 0, done.stderr
    for name in ("sweep.xlsx", "sweep_sweep.csv", "sweep.md", "sweep_sweep.png"):
        assert (out / name).stat().st_size > 0
    assert "input_sha256" in (out / "sweep.md").read_text()


def test_failed_point_is_a_row(examples):
    """A zero time limit makes every point a time_limit row, not a crash."""
    from rechain.models.highs import SolveOptions

    wb = load_workbook(examples / "frontier")
    rows, complete = run_points(wb, None, (), [{"max_restricted_share": "0.5"}], SolveOptions(time_limit=0), 1)
    assert complete and rows[0]["status"] == "time_limit"


def test_frontier_cli_xlsx_has_charts(examples, tmp_path, rechain):
    import openpyxl

    out = tmp_path / "fr"
    done = rechain(
        "frontier",
        examples / "frontier",
        "--points",
        "3",
        "--budget-points",
        "3",
        "--cost-factors",
        "1,0.5",
        "--out",
        out,
    )
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(out / "frontier.xlsx")
    assert len(book["cost_of_independence"]._charts) == 1 and len(book["budget_frontier"]._charts) == 1
    assert (out / "frontier_budget_frontier.png").exists()


def test_scenarios_cli(examples, rechain):
    done = rechain("scenarios", examples / "frontier")
    assert done.returncode == 0, done.stderr
    assert "china_free" in done.stdout and "$1.04 k" in done.stdout


def test_interrupt_keeps_finished_rows(examples):
    """Ctrl-C after the second point: the two finished rows come back, marked incomplete."""
    wb = load_workbook(examples / "frontier")
    points = grid(parse_params(["max_restricted_share=1:0:5"]))
    seen = []

    def on_row(rows):
        seen.extend(rows)
        if len(seen) == 2:
            raise KeyboardInterrupt

    rows, complete = run_points(wb, None, (), points, workers=1, on_row=on_row)
    assert not complete
    assert [r["max_restricted_share"] for r in rows] == [p["max_restricted_share"] for p in points[:2]]
