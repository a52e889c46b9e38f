"""A drawn `embargo.<bloc>` as bounds on a Variant.DRAWS model (Model.set_embargo): the same LP as the
case built with that embargo (its arcs omitted), re-solved warm, and one build per worker in `replan`."""

import shutil

import pytest
from rechain.models.highs import CaseSolver
from rechain.models.model import Model
from rechain.models.variants import Variant
from rechain.run.parallel import run_tasks
from rechain.run.risk import RiskJob, load_risk, sample

from risk_world import world as risk_world
from worked import case, fac, flat

YEARS = (2025, 2027)
A1 = {"A": 1.0}


def one_stage(embargo=None):
    """One stage, α = 1: Chinese mine opex 1, allied mine opex 3; an allied buyer wants 10 t a year."""
    return case(
        YEARS,
        {"CN": "china", "US": "allied", "Buyer": "allied"},
        1,
        [fac("CN", 1, existing_tpa=100, opex_usd_per_t=1), fac("US", 1, existing_tpa=100, opex_usd_per_t=3)],
        {"CN": A1, "US": A1},
        flat("Buyer", "A", 10, YEARS),
        settings={"max_restricted_share": 1.0, "embargo": embargo or {}},
    )


def third_country(embargo=None):
    """Two stages, α = 1: Chinese ore (opex 0) and allied ore (opex 2), both separated in a partner
    country (opex 1) whose output of Chinese ore is mixed; an allied buyer wants 10 t a year."""
    nodes = {"CN": "china", "US": "allied", "PSep": "partner", "Buyer": "allied"}
    return case(
        YEARS,
        nodes,
        2,
        [
            fac("CN", 1, existing_tpa=100),
            fac("US", 1, existing_tpa=100, opex_usd_per_t=2),
            fac("PSep", 2, existing_tpa=100, opex_usd_per_t=1),
        ],
        {"CN": A1, "US": A1},
        flat("Buyer", "A", 10, YEARS),
        settings={"max_restricted_share": 1.0, "embargo": embargo or {}},
    )


def objective(model):
    solution = model.solve(tables=False)
    assert solution.optimal, solution.message
    return solution.summary["objective_usd"]


# Both cases: 10 t a year at 1 USD/t (mixed) or 3 USD/t (clean), no discounting. Embargoed years
# cost 30, the others 10: from 2020 (before the horizon) 90; from 2026 10 + 30 + 30 = 70; from 2027
# 10 + 10 + 30 = 50; from 2030 (after it) or none 30.
BY_HAND = {2020: 90, 2026: 70, 2027: 50, 2030: 30, None: 30}


@pytest.mark.parametrize("make", [one_stage, third_country])
def test_set_embargo_by_hand_and_back_and_forth(make):
    model = Model(make(), Variant.DRAWS)
    for year in (2027, None, 2027, 2020, 2030, 2026, 2027):
        model.set_embargo({"allied": year})
        assert objective(model) == pytest.approx(BY_HAND[year], rel=1e-9), year
        if year is not None:
            assert objective(Model(make({"allied": year}))) == pytest.approx(BY_HAND[year], rel=1e-9)
    model.set_embargo({})
    assert objective(model) == pytest.approx(30, rel=1e-9)


def test_set_embargo_of_another_bloc_leaves_the_buyer_alone():
    """An embargo on 'partner' consumers (there are none) keeps the mixed supply: 30."""
    model = Model(one_stage(), Variant.DRAWS)
    model.set_embargo({"partner": 2025})
    assert objective(model) == pytest.approx(30, rel=1e-9)


def test_set_embargo_needs_the_draws_variant_and_no_structural_embargo():
    with pytest.raises(ValueError, match="DRAWS"):
        Model(one_stage()).set_embargo({})
    model = Model(one_stage({"allied": 2026}), Variant.DRAWS)
    with pytest.raises(ValueError, match="allied"):
        model.set_embargo({"allied": 2027})
    model.set_embargo({})  # the structural embargo stays: 70
    assert objective(model) == pytest.approx(70, rel=1e-9)


@pytest.fixture
def builds(monkeypatch):
    found = [0]
    init = CaseSolver.__init__

    def counted(self, *args, **kwargs):
        found[0] += 1
        init(self, *args, **kwargs)

    monkeypatch.setattr(CaseSolver, "__init__", counted)
    return found


def test_replan_draws_of_embargo_years_share_one_build(tmp_path, builds):
    """test_risk's world in 2025 (α = 0: build 10 tpa at 1,000 USD/tpa = 10,000). The free case (α = 1)
    buys from CN at 10 x 500 = 5,000 without an embargo in the year, and builds (10,000) under one:
    embargo from 2024 or 2025: premium 0; from 2026 (after the horizon): premium 5,000. Three embargo
    years, one worker: one build for every draw."""
    folder = risk_world(tmp_path, 'embargo.allied,discrete,"2024:0.3, 2025:0.3, 2026:0.4",,,\n')
    wb, rows, _ = load_risk(folder, None, ())
    job = RiskJob(wb, None, (), rows, 7, "replan")
    found, _ = run_tasks(job, list(range(12)), workers=1)
    years = [int(row["embargo.allied"]) for row in found]
    assert len(set(years)) == 3
    assert builds[0] == 1
    premium = {2024: 0, 2025: 0, 2026: 5_000}
    for row, year in zip(found, years, strict=True):
        assert row["system_cost_usd"] == pytest.approx(10_000, rel=1e-9)
        assert row["premium_usd"] == pytest.approx(premium[year], rel=1e-9, abs=1e-6)


def test_replan_with_drawn_embargo_equals_the_rebuild_on_v2(tmp_path, examples):
    """inputs/examples/v2 (2025-2026) holds `embargo.allied` = 2026 in its settings; with α = 0.5, draws
    of years before, within and after the horizon give the objective, status and premium of the case
    built with the drawn embargo."""
    folder = tmp_path / "v2"
    shutil.copytree(examples / "v2", folder)
    (folder / "uncertainty.csv").write_text(
        'target,distribution,p1,p2,p3,shared\nembargo.allied,discrete,"2024:0.25, 2025:0.25, 2026:0.25, 2027:0.25",,,\n'
    )
    overrides = (("max_restricted_share", "0.5"),)
    wb, rows, base = load_risk(folder, None, overrides)
    job = RiskJob(wb, None, overrides, rows, 3, "replan")
    found, _ = run_tasks(job, list(range(10)), workers=1)
    assert len({row["embargo.allied"] for row in found}) == 4
    for i, row in enumerate(found):
        model = Model(job.dataset(sample(list(rows), base, 3, i)))
        cold = model.solve(tables=False)
        assert row["status"] == cold.status.value
        assert row["objective_usd"] == pytest.approx(cold.summary["objective_usd"], rel=1e-9)
        model.update("max_restricted_share", 1.0)
        free = model.solve(tables=False).summary["system_cost_usd"]
        assert row["premium_usd"] == pytest.approx(cold.summary["system_cost_usd"] - free, rel=1e-9, abs=1e-6)


def test_a_changed_embargo_starts_the_next_solve_cold(monkeypatch):
    """A basis under another embargo is a poor start: the solve after a change starts without one;
    the same embargo again (or another year holding the same arcs) keeps the warm start."""
    cold = []
    monkeypatch.setattr(CaseSolver, "start_cold", lambda self: cold.append(1))
    model = Model(one_stage(), Variant.DRAWS)
    for year, starts in ((2027, 1), (2027, 1), (2030, 2), (None, 2), (2026, 3), (2025, 4), (2020, 4)):
        model.set_embargo({"allied": year})
        assert objective(model) == pytest.approx(BY_HAND.get(year, 90), rel=1e-9)
        assert len(cold) == starts, year
