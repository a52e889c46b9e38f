"""Recycling supply in the reference (issue 21 item 5) without a new LP family: named allied plants as
stage-1 nodes whose feed has the composition of NdFeB scrap, each with a separator of its own.
"""

from __future__ import annotations

from pytest import approx
from rechain.workbook.cases import make_dataset

from worked import read_reference

PLANTS = ("uk_tyseley_recycling", "canada_cyclic_recycling", "france_caremag_recycling", "us_hypromag_recycling")


def test_reference_recycling_plants():
    """Composition from Argus (China's REO from NdFeB scrap, 2024): NdPr 26,504 / 34,147 = 0.776174,
    Dy 710 / 34,147 = 0.020793, Tb 160 / 34,147 = 0.004686, the rest Other. Capacity in t REO = t magnets x
    0.31 RE x 336.48 / 288.48 (oxide per metal) = t magnets x 0.3616: Tyseley and Cyclic 100 t -> 36.2,
    Caremag 2,000 t -> 723.2 (existing from 2027: no feed and no separation in 2025-2026), HyProMag USA
    750 t -> 271.2 as a build option (US$125m / 271.2 = US$460,900 per t/yr on its separation, lead 2 years
    to 2027); the central case (reference v3) adds the record: 460,900 x 1.26 = 580,734 -> 580,700, lead
    2 + 1. Every plant is allied and its output clean under the base definition."""
    ds = make_dataset(read_reference())
    for node in PLANTS:
        assert ds.nodes[node] == "allied" and node not in ds.restricted
        shares = ds.composition[node]
        assert (shares["NdPr"], shares["Dy"], shares["Tb"]) == approx((0.776174, 0.020793, 0.004686), abs=1e-6)
        assert sum(shares.values()) == approx(1, abs=1e-9)
    existing = {n: ds.facilities[(n, 1)].existing_tpa for n in PLANTS}
    assert existing == approx({PLANTS[0]: 36.2, PLANTS[1]: 36.2, PLANTS[2]: 723.2, PLANTS[3]: 0})
    assert {(k, y): t for (n, k, y), t in ds.availability.items() if n == PLANTS[2]} == {
        (1, 2025): 0,
        (1, 2026): 0,
        (2, 2025): 0,
        (2, 2026): 0,
    }
    option = ds.facilities[(PLANTS[3], 2)]
    assert (option.max_tpa, option.capex_usd_per_tpa, option.lead_time_years) == (271.2, 580_700, 3)
    assert ds.facilities[(PLANTS[3], 1)].max_tpa == 271.2
