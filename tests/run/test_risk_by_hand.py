"""`rechain risk` on a case small enough to solve by hand (risk.md).

The case: Mine (allied, 100 tpa existing, free) feeds either Plant (allied, separation built at
1000 USD/tpa, lead time 0, lifetime 1 year so no salvage) or CN (china, 100 tpa existing, opex
500 USD/t). Buyer (allied) needs 10 t a year; alpha = 0 (all clean), no discounting.

- deterministic: build 10 tpa at Plant = 10,000; unconstrained CN supplies at 10 x 500 = 5,000,
  so the premium is 5,000 a year-case.
- Plant fails: no clean supply: CN supplies (5,000), shortfall 10 t a year, the requirement never holds.
"""

import math

import pandas as pd
import pytest
from rechain.base.errors import InputError
from rechain.run.parallel import run_tasks
from rechain.run.risk import load_risk, run_risk, sample, summarise

from risk_world import job_of, world

ZERO_VARIANCE = (
    "capex_overrun.separation,triangular,1,1,1,\n"
    "lead_time_delay.Plant.separation,uniform,0,0,,\n"
    "failure.separation,bernoulli,0,,,\n"
    "demand_factor,discrete,1:1,,,\n"
    "restricted_cost_factor,lognormal,1,0,,\n"
)


@pytest.mark.parametrize("mode", ["replan", "commit", "hedge"])
def test_zero_variance_reproduces_the_deterministic_solve(tmp_path, mode):
    """Every draw is the deterministic case: build 10 tpa = 10,000 USD, everything clean from 2025."""
    tables, complete = run_risk(job_of(world(tmp_path, ZERO_VARIANCE), mode), 3, workers=1)
    draws = tables["draws"]
    assert complete and list(draws["status"]) == ["optimal"] * 3
    assert draws["system_cost_usd"].tolist() == pytest.approx([10_000] * 3, rel=1e-9)
    assert draws["capex_usd"].tolist() == pytest.approx([10_000] * 3, rel=1e-9)
    assert draws["shortfall_t"].tolist() == pytest.approx([0, 0, 0], abs=1e-9)
    assert list(draws["earliest_independence_year"]) == [2025] * 3
    if mode == "replan":
        assert draws["premium_usd"].tolist() == pytest.approx([5_000] * 3, rel=1e-9)


@pytest.mark.parametrize("mode", ["replan", "commit", "hedge"])
def test_certain_failure_equals_no_new_builds(tmp_path, mode):
    """failure = 1 at every separation build option: CN supplies (5,000), 10 t short, never independent
    (commit and hedge could still pay for a build that delivers nothing; the optimum does not)."""
    tables, _ = run_risk(job_of(world(tmp_path, "failure.separation,bernoulli,1,,,\n"), mode), 2, workers=1)
    draws = tables["draws"]
    assert draws["system_cost_usd"].tolist() == pytest.approx([5_000, 5_000], rel=1e-9)
    assert draws["capex_usd"].tolist() == pytest.approx([0, 0], abs=1e-9)
    assert draws["shortfall_t"].tolist() == pytest.approx([10, 10], rel=1e-9)
    assert draws["earliest_independence_year"].isna().all()
    if mode == "replan":
        assert draws["premium_usd"].tolist() == pytest.approx([0, 0], abs=1e-6)


def test_commit_without_uncertainty_is_the_deterministic_plan(tmp_path):
    tables, _ = run_risk(job_of(world(tmp_path, ""), "commit"), 2, workers=1)
    assert tables["draws"]["system_cost_usd"].tolist() == pytest.approx([10_000, 10_000], rel=1e-9)


def test_commit_pays_for_a_failed_build(tmp_path):
    """p = 0.5: the committed plan is the most likely case, no failure (a tie goes to 0): build 10 tpa.
    In a draw where Plant fails, those 10 tpa are paid (10,000) and deliver nothing: CN supplies
    (5,000), 10 t short; in the others the plan works (10,000)."""
    job = job_of(world(tmp_path, "failure.Plant.separation,bernoulli,0.5,,,\n"), "commit", seed=3)
    draws = run_risk(job, 8, workers=1)[0]["draws"]
    failed = draws["failure.Plant.separation"] == 1
    assert 0 < failed.sum() < 8
    assert draws.loc[failed, "system_cost_usd"].tolist() == pytest.approx([15_000] * failed.sum(), rel=1e-9)
    assert draws.loc[failed, "shortfall_t"].tolist() == pytest.approx([10] * failed.sum(), rel=1e-9)
    assert draws.loc[~failed, "system_cost_usd"].tolist() == pytest.approx([10_000] * (~failed).sum(), rel=1e-9)


def test_a_delay_moves_independence_by_a_year(tmp_path):
    """2025-26, a one-year delay: the build started in 2025 serves from 2026; 2025 is supplied by CN
    (5,000) and 10 t short. Cost 10,000 + 5,000 = 15,000; independent from 2026."""
    folder = world(tmp_path, "lead_time_delay.separation,discrete,1:1,,,\n", last=2026)
    tables, _ = run_risk(job_of(folder), 1, workers=1)
    row = tables["draws"].iloc[0]
    assert row["system_cost_usd"] == pytest.approx(15_000, rel=1e-9)
    assert row["earliest_independence_year"] == 2026
    assert row["lead_time_delay.Plant.separation"] == 1


def test_hedge_by_hand(tmp_path):
    """Plant fails with p = 0.5 in 8 draws, f of them failed; the recourse year 2026 is after the
    horizon, so the one build decision is shared by all draws.
    Hedge: building 10 tpa costs 10,000 in every draw, and in a failed one CN supplies (5,000) with 10 t
    short (1e8 of penalty): mean [(8 - f) 10,000 + f (15,000 + 1e8)] / 8, better than not building
    (5,000 + 1e8 in every draw) whenever f < 8.
    Commit: the most likely case is no failure (a tie goes to 0), so the plan builds 10 tpa: the hedge's
    plan, VSS = 0. Replan: a failed draw does not build: [(8 - f) 10,000 + f (5,000 + 1e8)] / 8,
    EVPI = f 10,000 / 8."""
    tables, complete = run_risk(
        job_of(world(tmp_path, "failure.Plant.separation,bernoulli,0.5,,,\n"), "hedge", seed=3, recourse_year=2026),
        8,
        workers=1,
    )
    f = int((tables["draws"]["failure.Plant.separation"] == 1).sum())
    assert complete and 0 < f < 8
    value = tables["value"].set_index("figure")["value"]
    hedge = ((8 - f) * 10_000 + f * (15_000 + 1e8)) / 8
    assert value["hedge_mean_objective_usd"] == pytest.approx(hedge, rel=1e-9)
    assert value["commit_mean_objective_usd"] == pytest.approx(hedge, rel=1e-9)
    assert value["value_of_stochastic_solution_usd"] == pytest.approx(0, abs=1e-3)
    assert value["expected_value_of_perfect_information_usd"] == pytest.approx(f * 10_000 / 8, rel=1e-6)
    assert tables["hedged_plan"][["node", "facility", "year"]].values.tolist() == [["Plant", "separation", 2025]]
    assert tables["hedged_plan"]["built_tpa"].tolist() == pytest.approx([10])


def test_vss_and_evpi_are_not_negative(tmp_path):
    """On sampled draws with overruns, delays and failures, whatever they are: the hedged plan is at least
    as good as committing to the deterministic one, and no better than knowing each draw in advance."""
    rows = (
        'capex_overrun.separation,triangular,1,1.3,2,\nlead_time_delay.separation,discrete,"0:0.6, 1:0.4",,,\n'
        "failure.separation,bernoulli,0.2,,,\ndemand_factor,uniform,0.5,1.5,,\n"
    )
    tables, _ = run_risk(job_of(world(tmp_path, rows, last=2028), "hedge", seed=8, recourse_year=2027), 12, workers=1)
    value = tables["value"].set_index("figure")["value"]
    assert value["value_of_stochastic_solution_usd"] >= -1e-6 * abs(value["hedge_mean_objective_usd"])
    assert value["expected_value_of_perfect_information_usd"] >= -1e-6 * abs(value["hedge_mean_objective_usd"])


def test_hedge_refuses_more_draws_than_its_limit(tmp_path, rechain):
    done = rechain("risk", world(tmp_path, ""), "--mode", "hedge", "--draws", "51")
    assert done.returncode == 2 and "at most 50 draws" in done.stderr


def test_bernoulli_probability_within_three_standard_errors(tmp_path):
    """failure p = 0.3 at the only build option: the requirement holds with probability 0.7 by hand;
    over 2,000 draws the standard error is sqrt(0.21 / 2000) = 0.0102."""
    job = job_of(world(tmp_path, "failure.separation,bernoulli,0.3,,,\n"), seed=11)
    rows, _ = run_tasks(job, list(range(2000)), workers=2)
    tables = summarise(rows, job.base())
    p = tables["probability_by_year"].set_index("year").loc[2025, "probability"]
    assert abs(p - 0.7) < 3 * math.sqrt(0.21 / 2000)
    earliest = tables["earliest_year"].set_index("earliest_year")
    assert earliest.loc["2025", "draws"] + earliest.loc["never", "draws"] == 2000


CORRELATED = (
    "target,distribution,p1,p2,p3,shared,factor,correlation,condition\n"
    "capex_overrun.separation,uniform,1,2,,,market,0.6,\n"
    "failure.separation,bernoulli,0.5,,,,market,0.6,\n"
    'embargo.allied,discrete,"2025:0.5, 2100:0.5",,,,,,TRUE\n'
)


def test_same_seed_same_draws_in_process_in_workers_and_on_dask(tmp_path):
    """v3 rows (a factor shared by an overrun and a failure row, an embargo condition): the draws and
    every summary table are the same in one process, in two workers and on a dask cluster."""
    from dask.distributed import LocalCluster
    from rechain.run.risk import summarise

    folder = world(tmp_path, "")
    (folder / "uncertainty.csv").write_text(CORRELATED)
    job = job_of(folder, seed=5)
    one, _ = run_tasks(job, list(range(6)), workers=1)
    two, _ = run_tasks(job, list(range(6)), workers=2)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=":0"
    ) as cluster:
        dask, complete = run_tasks(job, list(range(6)), workers=2, scheduler=cluster.scheduler_address)
    assert complete and "condition.embargo.allied" in pd.DataFrame(one)
    pd.testing.assert_frame_equal(pd.DataFrame(one), pd.DataFrame(two))
    pd.testing.assert_frame_equal(pd.DataFrame(one), pd.DataFrame(dask))
    tables = [summarise(rows, job.base()) for rows in (one, two, dask)]
    for name in ("thresholds", "clean_share_fan", "summary"):
        pd.testing.assert_frame_equal(tables[0][name], tables[1][name])
        pd.testing.assert_frame_equal(tables[0][name], tables[2][name])
    other, _ = run_tasks(job_of(folder, seed=6), list(range(6)), workers=1)
    assert (
        pd.DataFrame(other)["capex_overrun.Plant.separation"].tolist()
        != pd.DataFrame(one)["capex_overrun.Plant.separation"].tolist()
    )


def test_draw_i_depends_only_on_seed_and_i(tmp_path):
    job = job_of(world(tmp_path, "capex_overrun.separation,lognormal,1.3,0.2,,\n"), seed=9)
    base = job.base()
    assert sample(list(job.rows), base, 9, 4).values == sample(list(job.rows), base, 9, 4).values
    assert sample(list(job.rows), base, 9, 4).values != sample(list(job.rows), base, 9, 5).values


BAD = {
    "nonsense.separation,uniform,1,2,,\n": ("uncertainty!A2", "lead_time_delay|capex_overrun|failure"),
    "demand_factor,discrete,1:0.5,,,\n": ("uncertainty!C2", "probabilities that sum to 1"),
    "demand_factor,uniform,2,1,,\n": ("uncertainty!D2", "high >= low"),
    "demand_factor,lognormal,0,0.1,,\n": ("uncertainty!C2", "a median > 0"),
    "failure.Nowhere.separation,bernoulli,0.5,,,\n": ("uncertainty!A2", "with a known node and stage"),
    "failure.Mine.separation,bernoulli,0.5,,,\n": ("uncertainty!A2", "a node with a separation facility"),
    "failure.smelting,bernoulli,0.5,,,\n": ("uncertainty!A2", "with a known node and stage"),
    "demand_factor,gaussian,1,0.1,,\n": ("uncertainty!B2", "discrete | uniform"),
    "capex_factor.mars,uniform,1,2,,\n": ("uncertainty!A2", "a bloc of the nodes sheet"),
}


@pytest.mark.parametrize("row", BAD)
def test_bad_uncertainty_rows_name_the_cell(tmp_path, row):
    place, expected = BAD[row]
    with pytest.raises(InputError) as caught:
        load_risk(world(tmp_path, row), None, ())
    assert [(i.place, expected in i.expected) for i in caught.value.issues] == [(place, True)]


def test_cli_bad_options_exit_2(tmp_path, rechain):
    folder = world(tmp_path, "")
    done = rechain("risk", folder, "--draws", "0")
    assert done.returncode == 2 and "--draws" in done.stderr and "Traceback" not in done.stderr


def test_cli_writes_every_file(tmp_path, rechain):
    folder = world(tmp_path, "failure.separation,bernoulli,0.5,,,\n", last=2026)
    out = tmp_path / "out"
    done = rechain("risk", folder, "--draws", "8", "--seed", "2", "--out", out, "--workers", "1")
    assert done.returncode == 0, done.stderr
    for name in (
        "risk.xlsx",
        "risk.md",
        "risk_draws.csv",
        "risk_summary.csv",
        "risk_probability_by_year.csv",
        "risk_clean_share_fan.png",
        "risk_probability_by_year.png",
        "risk_premium_histogram.png",
        "risk_run.csv",
    ):
        assert (out / name).stat().st_size > 0, name
    run = pd.read_csv(out / "risk_run.csv").set_index("item")["value"]
    assert run["seed"] == "2" and run["draws"] == "8" and len(run["input_sha256"]) == 64


def test_the_template_carries_a_valid_uncertainty_row(tmp_path, rechain):
    book = tmp_path / "t.xlsx"
    assert rechain("template", book).returncode == 0
    done = rechain("risk", book, "--draws", "2", "--json")
    assert done.returncode == 0, done.stderr
    assert '"probability_by_year"' in done.stdout


def test_an_interrupt_keeps_the_finished_draws(tmp_path):
    """Ctrl-C after the second draw: those two are kept and summarised, the run marked incomplete."""
    done = []

    def on_row(rows):
        done.extend(rows)
        if len(done) == 2:
            raise KeyboardInterrupt

    job = job_of(world(tmp_path, "failure.separation,bernoulli,0.5,,,\n"), seed=4)
    tables, complete = run_risk(job, 6, workers=1, on_row=on_row)
    assert not complete
    assert tables["draws"]["draw"].tolist() == [0, 1]
    assert tables["probability_by_year"]["draws"].tolist() == [2]
