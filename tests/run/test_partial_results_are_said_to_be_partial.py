"""Partial results presented as whole (issue 22): an interrupted or failed part of a run is said to be
one, in the tables, on stdout, in the exit code and on the progress line.

The risk world is test_risk's: Mine feeds Plant (a separation build at 1000 USD/tpa) or CN (china,
500 USD/t); Buyer needs 10 t, α = 0; Plant fails with p = 0.5."""

import errno
import json
import os
import re
import shutil
from types import SimpleNamespace

import pandas as pd
import pytest
from rechain.run import risk
from rechain.run.risk import CommittedPlan, run_risk

from risk_world import job_of, world

FAILS = "failure.Plant.separation,bernoulli,0.5,,,\n"


def stop_at_call(n: int):
    """An on_row that raises Ctrl-C on its n-th call, keeping what it saw."""
    seen: list[list] = []

    def on_row(rows):
        seen.append(list(rows))
        if len(seen) == n:
            raise KeyboardInterrupt

    return on_row, seen


def test_an_interrupted_hedge_leaves_vss_and_evpi_blank(tmp_path):
    """Three draws. The hedged draws come in one call (all three: one LP holds them); Ctrl-C arrives
    with the first replanned draw, so replan has 1 of 3 draws and commit none. A replan mean over one
    draw is not the mean over three: the replan and commit means, VSS and EVPI stay blank, the hedge
    mean (every draw solved) stays, the table says how many draws each comparison finished, and the
    run is not complete."""
    job = job_of(world(tmp_path, FAILS), "hedge", seed=3, recourse_year=2026)
    on_row, seen = stop_at_call(2)
    tables, complete = run_risk(job, 3, workers=1, on_row=on_row)
    value = tables["value"].set_index("figure")["value"]
    assert not complete
    assert [len(rows) for rows in seen] == [3, 1]
    assert value["hedge_mean_objective_usd"] is not None
    for figure in (
        "replan_mean_objective_usd",
        "commit_mean_objective_usd",
        "value_of_stochastic_solution_usd",
        "expected_value_of_perfect_information_usd",
    ):
        assert value[figure] is None, figure
    assert value["comparison_draws_done"] == "replan 1 of 3, commit 0 of 3"


def test_a_complete_hedge_counts_every_solve(tmp_path):
    """Uninterrupted: on_row sees 3 + 3 + 3 rows (hedged, replanned, committed) and VSS is there."""
    job = job_of(world(tmp_path, FAILS), "hedge", seed=3, recourse_year=2026)
    on_row, seen = stop_at_call(0)
    tables, complete = run_risk(job, 3, workers=1, on_row=on_row)
    value = tables["value"].set_index("figure")["value"]
    assert complete and sum(len(rows) for rows in seen) == 9
    assert value["value_of_stochastic_solution_usd"] is not None
    assert value["comparison_draws_done"] == "replan 3 of 3, commit 3 of 3"


def test_the_cli_says_an_interrupted_hedge_is_incomplete(tmp_path, rechain, monkeypatch):
    """Ctrl-C during the comparison: exit 130, the files marked incomplete, VSS blank in them."""
    from rechain.run import parallel

    real = parallel.run_tasks

    def interrupted(job, tasks, workers=None, scheduler=None, on_row=None):
        rows, _ = real(job, tasks[:1], workers, scheduler, on_row)
        return rows, False

    monkeypatch.setattr(parallel, "run_tasks", interrupted)
    out = tmp_path / "out"
    done = rechain(
        "risk",
        world(tmp_path, FAILS),
        "--mode",
        "hedge",
        "--draws",
        "3",
        "--recourse-year",
        "2026",
        "--workers",
        "1",
        "--out",
        out,
    )
    assert done.returncode == 130, done.stderr
    assert "VSS and EVPI left blank" in done.stderr and "3 of 3 draws done" not in done.stderr
    value = pd.read_csv(out / "risk_incomplete_value.csv").set_index("figure")["value"]
    assert pd.isna(value["value_of_stochastic_solution_usd"])


def failing_writes(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_risk_json_is_one_document_when_writing_fails(tmp_path, rechain, monkeypatch):
    """--json --out on a full disk: stdout holds exactly one JSON document (json.loads fails on a
    second one), carrying the tables and the output error; exit 2; no traceback."""
    monkeypatch.setattr(os, "replace", failing_writes)
    done = rechain(
        "risk", world(tmp_path, FAILS), "--draws", "2", "--workers", "1", "--json", "--out", tmp_path / "out"
    )
    assert done.returncode == 2, done.stderr
    payload = json.loads(done.stdout)
    assert payload["status"] == "output_error" and "No space left on device" in payload["message"]
    assert len(payload["probability_by_year"]) == 1  # 2025, the world's one year
    assert "Traceback" not in done.stderr


def test_risk_json_with_out_is_one_document(tmp_path, rechain):
    done = rechain(
        "risk", world(tmp_path, FAILS), "--draws", "2", "--workers", "1", "--json", "--out", tmp_path / "out"
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert "status" not in payload and (tmp_path / "out" / "risk.xlsx").exists()


def time_limited(job):
    return CommittedPlan(status="time_limit", message="time limit reached")


@pytest.mark.parametrize("mode", ["commit", "hedge"])
def test_a_time_limited_plan_exits_3_and_keeps_the_work(tmp_path, rechain, monkeypatch, mode):
    """The deterministic plan stops at its time limit. It is not an input error (2) and not a success
    (0): exit 3 with a line naming the plan; the finished draws are written (hedge: its three hedged
    draws solved, VSS blank)."""
    monkeypatch.setattr(risk, "committed_plan", time_limited)
    out = tmp_path / "out"
    done = rechain(
        "risk",
        world(tmp_path, FAILS),
        "--mode",
        mode,
        "--draws",
        "3",
        "--recourse-year",
        "2026",
        "--workers",
        "1",
        "--out",
        out,
    )
    assert done.returncode == 3, done.stderr
    assert "deterministic plan did not solve" in done.stderr and "time limit" in done.stderr
    draws = pd.read_csv(out / "risk_draws.csv")
    assert len(draws) == 3
    if mode == "hedge":
        assert (draws["status"] == "optimal").all()
        value = pd.read_csv(out / "risk_value.csv").set_index("figure")["value"]
        assert pd.isna(value["value_of_stochastic_solution_usd"])
    else:
        assert (draws["status"] == "time_limit").all()


def test_a_real_time_limit_in_commit_is_not_an_input_error(tmp_path, rechain):
    """--time-limit 0: HiGHS stops before any solve finishes, the plan's included: exit 3, not 2."""
    done = rechain(
        "risk", world(tmp_path, FAILS), "--mode", "commit", "--draws", "2", "--workers", "1", "--time-limit", "0"
    )
    assert done.returncode == 3, done.stderr
    assert "input error" not in done.stderr


def last_count(stderr: str) -> tuple[int, int]:
    """The last `done/total` of the progress line."""
    found = re.findall(r"(\d+)/(\d+)", stderr)
    assert found, stderr
    return tuple(map(int, found[-1]))


def bar_end(done) -> tuple[int, int]:
    assert done.returncode == 0, done.stderr
    return last_count(done.stderr)


@pytest.mark.parametrize("mode, total", [("replan", 3), ("commit", 3), ("hedge", 9)])
def test_the_risk_bar_ends_at_its_total(tmp_path, rechain, mode, total):
    """3 draws: 3 solves in replan and commit; hedge: 3 hedged draws + 3 replanned + 3 committed = 9."""
    done = rechain(
        "risk", world(tmp_path, FAILS), "--mode", mode, "--draws", "3", "--recourse-year", "2026", "--workers", "1"
    )
    assert bar_end(done) == (total, total)


def test_the_sweep_and_scenarios_bars_end_at_their_total(examples, rechain):
    """A sweep of 3 points: 3/3; the v2 example's scenarios: the base and its 3 scenarios, 4/4."""
    assert bar_end(rechain("sweep", examples / "tiny", "--param", "demand_factor=1,2,3", "--workers", "1")) == (3, 3)
    assert bar_end(rechain("scenarios", examples / "v2", "--workers", "1")) == (4, 4)


def test_the_frontier_bar_ends_at_its_total_with_a_one_point_budget_grid(examples, tmp_path, rechain):
    """Plant already holds 20 tpa: the fully clean plan builds nothing, so the default budget grid is
    the one budget 0 (frontier.default_budgets) instead of 11. 11 alpha points + 1 budget = 12/12."""
    folder = tmp_path / "tiny"
    shutil.copytree(examples / "tiny", folder)
    text = (folder / "facilities.csv").read_text().replace("Plant,separation,0,", "Plant,separation,20,")
    (folder / "facilities.csv").write_text(text)
    assert bar_end(rechain("frontier", folder)) == (12, 12)


def test_the_report_bar_ends_at_its_total(examples, tmp_path, rechain):
    """The report's total is estimated before it knows which cases it solves once for several tables:
    a finished report's bar ends at the solves it made, n/n."""
    done, total = bar_end(rechain("report", examples / "v2", "--draws", "0", "--workers", "1", "--out", tmp_path / "f"))
    assert done == total > 0


class FakeClient:
    """A fake dask client: chunk i follows `plan[i]` (the last entry for the rest): "done" finishes at once
    (solved here), "never" never finishes nor runs on a worker (the workers left), "killed" fails with
    KilledWorker (its worker died too often)."""

    plan = ("done", "never")

    def __init__(self, address, timeout=None):
        self.submitted: list = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def submit(self, fn, job, chunk=None, pure=False):
        from concurrent.futures import Future

        from distributed import KilledWorker

        if chunk is None:  # the job itself, sent once (parallel._same)
            return fn(job)
        future, i = Future(), len(self.submitted)
        future.key = f"chunk-{i}"
        how = self.plan[min(i, len(self.plan) - 1)]
        if how == "done":
            future.set_result(fn(job, chunk))
        elif how == "killed":
            future.set_exception(KilledWorker(future.key, SimpleNamespace(address="tcp://worker"), 3))
        self.submitted.append(future)
        return future

    def processing(self) -> dict:
        return {}

    def cancel(self, futures) -> None:
        for f in futures:
            f.cancel()


@pytest.fixture
def stalling(monkeypatch):
    """--scheduler reaches FakeClient (concurrent.futures' wait stands in for dask's); IDLE_SECONDS = 0.3."""
    import concurrent.futures

    import dask.distributed
    from rechain.run import parallel, signals

    monkeypatch.setattr(parallel, "reachable", lambda address: None)
    monkeypatch.setattr(parallel, "IDLE_SECONDS", 0.3)
    monkeypatch.setattr(parallel, "POLL_SECONDS", 0.05)
    monkeypatch.setattr(dask.distributed, "Client", FakeClient)
    monkeypatch.setattr(dask.distributed, "wait", concurrent.futures.wait)
    monkeypatch.setitem(signals._received, "stalled", None)
    return "tcp://127.0.0.1:1"


def test_a_stalled_scheduler_keeps_the_finished_chunk(stalling):
    """4 tasks on 2 workers: chunks [0, 1] and [2, 3]. The first finishes, the second never runs: after
    IDLE_SECONDS the run stops, incomplete, with the first chunk's 2 rows, and the input error on
    --scheduler is kept for the exit (code 2, not 130)."""
    from rechain.run import parallel, signals

    class Echo:
        def run(self, task, cache):
            return {"i": task}

    rows, complete = parallel.run_tasks(Echo(), [0, 1, 2, 3], workers=2, scheduler=stalling)
    assert (rows, complete) == ([{"i": 0}, {"i": 1}], False)
    assert signals.stall_error().issues[0].place == "--scheduler"
    assert "has it any workers?" in str(signals.stall_error())
    assert signals.interrupt_exit_code() == 2


def test_a_stalled_sweep_writes_its_finished_points_as_partial(stalling, examples, rechain, tmp_path):
    """sweep of demand_factor 1,2,3,4 on 2 workers: chunk [1, 2] finishes, chunk [3, 4] never does. Exit 2,
    "2 of 4 points done, partial" on stderr with the --scheduler error; sweep_incomplete_sweep.csv holds the 2
    points (factors 1 and 2), the run table says complete False, points 4, points_done 2; no sweep_sweep.csv."""
    out = tmp_path / "out"
    done = rechain(
        "sweep",
        examples / "tiny",
        "--param",
        "demand_factor=1,2,3,4",
        "--workers",
        "2",
        "--scheduler",
        stalling,
        "--out",
        out,
    )
    assert done.returncode == 2, done.stderr
    assert "2 of 4 points done, partial" in done.stderr
    assert "--scheduler: expected a dask scheduler whose workers run the tasks" in done.stderr
    assert pd.read_csv(out / "sweep_incomplete_sweep.csv")["demand_factor"].tolist() == [1.0, 2.0]
    run = pd.read_csv(out / "sweep_incomplete_run.csv").set_index("item")["value"]
    assert (run["complete"], run["points"], run["points_done"]) == ("False", "4", "2")
    assert not (out / "sweep_sweep.csv").exists()


def test_a_stalled_risk_run_writes_its_finished_draws_as_partial(stalling, tmp_path, rechain):
    """risk, 4 draws on 2 workers: draws [0, 1] finish, [2, 3] never do. Exit 2, "2 of 4 draws done, partial";
    risk_incomplete_draws.csv holds draws 0 and 1; --json prints one document with complete false and
    draws_done 2 (the probabilities are over the 2 draws done, and say so)."""
    out = tmp_path / "out"
    done = rechain(
        "risk",
        world(tmp_path, FAILS),
        "--draws",
        "4",
        "--workers",
        "2",
        "--scheduler",
        stalling,
        "--out",
        out,
        "--json",
    )
    assert done.returncode == 2, done.stderr
    assert "2 of 4 draws done, partial" in done.stderr
    assert pd.read_csv(out / "risk_incomplete_draws.csv")["draw"].tolist() == [0, 1]
    assert not (out / "risk_draws.csv").exists()
    run = pd.read_csv(out / "risk_incomplete_run.csv").set_index("item")["value"]
    assert (run["complete"], run["draws"], run["draws_done"]) == ("False", "4", "2")
    payload = json.loads(done.stdout)
    assert (payload["run"]["complete"], payload["run"]["draws"], payload["run"]["draws_done"]) == (False, 4, 2)


def test_a_chunk_whose_worker_died_is_lost_and_the_others_kept(stalling, monkeypatch):
    """6 tasks on 3 workers: chunks [0, 1], [2, 3], [4, 5]; the second fails with KilledWorker, the others
    finish. The run waits for them all, keeps rows 0, 1, 4 and 5, and ends incomplete with the input error
    on --scheduler naming the lost chunk (1 of 3), exit 2."""
    from rechain.run import parallel, signals

    class Echo:
        def run(self, task, cache):
            return {"i": task}

    monkeypatch.setattr(FakeClient, "plan", ("done", "killed", "done"))
    rows, complete = parallel.run_tasks(Echo(), list(range(6)), workers=3, scheduler=stalling)
    assert ([r["i"] for r in rows], complete) == ([0, 1, 4, 5], False)
    assert "1 of 3 chunks lost: KilledWorker" in str(signals.stall_error())
    assert signals.interrupt_exit_code() == 2


def test_a_stall_keeps_every_chunk_finished_before_it(stalling, monkeypatch):
    """CHUNK_POINTS = 2: 6 tasks on 1 worker are 3 chunks [0, 1], [2, 3], [4, 5], not one chunk of 6. The
    first two finish, the third never does: rows 0 to 3 are kept (one chunk of 6 would have kept none)."""
    from rechain.run import parallel

    class Echo:
        def run(self, task, cache):
            return {"i": task}

    monkeypatch.setattr(parallel, "CHUNK_POINTS", 2)
    monkeypatch.setattr(FakeClient, "plan", ("done", "done", "never"))
    rows, complete = parallel.run_tasks(Echo(), list(range(6)), workers=1, scheduler=stalling)
    assert ([r["i"] for r in rows], complete) == ([0, 1, 2, 3], False)
