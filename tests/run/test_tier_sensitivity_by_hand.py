"""The tier sensitivity worked by hand: two tiered failure rows whose effect follows from the sampling rule.

The world: Mine (allied, 100 tpa) feeds PlantF and PlantS (allied separation, each buildable to 10 tpa
at 1000 USD/tpa) or CN (china, 100 tpa, opex 500 USD/t); Buyer (allied) needs 20 t in 2025, clean from
2025, budget 10^9 (never binds). Demand is fully clean exactly when neither plant fails. PlantF's row is
`tier=funded;` with p = 0.8, PlantS's `tier=studied;` with p = 0.4. A row fails in draw i when its
uniform U_i > 1 − p (risk.md v3: bernoulli is the inverse CDF at U), so with each row's own U_i:
- the sheet as it is: clean in draw i iff U_F ≤ 0.2 and U_S ≤ 0.6;
- funded × 0.5 (p 0.4): U_F ≤ 0.6 and U_S ≤ 0.6; funded × 1.5 (p = min(1, 1.2) = 1): never;
- studied × 0.5 (p 0.2): U_F ≤ 0.2 and U_S ≤ 0.8; studied × 1.5 (p 0.6): U_F ≤ 0.2 and U_S ≤ 0.4.
"""

import pytest
from rechain.models.highs import DEFAULT_OPTIONS
from rechain.report.evidence import tier_section
from rechain.run.findings import subject_of
from rechain.run.outlook import Drawn
from rechain.run.risk import RiskJob
from rechain.run.tiers import Evidence, sheet_rows, tier_table
from rechain.workbook.validate import load_workbook

FILES = {
    "settings": "key,value\nfirst_year,2025\nlast_year,2025\nmax_restricted_share,0\n",
    "nodes": "node,bloc\nMine,allied\nPlantF,allied\nPlantS,allied\nCN,china\nBuyer,allied\n",
    "stages": "stage,order,yield\nmining,1,\nseparation,2,1\n",
    "facilities": (
        "node,stage,existing_tpa,max_tpa,capex_usd_per_tpa,opex_usd_per_t,lead_time_years,lifetime_years\n"
        "Mine,mining,100,,,0,0,1\nPlantF,separation,0,10,1000,0,0,1\nPlantS,separation,0,10,1000,0,0,1\n"
        "CN,separation,100,,,500,0,1\n"
    ),
    "composition": "node,element,share\nMine,A,1\n",
    "demand": "node,element,year,demand_t\nBuyer,A,2025,20\n",
}
TIERED = (
    "target,distribution,p1,p2,p3,note\n"
    "failure.PlantF.separation,bernoulli,0.8,,,tier=funded; a funded plant\n"
    "failure.PlantS.separation,bernoulli,0.4,,,tier=studied; a studied plant\n"
    "capex_overrun.separation,triangular,1,1.1,1.2,no tier\n"
)
DRAWS, SEED = 12, 0


def world(tmp_path, uncertainty: str = TIERED):
    folder = tmp_path / "world"
    folder.mkdir(exist_ok=True)
    for name, text in {**FILES, "uncertainty": uncertainty}.items():
        (folder / f"{name}.csv").write_text(text)
    return folder


def table_of(folder):
    how = Evidence(DEFAULT_OPTIONS, 1, DRAWS, SEED)
    case = (("max_restricted_share", "0"), ("independence_year", "2025"), ("budget_usd", repr(1e9)))
    job = RiskJob(load_workbook(folder), None, case, (), SEED, options=DEFAULT_OPTIONS)
    return tier_table(folder, Drawn(1e9, job, {}), (2025,), how)


def test_tiers_scale_their_failures_by_hand(tmp_path):
    folder = world(tmp_path)
    rows, tiers = sheet_rows(folder, load_workbook(folder))
    assert sorted(tiers.values()) == ["funded", "studied"]
    u_f, u_s = ([float(r.uniforms(SEED, i, 1, {})[0]) for i in range(DRAWS)] for r in rows[:2])

    def share(f: float, s: float) -> float:
        return sum(a <= f and b <= s for a, b in zip(u_f, u_s, strict=True)) / DRAWS

    table = table_of(folder)
    expected = [share(0.2, 0.6), share(0.6, 0.6), 0.0, share(0.2, 0.8), share(0.2, 0.4)]
    assert list(table["probability_full"]) == pytest.approx(expected, abs=1e-12)
    assert list(zip(table["tier"], table["end"], strict=True)) == [
        ("base", "base"), ("funded", "low"), ("funded", "high"), ("studied", "low"), ("studied", "high"),
    ]  # fmt: skip
    assert list(table["p_values"]) == ["", "0.4", "1", "0.2", "0.6"]
    assert list(table["rows"]) == [0, 1, 1, 1, 1] and set(table["draws"]) == {DRAWS}
    assert list(table["change_points"]) == [round((p - expected[0]) * 100, 1) for p in expected]
    assert 0 < expected[0] < expected[3] < expected[1]  # this seed: each tier moves it


def test_no_tiered_rows_says_so(tmp_path):
    folder = world(tmp_path, TIERED.replace("tier=", "stage "))
    table = table_of(folder)
    subject = subject_of(load_workbook(folder))
    assert table.empty
    assert "Nothing was drawn: no tiered rows" in "\n".join(tier_section(subject, table, table, DRAWS))


def test_the_tier_sentence_quotes_the_table(tmp_path):
    """Seed 0: 1, 7, 0, 2 and 1 of the 12 draws fully clean (the first test's rule): 8.3%, 58.3%, 0.0%,
    16.7%, 8.3%."""
    folder = world(tmp_path)
    table = table_of(folder)
    lines = tier_section(subject_of(load_workbook(folder)), table, table, DRAWS)
    assert (
        "- By tier: the sheet as it is: 2025: 8.3%; tier=funded at p 0.4 (low): 2025: 58.3%; tier=funded at p 1 "
        "(high): 2025: 0.0%; tier=studied at p 0.2 (low): 2025: 16.7%; tier=studied at p 0.6 (high): 2025: 8.3%."
    ) in lines
