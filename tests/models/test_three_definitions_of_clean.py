"""Three definitions of clean (issue 21, item 3; docs/model.md "Readings decided"): by location, allied
processing only / allied ore and processing (`allied_only_stages`), and by ownership (`clean_by`, the
nodes' `owner`). In each tiny world one plan is clean under one definition and not under another.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from pytest import approx
from rechain.models.model import Model
from rechain.workbook.cases import make_dataset
from rechain.workbook.validate import load_workbook

from worked import Stage, case, fac, issues_of, read_reference, solve

EXAMPLES = Path(__file__).resolve().parents[2] / "inputs" / "examples"
A1 = {"A": 1.0}
DEMAND = {("Buyer", "A", 2025): 10.0}
THREE = (Stage("mining", 1), Stage("separation", 2), Stage("metal", 3))


def processing_world(alpha: float, **settings):
    """Three stages, 2025 only, 10 t of A for an allied buyer, every yield 1, no salvage (lifetime 1):
    Mine (non_allied, 100 tpa, opex 0) or AMine (allied, none yet, capex 50 per t/yr);
    Sep (non_allied, opex 1) or ASep (allied, opex 3); Metal (non_allied, opex 1) or AMetal (allied, opex 2)."""
    nodes = {
        "Mine": "non_allied",
        "AMine": "allied",
        "Sep": "non_allied",
        "ASep": "allied",
        "Metal": "non_allied",
        "AMetal": "allied",
        "Buyer": "allied",
    }
    facilities = [
        fac("Mine", 1, existing_tpa=100),
        fac("AMine", 1, capex_usd_per_tpa=50),
        fac("Sep", 2, existing_tpa=100, opex_usd_per_t=1),
        fac("ASep", 2, existing_tpa=100, opex_usd_per_t=3),
        fac("Metal", 3, existing_tpa=100, opex_usd_per_t=1),
        fac("AMetal", 3, existing_tpa=100, opex_usd_per_t=2),
    ]
    return case(
        (2025, 2025),
        nodes,
        THREE,
        facilities,
        {"Mine": A1, "AMine": A1},
        DEMAND,
        settings={"max_restricted_share": alpha, **settings},
    )


# The cheapest plan, Mine -> Sep -> Metal, costs 10 x 1 + 10 x 1 = 20 (unconstrained, alpha = 1).
@pytest.mark.parametrize(
    "stages, cost, share",
    [
        ((), 20, 1.0),  # (a) by location: no node is restricted, the cheapest plan is clean
        (("metal",), 30, 0.0),  # Mine -> Sep -> AMetal: 10 + 10 x 2 = 30
        (("separation", "metal"), 50, 0.0),  # (b) Mine -> ASep -> AMetal: 10 x 3 + 10 x 2 = 50
        (("mining", "separation", "metal"), 550, 0.0),  # (c) AMine builds 10 t/yr: 500, + 50
    ],
)
def test_allied_only_stages(stages, cost, share):
    """With allied_only_stages, a stage's output is clean only at allied nodes. Clean share of the
    cheapest plan (alpha = 1): 1 when every stage of its nodes counts, else 0 (its metal or separation
    is non-allied). China-free (alpha = 0) cost, and the premium over the unconstrained 20: (a) 0;
    metal only 10; (b) 30, the ore of the non-allied mine still clean; (c) 530, the ore must be allied too."""
    free = solve(processing_world(1.0, allied_only_stages=stages))
    assert free.summary["system_cost_usd"] == approx(20)
    assert free.summary["clean_share"]["A"]["2025"] == approx(share)
    clean = solve(processing_world(0.0, allied_only_stages=stages))
    assert clean.summary["system_cost_usd"] == approx(cost)
    assert clean.summary["shortfall_t"] == approx(0, abs=1e-9)
    assert clean.summary["system_cost_usd"] - free.summary["system_cost_usd"] == approx(cost - 20)


def test_allied_ore_and_processing_is_every_bloc_but_allied_restricted():
    """(c) by allied_only_stages over every stage is the v2 reading restricted_blocs = non_allied (the
    reference's old clean_allied_only): the same 550 and the same R at every stage."""
    by_stages = processing_world(0.0, allied_only_stages=("mining", "separation", "metal"))
    by_blocs = processing_world(0.0, restricted_blocs=("non_allied",))
    assert [by_stages.restricted_at(k) for k in (1, 2, 3)] == [by_blocs.restricted_at(k) for k in (1, 2, 3)]
    assert solve(by_blocs).summary["system_cost_usd"] == approx(550)


def test_explicit_flag_wins_over_allied_only():
    """Sep marked restricted = FALSE stays clean at an allied-only separation stage: Mine -> Sep -> AMetal,
    10 x 1 + 10 x 2 = 30 instead of 50."""
    ds = processing_world(0.0, allied_only_stages=("separation", "metal"))
    ds = dataclasses.replace(ds, node_restricted={"Sep": False})
    assert "Sep" not in ds.restricted_at(2) and "Metal" in ds.restricted_at(3)
    assert solve(ds).summary["system_cost_usd"] == approx(30)


def ownership_world(alpha: float, owner=None, **settings):
    """Two stages, 2025 only, 10 t of A for an allied buyer: Ng (in non_allied, owned by china, 100 tpa,
    opex 0) or Cv (in china, owned by allied, 100 tpa, opex 5); one allied separator (opex 1)."""
    nodes = {"Ng": "non_allied", "Cv": "china", "Sep": "allied", "Buyer": "allied"}
    facilities = [
        fac("Ng", 1, existing_tpa=100),
        fac("Cv", 1, existing_tpa=100, opex_usd_per_t=5),
        fac("Sep", 2, existing_tpa=100, opex_usd_per_t=1),
    ]
    owners = {"Ng": "china", "Cv": "allied"} if owner is None else owner
    return case(
        (2025, 2025),
        nodes,
        2,
        facilities,
        {"Ng": A1, "Cv": A1},
        DEMAND,
        node_owner=owners,
        settings={"max_restricted_share": alpha, **settings},
    )


@pytest.mark.parametrize("clean_by, cost, share", [("location", 10, 1.0), ("ownership", 60, 0.0)])
def test_clean_by_ownership(clean_by, cost, share):
    """The cheapest plan Ng -> Sep costs 10 x 1 = 10. By location Ng (non_allied) is clean: share 1,
    China-free for 10, no premium. By ownership Ng (owned by china) is restricted and Cv (owned by
    allied) clean: the cheapest plan has share 0; China-free is Cv -> Sep, 10 x 5 + 10 = 60, premium 50."""
    free = solve(ownership_world(1.0, clean_by=clean_by))
    assert free.summary["system_cost_usd"] == approx(10)
    assert free.summary["clean_share"]["A"]["2025"] == approx(share)
    clean = solve(ownership_world(0.0, clean_by=clean_by))
    assert clean.summary["system_cost_usd"] == approx(cost)
    assert clean.summary["shortfall_t"] == approx(0, abs=1e-9)


def test_blank_owner_is_the_node_bloc():
    """By ownership with no owner given, Ng is judged by its own bloc (non_allied: clean) and Cv by
    china (restricted): China-free is Ng -> Sep for 10, as by location."""
    ds = ownership_world(0.0, owner={}, clean_by="ownership")
    assert ds.restricted == {"Cv"}
    assert solve(ds).summary["system_cost_usd"] == approx(10)


def frontier(tmp_path: Path, nodes: str, settings: str = "") -> Path:
    """The frontier example (Mine [allied] -> CNSep [china, opex 1] or USSep [allied, capex 100, opex 5]
    -> Buyer, 10 t of A in 2025) with its nodes sheet replaced and settings rows added."""
    folder = tmp_path / "frontier"
    shutil.copytree(EXAMPLES / "frontier", folder)
    (folder / "nodes.csv").write_text(nodes)
    path = folder / "settings.csv"
    path.write_text(path.read_text() + settings)
    return folder


OWNED = "node,bloc,owner\nMine,allied,\nCNSep,china,allied\nUSSep,allied,\nBuyer,allied,\n"


@pytest.mark.parametrize("clean_by, cost", [("location", 1050), ("ownership", 10)])
def test_owner_column_from_the_workbook(tmp_path, clean_by, cost):
    """CNSep is in china but owned by allied. Scenario china_free (alpha = 0): by location USSep is
    built, 10 t/yr x 100 + 10 x 5 = 1,050; by ownership CNSep is clean, 10 x 1 = 10."""
    wb = load_workbook(frontier(tmp_path, OWNED))
    assert wb.node_owner == {"CNSep": "allied"}
    ds = make_dataset(wb, "china_free", (("clean_by", clean_by),))
    assert Model(ds).solve().summary["objective_usd"] == approx(cost)


def test_clean_setting_errors_at_their_cells(tmp_path):
    """An owner that is no bloc is an error of the workbook at its cell; a clean_by that is neither
    reading and a stage id that is not one are errors of the case (settings, scenario or --set), at their
    cells, reported together."""
    nodes = "node,bloc,owner\nMine,allied,\nCNSep,china,chna\nUSSep,allied,\nBuyer,allied,\n"
    book = frontier(tmp_path, nodes, 'clean_by,owners\nallied_only_stages,"separation, smelting"\n')
    places = {i.place: i for i in issues_of(book)}
    assert set(places) == {"nodes!C3"}
    fixed = frontier(tmp_path / "b", OWNED, 'clean_by,owners\nallied_only_stages,"separation, smelting"\n')
    issues = issues_of(fixed)
    assert [(i.place, i.found) for i in issues] == [("settings!B6", "'owners'"), ("settings!B7", "'smelting'")]


def test_clean_by_is_read_in_any_case(tmp_path):
    """`Ownership` is the reading ownership (a keyword, not a label)."""
    ds = make_dataset(load_workbook(frontier(tmp_path, OWNED, "clean_by,Ownership\n")))
    assert ds.settings.clean_by == "ownership" and ds.restricted == frozenset()


def test_reference_scenarios_per_definition():
    """The reference's four definitions, against its base (china and china_offtake restricted by location):
    clean_by_location changes nothing; clean_allied_processing restricts every non-allied node at
    separation, metal and magnet but not at mining; clean_allied_ore_and_processing at every stage;
    clean_by_ownership restricts Ngualla's node (tanzania, owner china) only, Serra Verde (owner allied)
    being clean by location already."""

    wb = read_reference()
    base = make_dataset(wb)
    non_allied = {n for n, b in wb.nodes.items() if b == "non_allied"}
    added = {
        name: [make_dataset(wb, name).restricted_at(k) - base.restricted_at(k) for k in (1, 2, 3, 4)]
        for name in (
            "clean_by_location",
            "clean_allied_processing",
            "clean_allied_ore_and_processing",
            "clean_by_ownership",
        )
    }
    assert added["clean_by_location"] == [set()] * 4
    assert added["clean_allied_processing"] == [set(), non_allied, non_allied, non_allied]
    assert added["clean_allied_ore_and_processing"] == [non_allied] * 4
    assert added["clean_by_ownership"] == [{"tanzania"}] * 4
    assert wb.node_owner == {"tanzania": "china", "brazil_serra_verde": "allied", "malaysia": "allied"}


def test_report_lists_each_definition_once(tmp_path):
    """The report's definitions of clean (run.findings.definitions) read clean_by and allied_only_stages
    rows of scenarios as well as restricted_blocs, and merge those restricting the same nodes at every
    stage. In the frontier world with CNSep owned by allied: `loc` (clean_by = location) is the settings'
    reading; `own` (by ownership: nobody restricted) is new; `processing` (separation allied only:
    CNSep restricted at separation, as by location, Mine allied) is the settings' reading again;
    allied-only (every bloc but allied restricted) is the report's own."""
    from rechain.run.findings import definitions, subject_of

    folder = frontier(tmp_path, OWNED)
    (folder / "scenarios.csv").write_text(
        "scenario,key,value\nloc,clean_by,location\nown,clean_by,ownership\nprocessing,allied_only_stages,separation\n"
    )
    wb = load_workbook(folder)
    found = definitions(wb, subject_of(wb))
    assert [(rule, source) for _, rule, source in found] == [
        ({}, "settings; report; scenario loc; scenario processing"),
        ({"clean_by": "ownership"}, "scenario own"),
    ]
    assert found[1][0] == "clean = restricted by ownership"
