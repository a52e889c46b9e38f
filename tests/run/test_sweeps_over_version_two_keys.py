"""Sweeps over the v2 keys: `max_t.<node>.<element>`, `initial_t.<node>.<element>` and
`max_share.<product>.<recipe>` are updated in place where the built model has their rows; every
other v2 key (and a value that adds or removes rows) rebuilds.

Cases (all opex 0 unless said, discount 0, penalties 1e7 USD/t, lifetime 1):
- `stock_case(M, I)`: only Chinese supply of Dy (opex 1 per t separated) to an allied buyer, 10 t a
  year in 2025-2026, α = 1; the mine may extract only 4 t in 2026; the buyer's stockpile has limit M
  and initial stock I (mixed). With I = 0 and M ≤ 6: 2025 delivers 10 + M (put M), 2026 delivers 4
  and takes M, 6 − M t unmet: objective (10 + M) + 4 + (6 − M)·1e7.
- `clean_stock_case(I)`: 2025 only, α = 0, the same Chinese supply; initial stock I t clean (max 8):
  take I, deliver 10 − I (opex 10 − I), shortfall 10 − I: objective (10 − I)·(1 + 1e7).
- `magnet_case(s)`: worked.low_dy_magnet_case with the standard recipe and the low-Dy recipe
  (+50 USD/t, max_share s): all the low-Dy share is used (each t moved to standard adds 0.015 t of
  shortfall); Dy need 10s·0.005 + 10(1 − s)·0.02 = 0.2 − 0.15s, clean Dy 0.05:
  objective 500s + (0.15 − 0.15s)·1e7.
"""

import dataclasses

import pytest
from rechain.models import pool
from rechain.models.dataset import Stockpile
from rechain.models.model import Model, is_mutable
from rechain.models.pool import structure
from rechain.run import sweep

from worked import case, flat

NODES = {"CNMine": "china", "CNSep": "china", "Buyer.EU": "allied"}
BUYER = "Buyer.EU"  # a label with a dot: keys are resolved against the dataset's pairs


def stock_case(max_t=3.0, initial_t=0.0, years=(2025, 2026), **settings):
    from worked import fac

    return case(
        years,
        NODES,
        2,
        [fac("CNMine", 1, existing_tpa=100), fac("CNSep", 2, existing_tpa=100, opex_usd_per_t=1)],
        {"CNMine": {"Dy": 1.0}},
        flat(BUYER, "Dy", 10, years),
        stockpiles={(BUYER, "Dy"): Stockpile(initial_t=initial_t, initial_provenance="mixed", max_t=max_t)},
        availability={("CNMine", 1, 2026): 4.0} if years[1] >= 2026 else {},
        settings=settings,
    )


def clean_stock_case(initial_t):
    ds = stock_case(8.0, initial_t, years=(2025, 2025), max_restricted_share=0.0)
    return dataclasses.replace(ds, stockpiles={(BUYER, "Dy"): Stockpile(initial_t=initial_t, max_t=8.0)})


def magnet_case(share, product="Mag.N", recipe="low.1"):
    from worked import low_dy_magnet_case

    return low_dy_magnet_case(share, product, recipe)


def objective(model):
    solution = model.solve()
    assert solution.optimal, solution.message
    return solution.summary["objective_usd"]


def same(x):
    return pytest.approx(x, rel=1e-9)


# Each: key, the case at the value it is built with, the case at another value, (before, after) by hand.
WARM = {
    "max_t": (f"max_t.{BUYER}.Dy", lambda v: stock_case(max_t=v), (3.0, 5.0), (13 + 4 + 3e7, 15 + 4 + 1e7)),
    "initial_t": (f"initial_t.{BUYER}.Dy", clean_stock_case, (6.0, 2.0), (4 * (1 + 1e7), 8 * (1 + 1e7))),
    "initial_t from 0": (f"initial_t.{BUYER}.Dy", clean_stock_case, (0.0, 6.0), (10 * (1 + 1e7), 4 * (1 + 1e7))),
    "max_share": ("max_share.Mag.N.low.1", magnet_case, (0.5, 0.8), (250 + 0.075e7, 400 + 0.03e7)),
    "max_share to 1": ("max_share.Mag.N.low.1", magnet_case, (0.5, 1.0), (250 + 0.075e7, 500)),
}


@pytest.mark.parametrize("name", list(WARM))
def test_warm_update_equals_rebuild_and_the_hand_figure(name):
    key, make, (before, after), (cost_before, cost_after) = WARM[name]
    model = Model(make(before))
    assert is_mutable(key, after, model.dataset)
    assert objective(model) == pytest.approx(cost_before, rel=1e-9)
    model.update(key, after)
    warm = objective(model)
    assert warm == pytest.approx(cost_after, rel=1e-9)
    assert warm == same(objective(Model(make(after))))


def test_stock_limit_swept_back_and_forth():
    """M = 3 → 5 → 1 → 6 in place: (10 + M) + 4 + (6 − M)·1e7 each; at M = 6 nothing is unmet: 20."""
    model = Model(stock_case(max_t=3.0))
    for m in (5.0, 1.0, 6.0):
        model.update(f"max_t.{BUYER}.Dy", m)
        assert objective(model) == pytest.approx(14 + m + (6 - m) * 1e7, rel=1e-9)


@pytest.mark.parametrize(
    "key, value, ds",
    [
        (f"max_t.{BUYER}.Dy", 5.0, stock_case(max_t=None)),  # no limit row was built
        (f"max_t.{BUYER}.Dy", None, stock_case(max_t=3.0)),  # blank removes the row
        ("max_t.Buyer.EU.Nd", 5.0, stock_case()),  # no such stockpile
        ("max_share.Mag.N.low.1", 0.5, magnet_case(1.0)),  # share 1: no share rows were built
        ("max_share.Mag.N.low.1", 0.0, magnet_case(0.5)),  # share 0: the recipe's x variables go
        ("max_share.Mag.N.low.1", 0.5, magnet_case(0.0)),  # ... or come
        ("max_share.Mag.N.std", 0.5, magnet_case(0.5)),  # no such recipe
        ("ramp_up", 0.5, stock_case()),
        ("embargo.allied", 2026, stock_case()),
        ("must_run_until_year", 2026, stock_case()),
        ("cost_advantage_blocs", 1, stock_case()),
    ],
)
def test_keys_that_change_rows_rebuild(key, value, ds):
    assert not is_mutable(key, value, ds)
    with pytest.raises(ValueError, match="structure"):
        Model(ds).update(key, value)


def test_stock_and_recipe_keys_need_the_dataset():
    assert not is_mutable(f"max_t.{BUYER}.Dy", 5.0) and not is_mutable("max_share.Mag.N.low.1", 0.5)
    assert is_mutable(f"initial_t.{BUYER}.Dy", 5.0, stock_case()) and is_mutable("demand_factor", 2.0)


def test_structural_decides_per_key_with_the_dataset():
    """A number for max_t where the point's case has a limit is updated in place; a blank is part of
    the structure, and so are the v2 keys that always rebuild (models.pool.structure: the structure
    the pool of a sweep compares)."""
    ds = stock_case(max_t=5.0)
    settings = dataclasses.replace(ds.settings, ramp_up=(0.4, 0.7), cost_advantage_blocs=frozenset({"china"}))
    assert structure(stock_case(max_t=3.0)) == structure(dataclasses.replace(ds, demand_factor=2.0))
    assert structure(dataclasses.replace(ds, settings=settings)) != structure(ds)
    assert structure(stock_case(max_t=None)) != structure(ds)


def test_sweep_rebuilds_only_when_the_rows_change(monkeypatch):
    """Points max_t = 3, 5, blank, 4 (make_dataset replaced by the hand-made case): 3 builds the model,
    5 is warm, blank (no limit: 16 t in 2025, 4 + 6 in 2026, nothing unmet: 20) rebuilds, and 4 rebuilds
    again. Objectives by hand: 17 + 3e7, 19 + 1e7, 20, 18 + 2e7."""
    key = f"max_t.{BUYER}.Dy"
    monkeypatch.setattr(
        sweep,
        "make_dataset",
        lambda wb, scenario, overrides: stock_case(max_t=float(dict(overrides)[key]) if dict(overrides)[key] else None),
    )
    built = []
    original = pool.Model

    def counting(ds, *args):
        built.append(ds)
        return original(ds, *args)

    monkeypatch.setattr(pool, "Model", counting)
    points = [{key: v} for v in ("3", "5", "", "4")]
    rows = [r.row for r in sweep.solve_points(None, None, (), points)]
    assert [r["objective_usd"] for r in rows] == pytest.approx([17 + 3e7, 19 + 1e7, 20, 18 + 2e7], rel=1e-9)
    assert len(built) == 3
