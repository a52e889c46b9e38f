"""Nothing fails silently: warm re-solves retried cold, failed points kept as
rows with a reason, interrupts that are interrupts, honest time-limit stops,
discounting beyond HiGHS's tolerances, sweep input errors naming --param."""

import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rechain.base.errors import InputError
from rechain.models.highs import CaseSolver, SolveOptions, SolveOutcome, Status
from rechain.run import signals
from rechain.run.frontier import budget_frontier, cost_of_independence, default_budgets
from rechain.run.numerics import quality_warnings
from rechain.run.parallel import run_points
from rechain.run.sweep import grid, solve_points, validate_points
from rechain.workbook.keys import parse_params
from rechain.workbook.validate import load_workbook

from worked import case, fac, solve

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def frontier_wb(examples):
    return load_workbook(examples / "frontier")


def make_warm_runs_fail(monkeypatch, how_many: int) -> list[bool]:
    """The first `how_many` runs on a HiGHS model that has solved before end in
    an error; returns, per run, whether it was such a warm run."""
    from pyomo.contrib.solver.common.results import TerminationCondition

    real, warm_runs = CaseSolver._run, []

    def flaky(self):
        results = real(self)
        warm_runs.append(self._solved)
        if self._solved and sum(warm_runs) <= how_many:
            results.termination_condition = TerminationCondition.error
        return results

    monkeypatch.setattr(CaseSolver, "_run", flaky)
    return warm_runs


def test_failed_warm_resolve_is_retried_cold(frontier_wb, monkeypatch):
    """Two alphas on one model: 1.0 (cold, cost 10), then 0.25 (warm run fails, the
    cold retry solves it): cost 10 x 0.25 + 1050 x 0.75 = 790."""
    runs = make_warm_runs_fail(monkeypatch, 1)
    rows = [
        r.row
        for r in solve_points(frontier_wb, None, (), [{"max_restricted_share": "1"}, {"max_restricted_share": "0.25"}])
    ]
    assert runs == [False, True, True], "one cold solve, one failed warm run, one retry"
    assert [r["status"] for r in rows] == ["optimal", "optimal"]
    assert rows[1]["system_cost_usd"] == pytest.approx(790)


def test_retry_that_fails_keeps_status_and_reason(frontier_wb, monkeypatch):
    make_warm_runs_fail(monkeypatch, 2)
    rows = [
        r.row
        for r in solve_points(frontier_wb, None, (), [{"max_restricted_share": "1"}, {"max_restricted_share": "0.25"}])
    ]
    assert rows[1]["status"] == "error"
    assert "also after a cold re-solve" in rows[1]["reason"]
    assert "system_cost_usd" not in rows[1] and "capex_usd" not in rows[1]


def test_frontiers_keep_failed_points_as_rows(frontier_wb):
    """A zero time limit stops every solve: every row says time_limit and why, none
    has figures, the default budget grid falls back to [0] and nothing crashes."""
    options = SolveOptions(time_limit=0)
    costs = cost_of_independence(frontier_wb, None, (), 3, options=options)
    assert list(costs["status"]) == ["time_limit"] * 3
    assert all("time limit of 0 s" in r for r in costs["reason"])
    assert "system_cost_usd" not in costs
    budgets = default_budgets(costs, 5)
    assert budgets == [0.0]
    buys = budget_frontier(frontier_wb, None, (), budgets, options=options)
    assert list(buys["status"]) == ["time_limit"] and "min_alpha" not in buys


def test_budget_frontier_row_that_fails_between_good_ones(frontier_wb, monkeypatch):
    """Budgets 0, 400, 1000 (alpha 1, 0.6, 0 by hand, see run/test_cost_frontiers_by_hand.py); the
    least-alpha solve of budget 400 fails: its row has status and reason only."""
    real, calls = CaseSolver.solve, []

    def third_fails(self):
        calls.append(1)
        if len(calls) == 3:
            return SolveOutcome(Status.ERROR, "HiGHS: Solve error", 0.0)
        return real(self)

    monkeypatch.setattr(CaseSolver, "solve", third_fails)
    table = budget_frontier(frontier_wb, None, (), [0, 400, 1000]).set_index("budget_usd")
    assert list(table["status"]) == ["optimal", "error", "optimal"]
    assert table.loc[400, "reason"] == "least alpha: HiGHS: Solve error"
    assert math.isnan(table.loc[400, "min_alpha"]) and math.isnan(table.loc[400, "system_cost_usd"])
    assert table.loc[0, "min_alpha"] == pytest.approx(1, abs=1e-6)
    assert table.loc[1000, "min_alpha"] == pytest.approx(0, abs=1e-6)


def test_default_budgets_without_the_fully_clean_point():
    """The alpha = 0 point failed: the grid goes up to the largest budget capex solved."""
    import pandas as pd

    table = pd.DataFrame(
        [
            {"alpha": 1.0, "status": "optimal", "budget_capex_usd": 0.0},
            {"alpha": 0.5, "status": "optimal", "budget_capex_usd": 500.0},
            {"alpha": 0.0, "status": "error", "reason": "HiGHS: Solve error"},
        ]
    )
    assert default_budgets(table, 3) == [0, 250, 500]


def test_time_limit_stop_says_time_limit(examples):
    """No advice about extreme coefficients for a solve that was merely stopped."""
    wb = load_workbook(examples / "tiny")
    [r] = solve_points(wb, None, (), [{}], SolveOptions(time_limit=0))
    assert r.row["status"] == "time_limit"
    assert r.row["reason"].startswith("stopped at the time limit of 0 s before proving optimality")
    stopped = {"status": "time_limit", "max_primal_infeasibility": math.inf, "max_dual_infeasibility": math.inf}
    assert quality_warnings(stopped) == []
    assert quality_warnings(stopped | {"status": "optimal"}) != []


def _signal_mid_solve(solver: CaseSolver, sig: int) -> None:
    """Send `sig` to this process from inside HiGHS's simplex, as a user would."""
    sent = []

    def send(event):
        if not sent:
            sent.append(1)
            os.kill(os.getpid(), sig)

    solver._hand_to_highs()
    solver.highs.cbSimplexInterrupt.subscribe(send)


def test_ctrl_c_during_highs_is_an_interrupt_not_an_error(examples):
    """Python's own SIGINT handler first: a shell that starts a job in the background (`cmd &`) makes
    it ignore SIGINT, and an ignored signal rightly stays ignored."""
    from rechain.workbook.cases import make_dataset

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        solver = CaseSolver(make_dataset(load_workbook(examples / "tiny")))
        _signal_mid_solve(solver, signal.SIGINT)
        with pytest.raises(KeyboardInterrupt):
            solver.solve()
    finally:
        signal.signal(signal.SIGINT, previous)


def test_sigterm_during_highs_raises_terminated(examples, monkeypatch):
    from rechain.workbook.cases import make_dataset

    previous = signal.getsignal(signal.SIGTERM)
    monkeypatch.setitem(signals._received, "sigterm", False)
    signals.install_sigterm()
    try:
        solver = CaseSolver(make_dataset(load_workbook(examples / "tiny")))
        _signal_mid_solve(solver, signal.SIGTERM)
        with pytest.raises(signals.Terminated):
            solver.solve()
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert signals.interrupt_exit_code() == 143


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _gone(pids: set[int], seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        alive = {
            p
            for p in pids
            if Path(f"/proc/{p}").exists() and " Z " not in Path(f"/proc/{p}/stat").read_text(errors="replace")
        }
        if not alive:
            return True
        time.sleep(0.05)
    return False


def test_pool_interrupt_keeps_finished_points_and_stops_workers(frontier_wb):
    """Points travel one by one: after an interrupt on the first finished point, that
    point is kept (whole chunks of 5 used to be the unit), and no worker lives on."""
    points = grid(parse_params(["max_restricted_share=1:0:10"]))
    seen = []

    def on_row(rows):
        seen.extend(rows)
        raise KeyboardInterrupt

    before = _children(os.getpid())  # e.g. a resource tracker left by an earlier test
    rows, complete = run_points(frontier_wb, None, (), points, workers=2, on_row=on_row)
    assert not complete
    assert rows == seen and len(rows) == 1
    assert _gone(_children(os.getpid()) - before, 5)
    [after] = solve_points(frontier_wb, None, (), points[:1])  # a killed worker must not hold a lock of ours
    assert after.row["status"] == "optimal"


def test_sigterm_to_a_pool_sweep(examples, tmp_path):
    """SIGTERM to `rechain sweep --workers 2` once the workers have done some work:
    exit 143, the finished points written, the workers gone."""
    out = tmp_path / "sweep"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rechain.cli",
            "sweep",
            str(examples / "frontier"),
            "--param",
            "max_restricted_share=1:0:30",
            "--param",
            "demand_factor=1:2:20",
            "--workers",
            "2",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    workers, end = set(), time.monotonic() + 60
    while time.monotonic() < end and (len(workers) < 2 or min(_cpu_seconds(w) for w in workers) < 0.3):
        workers = _children(proc.pid)
        time.sleep(0.05)
    assert proc.poll() is None and len(workers) == 2, "the sweep ended before the workers got going"
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 143, stderr
    assert _gone(workers, 5), "worker processes outlived the sweep"
    [table] = [p for p in out.glob("*.csv") if not p.name.endswith("_run.csv")]
    finished = table.read_text().strip().splitlines()[1:]
    assert 0 < len(finished) < 600


def _catches_sigterm(pid: int) -> bool:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (signal.SIGTERM - 1) & 1)
    return False


def test_sigterm_to_any_command_exits_143(examples):
    """A long frontier (in process) told to stop once it handles SIGTERM: exit 143,
    as `kill` expects, not 130."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "rechain.cli", "frontier", str(examples / "frontier"), "--points", "100000"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    end = time.monotonic() + 60
    while time.monotonic() < end and proc.poll() is None and not _catches_sigterm(proc.pid):
        time.sleep(0.02)
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)  # it writes the finished points first (charts included)
    assert proc.returncode == 143, stderr


def test_unreachable_scheduler_is_an_input_error_within_seconds(frontier_wb):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.monotonic()
    with pytest.raises(InputError) as caught:
        run_points(
            frontier_wb, None, (), [{"max_restricted_share": "1"}], workers=1, scheduler=f"tcp://127.0.0.1:{port}"
        )
    assert time.monotonic() - start < 5
    assert caught.value.issues[0].place == "--scheduler"


def long_tiny(tmp_path: Path, first_year: int, demand_first_year: bool = False) -> Path:
    folder = tmp_path / "long"
    shutil.copytree(ROOT / "inputs" / "examples" / "tiny", folder)
    (folder / "settings.csv").write_text(f"key,value\nfirst_year,{first_year}\nlast_year,2027\ndiscount_rate,0.25\n")
    if demand_first_year:
        with open(folder / "demand.csv", "a") as f:
            f.write(f"Buyer,A,{first_year},10\n")
    return folder


def test_long_horizon_at_high_discount_is_solved_right(tmp_path):
    """The tiny example over 1928-2027 at 25 %: serving beats the penalty, as in every
    year of the short horizon. Build 20 tpa in 2024 (lead time 1) for 2025-27:
    capex 20,000 at 1.25^-96; opex 3 x (20 x 10 + 20 x 20) = 1,800, 600 in each of
    1.25^-97, ^-98, ^-99; salvage 22/25 x 20,000 = 17,600 at 1.25^-99. The discount
    factors of the demand years span only 1.25^2, so nothing is unreliable; the
    objective, about 6.05e-6 USD, lies far below HiGHS's tolerances unless scaled."""
    wb = load_workbook(long_tiny(tmp_path, 1928))
    [r] = solve_points(wb, None, (), [{}])
    d = lambda k: 1.25**-k  # noqa: E731
    assert r.row["status"] == "optimal"
    assert r.row["unmet_t"] == pytest.approx(0, abs=1e-6)
    assert r.row["capex_usd"] == pytest.approx(20_000)
    assert r.row["objective_usd"] == pytest.approx(
        20_000 * d(96) + 600 * (d(97) + d(98) + d(99)) - 17_600 * d(99), rel=1e-6
    )


def test_discounting_beyond_tolerances_is_refused(tmp_path, rechain):
    """Demand in 1928 and 2027 at 25 %: penalties differ by 1.25^99 = 3.9e9 > 1e7, so
    no plan is reported: status error, reason "numerically unreliable", exit 3."""
    folder = long_tiny(tmp_path, 1928, demand_first_year=True)
    done = rechain("solve", folder, "--json")
    assert done.returncode == 3, done.stderr
    assert "numerically unreliable" in done.stderr and "3.9e+09" in done.stderr


def test_unreliable_case_in_a_worked_dataset():
    ds = case(
        (1928, 2027),
        {"Mine": "allied", "Buyer": "allied"},
        1,
        [fac("Mine", 1, existing_tpa=10)],
        {"Mine": {"A": 1.0}},
        {("Buyer", "A", 1928): 1.0, ("Buyer", "A", 2027): 1.0},
        settings={"discount_rate": 0.25},
    )
    result = solve(ds)
    assert result.status is Status.ERROR and result.message.startswith("numerically unreliable")


def test_sweep_errors_name_param(frontier_wb):
    points = grid(parse_params(["demand_factor=1,-2"]))
    with pytest.raises(InputError) as caught:
        validate_points(frontier_wb, None, (), points)
    assert [i.place for i in caught.value.issues] == ["--param demand_factor"]


def test_grid_size_is_limited():
    with pytest.raises(InputError) as caught:
        parse_params(["budget_usd=0:1:200", "demand_factor=0.5:1.5:60"])
    [issue] = caught.value.issues
    assert issue.place == "--param" and "12,000" in issue.found
    with pytest.raises(InputError) as caught:
        parse_params(["budget_usd=0:1:100000000"])
    assert caught.value.issues[0].place == "--param budget_usd"


def test_discounted_parts_have_their_own_columns(examples):
    """tiny over 2023-2027 at 25 %: the plant (20 tpa, 1,000 USD/tpa) is built in 2024
    for demand from 2025: capex 20,000 nominal, 20,000 / 1.25 = 16,000 discounted."""
    wb = load_workbook(examples / "tiny")
    [r] = solve_points(wb, None, (("first_year", "2023"),), [{"discount_rate": "0.25"}])
    assert r.row["capex_usd"] == pytest.approx(20_000)
    assert r.row["capex_discounted_usd"] == pytest.approx(16_000)
    assert r.row["unmet_t"] == pytest.approx(0, abs=1e-6)


def test_frontier_capex_is_nominal(frontier_wb):
    """Frontier example from 2024 at 10 %: at alpha 0 the 10 t of allied separation
    (100 USD/tpa) are built in 2025: capex_usd 1,000 nominal (909 discounted)."""
    table = cost_of_independence(frontier_wb, None, (("first_year", "2024"), ("discount_rate", "0.1")), points=2)
    assert table["capex_usd"].iloc[-1] == pytest.approx(1000)


def test_diagnosis_says_when_its_own_solves_fail(monkeypatch):
    """The budget case of run/test_penalties_explained.py (400 USD, 6 t short); its follow-up LPs
    stop at a time limit: the findings say so instead of "no extra budget removes it"."""
    from rechain.run.diagnosis import diagnose

    from worked import clean_case

    ds = clean_case(max_restricted_share=0.0, budget_usd=400.0)
    result = solve(ds)
    stopped = SolveOutcome(Status.TIME_LIMIT, "stopped at the time limit of 1 s before proving optimality", 1.0)
    monkeypatch.setattr(CaseSolver, "solve", lambda self: stopped)
    d = diagnose(ds, result)
    assert d.extra_budget_usd is None and d.earliest_independence_year is None
    assert not any("no extra total budget" in f or "cannot be met in any year" in f for f in d.findings)
    open_questions = [f for f in d.findings if "could not be worked out: the solve ended time_limit" in f]
    assert len(open_questions) == 2


def test_clean_premium_is_the_mean_over_the_years_the_requirement_applies():
    """run/test_penalties_explained.py's clean case over 2025-27 at alpha 0.5 and 10 %: 5 t of A must be
    clean each year. 2025: one more clean t needs 1 tpa built (100) and costs opex 5
    instead of 1: 104. 2026, 2027: the capacity stands, only opex differs: 4 / 1.1 and
    4 / 1.21 (discounted). Mean: (104 + 3.636 + 3.306) / 3 = 36.98 USD/t."""
    from rechain.run.sweep import row_of

    from worked import clean_case

    ds = clean_case((2025, 2027), max_restricted_share=0.5, discount_rate=0.1)
    row = row_of(solve(ds), {}, ds)
    assert row["clean_premium_usd_per_t.A"] == pytest.approx((104 + 4 / 1.1 + 4 / 1.21) / 3, rel=1e-6)
    assert not any(k.startswith("clean_premium.") for k in row)
