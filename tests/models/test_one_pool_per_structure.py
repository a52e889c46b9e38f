"""One pool of built models per structure (rechain.models.pool) on the `frontier` example: 10 t of demand,
CNSep (China) at opex 1 USD/t times φ, USSep (allied) at 100 USD per t/yr of capex + 5 USD/t, so
cost(α, φ) = 10 φ α + 1050 (1 − α) (run/test_cost_frontiers_by_hand.py)."""

import dataclasses

import pytest
from pytest import approx
from rechain.models.model import PARAMETERS, Model, value_of
from rechain.models.pool import Pool, structure, values
from rechain.workbook.cases import make_dataset
from rechain.workbook.validate import load_workbook


@pytest.fixture
def wb(examples):
    return load_workbook(examples / "frontier")


def cost(model) -> float:
    solution = model.solve()
    assert solution.optimal, solution.message
    return solution.summary["system_cost_usd"]


def test_datasets_that_differ_in_parameters_share_one_model(wb):
    """Base 10, china_free (α = 0) 1,050, cheap_china (φ = 0.5) 5: one build, updated in place."""
    pool = Pool()
    base = pool.model(make_dataset(wb))
    assert cost(base) == approx(10, rel=1e-9)
    assert pool.model(make_dataset(wb, "china_free")) is base and cost(base) == approx(1050, rel=1e-9)
    assert pool.model(make_dataset(wb, "cheap_china")) is base and cost(base) == approx(5, rel=1e-9)
    assert pool.builds == 1


def test_another_structure_builds_and_the_first_is_kept(wb):
    """A budget where the base has none adds its row: a second model; the base's model is still there."""
    pool = Pool()
    base = pool.model(make_dataset(wb))
    budget = pool.model(make_dataset(wb, None, (("max_restricted_share", "0"), ("budget_usd", "2000"))))
    assert budget is not base and cost(budget) == approx(1050, rel=1e-9)
    assert pool.model(make_dataset(wb)) is base and pool.builds == 2


def test_keep_bounds_the_models_held(wb):
    """With keep = 1 the base's model goes when another structure comes, and comes back as a new build."""
    pool = Pool(keep=1)
    base = pool.model(make_dataset(wb))
    pool.model(make_dataset(wb, None, (("budget_usd", "2000"),)))
    assert pool.model(make_dataset(wb)) is not base and pool.builds == 3


def test_a_group_named_by_the_caller_keeps_its_own_model(wb):
    """One structure in two groups (`within`): two builds, each re-used only within its group."""
    pool = Pool()
    first = pool.model(make_dataset(wb), within="a")
    other = pool.model(make_dataset(wb, "china_free"), within="b")
    assert other is not first and cost(other) == approx(1050, rel=1e-9)
    assert pool.model(make_dataset(wb, "cheap_china"), within="a") is first and cost(first) == approx(5, rel=1e-9)
    assert pool.builds == 2


def test_a_key_without_a_parameter_row_rebuilds_instead_of_raising(wb):
    """ramp_up and must_run_until_year are no PARAMETERS: the pool builds another model (Model.update
    would raise) and its answer is the cold one."""
    pool = Pool()
    base = pool.model(make_dataset(wb))
    for key, value in (("ramp_up", "0.5"), ("must_run_until_year", "2025")):
        assert key.split(".")[0] not in PARAMETERS
        ds = make_dataset(wb, None, ((key, value),))
        model = pool.model(ds)
        assert model is not base
        assert cost(model) == approx(cost(Model(ds)), rel=1e-9)


def test_no_state_leaks_between_datasets_given_in_turn(wb):
    """φ = 0.5 then α = 0.5 with φ back at 1: 5, then 5 + 525 = 530 (527.5 had φ stayed 0.5), each as cold."""
    pool = Pool()
    cases = [(("restricted_cost_factor", "0.5"),), (("max_restricted_share", "0.5"),), (), (("demand_factor", "2"),)]
    for overrides in cases:
        ds = make_dataset(wb, None, overrides)
        assert pool.model(ds).solve().summary["objective_usd"] == approx(
            Model(ds).solve().summary["objective_usd"], rel=1e-9
        )
    assert pool.builds == 1
    assert cost(pool.model(make_dataset(wb, None, cases[1]))) == approx(530, rel=1e-9)


def test_the_table_reads_and_writes_every_key(wb):
    """Each key of a dataset reads back what its parameter wrote, and a structure keeps no value that
    only a parameter decides."""
    ds = make_dataset(wb, "cheap_china", (("budget_usd", "2000"),))
    found = values(ds)
    assert found["restricted_cost_factor"] == 0.5 and found["budget_usd"] == 2000.0
    assert {key.split(".")[0] for key in found} <= set(PARAMETERS)
    for key, value in found.items():
        assert value_of(ds, key) == value
        head, _, rest = key.partition(".")
        assert value_of(PARAMETERS[head].write(ds, rest, 0.25), key) == 0.25
    moved = dataclasses.replace(ds, demand_factor=3.0, setting_places={})
    assert structure(moved) == structure(ds) != structure(make_dataset(wb))
    with pytest.raises(KeyError):
        value_of(ds, "ramp_up")
