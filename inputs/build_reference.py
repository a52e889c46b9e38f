"""Build the reference workbook `reference.xlsx` (the world model users start from).

Deterministic: openpyxl, the standard library and rechain's workbook schema, which gives
every sheet's header. Run it with `python inputs/build_reference.py` where rechain is
installed (`pip install -e .`); it writes `reference.xlsx` next to this file.

Every figure comes from the sourced data brief (shared/data/rare_earth_data.md, which
cites the original publications) or is a stated assumption. Facility rows carry their
source in the `source` column; everything else (compositions, demand, settings, scenario
values and every derivation) is explained row by row in the `sources` sheet.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from rechain.workbook import schema

OUT = Path(__file__).with_name("reference.xlsx")

FIRST_YEAR, LAST_YEAR = 2025, 2040
YEARS = range(FIRST_YEAR, LAST_YEAR + 1)

# ---------------------------------------------------------------------------------------
# Conversion factors and reference costs (derivations are repeated in the sources sheet)
# ---------------------------------------------------------------------------------------
AUD_USD = 0.663
CNY_PER_USD = 7.2
EUR_USD = 1.08
CAD_USD = 0.73
VAT_CN = 1.13
MAGNET_RE_CONTENT = 0.31
OXIDE_PER_METAL = 336.48 / 288.48
REO_PER_T_MAGNET = round(MAGNET_RE_CONTENT * OXIDE_PER_METAL, 4)

YIELD_SEPARATION, YIELD_METAL, YIELD_MAGNET = 0.95, 0.95, 0.97
RESTRICTED_COST_FACTOR = 0.5
FOM_SHARE_OF_CAPEX = 0.04

MINE_CAPEX_BROWNFIELD = round(570e6 / (5_000 / 0.25) * AUD_USD, -2)
KALGOORLIE_CRACKING_PER_T_TREO = round(530.1e6 / (9_000 / 0.25), -2)
MINE_CAPEX_GREENFIELD = MINE_CAPEX_BROWNFIELD + KALGOORLIE_CRACKING_PER_T_TREO
NOLANS_OPEX_PER_T_TREO = round(61.60 * AUD_USD * 0.264 * 1000, -1)
MINE_OPEX = round(0.4 * NOLANS_OPEX_PER_T_TREO, -2)
SEP_OPEX = round(0.6 * NOLANS_OPEX_PER_T_TREO, -2)
MINE_SHARE_OF_INTEGRATED_CAPEX = MINE_CAPEX_GREENFIELD / (MINE_CAPEX_GREENFIELD + 50_000)

SEP_CAPEX_GENERIC = 50_000
SEP_CAPEX_ENEABBA = round((1.09e9 + 1.16e9) / 2 / 17_500, -2)
SEP_CAPEX_WHITE_MESA = round(410e6 / (5_000 / 0.21), -2)
SEP_CAPEX_LYNAS_MY = round(120e6 / 5_000, -2)
SEP_CAPEX_SOLIKAMSK = round(71.5e6 / 2_500, -2)
SEP_CAPEX_SOLVAY = round(35_000 * EUR_USD, -2)
NOLANS_CAPEX_PER_T_TREO = 1.39e9 * AUD_USD / 13_343
NOLANS_MINE_CAPEX = round(NOLANS_CAPEX_PER_T_TREO * MINE_SHARE_OF_INTEGRATED_CAPEX, -2)
NOLANS_SEP_CAPEX = round(NOLANS_CAPEX_PER_T_TREO * (1 - MINE_SHARE_OF_INTEGRATED_CAPEX), -2)
NGUALLA_TREO_TPA = round(2_420 / 0.21)
NGUALLA_CAPEX_2017_PER_T_TREO = 356e6 / NGUALLA_TREO_TPA
NGUALLA_CAPEX_PER_T_TREO = NOLANS_CAPEX_PER_T_TREO  # v2: the 2017 BFS is stale; Nolans 2022 is the same scope
NGUALLA_MINE_CAPEX = round(NGUALLA_CAPEX_PER_T_TREO * MINE_SHARE_OF_INTEGRATED_CAPEX, -2)
NGUALLA_SEP_CAPEX = round(NGUALLA_CAPEX_PER_T_TREO * (1 - MINE_SHARE_OF_INTEGRATED_CAPEX), -2)

METAL_CAPEX_GENERIC = round((7_000 + 30_000) / 2 / OXIDE_PER_METAL, -2)
METAL_OPEX = 3_000

MAG_CAPEX_GENERIC = round((40_000 + 180_000) / 2 / REO_PER_T_MAGNET, -2)
MAG_CAPEX_MP_10X = round((125_000 + 179_000) / 2 / REO_PER_T_MAGNET, -2)
MAG_CAPEX_NARVA = round(250e6 / 5_000 * EUR_USD / REO_PER_T_MAGNET, -2)
NDPR_OXIDE_EX_VAT_USD_KG = 418_000 / CNY_PER_USD / 1000 / VAT_CN
MAGNET_40H_EX_VAT_USD_KG = 190 / CNY_PER_USD / VAT_CN
CHINA_MAGNET_CONVERSION_USD_KG = (
    MAGNET_40H_EX_VAT_USD_KG - MAGNET_RE_CONTENT * OXIDE_PER_METAL * NDPR_OXIDE_EX_VAT_USD_KG
)
MAG_OPEX = round(CHINA_MAGNET_CONVERSION_USD_KG / RESTRICTED_COST_FACTOR * 1000 / REO_PER_T_MAGNET, -1)

MINE_FOM = round(FOM_SHARE_OF_CAPEX * MINE_CAPEX_GREENFIELD)
SEP_FOM = round(FOM_SHARE_OF_CAPEX * SEP_CAPEX_GENERIC)
METAL_FOM = round(FOM_SHARE_OF_CAPEX * METAL_CAPEX_GENERIC)
MAG_FOM = round(FOM_SHARE_OF_CAPEX * MAG_CAPEX_GENERIC)

SERRA_VERDE_RUN_RATE, SERRA_VERDE_UPGRADING = 6_400, 100  # t REO/yr: end-2027 run-rate; April 2026 while upgrading
SERRA_VERDE_2027 = round((SERRA_VERDE_UPGRADING + SERRA_VERDE_RUN_RATE) / 2)  # linear ramp through 2027 (assumption)
SERRA_VERDE_PHASE_2 = 2 * SERRA_VERDE_RUN_RATE  # "could double run-of-mine production before 2030"
IONIC_QUOTA_2024 = 2 * 10_140
CHINA_LIGHT_MINING = 270_000 - IONIC_QUOTA_2024
CHINA_SEPARATION = 254_000 + 60_000 + 28_000 + 13_000 + 2_000
CHINA_MAGNET_REO = round(260_000 * REO_PER_T_MAGNET)
CHINA_BUILD_MAG = round(20_000 * REO_PER_T_MAGNET)
JAPAN_ALLOY_REO = round(12_400 * REO_PER_T_MAGNET)
KOREA_METAL_REO = round((5_200 - 1_900 - 72 - 2_200) * OXIDE_PER_METAL + 72 * 372.998 / 324.998)
MAG_BUILD_CAP = round(10_000 * REO_PER_T_MAGNET)
US_MAGNETS_T = 1_000 + 2_000 + 1_000

# ---------------------------------------------------------------------------------------
# settings
# ---------------------------------------------------------------------------------------
MP_NDPR_2024, MP_NDPR_2025, MP_NDPR_NAMEPLATE = 1_294, 2_599, 6_000
RAMP_UP = tuple(round((MP_NDPR_2024 + i * (MP_NDPR_2025 - MP_NDPR_2024)) / MP_NDPR_NAMEPLATE, 2) for i in range(4))
OFFTAKE = "china_offtake"  # mines whose output USGS estimates from China's import data: restricted, not cheap
SETTINGS = [
    ("first_year", FIRST_YEAR),
    ("last_year", LAST_YEAR),
    ("discount_rate", 0.07),
    ("max_restricted_share", 1),
    ("independence_year", 2030),
    ("restricted_blocs", f"china, {OFFTAKE}"),
    ("protected_blocs", "allied"),
    ("cost_advantage_blocs", "china"),
    ("ramp_up", ", ".join(f"{x:g}" for x in RAMP_UP)),
    ("restricted_cost_factor", RESTRICTED_COST_FACTOR),
    ("unmet_penalty_usd_per_t", 1e7),
    ("shortfall_penalty_usd_per_t", 1e7),
    ("default_transport_usd_per_t", 200),
]

# ---------------------------------------------------------------------------------------
# nodes: (node, bloc, country, region, note)
# ---------------------------------------------------------------------------------------
NODES = [
    (
        "china",
        "china",
        "China",
        "East Asia",
        "Restricted bloc. Light-RE mining (Bayan Obo, Sichuan, Shandong), all of China's separation, metal and magnet "
        "capacity, and Chinese magnet demand.",
    ),
    (
        "china_goods_for_allies",
        "china",
        "China",
        "East Asia",
        "Consumer node only: the magnets used in China that go into goods exported to allied countries (size: an "
        "assumption, see demand). In bloc china; scenario scope_embedded_magnets moves it to allied, so that allied "
        "demand includes magnets embedded in imported goods.",
    ),
    (
        "china_ionic",
        "china",
        "China",
        "East Asia",
        "Southern ion-adsorption clay mining (Jiangxi, Guangdong, Fujian...): the medium/heavy-RE quota; a separate node "
        "because its composition differs.",
    ),
    (
        "united_states",
        "allied",
        "United States",
        "North America",
        "Allied per brief. Mountain Pass (MP Materials) mine and separation, Fort Worth metal/magnets, other US magnet "
        "makers, US magnet demand.",
    ),
    (
        "us_white_mesa",
        "allied",
        "United States",
        "North America",
        "Site node: Energy Fuels White Mesa Mill (Utah), monazite separation; kept apart because its expansion is a "
        "named brownfield project with its own cost.",
    ),
    (
        "australia",
        "allied",
        "Australia",
        "Oceania",
        "Allied per brief. Lynas Mt Weld mine + Kalgoorlie cracking (stage 1), and greenfield Australian processing options.",
    ),
    (
        "australia_nolans",
        "allied",
        "Australia",
        "Oceania",
        "Site node: Arafura Nolans (integrated mine to NdPr oxide, not yet built); own ore composition.",
    ),
    (
        "australia_eneabba",
        "allied",
        "Australia",
        "Oceania",
        "Site node: Iluka Eneabba refinery (monazite/xenotime feed, under construction, commissioning 2027).",
    ),
    (
        "canada",
        "allied",
        "Canada",
        "North America",
        "Allied per brief. Saskatchewan Research Council separation + NdPr metal; reserves 830 kt REO.",
    ),
    (
        "greenland",
        "allied",
        "Greenland (Denmark)",
        "Europe",
        "Allied per brief (Danish realm); reserves 1.5 Mt REO, no producing mine.",
    ),
    (
        "japan",
        "allied",
        "Japan",
        "East Asia",
        "Not classified in the brief; allied assumed (US treaty ally, partner of US critical-minerals frameworks). "
        "NdFeB alloy and magnet maker, magnet consumer.",
    ),
    (
        "south_korea",
        "allied",
        "South Korea",
        "East Asia",
        "Allied per brief (ASM Korean Metals Plant listed as 'Korea (allied)'). Metal/alloy plant, magnet consumer.",
    ),
    ("france", "allied", "France", "Europe", "Allied per brief (EU). Solvay La Rochelle separation."),
    (
        "germany",
        "allied",
        "Germany",
        "Europe",
        "EU member; allied assumed like the brief's other EU members. Largest EU magnet consumer (18% of Chinese magnet "
        "exports) and magnet maker.",
    ),
    (
        "estonia",
        "allied",
        "Estonia",
        "Europe",
        "Allied per brief (EU). NPM Silmet separation (Sillamae) and Neo magnet plant (Narva).",
    ),
    (
        "eu_rest",
        "allied",
        "EU (other members)",
        "Europe",
        "Other EU-27 consumers; allied assumed like the brief's EU members.",
    ),
    (
        "united_kingdom",
        "allied",
        "United Kingdom",
        "Europe",
        "Not classified in the brief; allied assumed (NATO, US partner). Site of Peak's planned refinery for Ngualla ore.",
    ),
    (
        "myanmar",
        OFFTAKE,
        "Myanmar",
        "Southeast Asia",
        f"Non-allied per brief; bloc {OFFTAKE} (restricted): USGS estimates its output from China's import data, "
        "Myanmar = 57% of China's RE imports 2024 (CSIS). Ionic-clay mining in Kachin state; KIA took mining areas Oct 2024.",
    ),
    (
        "india",
        "non_allied",
        "India",
        "South Asia",
        "Non-allied per brief. IREL monazite mining, cracking and separation; magnet consumer.",
    ),
    (
        "russia",
        "non_allied",
        "Russia",
        "Europe",
        "Non-allied per brief. Loparite mining, Solikamsk separation (2027), Glazov magnets (2028).",
    ),
    (
        "vietnam",
        "non_allied",
        "Vietnam",
        "Southeast Asia",
        "Non-allied per brief. Small mine output, VTRE separation (capacity not found), national plan to 2030; "
        "Shin-Etsu magnet plant.",
    ),
    (
        "brazil",
        "non_allied",
        "Brazil",
        "South America",
        "Non-allied per brief. Reserves 21 Mt REO, 20 t output in 2024 (USGS); Serra Verde is the node brazil_serra_verde.",
    ),
    (
        "brazil_serra_verde",
        "non_allied",
        "Brazil",
        "South America",
        "Site node: Serra Verde's Pela Ema ionic-clay mine (Goias), commercial production since early 2024, heavy-RE "
        "rich; non_allied like Brazil. Its Chinese processing contracts end in 2026 (worldenergynews): not modelled, "
        "its ore may go to any separator from 2025.",
    ),
    (
        "malaysia",
        "non_allied",
        "Malaysia",
        "Southeast Asia",
        "Non-allied per brief. Lynas Kuantan separation (the largest ex-China separator); its small mine output is the "
        "node malaysia_mines.",
    ),
    (
        "malaysia_mines",
        OFFTAKE,
        "Malaysia",
        "Southeast Asia",
        f"Malaysia's own mine output (130 t, 2024); bloc {OFFTAKE} (restricted): USGS MCS 2025 estimates it from China's "
        "import data. A node apart from malaysia so that Lynas Kuantan's separation stays non_allied.",
    ),
    (
        "nigeria",
        OFFTAKE,
        "Nigeria",
        "Africa",
        f"Not classified in the brief; bloc {OFFTAKE} (restricted): USGS MCS 2025 estimates its output from China's "
        "import data, i.e. the ore is known to go to China. No critical-minerals pact with the US found.",
    ),
    (
        "thailand",
        OFFTAKE,
        "Thailand",
        "Southeast Asia",
        f"Not classified in the brief; bloc {OFFTAKE} (restricted) although a US treaty ally: USGS MCS 2025 estimates "
        "its output from China's import data, i.e. the ore is known to go to China.",
    ),
    (
        "madagascar",
        OFFTAKE,
        "Madagascar",
        "Africa",
        f"Not classified in the brief; bloc {OFFTAKE} (restricted): USGS MCS 2025 estimates its output from China's "
        "import data, i.e. the ore is known to go to China.",
    ),
    (
        "tanzania",
        "non_allied",
        "Tanzania",
        "Africa",
        "Not classified in the brief; non_allied assumed (no pact found). Reserves 890 kt; Peak's Ngualla project.",
    ),
    (
        "south_africa",
        "non_allied",
        "South Africa",
        "Africa",
        "Not classified in the brief; non_allied assumed (BRICS member, no pact found). Reserves 860 kt REO.",
    ),
    (
        "malawi",
        "non_allied",
        "Malawi",
        "Africa",
        "Not classified in the brief; non_allied assumed (no pact found). Mkango's Songwe Hill project.",
    ),
    (
        "kazakhstan",
        "non_allied",
        "Kazakhstan",
        "Central Asia",
        "Non-allied per brief. No capacity found in the brief: node kept for scenarios, no facility.",
    ),
    (
        "laos",
        OFFTAKE,
        "Laos",
        "Southeast Asia",
        f"Not classified in the brief; bloc {OFFTAKE} (restricted): named with Myanmar and Malaysia as a source of "
        "China's ~60,000 t REO ore-feed imports (Metalnomist Aug 2024); no tonnage found (not in USGS MCS 2025): no facility.",
    ),
    (
        "rest_of_asia",
        "non_allied",
        "Rest of Asia",
        "Asia",
        "Aggregate consumer node (Taiwan, ASEAN, others) for magnet demand; non_allied assumed for the aggregate.",
    ),
    (
        "rest_of_world",
        "non_allied",
        "Rest of world",
        "World",
        "Aggregate: USGS 'Other countries' mine output and remaining magnet demand (Americas ex-US, Middle East, "
        "Africa, non-EU Europe ex-UK); non_allied assumed for the aggregate.",
    ),
]

# ---------------------------------------------------------------------------------------
# stages: (stage, order, yield, description)
# ---------------------------------------------------------------------------------------
STAGES = [
    (
        "mining",
        1,
        None,
        "Extraction, beneficiation and cracking to a mixed RE concentrate/carbonate; capacity in t REO (TREO) per year.",
    ),
    (
        "separation",
        2,
        YIELD_SEPARATION,
        "Solvent-extraction separation into individual oxides; capacity in t REO input per year. Yield 0.95 is an "
        "assumption (no recovery figure in the brief).",
    ),
    (
        "metal",
        3,
        YIELD_METAL,
        "Oxide to metal/alloy; t REO-equivalent (metal t x 1.1664). Yield 0.95 is an assumption.",
    ),
    (
        "magnet",
        4,
        YIELD_MAGNET,
        f"Sintered NdFeB; t REO-equivalent = t magnet x {REO_PER_T_MAGNET} (31% RE by weight x 1.1664 oxide/metal). "
        "Yield 0.97 is an assumption (net of swarf recycled in-plant).",
    ),
]

# ---------------------------------------------------------------------------------------
# composition: element shares of the TREO mined at each stage-1 node
# ---------------------------------------------------------------------------------------
ELEMENTS = ("NdPr", "Dy", "Tb", "La", "Ce", "Other")
PROFILES = {
    "bastnasite_mountain_pass": {"NdPr": 0.157, "Dy": 0.0005, "Tb": 0.0001, "La": 0.323, "Ce": 0.502},
    "bastnasite_bayan_obo": {"NdPr": 0.20, "Dy": 0.001, "Tb": 0.0002, "La": 0.22, "Ce": 0.50},
    "bastnasite_ngualla": {"NdPr": 0.21, "Dy": 0.0005, "Tb": 0.0001, "La": 0.27, "Ce": 0.49},
    "ionic_clay": {"NdPr": 0.20, "Dy": 0.0433, "Tb": 0.0078, "La": 0.15, "Ce": 0.05},
    "monazite": {"NdPr": 0.21, "Dy": 0.0084, "Tb": 0.0023, "La": 0.22, "Ce": 0.46},
    "monazite_mt_weld": {"NdPr": 0.25, "Dy": 0.003, "Tb": 0.0005, "La": 0.24, "Ce": 0.44},
    "monazite_nolans": {"NdPr": 0.264, "Dy": 0.0084, "Tb": 0.0023, "La": 0.20, "Ce": 0.47},
    "loparite": {"NdPr": 0.20, "Dy": 0.0005, "Tb": 0.0002, "La": 0.27, "Ce": 0.49},
    "carbonatite_songwe": {"NdPr": 0.328, "Dy": 0.0074, "Tb": 0.0020, "La": 0.19, "Ce": 0.41},
}
NODE_PROFILE = [
    ("china", "bastnasite_bayan_obo"),
    ("china_ionic", "ionic_clay"),
    ("united_states", "bastnasite_mountain_pass"),
    ("australia", "monazite_mt_weld"),
    ("australia_nolans", "monazite_nolans"),
    ("australia_eneabba", "monazite"),
    ("brazil_serra_verde", "ionic_clay"),
    ("canada", "monazite"),
    ("greenland", "monazite"),
    ("myanmar", "ionic_clay"),
    ("india", "monazite"),
    ("russia", "loparite"),
    ("vietnam", "bastnasite_mountain_pass"),
    ("brazil", "monazite"),
    ("malaysia_mines", "monazite"),
    ("nigeria", "monazite"),
    ("thailand", "monazite"),
    ("madagascar", "monazite"),
    ("tanzania", "bastnasite_ngualla"),
    ("south_africa", "monazite"),
    ("malawi", "carbonatite_songwe"),
    ("rest_of_world", "monazite"),
]

# ---------------------------------------------------------------------------------------
# facilities: (node, stage, existing_tpa, max_tpa, capex_usd_per_tpa, fixed_om_usd_per_tpa_yr,
#              opex_usd_per_t, lead_time_years, lifetime_years, available_from_year,
#              max_build_tpa_per_year, source)
# ---------------------------------------------------------------------------------------
USGS = "USGS MCS 2025 Rare Earths (https://pubs.usgs.gov/periodicals/mcs2025/mcs2025-rare-earths.pdf)"
COSTS_MINE = "Costs: Western reference mining capex/opex/fixed O&M (see sources: mining capex, mining opex, fixed O&M)"
COSTS_SEP = "Costs: Western reference separation opex and fixed O&M (see sources)"
COSTS_METAL = (
    "Costs: generic metal capex US$7-30k/t metal midpoint / 1.1664; opex and fixed O&M assumptions (see sources)"
)
COSTS_MAG = (
    "Costs: magnet opex derived from Chinese 40H blank price minus RE content (SMM 9 May 2025), fixed O&M 4% of capex"
)
CN_COST = "China rows carry Western reference costs; restricted_cost_factor (0.5) scales them"

FACILITIES = [
    (
        "china",
        "mining",
        CHINA_LIGHT_MINING,
        None,
        MINE_CAPEX_BROWNFIELD,
        MINE_FOM,
        MINE_OPEX,
        1,
        25,
        2025,
        15_000,
        f"{USGS}: China 270,000 t REO (2024) = MIIT mining quota (starfeu.com); minus ion-adsorption quota 20,280 t "
        f"(Fastmarkets/Project Blue: H1-2024 CREG 10,140 t x2) = 249,720 t light-RE. Expansion at brownfield capex "
        f"(Lynas Mt Weld), max build 15,000 t/yr = 2023->2024 quota increase (255,000->270,000). {CN_COST}.",
    ),
    (
        "china_ionic",
        "mining",
        IONIC_QUOTA_2024,
        40_000,
        MINE_CAPEX_BROWNFIELD,
        MINE_FOM,
        MINE_OPEX,
        2,
        25,
        2025,
        None,
        "Fastmarkets (https://www.fastmarkets.com/insights/china-issues-first-batch-of-rare-earths-quotas-for-2024) / "
        "Project Blue: H1-2024 CREG ion-adsorption quota 10,140 t, x2 for the year = 20,280 t. max_tpa 40,000 (2x) is an "
        f"assumption: no ion-adsorption expansion plan found. {CN_COST}.",
    ),
    (
        "united_states",
        "mining",
        50_692,
        60_000,
        MINE_CAPEX_BROWNFIELD,
        MINE_FOM,
        MINE_OPEX,
        2,
        25,
        2025,
        None,
        "MP Materials FY2025 results (https://investingnews.com/mp-materials-reports-fourth-quarter-and-full-year-2025-results/): "
        "50,692 t REO in 2025 (45,455 t in 2024; USGS 45,000 t). Expansion: MP 'Upstream 60K' target ~60 kt; capex not "
        "disclosed, brownfield reference (Lynas Mt Weld expansion) used.",
    ),
    (
        "australia",
        "mining",
        28_000,
        48_000,
        MINE_CAPEX_BROWNFIELD,
        MINE_FOM,
        MINE_OPEX,
        1,
        25,
        2025,
        None,
        "Lynas Mt Weld: ~7,000 tpa NdPr-eq. feed capacity before expansion / 25% NdPr = 28,000 t TREO; A$570m expansion "
        "to 12,000 tpa NdPr = 48,000 t TREO, Stage 2 by Q1 FY26 (viralz.org; Project Blue "
        "https://projectblue.com/blue/news-analysis/115/lynas-prepares-to-accelerate-rare-earth-production). Sources "
        "disagree: USGS 13,000 t (2024); Lynas FY24 5,655 t NdPr implies ~22,600 t TREO. Kalgoorlie cracking counted in this stage.",
    ),
    (
        "australia_nolans",
        "mining",
        0,
        13_343,
        NOLANS_MINE_CAPEX,
        MINE_FOM,
        MINE_OPEX,
        3,
        25,
        2026,
        None,
        "Arafura Nolans (NS Energy https://nsenergybusiness.com/news/arafura-announces-project-update-for-nolans-ndpr-project-in-australia; "
        "Mining Weekly): 4,440 tpa NdPr oxide, ~13,343 tpa TREO; capex A$1.39bn = US$69k per tpa TREO, split 40% mining / "
        "60% separation (see sources). Construction-ready, no FID: build from 2026, 3 years.",
    ),
    (
        "australia_eneabba",
        "mining",
        0,
        17_500,
        MINE_CAPEX_BROWNFIELD,
        MINE_FOM,
        MINE_OPEX,
        2,
        25,
        2025,
        None,
        "Iluka Eneabba feed (monazite/xenotime from Iluka mineral-sands operations and stockpile), sized to the 17,500 tpa "
        "REO refinery (WA gov. https://wa.gov.au/government/announcements/australias-first-integrated-rare-earths-refinery). "
        "No separate mining capex found: brownfield reference used.",
    ),
    (
        "canada",
        "mining",
        0,
        10_000,
        MINE_CAPEX_GREENFIELD,
        MINE_FOM,
        MINE_OPEX,
        8,
        25,
        2025,
        None,
        f"{USGS}: reserves 830,000 t, no production. Generic greenfield option (no named mine in the brief): 10,000 tpa "
        "TREO (between Songwe 5,954 and Nolans 13,343), IEA 8-year average lead time (REEx summary of IEA Oct 2025).",
    ),
    (
        "greenland",
        "mining",
        0,
        10_000,
        MINE_CAPEX_GREENFIELD,
        MINE_FOM,
        MINE_OPEX,
        8,
        25,
        2025,
        None,
        f"{USGS}: reserves 1,500,000 t, no production. Generic greenfield option (no named mine in the brief), "
        "IEA 8-year average lead time.",
    ),
    (
        "myanmar",
        "mining",
        31_000,
        43_000,
        MINE_CAPEX_BROWNFIELD,
        MINE_FOM,
        MINE_OPEX,
        1,
        25,
        2025,
        None,
        f"{USGS}: 31,000 t (2024e), 43,000 t (2023), estimated from China's import data. max_tpa = the 2023 level "
        "(restart of idled areas, brownfield cost, 1 year).",
    ),
    (
        "india",
        "mining",
        2_900,
        5_000,
        MINE_CAPEX_BROWNFIELD,
        MINE_FOM,
        MINE_OPEX,
        2,
        25,
        2025,
        None,
        f"{USGS}: 2,900 t (2023 and 2024). max_tpa 5,000 = IREL OSCOM cracking capacity (10,000 tpa monazite ~ 5,000 t REO, "
        "PIB 2015); brownfield cost.",
    ),
    (
        "russia",
        "mining",
        2_500,
        None,
        None,
        MINE_FOM,
        MINE_OPEX,
        None,
        25,
        2025,
        None,
        f"{USGS}: 2,500 t (2023 and 2024), loparite. No named mine expansion in the brief: no new capacity.",
    ),
    (
        "vietnam",
        "mining",
        300,
        20_000,
        MINE_CAPEX_GREENFIELD,
        MINE_FOM,
        MINE_OPEX,
        5,
        25,
        2025,
        None,
        f"{USGS}: 300 t (2024). Expansion to 20,000 t = low end of the national plan of 20,000-60,000 t REO/yr refined by "
        "2030 (Reuters via malaya.com.ph); greenfield cost, 5 years.",
    ),
    (
        "brazil",
        "mining",
        20,
        10_000,
        MINE_CAPEX_GREENFIELD,
        MINE_FOM,
        MINE_OPEX,
        8,
        25,
        2025,
        None,
        f"{USGS}: 20 t (2024), reserves 21 Mt. Generic greenfield option (no named project in the brief), IEA 8-year lead time.",
    ),
    (
        "malaysia_mines",
        "mining",
        130,
        None,
        None,
        MINE_FOM,
        MINE_OPEX,
        None,
        25,
        2025,
        None,
        f"{USGS}: 130 t (2024), estimated from China's import data. No expansion data.",
    ),
    (
        "nigeria",
        "mining",
        13_000,
        None,
        None,
        MINE_FOM,
        MINE_OPEX,
        None,
        25,
        2025,
        None,
        f"{USGS}: 13,000 t (2024e; 7,200 t 2023), estimated from China's import data. No expansion data.",
    ),
    (
        "thailand",
        "mining",
        13_000,
        None,
        None,
        MINE_FOM,
        MINE_OPEX,
        None,
        25,
        2025,
        None,
        f"{USGS}: 13,000 t (2024e; 3,600 t 2023), estimated from China's import data. No expansion data.",
    ),
    (
        "madagascar",
        "mining",
        2_000,
        None,
        None,
        MINE_FOM,
        MINE_OPEX,
        None,
        25,
        2025,
        None,
        f"{USGS}: 2,000 t (2024e), estimated from China's import data. No expansion data.",
    ),
    (
        "tanzania",
        "mining",
        0,
        NGUALLA_TREO_TPA,
        NGUALLA_MINE_CAPEX,
        MINE_FOM,
        MINE_OPEX,
        2,
        25,
        2025,
        None,
        "Peak Ngualla 2017 BFS (Mining Weekly): 2,420 tpa NdPr / 21% NdPr (assumed) = 11,524 t TREO; capex: the 2017 "
        "US$356m (US$30.9k per tpa) is stale, Nolans' 2022 US$69.1k per tpa TREO (same integrated scope) is used, split "
        "40% mining / 60% separation (see sources). Shenghe (China) completed its takeover of Peak on 30 Sep 2025 "
        "(middle.news, reposts of Peak's ASX releases); construction from Dec 2025, first production 'by the end of "
        "2026' (The Citizen/BizLens, repost): 2 years announced.",
    ),
    (
        "south_africa",
        "mining",
        0,
        10_000,
        MINE_CAPEX_GREENFIELD,
        MINE_FOM,
        MINE_OPEX,
        8,
        25,
        2025,
        None,
        f"{USGS}: reserves 860,000 t, no production. Generic greenfield option (no named project in the brief), "
        "IEA 8-year lead time.",
    ),
    (
        "malawi",
        "mining",
        0,
        5_954,
        MINE_CAPEX_GREENFIELD,
        MINE_FOM,
        MINE_OPEX,
        5,
        25,
        2025,
        None,
        "Mkango Songwe Hill DFS 2022 (https://blog.grupomisecop.com/mkango-announces-results-of-definitive-feasibility-study/): "
        "5,954 tpa TREO (mine + MREC); capex not in the brief: greenfield reference; 5 years from feasibility.",
    ),
    (
        "brazil_serra_verde",
        "mining",
        SERRA_VERDE_RUN_RATE,
        SERRA_VERDE_PHASE_2,
        MINE_CAPEX_BROWNFIELD,
        MINE_FOM,
        MINE_OPEX,
        3,
        25,
        2026,
        None,
        "Serra Verde Pela Ema (operating since early 2024): ~100 t REO/yr in April 2026 while upgrading, 'about 6,400 "
        "tons annually by the end of next year' (Bloomberg via mining.com 23 Apr 2026, repost krbitget.com): existing "
        "= the 6,400 t run-rate, held to 100 t in 2025-26 and 3,250 t in 2027 by the availability sheet. Phase 2 'could "
        "double run-of-mine production before 2030' (Mining Technology, repost): max 12,800 t at the brownfield "
        "reference (the DFC US$565m loan refinances debt and funds upgrades: not a capex figure); 3 years announced.",
    ),
    (
        "rest_of_world",
        "mining",
        1_100,
        None,
        None,
        MINE_FOM,
        MINE_OPEX,
        None,
        25,
        2025,
        None,
        f"{USGS}: 'Other countries' 1,100 t (2024e). No expansion data.",
    ),
    (
        "china",
        "separation",
        CHINA_SEPARATION,
        None,
        SEP_CAPEX_GENERIC,
        SEP_FOM,
        SEP_OPEX,
        2,
        25,
        2025,
        10_000,
        "2024 smelting/separation quota 254,000 t (MIIT via starfeu.com) + imported feed: ~60,000 t REO from SE Asia "
        "(Metalnomist Aug 2024) + <28,000 t from the US (Metalnomist) + Nigeria 13,000 + Madagascar 2,000 (USGS, from China "
        "import data) = 357,000 t REO input. Max build 10,000 t/yr ~ 2023->2024 quota increase (+4.2%). "
        + CN_COST
        + ".",
    ),
    (
        "united_states",
        "separation",
        round(4_000 / 0.157),
        None,
        SEP_CAPEX_GENERIC,
        SEP_FOM,
        SEP_OPEX,
        4,
        25,
        2025,
        17_500,
        "MP Mountain Pass separation: exit run-rate ~4,000 tpa NdPr (Dec 2025, MP Q4 call "
        "https://www.themarketsdaily.com/2026/03/03/mp-materials-q4-earnings-call-highlights.html) / 15.7% NdPr = 25,478 t "
        "REO input (2,599 t NdPr produced 2025). Generic greenfield expansion US$50k/tpa (MP heavy-RE circuit: US$150m / "
        "3,000 t feed = US$50k); max build 17,500 t/yr = Eneabba-size plant. Lynas Seadrift (Texas) excluded: 'unlikely to proceed'.",
    ),
    (
        "us_white_mesa",
        "separation",
        round(1_000 / 0.21),
        round(6_000 / 0.21),
        SEP_CAPEX_WHITE_MESA,
        SEP_FOM,
        SEP_OPEX,
        3,
        25,
        2026,
        None,
        "Energy Fuels White Mesa: Phase 1 850-1,000 tpa NdPr (on-spec 2024) / 21% NdPr in monazite = 4,762 t REO input; "
        "Phase 2 >6,000 tpa NdPr = 28,571 t; capex US$410m / 23,810 t added = US$17.2k per tpa; approval mid-2027, "
        "commissioning Q1 2029 (Stocktwits; marketscreener).",
    ),
    (
        "australia",
        "separation",
        0,
        None,
        SEP_CAPEX_GENERIC,
        SEP_FOM,
        SEP_OPEX,
        4,
        25,
        2025,
        17_500,
        "Generic greenfield Australian separation option (US$50k/tpa = midpoint of the brief's US$30-70k range; 3-5 years "
        "for a new refinery); no existing separation in Australia (Lynas separates in Malaysia).",
    ),
    (
        "australia_nolans",
        "separation",
        0,
        13_343,
        NOLANS_SEP_CAPEX,
        SEP_FOM,
        SEP_OPEX,
        3,
        25,
        2026,
        None,
        "Arafura Nolans on-site separation (4,440 tpa NdPr oxide + 474 tpa HREO from 13,343 tpa TREO); 60% share of the "
        "A$1.39bn integrated capex (NS Energy; Mining Weekly).",
    ),
    (
        "australia_eneabba",
        "separation",
        0,
        17_500,
        SEP_CAPEX_ENEABBA,
        SEP_FOM,
        SEP_OPEX,
        2,
        25,
        2025,
        None,
        "Iluka Eneabba integrated refinery: 17,500 tpa REO (WA gov. at FID; other reports 12,100-23,000 tpa); capex "
        "A$1.7-1.8bn = US$1.09-1.16bn -> US$64.3k per tpa (NS Energy "
        "https://nsenergybusiness.com/news/australia-commits-additional-257m-to-ilukas-eneabba-rare-earths-refinery); "
        "commissioning 2027.",
    ),
    (
        "canada",
        "separation",
        round(400 * OXIDE_PER_METAL / YIELD_METAL / YIELD_SEPARATION / 0.21),
        None,
        SEP_CAPEX_GENERIC,
        SEP_FOM,
        SEP_OPEX,
        4,
        25,
        2025,
        17_500,
        "Saskatchewan Research Council, Saskatoon (Canadian Mining Journal https://canadianminingjournal.com/?p=1003772296): "
        "monazite -> 400 tpa NdPr metal; REO input = 400 x 1.1664 / 0.95 / 0.95 / 21% NdPr = 2,462 t. Generic greenfield expansion.",
    ),
    (
        "france",
        "separation",
        4_000,
        9_000,
        SEP_CAPEX_SOLVAY,
        SEP_FOM,
        SEP_OPEX,
        3,
        25,
        2025,
        None,
        "Solvay La Rochelle: ~4,000 t RE products/yr (mostly catalysts), magnet-REE line opened Apr 2025 (automotiveworld; "
        "24brussels). Expansion: 'could reach 2,000-5,000 t REO' for up to EUR100m -> +5,000 t at EUR20-50k/t, midpoint "
        "EUR35k x 1.08 = US$37.8k per tpa (low confidence; another report says 'a few hundred million euros'; the "
        "4,500 tpa NdPr-type 2030 target would need ~20,000 t REO input - sources disagree). Further EU separation: generic "
        "option at Estonia.",
    ),
    (
        "estonia",
        "separation",
        3_000,
        None,
        SEP_CAPEX_GENERIC,
        SEP_FOM,
        SEP_OPEX,
        4,
        25,
        2025,
        17_500,
        "Neo Performance NPM Silmet, Sillamae: 3,000 tpa LRE separation (Argus "
        "https://www.argusmedia.com/de/news-and-insights/latest-market-news/2465359-magnequench-starts-building-estonia-re-magnet-plant). "
        "Generic greenfield expansion.",
    ),
    (
        "united_kingdom",
        "separation",
        0,
        NGUALLA_TREO_TPA,
        NGUALLA_SEP_CAPEX,
        SEP_FOM,
        SEP_OPEX,
        4,
        25,
        2025,
        None,
        "Peak's UK refinery for Ngualla concentrate (2017 BFS, Mining Weekly): 2,420 tpa NdPr = 11,524 t REO input; 60% "
        "share of the integrated capex, at Nolans' 2022 unit cost (the 2017 US$356m is stale). The Teesside site was "
        "sold and Shenghe takes all of Ngualla's concentrate: kept as a generic UK option (tier generic).",
    ),
    (
        "malaysia",
        "separation",
        round(8_000 / 0.25),
        round(10_500 / 0.25),
        SEP_CAPEX_LYNAS_MY,
        SEP_FOM,
        SEP_OPEX,
        1,
        25,
        2025,
        None,
        "Lynas Kuantan: run-rate ~2,000 t NdPr/quarter (Q4 FY25 2,080 t; Q1 FY26 2,003 t; REEx, rawmaterials.net) = 8,000 "
        "tpa / 25% NdPr = 32,000 t REO input; target 10.5 ktpa NdPr = 42,000 t. Capex: new HRE plant A$180m (~US$120m) / "
        "5,000 t feed = US$24k per tpa (The West).",
    ),
    (
        "india",
        "separation",
        5_000,
        None,
        None,
        SEP_FOM,
        SEP_OPEX,
        None,
        25,
        2025,
        None,
        "IREL OSCOM (10,000 tpa monazite -> 11,000 tpa MRECL ~ 5,000 t REO) and Aluva separation (PIB 2015; Business "
        "Standard 2025-11-09). Nd output targets (200 t FY26, 500 t FY27) fit within it; no expansion capex found.",
    ),
    (
        "russia",
        "separation",
        0,
        2_500,
        SEP_CAPEX_SOLIKAMSK,
        SEP_FOM,
        SEP_OPEX,
        2,
        25,
        2025,
        None,
        "Rosatom Solikamsk: 2,500 tpa oxides, RUB 7bn = US$71.5m -> US$28.6k per tpa; first output 2027 (mrchub "
        "https://www.mrchub.com/news/415801-solikamsk-plant-to-produce-rare-earth-metals-for-high-power-magnets-starting-2027).",
    ),
    (
        "vietnam",
        "separation",
        300,
        20_000,
        SEP_CAPEX_GENERIC,
        SEP_FOM,
        SEP_OPEX,
        4,
        25,
        2025,
        None,
        "Vietnam Rare Earth JSC (VTRE): capacity not found; existing set to domestic mine output (300 t, USGS). Expansion to "
        "20,000 t = low end of the 2030 plan (20,000-60,000 t REO refined, Reuters via malaya.com.ph); generic cost.",
    ),
    (
        "china",
        "metal",
        100_000,
        None,
        METAL_CAPEX_GENERIC,
        METAL_FOM,
        METAL_OPEX,
        1,
        25,
        2025,
        CHINA_BUILD_MAG,
        f"No Chinese metal capacity figure in the brief: assumed 100,000 t REO-eq, i.e. enough for China's magnet output "
        f"(260,000 t x {REO_PER_T_MAGNET} = {CHINA_MAGNET_REO} t REO-eq) plus ~6% for other metal uses. Max build = magnet "
        f"build rate. {CN_COST}.",
    ),
    (
        "united_states",
        "metal",
        round(1_000 * REO_PER_T_MAGNET),
        None,
        METAL_CAPEX_GENERIC,
        METAL_FOM,
        METAL_OPEX,
        2,
        25,
        2025,
        5_000,
        "MP Independence, Fort Worth: NdPr metal since late 2024 (fortworthinc.com); metal capacity not stated, sized to its "
        f"1,000 tpa magnet line x {REO_PER_T_MAGNET} (assumption). Generic expansion (1-3 years for metal plants).",
    ),
    (
        "canada",
        "metal",
        round(400 * OXIDE_PER_METAL),
        None,
        METAL_CAPEX_GENERIC,
        METAL_FOM,
        METAL_OPEX,
        2,
        25,
        2025,
        5_000,
        "SRC Saskatoon: 400 tpa NdPr metal (10 t/month mid-2024 -> 40 t/month target; 620ckrm) x 1.1664 = 467 t REO-eq; "
        "C$101m incl. separation (outlier demo-scale cost not used). Generic expansion.",
    ),
    (
        "japan",
        "metal",
        JAPAN_ALLOY_REO,
        None,
        METAL_CAPEX_GENERIC,
        METAL_FOM,
        METAL_OPEX,
        2,
        25,
        2025,
        5_000,
        f"Japan NdFeB alloy production 12,400 t (2020; Adamas https://www.adamasintel.com/japan-rare-earth-consumption-2020-2/) "
        f"x {REO_PER_T_MAGNET} = {JAPAN_ALLOY_REO} t REO-eq. Generic expansion.",
    ),
    (
        "south_korea",
        "metal",
        KOREA_METAL_REO,
        None,
        METAL_CAPEX_GENERIC,
        METAL_FOM,
        METAL_OPEX,
        2,
        25,
        2025,
        5_000,
        "ASM Korean Metals Plant, Ochang: 5,200 tpa mixed (1,900 t NdFeB alloy, 72 t Dy, 2,200 t Ti; ASM "
        "https://asm-au.com/scoping-study-demonstrates-feasibility-of-asm-korean-metals-plant/); remaining 1,028 t taken "
        "as NdPr metal: 1,028 x 1.1664 + 72 x 1.1477 = 1,282 t REO-eq (the alloy is made from that metal). NdFeB alloy to "
        "double to 3,600 tpa by 2027 (A$55m). Generic expansion cost.",
    ),
    (
        "estonia",
        "metal",
        0,
        None,
        METAL_CAPEX_GENERIC,
        METAL_FOM,
        METAL_OPEX,
        2,
        25,
        2025,
        5_000,
        "No EU metal plant in the brief; generic option placed at Estonia next to Silmet separation and the Narva magnet "
        "plant (assumption).",
    ),
    (
        "russia",
        "metal",
        0,
        round(1_000 * REO_PER_T_MAGNET),
        METAL_CAPEX_GENERIC,
        METAL_FOM,
        METAL_OPEX,
        2,
        25,
        2025,
        None,
        "Solikamsk to produce RE metals for magnets from 2027 (mrchub); capacity not found, sized to the Glazov magnet plant "
        f"(1,000 tpa x {REO_PER_T_MAGNET}); generic cost.",
    ),
    (
        "china",
        "magnet",
        CHINA_MAGNET_REO,
        None,
        MAG_CAPEX_GENERIC,
        MAG_FOM,
        MAG_OPEX,
        2,
        25,
        2025,
        CHINA_BUILD_MAG,
        f"SMM 2024-06-05: China RE permanent-magnet production ~240,000 t (2023), ~260,000 t (2024e) x {REO_PER_T_MAGNET} = "
        f"{CHINA_MAGNET_REO} t REO-eq. Max build {CHINA_BUILD_MAG} t/yr = the +20,000 t magnets 2023->2024. Capex: generic "
        f"Western US$40-180k/t magnet midpoint. {CN_COST}.",
    ),
    (
        "united_states",
        "magnet",
        round(US_MAGNETS_T * REO_PER_T_MAGNET),
        None,
        MAG_CAPEX_MP_10X,
        MAG_FOM,
        MAG_OPEX,
        3,
        25,
        2025,
        MAG_BUILD_CAP,
        "MP Fort Worth ~1,000 tpa (commercial magnets Q4 2025) + Noveon San Marcos 2,000 tpa + e-VAC Sumter 1,000 tpa "
        "(GM's order of 1,000 t/yr from mid-2025, investorintel; capacity not disclosed) = 4,000 t magnets; USA Rare "
        "Earth Stillwater (pilot) not counted. Expansion: MP 10X (>US$1.25bn for "
        "+7,000-10,000 tpa -> US$125-179k/t magnet, midpoint; investingnews, plantservices), commissioning 2028 (3 years); "
        "max build 10,000 t magnets/yr.",
    ),
    (
        "japan",
        "magnet",
        JAPAN_ALLOY_REO,
        None,
        MAG_CAPEX_GENERIC,
        MAG_FOM,
        MAG_OPEX,
        3,
        25,
        2025,
        MAG_BUILD_CAP,
        "Japan: second-largest magnet producer, <9% share (Argus 2022); output proxied by NdFeB alloy production 12,400 t "
        f"(2020, Adamas) x {REO_PER_T_MAGNET}. Generic expansion (US$40-180k/t magnet midpoint).",
    ),
    (
        "south_korea",
        "magnet",
        0,
        None,
        MAG_CAPEX_GENERIC,
        MAG_FOM,
        MAG_OPEX,
        3,
        25,
        2025,
        MAG_BUILD_CAP,
        "No Korean magnet output found in the brief (data gap); generic expansion option next to the ASM alloy plant.",
    ),
    (
        "germany",
        "magnet",
        round(98_200 * 0.013 * REO_PER_T_MAGNET),
        None,
        MAG_CAPEX_GENERIC,
        MAG_FOM,
        MAG_OPEX,
        3,
        25,
        2025,
        MAG_BUILD_CAP,
        "Europe 1.3% of 98,200 t world sintered NdFeB (2010, china.org.cn) = 1,277 t, all placed in Germany (VAC); stale "
        "proxy, no current figure found. Generic expansion.",
    ),
    (
        "estonia",
        "magnet",
        round(2_000 * REO_PER_T_MAGNET),
        round(5_000 * REO_PER_T_MAGNET),
        MAG_CAPEX_NARVA,
        MAG_FOM,
        MAG_OPEX,
        2,
        25,
        2025,
        None,
        "Neo Performance Narva: 2,000 tpa Phase 1, inaugurated Sep 2025 (automotiveworld); Phase 2 to 5,000 tpa at ~EUR250m "
        "total -> EUR50k/t x 1.08 = US$54k/t magnet (global-recycling; miningsee); 2-3 years. Capped at Phase 2: further EU "
        "magnet capacity is the generic option at Germany.",
    ),
    (
        "vietnam",
        "magnet",
        round(2_200 * REO_PER_T_MAGNET),
        None,
        None,
        MAG_FOM,
        MAG_OPEX,
        None,
        25,
        2025,
        None,
        "Shin-Etsu Vietnam magnets 2,200 tpa (2022, manufacturer blog couragemagnet.com - low confidence). No expansion data.",
    ),
    (
        "russia",
        "magnet",
        0,
        round(1_000 * REO_PER_T_MAGNET),
        MAG_CAPEX_GENERIC,
        MAG_FOM,
        MAG_OPEX,
        3,
        25,
        2025,
        None,
        "Rusatom Metal Tech Glazov: up to 1,000 tpa NdFeB by 2028 (mrchub); investment not found: generic cost.",
    ),
]

# must-run floors (min_utilization), held to must_run_until_year = 2035 (the DoD-MP floor's end): the status quo
# that policy already underwrites (issue 21). One year setting holds every floor: Lynas-JARE's 2036-38 is not modelled.
MUST_RUN_UNTIL = 2035
JARE_NDPR_T = 5_000
LYNAS_JARE_TREO = JARE_NDPR_T / 0.25 / YIELD_SEPARATION
MUST_RUN = {
    ("united_states", "mining"): (
        1.0,
        "contract: DoD-MP price floor US$110/kg NdPr for all volumes sold or stockpiled, Q4 2025 to 2035 (DoD-MP "
        "agreement EX-10.6, contracts.justia.com, primary): MP's 2025 output, 50,692 t REO = the capacity set (MP "
        "FY2025), must run to 2035; the contract's volume is not capped (none visible): 2025 output is the floor",
    ),
    (
        "united_states",
        "separation",
    ): (
        round(MP_NDPR_2025 / (0.157 * YIELD_SEPARATION) / round(4_000 / 0.157), 2),
        "contract: the DoD-MP floor (as MP's mine, to 2035) at MP's 2025 separation output: 2,599 t NdPr / 15.7% / "
        "0.95 = 17,426 t input of 25,478 t (MP FY2025)",
    ),
    ("australia", "mining"): (
        round(LYNAS_JARE_TREO / 28_000, 3),
        f"contract: Lynas-JARE extension of 10 Mar 2026, JARE buys {JARE_NDPR_T:,} t/yr NdPr at a US$110/kg floor to "
        f"2038 (Finance News Network, repost of Lynas's ASX release): {JARE_NDPR_T:,} / 25% NdPr / 0.95 = "
        f"{LYNAS_JARE_TREO:,.0f} t TREO of Mt Weld's 28,000 t (held to 2035 only: one year setting for every floor). "
        "v2's 2025 floor was the observed run-rate (1.0)",
    ),
    ("malaysia", "separation"): (
        round(LYNAS_JARE_TREO / 32_000, 3),
        f"contract: Lynas-JARE (as Mt Weld): {LYNAS_JARE_TREO:,.0f} t input of Kuantan's 32,000 t, met by Mt Weld's feed",
    ),
    ("united_states", "magnet"): (
        0.5,
        "status quo (assumption, not a contract floor): Noveon's 2,000 of 4,000 t ran in 2025, GM buys from e-VAC "
        "(1,000 t/yr from mid-2025) and MP: held to 2035 with the contract floors",
    ),
    ("japan", "magnet"): (
        1.0,
        "status quo (assumption, not a contract floor): the capacity set is an output proxy (NdFeB alloy production "
        "12,400 t, Adamas 2020); Japan's magnet makers are taken to keep running to 2035",
    ),
    ("germany", "magnet"): (
        1.0,
        "status quo (assumption, not a contract floor): the capacity set is an output proxy (1.3% of world sintered "
        "NdFeB, 2010); held to 2035",
    ),
}


# ---------------------------------------------------------------------------------------
# reference world v3 (issue 21): named heavy-rich options, attrition tiers, the central case
# ---------------------------------------------------------------------------------------
NAMED_NODES = [
    (
        "canada_strange_lake",
        "allied",
        "Canada",
        "North America",
        "Site node: Torngat's Strange Lake (Quebec/Labrador), heavy-rich (HREO 43-51% of TREO); BFS planned, not "
        "financed.",
    ),
    (
        "canada_nechalacho",
        "allied",
        "Canada",
        "North America",
        "Site node: Avalon's Nechalacho Basal zone (NWT), HREO 20.7% of TREO; FS 2013, never financed. Not the light-RE "
        "North T zone that Vital Metals mined (Shenghe holds a stake in Vital).",
    ),
    (
        "greenland_tanbreez",
        "allied",
        "Greenland (Denmark)",
        "Europe",
        "Site node: Critical Metals' Tanbreez (southern Greenland), >27% HREE; pre-BFS, Greenland's approval of the "
        "ownership pending in late 2025.",
    ),
    (
        "australia_browns_range",
        "allied",
        "Australia",
        "Oceania",
        "Site node: Northern Minerals' Browns Range (WA), xenotime; pilot plant since 2018, DFS/FID pending; its "
        "concentrate is contracted to Iluka's Eneabba refinery (up to 30,500 t REO).",
    ),
]
NODES += NAMED_NODES

HRE_DY_OF_HREO = (
    0.10  # assumption: Browns Range, the one heavy-rich deposit with a Dy figure: Dy ~10% of TREO ~ its HREO
)
TB_PER_DY = round(PROFILES["ionic_clay"]["Tb"] / PROFILES["ionic_clay"]["Dy"], 3)  # 0.78 / 4.33 (assumption)
LIGHT_SPLIT_MT_WELD = {"NdPr": 0.25, "La": 0.24, "Ce": 0.44}  # Mt Weld's light oxides, for unassayed light shares


def heavy_rich_profile(hreo: float, ndpr: float | None = None) -> dict[str, float]:
    """Dy = 10% of HREO, Tb = Dy x 0.18; the light (1 - HREO) split as Mt Weld's NdPr 25%, La 24%, Ce 44% of TREO
    (all assumptions), NdPr replaced by an assayed value where one is found."""
    light = 1 - hreo
    profile = {e: round(share * light, 4) for e, share in LIGHT_SPLIT_MT_WELD.items()}
    if ndpr is not None:
        profile["NdPr"] = ndpr
    dy = round(HRE_DY_OF_HREO * hreo, 4)
    return {**profile, "Dy": dy, "Tb": round(dy * TB_PER_DY, 4)}


SERRA_VERDE_NDPR = 0.22
SERRA_VERDE_DY_TB = 0.032  # assumption: the stored "32% terbium and dysprosium" read as 3.2% (unverified)
ENEABBA_FEED_TREO, ENEABBA_NDPR_T, ENEABBA_DY_TB_T = 17_500, 4_000, 500
ENEABBA_DY_TB = round(ENEABBA_DY_TB_T / ENEABBA_FEED_TREO, 4)
MONAZITE_DY_OF_DY_TB = PROFILES["monazite"]["Dy"] / (PROFILES["monazite"]["Dy"] + PROFILES["monazite"]["Tb"])
IONIC_DY_OF_DY_TB = 1 / (1 + TB_PER_DY)
BROWNS_RANGE_DY = round(300 / 3_000, 3)  # 300,000 kg Dy of 3 million kg TREO a year (company target, derived)
PROFILES.update(
    {
        "ionic_clay_serra_verde": {
            "NdPr": SERRA_VERDE_NDPR,
            "Dy": round(SERRA_VERDE_DY_TB * IONIC_DY_OF_DY_TB, 4),
            "Tb": round(SERRA_VERDE_DY_TB * (1 - IONIC_DY_OF_DY_TB), 4),
            "La": PROFILES["ionic_clay"]["La"],
            "Ce": PROFILES["ionic_clay"]["Ce"],
        },
        "monazite_xenotime_eneabba": {
            "NdPr": round(ENEABBA_NDPR_T / ENEABBA_FEED_TREO, 4),
            "Dy": round(ENEABBA_DY_TB * MONAZITE_DY_OF_DY_TB, 4),
            "Tb": round(ENEABBA_DY_TB * (1 - MONAZITE_DY_OF_DY_TB), 4),
            "La": PROFILES["monazite"]["La"],
            "Ce": PROFILES["monazite"]["Ce"],
        },
        "tanbreez": heavy_rich_profile(0.27, ndpr=0.12),
        "strange_lake": heavy_rich_profile(0.47),
        "nechalacho_basal": heavy_rich_profile(0.2072),
        "xenotime_browns_range": {
            "NdPr": 0.026,
            "Dy": BROWNS_RANGE_DY,
            "Tb": round(BROWNS_RANGE_DY * TB_PER_DY, 4),
            "La": 0.024,
            "Ce": 0.044,
        },
    }
)
NODE_PROFILE_V3 = {
    "brazil_serra_verde": "ionic_clay_serra_verde",
    "australia_eneabba": "monazite_xenotime_eneabba",
    "greenland_tanbreez": "tanbreez",
    "canada_strange_lake": "strange_lake",
    "canada_nechalacho": "nechalacho_basal",
    "australia_browns_range": "xenotime_browns_range",
}
NODE_PROFILE = [(n, NODE_PROFILE_V3.get(n, p)) for n, p in NODE_PROFILE] + [
    (n, p) for n, p in NODE_PROFILE_V3.items() if n not in dict(NODE_PROFILE)
]


def named_mine(node: str, max_tpa: int, lead: int, source: str) -> tuple:
    """A heavy-rich greenfield option at the greenfield reference cost (no project capex used)."""
    return (node, "mining", 0, max_tpa, MINE_CAPEX_GREENFIELD, MINE_FOM, MINE_OPEX, lead, 25, 2025, None, source)


NAMED_FACILITIES = [
    named_mine(
        "canada_strange_lake",
        15_000,
        3,
        "Torngat Strange Lake: ~15,000 t REO/yr, C$2bn incl. a Sept-Iles separation plant, 'advancing towards 2028 "
        "production' (Canadian Indigenous Investment Summit, Dec 2025, repost); 2019 promise: 11,500 t by 2023 (Asian "
        "Metal interview). 3 years announced (2025 -> 2028); greenfield reference capex (the C$2bn covers separation too)",
    ),
    named_mine(
        "canada_nechalacho",
        10_000,
        5,
        "Avalon Nechalacho Basal zone: PFS 10,000 t/yr mixed REO, C$900m, 'production targeted for 2015' (Canadian "
        "Mining Journal, repost); FS 2013, unfinanced (Petroleum News 2014). 5 years from financing (assumption, as "
        "Songwe); greenfield reference capex",
    ),
    named_mine(
        "greenland_tanbreez",
        2_275,
        5,
        "Tanbreez 2013 DFS: 500 kt ore/yr -> 2,275 t TREO/yr in concentrate (Adamas Intelligence 3 Sep 2013, primary "
        "analyst); the 2025 PEA's 85,000 t/yr (~22% of world mine output) is not credible and not used. 5 years "
        "(assumption); greenfield reference capex",
    ),
    named_mine(
        "australia_browns_range",
        3_000,
        3,
        "Northern Minerals Browns Range: full scale '3 million kilograms per annum' TREO, 300,000 kg of it Dy (Smallcaps "
        "2018, repost of the company); pilot since 2018, DFS/FID pending; Iluka offtake to 30,500 t REO (ShareCafe, "
        "repost; AFR 26 Oct 2022). 3 years (assumption: the pilot plant exists); greenfield reference capex",
    ),
]
ALL_FACILITIES = FACILITIES + NAMED_FACILITIES
SETTINGS.append(("must_run_until_year", MUST_RUN_UNTIL))

# Serra Verde's ramp: ceilings on its 6,400 t run-rate while it upgrades (availability sheet)
AVAILABILITY = [
    ("brazil_serra_verde", "mining", 2025, SERRA_VERDE_UPGRADING),
    ("brazil_serra_verde", "mining", 2026, SERRA_VERDE_UPGRADING),
    ("brazil_serra_verde", "mining", 2027, SERRA_VERDE_2027),
]

# Attrition tiers (issue 21): p(the option never exists in a draw) and whole years of delay, by stage of the project.
# The p values are judgement: no stored source gives a probability by project stage (research21 sec. 1).
TIERS = {
    "operating": (
        0.05,
        "0:0.34, 1:0.33, 2:0.33",
        "brownfield expansion of an operating producer; p 0.05 is judgement (Lynas's Malaysian HRE circuit came on time, "
        "May 2025); delay 0-2 years, equally likely (assumption)",
    ),
    "funded": (
        0.15,
        "0:0.34, 1:0.33, 2:0.33",
        "funded or under construction; p 0.15 is judgement in 0.10-0.20, anchored on Tomlinson's 15 of 67 Australian "
        "processing plants failed (22%, a shortfall, not abandonment) and Lynas Seadrift (1 of ~6 state-backed Western "
        "RE projects abandoned, 2019-25); delay 0-2 years (Eneabba slipped 2025 -> 2027, Tyseley +1.5), equally likely",
    ),
    "studied": (
        0.5,
        "1:0.2, 2:0.2, 3:0.2, 4:0.2, 5:0.2",
        "studied (DFS/BFS/PFS), not financed; p 0.5 is judgement in 0.4-0.6: of ~50 advanced ex-China RE projects in "
        "2012-14 (TMR index) none but Mt Weld became a mine by 2026 (Hellman & Duncan 2014), 2 of 28 juniors produced; "
        "AMC: ~25% of projects underperform their study; delay 1-5 years (Strange Lake 2023 -> 2028, Ngualla +1.5-2), "
        "equally likely",
    ),
    "generic": (
        0.6,
        ", ".join(f"{d}:0.125" for d in range(8)),
        "generic country option (no named project); p 0.6 is judgement in 0.5-0.7, above the studied tier (no study "
        "yet); delay 0-7 years (GAO: 7-15 years from financing to production vs the 5-8 set), equally likely",
    ),
}
MARKET_FACTOR, MARKET_CORRELATION = "market", 0.2
MARKET_NOTE = (
    f"shared market shock: factor {MARKET_FACTOR}, correlation {MARKET_CORRELATION} (judgement): the 2012-15 price "
    "collapse stalled most studied and generic projects at once (Molycorp bankrupt 2015; no new mine but Mt Weld)"
)
CORRELATED_TIERS = ("studied", "generic")
TIER = {  # (node, stage) -> tier; a build option not named here is operating if it has capacity, else generic.
    # A separator's tier covers its circuits too (failure.<node>.separation removes both).
    ("australia_eneabba", "mining"): "funded",
    ("australia_eneabba", "separation"): "funded",
    ("tanzania", "mining"): "funded",
    ("united_states", "magnet"): "funded",
    ("estonia", "magnet"): "funded",
    ("russia", "separation"): "funded",
    ("russia", "metal"): "funded",
    ("russia", "magnet"): "funded",
    ("australia_nolans", "mining"): "studied",
    ("australia_nolans", "separation"): "studied",
    ("us_white_mesa", "separation"): "studied",
    ("malawi", "mining"): "studied",
    ("canada_strange_lake", "mining"): "studied",
    ("canada_nechalacho", "mining"): "studied",
    ("greenland_tanbreez", "mining"): "studied",
    ("australia_browns_range", "mining"): "studied",
    ("brazil_serra_verde", "mining"): "operating",
    ("united_states", "separation"): "funded",  # MP's heavy-RE circuit (DoD loan) is this facility's main build
    ("united_kingdom", "separation"): "generic",
    ("canada", "separation"): "generic",
    ("estonia", "separation"): "generic",
    ("vietnam", "separation"): "generic",
    ("vietnam", "mining"): "generic",
    ("brazil", "mining"): "generic",
    ("us_hypromag_recycling", "mining"): "studied",  # HyProMag USA: feasibility study, production "early 2027"
    ("us_hypromag_recycling", "separation"): "studied",
}
# The central case: announced capex x 1.26 (AMC/Bullock: +26% average over 258 mining projects; the +42-80% of recent
# RE projects is not used because Eneabba's and Nolans' figures already carry part of it) and +1 year on the lead times
# that are a company's announced schedule (the record: funded builds +1.5-2 years, studied ones 5 or more).
CAPEX_CENTRAL = 1.26
ANNOUNCED_LEAD = {
    ("australia_nolans", "mining"),
    ("australia_nolans", "separation"),
    ("us_white_mesa", "separation"),
    ("tanzania", "mining"),
    ("canada_strange_lake", "mining"),
    ("russia", "separation"),
    ("russia", "metal"),
    ("russia", "magnet"),
    ("united_states", "magnet"),
    ("estonia", "magnet"),
    ("brazil_serra_verde", "mining"),
    ("us_hypromag_recycling", "mining"),
    ("us_hypromag_recycling", "separation"),
}
CHINA_BLOC_NODES = {row[0] for row in NODES if row[1] == "china"}


def tier_of(row: tuple) -> str:
    return TIER.get((row[0], row[1]), "operating" if (row[2] or 0) > 0 else "generic")


def central_capex(node: str, capex: float | None) -> float | None:
    """Announced capex x CAPEX_CENTRAL outside China (China's rows are Western references scaled by φ)."""
    if capex is None or capex == 0 or node in CHINA_BLOC_NODES:
        return capex
    return round(capex * CAPEX_CENTRAL, -2)


def central(row: tuple) -> tuple:
    """A facility row of the central case: capex x 1.26, announced lead times + 1 year."""
    lead = row[7] + 1 if (row[0], row[1]) in ANNOUNCED_LEAD else row[7]
    return (*row[:4], central_capex(row[0], row[4]), *row[5:7], lead, *row[8:])


def facility_rows():
    """The central case's facility rows with their v2 columns: ramp_up (blank = the setting's) and min_utilization."""
    return [(*central(row), None, MUST_RUN.get((row[0], row[1]), (None, ""))[0]) for row in ALL_FACILITIES]


# ---------------------------------------------------------------------------------------
# demand (t REO-eq of magnet output)
# ---------------------------------------------------------------------------------------
WORLD_OXIDE_2024 = {"NdPr": 71_000, "Dy": 2_570, "Tb": 490}
WORLD_2025 = {e: v * YIELD_METAL * YIELD_MAGNET for e, v in WORLD_OXIDE_2024.items()}

CHINA_MAGNETS_2024 = 260_000
WORLD_MAGNETS_2024 = CHINA_MAGNETS_2024 / 0.94
CHINA_MAGNET_EXPORTS_2024 = 58_152
RESIDUAL_EXPORTS = (
    CHINA_MAGNET_EXPORTS_2024 - 0.18 * CHINA_MAGNET_EXPORTS_2024 - 0.12 * CHINA_MAGNET_EXPORTS_2024 - 10_000
)
NON_CHINA_MAGNETS = WORLD_MAGNETS_2024 - CHINA_MAGNETS_2024
EMBEDDED_SHARE = 0.2
REGION_MAGNETS_2024 = [
    (
        "china",
        (1 - EMBEDDED_SHARE) * (CHINA_MAGNETS_2024 - CHINA_MAGNET_EXPORTS_2024),
        "China's magnet output 260,000 t minus exports 58,152 t (Adamas) = 201,848 t used in China, less the share "
        "placed at china_goods_for_allies",
    ),
    (
        "china_goods_for_allies",
        EMBEDDED_SHARE * (CHINA_MAGNETS_2024 - CHINA_MAGNET_EXPORTS_2024),
        f"assumption: {EMBEDDED_SHARE:.0%} of the magnets used in China go into goods exported to allied countries (not "
        "found: the brief says only that much of China's own use is exported inside finished goods)",
    ),
    (
        "united_states",
        10_000 + 2_000,
        "~10,000 t/yr imported from China (finanzen.at, MP 10X coverage; the 2020 12% export share would give 6,978 t) "
        "+ 2,000 t Noveon domestic output",
    ),
    (
        "germany",
        0.18 * CHINA_MAGNET_EXPORTS_2024 + 98_200 * 0.013,
        "18% of Chinese magnet exports (giti.sg, 2020 shares) + 1,277 t European output (2010 proxy)",
    ),
    (
        "japan",
        0.12 * CHINA_MAGNET_EXPORTS_2024 + (NON_CHINA_MAGNETS - 2_200 - 2_000 - 98_200 * 0.013),
        "12% of Chinese magnet exports (2020 shares) + non-China output not placed elsewhere (world 260,000/0.94 minus China, "
        "minus Vietnam 2,200, US 2,000, Germany 1,277; cf. Japan NdFeB alloy 12,400 t in 2020)",
    ),
    ("eu_rest", 0.20 * RESIDUAL_EXPORTS, "assumption: 20% of the unallocated Chinese magnet exports"),
    ("south_korea", 0.20 * RESIDUAL_EXPORTS, "assumption: 20% of the unallocated Chinese magnet exports"),
    ("india", 0.08 * RESIDUAL_EXPORTS, "assumption: 8% of the unallocated Chinese magnet exports"),
    ("united_kingdom", 0.04 * RESIDUAL_EXPORTS, "assumption: 4% of the unallocated Chinese magnet exports"),
    (
        "rest_of_asia",
        0.30 * RESIDUAL_EXPORTS + 2_200,
        "assumption: 30% of the unallocated Chinese magnet exports + Shin-Etsu Vietnam 2,200 t",
    ),
    ("rest_of_world", 0.18 * RESIDUAL_EXPORTS, "assumption: 18% of the unallocated Chinese magnet exports"),
]
REGION_SHARE = {n: t / WORLD_MAGNETS_2024 for n, t, _ in REGION_MAGNETS_2024}


def iea_index(year: int) -> float:
    """IEA magnet-REE demand path (kt): 93 (2023) -> 131 (2030, APS) -> 181 (2050, APS), geometric in between."""
    if year <= 2030:
        return 93 * (131 / 93) ** ((year - 2023) / 7)
    return 131 * (181 / 131) ** ((year - 2030) / 20)


def demand_rows():
    rows = []
    for node, _, _ in REGION_MAGNETS_2024:
        for element in ("NdPr", "Dy", "Tb"):
            for year in YEARS:
                value = WORLD_2025[element] * REGION_SHARE[node] * iea_index(year) / iea_index(FIRST_YEAR)
                rows.append((node, element, year, round(value, 1)))
    return rows


# ---------------------------------------------------------------------------------------
# routes: (from_node, to_node, stage, cost_usd_per_t, allowed)
# ---------------------------------------------------------------------------------------
ROUTES = [
    ("china_ionic", "china", "mining", 50, True),
    ("china", "china_goods_for_allies", None, 0, True),
    ("myanmar", "china", "mining", 100, True),
    ("australia", "malaysia", "mining", 150, True),
]

# ---------------------------------------------------------------------------------------
# trade_rules: (from_bloc, to_bloc, stage, element, first_year, last_year, allowed, tariff, scenario, note)
# ---------------------------------------------------------------------------------------
HEAVY_NOTE = (
    "China MOFCOM/GAC export controls of 4 Apr 2025 on Sm, Gd, Tb, Dy, Lu, Sc, Y incl. metals, alloys, "
    "magnets (vbw.com; SMM); licensing modelled as a ban; Other stands for Sm/Gd/Y etc."
)
TRADE_RULES = [
    ("china", to_bloc, None, element, 2025, None, False, None, "heavy_re_controls", HEAVY_NOTE)
    for element in ("Dy", "Tb", "Other")
    for to_bloc in ("allied", "non_allied")
]

# ---------------------------------------------------------------------------------------
# circuits: (node, element, existing_tpa, max_tpa, capex_usd_per_tpa, fixed_om_usd_per_tpa_yr, lead_time_years,
#            available_from_year, max_build_tpa_per_year, source). A separator with circuits separates only their
#            elements: China, Solvay La Rochelle (full-range) and Eneabba (LRE + HRE oxides) have none.
# ---------------------------------------------------------------------------------------
INDIA_NDPR_NOW, INDIA_NDPR_TARGET = 40, 500
SOLVAY_NDPR_NOW, SOLVAY_NDPR_TARGET = 300, 4_500
NDPR_CIRCUIT_SHARE = 0.33  # the richest feed in the model (Songwe 32.8% NdPr): an NdPr circuit never binds alone
MP_HRE_T, MP_HRE_FEED, MP_HRE_LOAN = 200, 3_000, 150e6
HRE_PER_T_SEG_FEED = MP_HRE_T / MP_HRE_FEED
HRE_CAPEX_MP = round(MP_HRE_LOAN / MP_HRE_T, -3)
LYNAS_HRE_NOW = round(1_500 * HRE_PER_T_SEG_FEED)
LYNAS_HRE_NEW = round(5_000 * HRE_PER_T_SEG_FEED)
HRE_CAPEX_LYNAS = round(180e6 * AUD_USD / LYNAS_HRE_NEW, -3)
DY_OF_HRE_MT_WELD = 0.003 / (0.003 + 0.0005)
DY_OF_HRE_MP = 0.0005 / (0.0005 + 0.0001)
HRE_FOM = round(FOM_SHARE_OF_CAPEX * HRE_CAPEX_MP)
LIGHT_ONLY = "light-RE separator: no source says it separates Dy/Tb (data brief, evidence v2)"
GENERIC_HRE = (
    f"generic new heavy circuit: US${HRE_CAPEX_MP:,.0f} per tpa Dy/Tb (MP: US$150m DoD loan / 200 t, the upper unit "
    "cost in the data), 3 years (assumption), at most 200 t/yr started (MP scale)"
)


def split_hre(total: float, dy_share: float) -> dict[str, int]:
    return {"Dy": round(total * dy_share), "Tb": round(total * (1 - dy_share))}


def ndpr_circuit(node: str, existing_input: float, why: str) -> tuple:
    """The NdPr circuit of a separator sized not to bind: growth is paid for by the facility's own capex."""
    existing = round(existing_input * YIELD_SEPARATION * NDPR_CIRCUIT_SHARE)
    return (
        node,
        "NdPr",
        existing,
        None,
        0,
        None,
        None,
        None,
        None,
        f"{why}; NdPr circuit = existing input x 0.95 x 33% (richest feed), not binding; growth free (the facility's "
        "capex pays)",
    )


def heavy_circuits(node: str, existing: dict, maximum: dict | None, capex, lead, first_year, per_year, why: str):
    return [
        (
            node,
            e,
            existing.get(e, 0),
            None if maximum is None else maximum[e],
            capex,
            None if capex is None else HRE_FOM,
            lead,
            first_year,
            per_year,
            why,
        )
        for e in ("Dy", "Tb")
    ]


LYNAS_NOW = split_hre(LYNAS_HRE_NOW, DY_OF_HRE_MT_WELD)
LYNAS_MAX = split_hre(LYNAS_HRE_NOW + LYNAS_HRE_NEW, DY_OF_HRE_MT_WELD)
MP_MAX = split_hre(MP_HRE_T, DY_OF_HRE_MP)
CIRCUITS = [
    (
        "malaysia",
        "NdPr",
        10_500,
        None,
        None,
        None,
        None,
        None,
        None,
        "Lynas Kuantan NdPr target 10.5 ktpa (Lynas AR2024); not binding below the facility's 42,000 t input",
    ),
    *heavy_circuits(
        "malaysia",
        LYNAS_NOW,
        LYNAS_MAX,
        HRE_CAPEX_LYNAS,
        2,
        2025,
        None,
        f"Lynas Malaysia heavy circuit: 1,500 t/yr SEGH feed (A$25m; first Dy May 2025, Tb Jun 2025; FMT) x MP's "
        f"200/3,000 t Dy+Tb per t feed = {LYNAS_HRE_NOW} t, split in Mt Weld's assumed Dy:Tb 6:1; new HRE plant A$180m "
        f"for up to 5,000 t/yr feed (The West) = +{LYNAS_HRE_NEW} t at US${HRE_CAPEX_LYNAS:,.0f} per tpa; 2 years (assumption)",
    ),
    ndpr_circuit("united_states", round(4_000 / 0.157), "MP Mountain Pass separation"),
    *heavy_circuits(
        "united_states",
        {},
        None,
        HRE_CAPEX_MP,
        1,
        2025,
        MP_HRE_T,
        f"MP heavy-RE circuit: 200 t/yr Dy/Tb on 3,000 t SEG+ feed, commissioning mid-2026, US$150m DoD loan as capex "
        f"(MP Q3 2025; defence-industry.eu): built in 2025, in service 2026 (lead 1). Beyond it: {GENERIC_HRE}",
    ),
    ndpr_circuit("us_white_mesa", round(1_000 / 0.21), "Energy Fuels White Mesa"),
    *heavy_circuits(
        "us_white_mesa",
        {},
        {"Dy": 240, "Tb": 66},
        0,
        3,
        2026,
        None,
        "Energy Fuels White Mesa Phase 2: +240 tpa Dy, +66 tpa Tb, approval mid-2027, commissioning Q1 2029 "
        "(Stocktwits); capex inside the facility's US$410m",
    ),
    ndpr_circuit("australia", 0, "generic Australian separator"),
    *heavy_circuits("australia", {}, None, HRE_CAPEX_MP, 3, 2025, MP_HRE_T, GENERIC_HRE),
    ndpr_circuit("australia_nolans", 0, f"Arafura Nolans: 4,440 t NdPr + 474 t mixed HREO; {LIGHT_ONLY}"),
    ndpr_circuit(
        "canada", round(400 * OXIDE_PER_METAL / YIELD_METAL / YIELD_SEPARATION / 0.21), f"SRC Saskatoon; {LIGHT_ONLY}"
    ),
    *heavy_circuits("canada", {}, None, HRE_CAPEX_MP, 3, 2025, MP_HRE_T, GENERIC_HRE),
    ndpr_circuit("estonia", 3_000, f"NPM Silmet 3,000 tpa LRE separation; {LIGHT_ONLY}"),
    *heavy_circuits("estonia", {}, None, HRE_CAPEX_MP, 3, 2025, MP_HRE_T, GENERIC_HRE),
    (
        "france",
        "NdPr",
        SOLVAY_NDPR_NOW,
        SOLVAY_NDPR_TARGET,
        0,
        None,
        None,
        None,
        None,
        "Solvay La Rochelle magnet-RE line: 'several hundred tonnes' in 2025 (taken as 300 t), target ~4,500 tpa "
        "NdPr-type output by 2030 (automotiveworld; rawmaterials.net); v1 let all 4,000 t of input (mostly catalyst "
        "La/Ce) be separated into magnet REs. Growth free (the facility's capex pays)",
    ),
    *heavy_circuits(
        "france",
        {},
        None,
        HRE_CAPEX_MP,
        3,
        2025,
        MP_HRE_T,
        "Solvay is a full-range separator but no Dy/Tb tonnage is found, and only China and Lynas separate Dy/Tb at "
        f"scale in 2025 (evidence v2): no existing heavy circuit; {GENERIC_HRE}",
    ),
    ndpr_circuit("united_kingdom", 0, f"Peak (planned); {LIGHT_ONLY}"),
    ndpr_circuit("russia", 0, "Solikamsk: La, Ce, Nd, Pr oxides + an MREE concentrate (mrchub)"),
    ndpr_circuit("vietnam", 300, f"VTRE; {LIGHT_ONLY}"),
    (
        "india",
        "NdPr",
        INDIA_NDPR_NOW,
        INDIA_NDPR_TARGET,
        0,
        None,
        1,
        None,
        230,
        "IREL Nd output 20-40 t (FY25), targets 200 t (FY26), 500 t (FY27) (Business Standard 2025-11-09); v1 let its "
        "5,000 t REO input yield ~1,000 t NdPr (audit: off by > 2x). Builds free (no capex found), 1 year, at most 230 "
        f"t/yr: <= 270 t in 2026, <= 500 t in 2027 around the targets; {LIGHT_ONLY}",
    ),
]


def full_range_circuits(node: str, input_tpa: float, why: str) -> list[tuple]:
    """NdPr, Dy and Tb circuits of a full-range separator sized not to bind: input x 0.95 x the richest share of
    the element in any ore of the model; growth free (the facility's capex pays)."""
    return [
        (
            node,
            e,
            round(input_tpa * YIELD_SEPARATION * max(p[e] for p in PROFILES.values())),
            None,
            0,
            None,
            None,
            None,
            None,
            f"{why}; circuit = input x 0.95 x the richest {e} share of any ore in the model: not binding",
        )
        for e in ("NdPr", "Dy", "Tb")
    ]


ENEABBA_DY_T = round(ENEABBA_DY_TB_T * MONAZITE_DY_OF_DY_TB)
ENEABBA_SOURCE = (
    f"Iluka Eneabba: ~{ENEABBA_NDPR_T:,} t/yr NdPr + ~{ENEABBA_DY_TB_T} t/yr Dy/Tb oxide on {ENEABBA_FEED_TREO:,} t/yr "
    "TREO feed (InvestorNews 2022, an analyst's reading of Iluka's documents, repost); Dy:Tb not given ('typically 2:1 "
    "to 5:1'): split as the generic monazite's 0.84:0.23 (assumption); built with the refinery (its capex pays)"
)


def circuit_rows() -> list[tuple]:
    """The central case's circuits: capex x 1.26 outside China, as the facilities'."""
    return [(*row[:4], central_capex(row[0], row[4]), *row[5:]) for row in CIRCUITS]


CIRCUITS += [
    *full_range_circuits(
        "china",
        CHINA_SEPARATION,
        "China separates every element (all of the world's Dy/Tb separation but Lynas's in 2025)",
    ),
    ("australia_eneabba", "NdPr", 0, ENEABBA_NDPR_T, 0, None, None, None, None, ENEABBA_SOURCE),
    ("australia_eneabba", "Dy", 0, ENEABBA_DY_T, 0, None, None, None, None, ENEABBA_SOURCE),
    ("australia_eneabba", "Tb", 0, ENEABBA_DY_TB_T - ENEABBA_DY_T, 0, None, None, None, None, ENEABBA_SOURCE),
]


# ---------------------------------------------------------------------------------------
# stockpiles: (node, element, initial_t, initial_provenance, max_t, holding_cost_usd_per_t_yr)
# ---------------------------------------------------------------------------------------
STOCK_DAYS = 180
PRICE_2025_USD_PER_T = {"NdPr": round(NDPR_OXIDE_EX_VAT_USD_KG * 1000), "Dy": 199_000, "Tb": 864_000}
HOLDING_SHARE = 0.01
STOCKPILE_NODES = ("united_states", "japan", "germany", "eu_rest", "south_korea", "united_kingdom")


def stockpile_rows():
    """A stockpile at each allied consumer, none held at the start and closed (max_t 0) but in a scenario."""
    return [
        (node, element, 0, None, 0, round(HOLDING_SHARE * PRICE_2025_USD_PER_T[element], -1))
        for node in STOCKPILE_NODES
        for element in ("NdPr", "Dy", "Tb")
    ]


def stockpile_scenario_rows():
    """Scenario stockpile_180_days: each allied stockpile may hold 180 days of its node's 2025 demand."""
    demand_2025 = {(n, e): t for n, e, y, t in demand_rows() if y == FIRST_YEAR}
    return [
        ("stockpile_180_days", f"max_t.{node}.{element}", round(demand_2025[(node, element)] * STOCK_DAYS / 365, 1))
        for node in STOCKPILE_NODES
        for element in ("NdPr", "Dy", "Tb")
    ]


# ---------------------------------------------------------------------------------------
# budgets: (bloc, budget_usd, scenario) - none in this workbook; budgets are set per scenario in settings
# ---------------------------------------------------------------------------------------
BUDGETS: list[tuple] = []

# ---------------------------------------------------------------------------------------
# scenarios: (scenario, key, value)
# ---------------------------------------------------------------------------------------
EU_NODES = ("france", "germany", "estonia", "eu_rest")
INDEPENDENCE = [("max_restricted_share", 0), ("independence_year", 2035), ("budget_blocs", "allied")]
UNVERIFIED = "the figure is NOT found in public sources (a news-seed claim, unverified)"
DEMAND_HIGH_FACTOR = round(176 / iea_index(2035), 3)
SCENARIO_DESCRIPTIONS = {
    "heavy_re_controls": "China's April 2025 Dy/Tb/Other export controls modelled as a ban to every other bloc",
    "embargo_2027": "stress test: every flow from China to allied nodes banned from 2027",
    "myanmar_disruption": "Myanmar's mines at 20% of capacity (conflict in Kachin State)",
    "alliance_without_eu": "the EU members leave the allied bloc: their demand is no longer protected",
    "china_cost_factor_0_25": f"China's costs at 0.25 of the West's; {UNVERIFIED}",
    "china_cost_factor_0_333": "China's costs at 1/3 of the West's (WSJ: refinery build cost, industry estimates)",
    "china_cost_factor_0_667": "China's costs at 2/3 of the West's (ChinaFolio: production cost)",
    "china_cost_factor_1": "China's costs equal to the West's",
    "budget_8_5bn": "allied capex capped at $8.5bn (US-Australia framework pipeline), allied demand China-free from 2035",
    "budget_75bn": "allied capex capped at $75bn (upper end of a $50-75bn estimate), allied demand China-free from 2035",
    "budget_25bn": "allied capex capped at $25bn (a round middle value between the two sourced budgets, $8.5bn and $75bn: "
    "an assumption), allied demand China-free from 2035",
    "budget_300bn": f"allied capex capped at $300bn, allied demand China-free from 2035; {UNVERIFIED}",
    "open_china_offtake_mines": f"the mines whose output USGS estimates from China's imports (bloc {OFFTAKE}) count as "
    "clean",
    "scope_embedded_magnets": "allied demand includes the magnets in goods China exports to allies (their size, "
    f"{EMBEDDED_SHARE:.0%} of China's own magnet use, is an assumption)",
    "stockpile_180_days": "allied consumers may stock up to 180 days of their 2025 demand of NdPr, Dy and Tb "
    "(Japan's target for high-risk minerals; the DoD's six-month magnet stock)",
    "demand_high": f"all demand x {DEMAND_HIGH_FACTOR} (McKinsey 176 kt magnet REE in 2035 against the IEA path)",
}
SCENARIO_ROWS = [
    ("heavy_re_controls", "max_restricted_share", 1),
    ("embargo_2027", "ban.china.allied", 2027),
    ("myanmar_disruption", "capacity_factor.myanmar", 0.2),
    *[("alliance_without_eu", f"bloc.{n}", "non_allied") for n in EU_NODES],
    ("alliance_without_eu", "budget_blocs", "allied"),
    ("china_cost_factor_0_25", "restricted_cost_factor", 0.25),
    ("china_cost_factor_0_333", "restricted_cost_factor", 0.333),
    ("china_cost_factor_0_667", "restricted_cost_factor", 0.667),
    ("china_cost_factor_1", "restricted_cost_factor", 1),
    ("budget_8_5bn", "budget_usd", 8.5e9),
    *[("budget_8_5bn", k, v) for k, v in INDEPENDENCE],
    ("budget_25bn", "budget_usd", 2.5e10),
    *[("budget_25bn", k, v) for k, v in INDEPENDENCE],
    ("budget_75bn", "budget_usd", 7.5e10),
    *[("budget_75bn", k, v) for k, v in INDEPENDENCE],
    ("budget_300bn", "budget_usd", 3e11),
    *[("budget_300bn", k, v) for k, v in INDEPENDENCE],
    ("demand_high", "demand_factor", DEMAND_HIGH_FACTOR),
    ("open_china_offtake_mines", "restricted_blocs", "china"),
    ("scope_embedded_magnets", "bloc.china_goods_for_allies", "allied"),
]


ANNOUNCED_BLOCS = ("allied", "non_allied", OFFTAKE)
SCENARIO_DESCRIPTIONS["announced_figures"] = (
    f"capex as announced: the central case's x {CAPEX_CENTRAL} overrun removed outside China (capex_factor "
    f"{1 / CAPEX_CENTRAL:.4f}); lead times stay the central case's (+1 year on announced schedules): no scenario key "
    "changes a lead time"
)


def announced_rows() -> list[tuple]:
    """Scenario announced_figures: every non-China bloc's capex x 1 / 1.26."""
    return [("announced_figures", f"capex_factor.{b}", round(1 / CAPEX_CENTRAL, 4)) for b in ANNOUNCED_BLOCS]


def scenario_rows():
    """(scenario, key, value, description): the description on each scenario's first row."""
    rows, described = [], set()
    for name, key, value in (
        SCENARIO_ROWS + stockpile_scenario_rows() + CLEAN_SCENARIO_ROWS + DEMAND_SCENARIO_ROWS + announced_rows()
    ):
        rows.append((name, key, value, None if name in described else SCENARIO_DESCRIPTIONS[name]))
        described.add(name)
    return rows


# ---------------------------------------------------------------------------------------
# Three definitions of clean (issue 21 item 3; docs/model.md "Readings decided"): owners and scenarios
# ---------------------------------------------------------------------------------------
SERRA_VERDE_OWNER_FROM = 2026  # USA Rare Earth's purchase, agreed 20 Apr 2026; closing date not found
OWNERS = {  # node -> bloc of the company that owns its facilities (blank = the node's bloc)
    "tanzania": "china",
    "brazil_serra_verde": "allied",
    "malaysia": "allied",
}


def node_rows():
    """The nodes with their owner (the `restricted` column stays blank)."""
    return [(*row, None, OWNERS.get(row[0])) for row in NODES + recycling_nodes()]


PROCESSING = "separation, metal, magnet"
CLEAN_SCENARIOS = [
    (
        "clean_by_location",
        "clean_by",
        "location",
        f"the base definition written out: clean = never extracted or processed at a node located in china or "
        f"{OFFTAKE}; ore and processing anywhere else count",
    ),
    (
        "clean_allied_processing",
        "allied_only_stages",
        PROCESSING,
        f"allied processing only: separation, metal and magnet count as clean only at allied nodes (Lynas Malaysia's "
        f"separation is not); ore from non-allied mines outside china and {OFFTAKE} still counts",
    ),
    (
        "clean_allied_ore_and_processing",
        "restricted_blocs",
        f"china, {OFFTAKE}, non_allied",
        "allied ore and processing: every stage, mining included, must be at an allied node (v2's clean_allied_only, "
        "renamed: it also excludes non-allied ore such as Serra Verde's)",
    ),
    (
        "clean_by_ownership",
        "clean_by",
        "ownership",
        "clean by the owner's bloc, not the location's: Ngualla (Tanzania, Shenghe since 2025) is restricted; Serra "
        f"Verde (Brazil, USA Rare Earth from {SERRA_VERDE_OWNER_FROM}) and Lynas Malaysia (Lynas, Australia) are allied",
    ),
]
CLEAN_SCENARIO_ROWS = [(name, key, value) for name, key, value, _ in CLEAN_SCENARIOS]
SCENARIO_DESCRIPTIONS |= {name: text for name, _, _, text in CLEAN_SCENARIOS}

# demand paths by scenario (model.md v3): the scenario's rows replace every year of each consumer-element
ADAMAS_NDFEB_CAGR = 0.087  # NdFeB demand 2024-2040, Adamas Intelligence Q3 2024
HIGH_GROWTH = "demand_high_growth"
DEMAND_SCENARIO_ROWS = [(HIGH_GROWTH, "demand_factor", 1)]
SCENARIO_DESCRIPTIONS[HIGH_GROWTH] = (
    f"demand grows {ADAMAS_NDFEB_CAGR:.1%}/yr from 2025 (Adamas NdFeB demand 2024-2040): "
    f"{(1 + ADAMAS_NDFEB_CAGR) ** (LAST_YEAR - FIRST_YEAR):.2f}x by {LAST_YEAR}, against the IEA path's "
    f"{iea_index(LAST_YEAR) / iea_index(FIRST_YEAR):.2f}x (demand rows of scenario {HIGH_GROWTH})"
)


def high_growth_rows():
    """(node, element, year, demand_t, scenario): the base's 2025 demand grown at Adamas' NdFeB rate."""
    rows = []
    for node, _, _ in REGION_MAGNETS_2024:
        for element in ("NdPr", "Dy", "Tb"):
            for year in YEARS:
                growth = (1 + ADAMAS_NDFEB_CAGR) ** (year - FIRST_YEAR)
                rows.append(
                    (node, element, year, round(WORLD_2025[element] * REGION_SHARE[node] * growth, 1), HIGH_GROWTH)
                )
    return rows


# ---------------------------------------------------------------------------------------
# recipes (issue 21 item 5): the allied consumers' Dy and Tb as demand for NdFeB magnets, made bulk alloyed (today's
# intensity), by grain-boundary diffusion (GBD) or heavy-RE-free, in scenario `thrifting` only (base unchanged)
# ---------------------------------------------------------------------------------------
THRIFTING = "thrifting"
MAGNET = "ndfeb_magnet"  # product, t of magnet; t REO-eq = t x REO_PER_T_MAGNET
RECIPE_CONSUMERS = ("united_states", "japan", "south_korea", "germany", "eu_rest", "united_kingdom")  # allied bloc
MAGNET_REO_2025 = sum(WORLD_2025.values())  # NdPr + Dy + Tb, t REO-eq at the magnet stage
BULK_T_PER_T = {e: round(REO_PER_T_MAGNET * WORLD_2025[e] / MAGNET_REO_2025, 6) for e in ("Dy", "Tb")}
GBD_HRE_CUT = 0.45  # middle of Mainrich's 30-60 %
GBD_COST_SHARE = 0.10  # middle of Mainrich's +5-15 % of processing cost
MAGNET_PROCESSING_USD_PER_T = MAG_OPEX * REO_PER_T_MAGNET  # the magnet stage's opex per t of magnet
GBD_EXTRA_COST = round(GBD_COST_SHARE * MAGNET_PROCESSING_USD_PER_T, -1)
HRE_FREE_FROM, HRE_FREE_SHARE = 2028, 0.2  # assumptions: Proterial samples in 2026 + 2 years; share not found
RECIPES_SPEC = {  # recipe -> (t_per_t by element, extra_cost_usd_per_t, max_share, available_from_year)
    "bulk_alloyed": (BULK_T_PER_T, 0, 1, FIRST_YEAR),
    "gbd": ({e: round(t * (1 - GBD_HRE_CUT), 6) for e, t in BULK_T_PER_T.items()}, GBD_EXTRA_COST, 1, FIRST_YEAR),
    "hre_free": ({"Dy": 0, "Tb": 0}, GBD_EXTRA_COST, HRE_FREE_SHARE, HRE_FREE_FROM),
}
RECIPE_ROWS = [
    (MAGNET, recipe, e, t, cost, share, start)
    for recipe, (t_per_t, cost, share, start) in RECIPES_SPEC.items()
    for e, t in t_per_t.items()
]
DEMAND_SCENARIO_ROWS.append((THRIFTING, "demand_factor", 1))
SCENARIO_DESCRIPTIONS[THRIFTING] = (
    f"the allied consumers' Dy and Tb become demand for {MAGNET} (t of magnet), made bulk alloyed (today's intensity), "
    f"by grain-boundary diffusion (Dy, Tb x {1 - GBD_HRE_CUT:.2f}, +{GBD_EXTRA_COST:,.0f} USD/t) or heavy-RE-free "
    f"(no Dy/Tb, at most {HRE_FREE_SHARE:.0%} from {HRE_FREE_FROM}); NdPr unchanged (recipes sheet)"
)


def thrifting_rows():
    """(node, element, year, demand_t, scenario): each allied consumer's magnets in t of magnet, (NdPr + Dy + Tb)
    / REO_PER_T_MAGNET on the IEA path, and its Dy and Tb rows set to 0 (the recipes carry them)."""
    rows = []
    for node in RECIPE_CONSUMERS:
        for year in YEARS:
            reo = MAGNET_REO_2025 * REGION_SHARE[node] * iea_index(year) / iea_index(FIRST_YEAR)
            rows.append((node, MAGNET, year, round(reo / REO_PER_T_MAGNET, 1), THRIFTING))
            rows += [(node, e, year, 0.0, THRIFTING) for e in ("Dy", "Tb")]
    return rows


MAINRICH_GBD = (
    "Mainrich International, 'GBD vs bulk-alloyed NdFeB' "
    "(https://www.mainrichinternational.com/compare/gbd-vs-bulk-alloyed-ndfeb-magnet; P, a magnet vendor)"
)
RECIPE_SOURCES = [
    (
        f"recipe {MAGNET} bulk_alloyed",
        f"Dy {BULK_T_PER_T['Dy']}, Tb {BULK_T_PER_T['Tb']} t/t",
        "derived from the demand rows (world 2024 oxide: NdPr 71,000, Dy 2,570, Tb 490 t) and REO_PER_T_MAGNET",
        2024,
        f"today's average intensity: {REO_PER_T_MAGNET} t REO per t magnet x each element's share of NdPr+Dy+Tb, so "
        "that bulk_alloyed alone gives the base's Dy and Tb rows. Today's average already includes GBD magnets (their "
        "share not found), so the thrifting scenario may count part of today's thrifting twice",
    ),
    (
        f"recipe {MAGNET} gbd: Dy/Tb cut",
        f"-{GBD_HRE_CUT:.0%} (range 30-60%)",
        MAINRICH_GBD,
        2025,
        "'roughly 30-60% less heavy rare earth than bulk alloyed magnets at the same intrinsic coercivity'; the middle "
        "is used. Not in the uncertainty sheet: its targets are settings and scenario keys, and no key sets a "
        "recipe's t_per_t (only max_share.<product>.<recipe>)",
    ),
    (
        f"recipe {MAGNET} gbd: extra cost",
        f"{GBD_EXTRA_COST:,.0f} USD/t magnet",
        MAINRICH_GBD,
        2025,
        f"the 8-24 h anneal 'increases processing cost 5-15%'; the middle, 10%, of the magnet stage's processing cost "
        f"per t of magnet: assumption that processing cost = the reference's magnet opex {MAG_OPEX:,.0f} USD/t REO "
        f"x {REO_PER_T_MAGNET} t REO/t magnet = {MAGNET_PROCESSING_USD_PER_T:,.0f} USD/t (China's conversion cost "
        "/ restricted_cost_factor). Available from 2025 with no share cap: 'dominant technology' for traction magnets",
    ),
    (
        f"recipe {MAGNET} hre_free",
        f"Dy 0, Tb 0; max_share {HRE_FREE_SHARE} from {HRE_FREE_FROM}",
        "Green Car Congress 24 Aug 2016 (R of Honda: Daido hot-deformed magnet, no heavy RE, mass production 2016); "
        "Rare Earth Exchanges on Proterial (R: two HRE-free NdFeB grades, the second sampling by Apr 2026)",
        2026,
        f"existence sourced; max_share {HRE_FREE_SHARE} and the year {HRE_FREE_FROM} are assumptions (market share "
        "not found; Proterial's samples in 2026 + 2 years to qualify). Extra cost: assumption, the GBD figure (no "
        "source; Honda reports ~10% lower magnet cost, which includes the heavy RE it saves). NdPr per t unchanged "
        "(assumption)",
    ),
    (
        f"scenario {THRIFTING}",
        None,
        "issue 21 item 5",
        2026,
        "recipes only in a scenario: no market share of GBD or HRE-free magnets is sourced, and GBD at +10% cost "
        "would replace bulk alloying in the base wherever heavy RE is dear, which would move the headline on a vendor "
        "figure alone. Demand rows of the scenario: allied consumers' magnets in t, their Dy and Tb rows at 0",
    ),
]


SHENGHE_PEAK = (
    "Peak Rare Earths ASX releases via middle.news, 19 Sep 2025 "
    "(https://www.middle.news/articles/2025/09/19/peak-rare-earths-acquisition-approved-whats-next-for-shareholders; "
    "a repost of the ASX announcements)"
)
USAR_SERRA_VERDE = (
    "Finance Monthly citing Reuters "
    "(https://www.finance-monthly.com/why-critical-minerals-capital-is-moving-towards-supply-chain-control/; a repost)"
)
CLEAN_SOURCES = [
    (
        "owner tanzania (Ngualla)",
        "china",
        SHENGHE_PEAK,
        2025,
        "Shenghe's scheme for Peak Rare Earths (A$195m) effective 19 Sep 2025, paid 30 Sep, Peak delisted 1 Oct 2025; "
        "Peak held 84% of Ngualla's operator. Read by clean_by = ownership only (scenario clean_by_ownership)",
    ),
    (
        "owner brazil_serra_verde",
        "allied",
        USAR_SERRA_VERDE,
        2026,
        "USA Rare Earth agreed on 20 Apr 2026 to buy Serra Verde (US$300m cash + 126.9m shares; sellers keep 34% of "
        f"the combined company). Closing date not found: assumed in {SERRA_VERDE_OWNER_FROM}. An owner holds for the "
        "whole horizon in the model; the reference's earliest independence year is 2030, so the years before closing "
        "enter no requirement",
    ),
    (
        "owner malaysia (Lynas Kuantan)",
        "allied",
        "Lynas Rare Earths Ltd, ASX-listed (https://lynasrareearths.com)",
        2025,
        "Lynas Malaysia is Lynas Rare Earths' (Australia) plant: allied by owner, non_allied by location. Changes "
        "nothing under clean_by_ownership alone (non_allied is not restricted); listed so that the owner column says "
        "who owns the largest ex-China separator",
    ),
    (
        "other Chinese stakes (not owners)",
        None,
        "research21 section 3 (rawmaterials.net, scrapinsight, NEI Magazine; reposts)",
        2025,
        "Shenghe holds minority stakes in Vital Metals (Nechalacho, 18.2%), Kvanefjeld (12.5%, option to 60%) and MP "
        "Materials (~8%): minority stakes, so no owner is set; Wigu Hill (Tanzania, 50%) has no facility in the model",
    ),
    (
        "scenarios clean_by_location, clean_allied_processing, clean_allied_ore_and_processing, clean_by_ownership",
        None,
        "issue 21 item 3 (three definitions of clean); docs/model.md 'Readings decided'",
        2026,
        "one scenario per definition; each changes only who is clean, not the requirement (the findings apply it)",
    ),
    (
        "demand path demand_high_growth",
        f"{ADAMAS_NDFEB_CAGR:.1%}/yr",
        "Adamas Intelligence, Rare Earth Magnet Market Outlook to 2040, Q3 2024 "
        "(https://adamasintel.com/rare-earth/rare-earth-magnet-market-outlook-to-2040)",
        2024,
        f"NdFeB demand CAGR 8.7% 2024-2040 = 3.80x from 2024 (research21 5.1); applied from the base's 2025 demand, "
        f"{(1 + ADAMAS_NDFEB_CAGR) ** (LAST_YEAR - FIRST_YEAR):.2f}x by 2040, to NdPr, Dy and Tb of every consumer. "
        "The IEA path stays the base; scenario demand_high (x 1.239, McKinsey 2035) stays beside it",
    ),
]


# ---------------------------------------------------------------------------------------
# Recycling supply (issue 21 item 5): named allied plants as stage-1 nodes with the composition of NdFeB
# scrap and a separator of their own; no new LP family (model.md: stage 1 is mining or recycling feedstock)
# ---------------------------------------------------------------------------------------
ARGUS = (
    "Argus Media, China's recycled rare earth output falls in 2024 (https://www.argusmedia.com/metals-platform/"
    "newsandanalysis/article/2678157-China-s-recycled-rare-earth-output-falls-in-2024)"
)
SCRAP_REO_2024 = {"total": 34_147, "NdPr": 26_504, "Dy": 710, "Tb": 160}  # China's REO from NdFeB scrap, Argus
SCRAP_PROFILE = {e: round(SCRAP_REO_2024.get(e, 0) / SCRAP_REO_2024["total"], 6) for e in ELEMENTS if e != "Other"}
RECYCLING = [  # (node, country, region, magnets t/yr, first year, capex USD for the plant or None, source, note)
    (
        "uk_tyseley_recycling",
        "United Kingdom",
        "Europe",
        100,
        2026,
        None,
        "electrive 15 Jan 2026 (https://www.electrive.com/2026/01/15/rare-earth-magnet-recycling-plant-opens-in-the-uk; "
        "a repost of HyProMag's release)",
        "HyProMag Tyseley (Birmingham): 100 t/yr of magnets on a single shift (>300 t multi-shift), opened Jan 2026",
    ),
    (
        "canada_cyclic_recycling",
        "Canada",
        "North America",
        100,
        2025,
        None,
        "C&EN 24 Jun 2024 (research21 5.3; a repost)",
        "Cyclic Materials Hub100, Kingston: 100 t/yr since Jun 2024; a 500 t/yr hub is planned (no date found: not "
        "modelled)",
    ),
    (
        "france_caremag_recycling",
        "France",
        "Europe",
        2_000,
        2027,
        None,
        "Chemical Engineering 17 Mar 2025 (https://chemengonline.com/carester-to-build-rare-earth-recycling-and-"
        "refining-facility-in-france; a repost of Carester's release)",
        "Carester Caremag, Lacq: 2,000 t/yr of magnets recycled from late 2026 (first full year 2027), funded (EUR216m "
        "incl. JOGMEC/Iwatani); its 5,000 t/yr of concentrate refining is not part of this node",
    ),
    (
        "us_hypromag_recycling",
        "United States",
        "North America",
        750,
        2027,
        125e6,
        "Project Blue Jan 2026; supermetalprice (research21 5.3; reposts)",
        "HyProMag USA, Dallas-Fort Worth: feasibility study for 750 t/yr of sintered magnets (+291 t co-products), "
        "US$125m, production early 2027; not financed in the stored material, so a build option, not existing capacity",
    ),
]


def recycling_reo(magnets_t: float) -> float:
    return round(magnets_t * REO_PER_T_MAGNET, 1)


def recycling_nodes():
    note = "Recycling site node (allied, like its country): scrap NdFeB magnets as stage-1 feed, separated on site. "
    return [(node, "allied", country, region, note + text) for node, country, region, _, _, _, _, text in RECYCLING]


def recycling_facility_rows():
    """(node, stage, existing, max, capex, fom, opex, lead, lifetime, available_from, max_build, source) of the
    scrap feed (stage 1) and the plant's own separation. An unfinanced plant is a build option whose capex sits
    on its separation; its scrap feed costs nothing to open but has no separator before the plant's first year."""
    rows = []
    for node, _, _, magnets, first, capex, source, _ in RECYCLING:
        reo = recycling_reo(magnets)
        how = f"{magnets:,} t/yr magnets x {REO_PER_T_MAGNET} t REO per t = {reo:,} t REO/yr from {first}; {source}"
        if capex is None:
            rows.append((node, "mining", reo, reo, None, MINE_FOM, MINE_OPEX, 0, 25, None, None, how))
            rows.append(
                (node, "separation", reo, reo, None, SEP_FOM, SEP_OPEX, 0, 25, None, None, RECYCLING_SEPARATION)
            )
            continue
        lead = first - FIRST_YEAR
        rows.append((node, "mining", 0, reo, 0, MINE_FOM, MINE_OPEX, lead, 25, None, None, how))
        plant = f"US${capex / 1e6:,.0f}m / {reo:,} t REO/yr; {RECYCLING_SEPARATION}"
        rows.append(
            (node, "separation", 0, reo, round(capex / reo, -2), SEP_FOM, SEP_OPEX, lead, 25, None, None, plant)
        )
    return rows


RECYCLING_SEPARATION = (
    "assumption: the plant recovers the RE of its scrap on site at the reference separation opex (HyProMag's route "
    "makes alloy powder without separation; the model's chain passes it through separation, metal and magnet)"
)


def recycling_composition_rows():
    other = round(1 - sum(SCRAP_PROFILE.values()), 10)
    shares = {**SCRAP_PROFILE, "Other": other}
    return [(node, e, shares[e]) for node, *_ in RECYCLING for e in ELEMENTS]


def recycling_circuit_rows():
    """NdPr, Dy and Tb circuits that never bind (the plant recovers every element of its scrap)."""
    return [
        (
            node,
            e,
            math.ceil(recycling_reo(magnets) * SCRAP_PROFILE[e]),
            None,
            None,
            None,
            None,
            None,
            None,
            RECYCLING_SEPARATION,
        )
        for node, _, _, magnets, *_ in RECYCLING
        for e in ("NdPr", "Dy", "Tb")
    ]


def recycling_availability_rows():
    """No feed and no separation before an existing plant's first year (a build option waits for its lead
    time instead)."""
    return [
        (node, stage, year, 0)
        for node, _, _, _, first, capex, _, _ in RECYCLING
        if capex is None
        for stage in ("mining", "separation")
        for year in range(FIRST_YEAR, first)
    ]


CLEAN_SOURCES += [
    (
        "recycling composition (scrap NdFeB)",
        ", ".join(f"{e} {v:.4f}" for e, v in SCRAP_PROFILE.items() if v),
        ARGUS,
        2024,
        "China's REO recovered from NdFeB scrap in 2024: 34,147 t, of which PrNd oxide 26,504 t, Dy 710 t, Tb 160 t "
        "(Gd 1,048 t and Ho 167 t in Other); assumption: allied scrap has China's mix (mostly production scrap)",
    ),
    (
        "recycling plants",
        f"{sum(recycling_reo(row[3]) for row in RECYCLING):,.1f} t REO/yr at full size",
        "research21 5.3 (each plant's source in its facilities row)",
        2026,
        "Tyseley, Cyclic and Caremag as existing capacity from their first year (availability rows 0 before); HyProMag "
        "USA a build option at its US$125m on its separation (which also pays for magnet making: an overstatement). Opex and fixed O&M: "
        "the reference mining and separation figures (assumption; scrap prices not found). Pforzheim has no capacity "
        "figure: not modelled. China's 34 kt/yr of recycled REO stays outside the model, as in v2 (demand is "
        "calibrated to documented oxide supply without it)",
    ),
]


# ---------------------------------------------------------------------------------------
# uncertainty (read by `rechain risk` only), by attrition tier (issue 21)
# ---------------------------------------------------------------------------------------
OVERRUN_RECORD = (1.0, 1.6, 1.8)  # actual / announced capex
OVERRUN = tuple(round(x / CAPEX_CENTRAL, 3) for x in OVERRUN_RECORD)  # on top of the central case's x 1.26
OVERRUN_NOTE = (
    "record: Eneabba A$1.0-1.2bn -> A$1.7-1.8bn (x1.42-1.8), Lynas Kalgoorlie A$500m -> A$800m (x1.6), Nolans A$1.0bn "
    "-> ~A$1.6bn (x1.6) (data brief evidence v2); low 1.0 (on budget) is an assumption; triangular 1.0 / 1.6 / 1.8 "
    f"of the announced capex = {' / '.join(f'{x:g}' for x in OVERRUN)} of the central case's (announced x "
    f"{CAPEX_CENTRAL})"
)
OVERRUN_STAGES = ("mining", "separation")


def circuit_build_nodes() -> set[str]:
    return {row[0] for row in CIRCUITS if row[4] is not None}


def build_options(stage: str) -> list[tuple]:
    """Facilities outside China with a new-build option (their own or, at separation, a circuit's)."""
    return [
        row
        for row in ALL_FACILITIES + recycling_facility_rows()
        if row[1] == stage
        and row[0] not in CHINA_BLOC_NODES
        and (row[4] is not None or (stage == "separation" and row[0] in circuit_build_nodes()))
    ]


CONDITIONS = ("embargo.",)  # external events: every outlook figure is also given per class of these rows


def uncertainty_rows():
    """The rows in the schema's column order: (target, distribution, p1, p2, p3, shared, factor, correlation,
    condition, scenario, note); every project row's note starts with `tier=<tier>;`."""
    rows = []
    for stage in ("mining", "separation", "metal", "magnet"):
        for row in build_options(stage):
            rows += tier_rows(row[0], stage, tier_of(row))
    for target, distribution, p1, p2, p3, scenario, note in world_rows():
        condition = True if target.startswith(CONDITIONS) else None
        rows.append((target, distribution, p1, p2, p3, None, None, None, condition, scenario, note))
    return rows


def tier_rows(node: str, stage: str, tier: str) -> list[tuple]:
    """A project's failure and delay rows from its tier (the market factor on studied and generic ones), and its
    capex overrun at mining and separation."""
    p, delays, why = TIERS[tier]
    shock = (MARKET_FACTOR, MARKET_CORRELATION) if tier in CORRELATED_TIERS else (None, None)
    note = f"tier={tier}; {why}" + (f"; {MARKET_NOTE}" if shock[0] else "")
    rows = [
        (f"failure.{node}.{stage}", "bernoulli", p, None, None, None, *shock, None, None, note),
        (f"lead_time_delay.{node}.{stage}", "discrete", delays, None, None, None, *shock, None, None, note),
    ]
    if stage in OVERRUN_STAGES:
        rows.append(
            (
                f"capex_overrun.{node}.{stage}",
                "triangular",
                *OVERRUN,
                None,
                None,
                None,
                None,
                None,
                f"tier={tier}; {OVERRUN_NOTE}",
            )
        )
    return rows


def world_rows():
    return [
        (
            "restricted_cost_factor",
            "uniform",
            0.333,
            0.667,
            None,
            None,
            "between WSJ's 1/3 (refinery build cost) and ChinaFolio's 2/3 (production cost); 1/4 is not found",
        ),
        (
            "demand_factor",
            "uniform",
            1.0,
            DEMAND_HIGH_FACTOR,
            None,
            "demand_high",
            f"between the IEA path (1) and McKinsey's 176 kt in 2035 ({DEMAND_HIGH_FACTOR}); a uniform factor on all "
            "years; only with --scenario demand_high: above the IEA path the reference's world falls short of demand "
            "(no Chinese expansion beyond its sourced capacity), which is not a fact about clean supply",
        ),
        (
            "embargo.allied",
            "discrete",
            "2027:0.25, 2030:0.25, 2100:0.5",
            None,
            None,
            None,
            "2027: China's Oct 2025 controls are suspended until 10 Nov 2026 (MOFCOM); the probabilities and 2030 are "
            "assumptions; 2100 = no embargo in the horizon",
        ),
    ]


# ---------------------------------------------------------------------------------------
# sources: (item, value, source, year, note); the v1 rows have no year column
# ---------------------------------------------------------------------------------------
BRIEF = "shared/data/rare_earth_data.md"
WSJ = (
    "WSJ, 'How China Beat Out the U.S. to Become the Top Player in Rare-Earths Refining' (Mar 2025), republished by Mint "
    "(https://www.livemint.com/global/how-china-beat-out-the-us-to-become-the-top-player-in-rare-earths-refining-"
    "11742876077443.html; its stored excerpt stops before the 'a third' sentence); the sentence as quoted in a forum "
    "repost (https://www.troublefreepool.com/threads/first-look-at-pentairs-new-intellichlor-plus30.307995/post-2691958)"
)
SOURCES_V1 = [
    (
        "Data brief",
        None,
        BRIEF,
        "All figures below come from the brief (which cites the original publication, URL given) or are marked assumption.",
    ),
    (
        "Units",
        None,
        "workbook.md",
        "t REO-equivalent throughout; metal and magnet capacities converted with the factors below.",
    ),
    (
        "AUD->USD",
        AUD_USD,
        "Kallanish/SEAISI 'A$800m ($530.1m)', Nov 2024 (https://seaisi.org/details/25722?type=news-rooms)",
        "530.1 / 800 = 0.663",
    ),
    ("CNY per USD", CNY_PER_USD, BRIEF, "brief's own 2025 assumption"),
    ("Chinese VAT in domestic prices", VAT_CN, "treo.substack.com 'Rare earths price development'", "13% VAT"),
    ("EUR->USD", EUR_USD, "assumption (not in brief)", "approximate 2024 average rate"),
    ("CAD->USD", CAD_USD, "assumption (not in brief)", "approximate 2024 average rate; used only in notes"),
    (
        "Magnet RE content",
        MAGNET_RE_CONTENT,
        "sdmmagnetic.com; couragemagnet.com; wungiel.pl via brief sec. 5",
        "sintered NdFeB 29-32.5 wt% RE; '31% by weight is assumed'",
    ),
    (
        "Oxide per metal",
        round(OXIDE_PER_METAL, 4),
        "stoichiometry (not from brief)",
        "Nd2O3 336.48 g/mol / (2 x Nd 144.24) = 1.1664; Dy2O3/2Dy = 1.1477",
    ),
    ("t REO-eq per t magnet", REO_PER_T_MAGNET, "derived", "0.31 x 1.1664"),
    (
        "setting discount_rate",
        0.07,
        "assumption",
        "real discount rate typical of public project appraisal; not from brief",
    ),
    ("setting max_restricted_share", 1, "modelling choice", "base case: no independence requirement"),
    (
        "setting independence_year",
        2030,
        "modelling choice",
        "used only when a scenario or --set lowers max_restricted_share",
    ),
    (
        "setting penalties",
        1e7,
        "modelling choice",
        "US$10,000/kg, above every unit cost in the model, so unmet demand/shortfall only appear when infeasible otherwise",
    ),
    (
        "setting default_transport_usd_per_t",
        200,
        "assumption (not in brief)",
        "ocean freight + handling of concentrate/oxide; a container of ~20-25 t at ~US$4-5k; brief only says North American "
        "prices track China's by freight/handling",
    ),
    (
        "routes",
        None,
        "assumption",
        "china_ionic->china 50 (domestic), myanmar->china 100 (overland border trade), australia->malaysia 150 (Lynas "
        "Kalgoorlie/Fremantle to Kuantan, short sea leg). v1 closed Myanmar's routes to every separator outside China; v2 "
        f"opens them and marks Myanmar restricted instead (bloc {OFFTAKE}, see 'clean by evidence'), so that one "
        "scenario can open all such mines",
    ),
    (
        "setting restricted_cost_factor",
        RESTRICTED_COST_FACTOR,
        f"{WSJ} (refinery build cost China ~1/3 of US); ChinaFolio (production cost ~2/3); brief sec. 4.3",
        "China's facility rows carry the same Western reference costs as allied rows; the factor is the China/West cost ratio. "
        "Evidence: capex 1/3 (WSJ), production cost 2/3 (ChinaFolio), market-price ratio 0.52-0.75 (derived in brief), "
        "Baotou US$7-10/kg REO vs Western US$10.8/kg TREO (Nolans) = 0.65-0.93. 0.5 ~ geometric mean of 1/3 and 2/3; "
        "opex-only evidence points higher (0.65-0.93). '1/4' (seed claim) was NOT found.",
    ),
    (
        "stage yields",
        "0.95 / 0.95 / 0.97",
        "assumption (no recovery data in brief)",
        "separation 0.95, metal 0.95, magnet 0.97 (net of in-plant swarf recycling); chain yield after separation 0.9215",
    ),
    (
        "mining capex brownfield",
        MINE_CAPEX_BROWNFIELD,
        "Lynas Mt Weld expansion A$570m (viralz.org; Project Blue)",
        "A$570m / (5,000 t NdPr / 25% NdPr = 20,000 t TREO) x 0.663 = US$18,896 per tpa TREO",
    ),
    (
        "cracking capex",
        KALGOORLIE_CRACKING_PER_T_TREO,
        "Lynas Kalgoorlie US$530.1m (SEAISI/Kallanish)",
        "US$530.1m / (9,000 t NdPr / 25% = 36,000 t TREO) = US$14.7k per tpa TREO",
    ),
    (
        "mining capex greenfield",
        MINE_CAPEX_GREENFIELD,
        "derived",
        "Mt Weld expansion + Kalgoorlie cracking per t TREO = 18,900 + 14,700; within the brief's integrated mine+separation "
        "range US$40-110k minus separation US$30-70k",
    ),
    (
        "integrated opex (Western)",
        NOLANS_OPEX_PER_T_TREO,
        "Arafura Nolans A$61.60/kg NdPr (2022 update; NS Energy)",
        "61.60 x 0.663 = US$40.8/kg NdPr x 26.4% NdPr = US$10.8/kg TREO",
    ),
    (
        "mining opex",
        MINE_OPEX,
        "assumption on the split",
        "40% of the integrated Western opex (mine, beneficiation, cracking)",
    ),
    ("separation opex", SEP_OPEX, "assumption on the split", "60% of the integrated Western opex (per t REO input)"),
    (
        "mining share of integrated capex",
        round(MINE_SHARE_OF_INTEGRATED_CAPEX, 3),
        "derived",
        "33,600 / (33,600 + 50,000); used to split Nolans and Ngualla integrated capex",
    ),
    (
        "separation capex generic",
        SEP_CAPEX_GENERIC,
        "brief sec. 4.1 derived default range",
        "midpoint of US$30-70k per tpa REO (Solikamsk 29k, Eneabba 62-66k); MP heavy-RE circuit US$150m/3,000 t feed = 50k",
    ),
    ("separation capex Eneabba", SEP_CAPEX_ENEABBA, "NS Energy; WA gov.", "US$1.09-1.16bn / 17,500 tpa, midpoint"),
    (
        "separation capex White Mesa",
        SEP_CAPEX_WHITE_MESA,
        "Energy Fuels Phase 2 BFS Jan 2026 (Stocktwits)",
        "US$410m / (5,000 t NdPr added / 21% NdPr in monazite = 23,810 t REO)",
    ),
    ("separation capex Lynas Malaysia", SEP_CAPEX_LYNAS_MY, "The West; lcdproduct.com", "US$120m / 5,000 t HRE feed"),
    ("separation capex Solikamsk", SEP_CAPEX_SOLIKAMSK, "mrchub", "US$71.5m / 2,500 t"),
    (
        "separation capex Solvay",
        SEP_CAPEX_SOLVAY,
        "24brussels; specchemonline (low confidence)",
        "EUR100m / 2,000-5,000 t = EUR20-50k, midpoint 35k x 1.08",
    ),
    (
        "Nolans capex split",
        f"{NOLANS_MINE_CAPEX:.0f} / {NOLANS_SEP_CAPEX:.0f}",
        "NS Energy; Mining Weekly",
        "A$1.39bn x 0.663 / 13,343 t TREO = US$69.1k per tpa, x 0.402 mining / x 0.598 separation",
    ),
    (
        "Ngualla capex split",
        f"{NGUALLA_MINE_CAPEX:.0f} / {NGUALLA_SEP_CAPEX:.0f}",
        "Mining Weekly (2017 BFS)",
        "US$356m / (2,420 t NdPr / 21% assumed NdPr share = 11,524 t TREO) = US$30.9k, split 0.402/0.598",
    ),
    (
        "metal capex generic",
        METAL_CAPEX_GENERIC,
        "brief sec. 4.1 (ASM KMP US$7-9k; expansion A$31k ~ US$20k per t)",
        "midpoint of US$7-30k per t metal = 18,500 / 1.1664 per t REO-eq; SRC C$252k/t is a demo-scale outlier, not used",
    ),
    (
        "metal opex",
        METAL_OPEX,
        "assumption (no metal conversion cost in brief)",
        "~US$3/kg REO-eq, ~6% of NdPr oxide price",
    ),
    (
        "magnet capex generic",
        MAG_CAPEX_GENERIC,
        "brief sec. 4.1 derived default range",
        f"midpoint of US$40-180k per t magnet = 110,000 / {REO_PER_T_MAGNET}",
    ),
    (
        "magnet capex US (MP 10X)",
        MAG_CAPEX_MP_10X,
        "investingnews; plantservices",
        f">US$1.25bn for +7,000-10,000 tpa = US$125-179k/t, midpoint 152,000 / {REO_PER_T_MAGNET}; Fort Worth >=US$100k/t, "
        "USA Rare Earth <=83k/t initial",
    ),
    (
        "magnet capex Estonia (Narva)",
        MAG_CAPEX_NARVA,
        "global-recycling; miningsee; automotiveworld",
        f"EUR250m / 5,000 t = EUR50k x 1.08 = US$54k/t magnet / {REO_PER_T_MAGNET}",
    ),
    (
        "magnet opex",
        MAG_OPEX,
        "SMM 9 May 2025 (NdFeB 40H CNY185-195/kg; PrNd oxide CNY417-419k/t)",
        f"40H CNY190/7.2/1.13 = US${MAGNET_40H_EX_VAT_USD_KG:.2f}/kg ex-VAT minus RE content 0.31 x 1.1664 x "
        f"US${NDPR_OXIDE_EX_VAT_USD_KG:.2f}/kg oxide = China conversion cost US${CHINA_MAGNET_CONVERSION_USD_KG:.2f}/kg magnet; "
        f"Western reference = that / 0.5, per t REO-eq = / {REO_PER_T_MAGNET}",
    ),
    (
        "fixed O&M",
        "4% of generic capex per yr",
        "assumption (no O&M data in brief)",
        f"mining {MINE_FOM}, separation {SEP_FOM}, metal {METAL_FOM}, magnet {MAG_FOM} USD per tpa-yr",
    ),
    (
        "lead times",
        None,
        "brief sec. 4.4",
        "brownfield mine 1-2 yr (Mt Weld, MP 60K); greenfield mine 5 yr from feasibility, 8 yr generic (IEA average); "
        "separation 3-5 yr (Eneabba ~5, Energy Fuels ~3, Solikamsk ~3), retrofit 1; metal 1-3; magnet 2-3 (Narva, MP 10X). "
        "China: 1-2 yr (assumption: quota-driven additions on existing sites).",
    ),
    (
        "max_build_tpa_per_year (allied generic)",
        "17,500 / 5,000 / 3,616",
        "derived / assumption",
        "separation: one Eneabba-size refinery (17,500 t) per node per year; metal 5,000 t REO-eq (~ASM KMP nameplate, "
        "assumption); magnet 10,000 t magnets (MP 10X scale) x 0.3616. Cheap named brownfield options (Solvay, Narva, White "
        "Mesa, Lynas Malaysia, Peak UK) are capped at their project size; generic expansion elsewhere is unlimited in total "
        "but limited per year",
    ),
    ("lifetime", 25, "assumption", "default 25 years for all facilities (only sets salvage value)"),
    (
        "China mining split",
        f"{CHINA_LIGHT_MINING} + {IONIC_QUOTA_2024}",
        "USGS MCS 2025; Fastmarkets; Project Blue",
        "270,000 t quota; ion-adsorption = H1 CREG 10,140 t x 2 (H2 assumed = H1)",
    ),
    (
        "China separation existing",
        CHINA_SEPARATION,
        "MIIT via starfeu.com; Metalnomist; USGS",
        "254,000 quota + 60,000 SE Asian feed + 28,000 US feed (upper bound) + Nigeria 13,000 + Madagascar 2,000 (USGS 2024e, "
        "from China import data); physical capacity is likely higher (not found)",
    ),
    (
        "Australia mining existing",
        28_000,
        "Lynas via viralz.org / Project Blue; USGS",
        "sources disagree: USGS 13,000 t (2024; OCR copy flags an import-data footnote), Lynas FY24 5,655 t NdPr / 25% = "
        "22,600 t, run-rate ~8,000 t NdPr (FY25-26) / 25% = 32,000 t; chosen: stated pre-expansion capacity 7,000 t NdPr-eq / 25%",
    ),
    (
        "composition bastnasite Mountain Pass",
        "NdPr 15.7, La 32.3, Ce 50.2, SEG+ 1.8 %",
        "MP 10-K 2021 (EDGAR)",
        "Dy 0.05% and Tb 0.01% of TREO are assumptions inside SEG+ 1.8% (Molycorp: HREE ~1%); Other = 1 - rest. Also used "
        "for Vietnam (deposit type not in brief: assumption)",
    ),
    (
        "composition Bayan Obo (china)",
        "NdPr 20, La 22, Ce 50 %",
        "Adamas via SCMP 2019 (La ~20, Ce ~50, NdPr 20-25, others 5-10)",
        "NdPr at the low end: China's reported PrNd oxide output 44.5-45.5 kt from the 270 kt quota (Metalnomist) implies "
        "~17-18%; Dy 0.1%, Tb 0.02% assumptions; Other = 1 - rest (7.9%)",
    ),
    (
        "composition ionic clay (china_ionic, myanmar)",
        "Dy 4.33, Tb 0.78 %",
        "SMM Dy/Tb oxide output; USGS; Fastmarkets",
        "China Dy oxide 214 t/month x 12 = 2,570 t/yr, Tb 40.8 x 12 = 490 t/yr (SMM); / 0.95 yield = 2,705 / 516 t "
        "contained; minus Bayan Obo (249,720 x 0.1% / 0.02%) and imported monazite (28,000 t x 0.84% / 0.23%) = 2,220 / 401 t "
        "from ionic clay feed (20,280 domestic + 31,000 Myanmar = 51,280 t) -> Dy 4.33%, Tb 0.78%. NdPr 20%, La 15%, Ce 5% "
        "are assumptions (clays are Ce-poor; Y in Other). Same profile for Myanmar (no Myanmar assay in brief)",
    ),
    (
        "composition monazite (generic)",
        "NdPr 21, Dy 0.84, Tb 0.23 %",
        "InvestorIntel (NdPr ~21%); Energy Fuels Phase 2 mix (Stocktwits)",
        "Dy 240 t = 4.0% and Tb 66 t = 1.1% of 6,000 t NdPr -> x 21% = 0.84% / 0.23% of TREO; La 22%, Ce 46% assumptions "
        "(La-Ce-Pr-Nd = 80-99% of most deposits, USGS FS 087-02). Used for India, Nigeria, Thailand, Madagascar, Malaysia, "
        "Brazil, Eneabba, rest of world and the generic greenfield nodes (Canada, Greenland, South Africa): deposit types "
        "there are assumptions",
    ),
    (
        "composition Mt Weld (australia)",
        "NdPr 25 %",
        "InvestorIntel",
        "Dy 0.3%, Tb 0.05% assumptions (brief: 'Dy/Tb present; figures not found'); La 24%, Ce 44% assumptions",
    ),
    (
        "composition Nolans",
        "NdPr 26.4 %",
        "Arafura (https://www.arultd.com/projects/nolans/)",
        "HREO 474 / 13,343 = 3.55% (derived); Dy/Tb taken as generic monazite (0.84/0.23%) inside it; La 20%, Ce 47% assumptions",
    ),
    (
        "composition loparite (russia)",
        "NdPr 20 %",
        "mrchub (Solikamsk: NdPr ~20% of oxide volume)",
        "La 27%, Ce 49%, Dy 0.05%, Tb 0.02% assumptions",
    ),
    (
        "composition Songwe (malawi)",
        "NdPr 32.8, Dy+Tb 0.94 %",
        "Mkango DFS",
        "1,953/5,954 = 32.8% NdPr; Dy+Tb 56/5,954 = 0.94% split 0.74/0.20 in the monazite Dy:Tb ratio; La 19%, Ce 41% assumptions",
    ),
    (
        "composition Ngualla (tanzania)",
        "NdPr 21 %",
        "assumption (not in brief)",
        "bastnasite; Dy 0.05%, Tb 0.01%, La 27%, Ce 49%",
    ),
    (
        "demand growth path",
        "93 -> 131 -> 181 kt",
        "IEA GCMO 2024 (p.179) via SEAISI (https://seaisi.org/details/24787?type=news-rooms)",
        "magnet REE (Nd, Pr, Dy, Tb) demand 93 kt 2023, 131 kt 2030 (APS), 181 kt 2050 (APS): +5.02%/yr to 2030, +1.63%/yr "
        f"after; index 2025 = {iea_index(2025):.1f}, 2030 = 131, 2035 = {iea_index(2035):.1f}, 2040 = {iea_index(2040):.1f}. Consistent with IEA GCMO 2025 STEPS (+50-60% "
        "by 2040). Sources disagree: Adamas 7.5-8.6%/yr, McKinsey 59 kt (2022) -> 176 kt (2035): see scenario demand_high",
    ),
    (
        "demand level 2025",
        "NdPr {:.0f}, Dy {:.0f}, Tb {:.0f} t".format(*WORLD_2025.values()),
        "derived",
        "IEA's 93 kt (2023) exceeds the documented 2024 oxide supply (brief: NdPr 71-76 kt; Dy 2,570 t and Tb 490 t from "
        "China, SMM); the gap is recycling, undocumented output and basis differences that this model does not contain. So the "
        "2025 level = documented 2024 oxide supply (NdPr low end 71,000 t) x metal 0.95 x magnet 0.97 yields, grown with the "
        "IEA index from 2026; this keeps the 2025 base case servable by existing capacity (~90-95% utilisation)",
    ),
    (
        "demand elements",
        None,
        "assumption",
        "only NdPr, Dy, Tb have magnet demand (same element mix in every region and year); La, Ce, Other have none: their "
        "markets (catalysts, glass, polishing, alloys) are outside this magnet chain and unshipped by-products are discarded",
    ),
    (
        "regional split",
        None,
        "Adamas (exports); SMM (output); IEA (94% share); giti.sg (2020 destinations); finanzen.at",
        f"world magnet output 2024 = 260,000 / 0.94 = {WORLD_MAGNETS_2024:.0f} t; consumption allocated as in the rows below; constant shares "
        "over time (assumption: no data on regional growth)",
    ),
    *[
        (f"demand share {n}", round(REGION_SHARE[n], 4), "derived", f"{t:.0f} t magnets: {why}")
        for n, t, why in REGION_MAGNETS_2024
    ],
    (
        "unallocated Chinese magnet exports",
        round(RESIDUAL_EXPORTS),
        "derived",
        "58,152 - Germany 18% - Japan 12% - US 10,000 t",
    ),
    (
        "scenario heavy_re_controls",
        None,
        "vbw.com; SMM; Mondaq",
        "trade_rules rows: Dy, Tb, Other from china to allied and non_allied banned from 2025 (stages >= 2). Licences are "
        "modelled as a ban. Oct 2025 additions (Ho, Er, Tm, Eu, Yb) were suspended to Nov 2026 and are not modelled",
    ),
    ("scenario embargo_2027", 2027, "assumption (stress test)", "every flow from china to allied banned from 2027"),
    (
        "scenario myanmar_disruption",
        0.2,
        "realtribune.ru citing CSIS; USGS",
        "KIA took Myanmar mining areas Oct 2024; output fell 43,000 -> 31,000 t (2023->2024). Factor 0.2 = severe disruption "
        "(assumption); set 0 with --set for a total loss",
    ),
    (
        "scenario alliance_without_eu",
        None,
        "assumption",
        "France, Germany, Estonia, eu_rest become non_allied (EU demand no longer protected; EU builds outside an allied budget)",
    ),
    (
        "scenarios china_cost_factor_*",
        "0.25 / 0.333 / 0.667 / 1",
        "brief sec. 0 and 4.3",
        "0.25 = the seed claim '1/4' (NOT found in sources; renamed from china_cost_4x); 0.333 = WSJ refinery cost 1/3 "
        "(was china_cost_3x); 0.667 = ChinaFolio 2/3 (was china_cost_1_5x); 1 = parity (was china_cost_parity)",
    ),
    (
        "scenario budget_8_5bn",
        8.5e9,
        "dailyshorts.io; White House framework text via vu.govpulse.tools",
        "US-Australia Critical Minerals Framework (20 Oct 2025): US$8.5bn project pipeline. Budget on allied capex; so that the "
        "budget has something to buy, full independence (max_restricted_share 0) is required from 2035 (shortfall is "
        "penalised, so results show how much independence the budget buys). v1's finding here (~US$4.5bn suffices) was "
        "made on v1 data and is removed: the findings are regenerated from the v2 workbook",
    ),
    (
        "scenario budget_75bn (was warp_speed_75bn)",
        7.5e10,
        "rareearthexchanges.com (https://rareearthexchanges.com/?p=14549)",
        "'Warp-Speed' US$50-75bn effort reaches only ~50% Western independence by 2035-2040; same requirement as budget_8_5bn",
    ),
    (
        "scenario budget_300bn (was doe_300bn)",
        3e11,
        "NOT FOUND in the brief's sources (seed claim)",
        "the 'DOE: >=$300bn and a decade' figure is a news-seed claim the brief could not verify; kept as an upper bound",
    ),
    (
        "scenario demand_high",
        DEMAND_HIGH_FACTOR,
        "McKinsey via stocknews24 / azzet.com",
        f"McKinsey 176 kt magnetic REE demand in 2035 / IEA-path 2035 index {iea_index(2035):.1f} kt; uniform factor on all years, so "
        "2025-27 demand exceeds existing capacity and shows as unmet by construction",
    ),
    (
        "data gaps",
        None,
        BRIEF,
        "not found: Chinese metal capacity, Korean/EU magnet output, e-VAC capacity, VTRE and Kazakhstan capacities, Laos "
        "tonnage, element-level Dy/Tb for Bayan Obo/Mt Weld/Myanmar, metal opex, O&M, separation/metal/magnet yields, "
        "regional demand shares, recycling volumes, DOE US$300bn, China cost 1/4",
    ),
]

# ---------------------------------------------------------------------------------------
# comparators and claims (rechain extensions, read by `rechain report` only)
# comparators: (element, comparator, premium_low_usd_per_kg, premium_high_usd_per_kg, source)
# ---------------------------------------------------------------------------------------
NDPR_CHINA_USD_PER_KG = round(418_000 / CNY_PER_USD / 1000 / VAT_CN)  # 51: SMM 9 May 2025, ex-VAT
DY_CHINA_USD_PER_KG = 224  # Adamas: 96% of 2025 Dy oxide volume; SMM 9 May 2025 1,615,000/7.2/1000 incl. VAT
TB_CHINA_USD_PER_KG = round(7_025_000 / CNY_PER_USD / 1000)  # 976: SMM 9 May 2025, incl. VAT (as Dy's 224)
ROTTERDAM_ND, FOB_CHINA_ND = (180 + 200) / 2, (128 + 148) / 2  # SMM Jan 2026, Nd oxide
SMM_MAY_2025 = (
    "SMM 9 May 2025 (https://news.metal.com/newscontent/103315717/smm-rare-earth-morning-meeting-summary-rare-earth-"
    "prices-hold-up-well-with-downstream-buyers-mainly-purchasing-at-lows)"
)
SMM_JAN_2026 = (
    "SMM Jan 2026 (https://news.metal.com/newscontent/103724941/the-us-continues-to-strengthen-efforts-through-"
    "multiple-measures-g7-re-discusses-reducing-rare-earth-supply-from-china-s)"
)
ARGUS_MAY_2025 = "Argus via gmteight (https://gmteight.com/latest/detail/282683)"
ADAMAS_DY = (
    "Adamas (https://www.adamasintel.com/the-fallacy-of-european-rare-earth-prices-and-the-pras-that-promote-them)"
)
COMPARATORS = [
    (
        "NdPr",
        "US DoD\u2013MP price floor over China's price (May 2025)",
        110 - NDPR_CHINA_USD_PER_KG,
        None,
        f"110 (DoD-MP NdPr floor, July 2025, 10 years; Adamas) - {NDPR_CHINA_USD_PER_KG} (China NdPr oxide, "
        f"CNY 418,000/t / 7.2 / 1.13 ex-VAT; {SMM_MAY_2025}) = {110 - NDPR_CHINA_USD_PER_KG}",
    ),
    (
        "NdPr",
        "Rotterdam over FOB China (Jan 2026)",
        ROTTERDAM_ND - FOB_CHINA_ND,
        None,
        f"midpoints of CIF Rotterdam US$180-200 ({ROTTERDAM_ND:g}) and FOB China US$128-148 ({FOB_CHINA_ND:g}), "
        f"{ROTTERDAM_ND:g} - {FOB_CHINA_ND:g} = {ROTTERDAM_ND - FOB_CHINA_ND:g} (ratio 1.38x); the quotes are for Nd "
        f"oxide, taken for NdPr; {SMM_JAN_2026}",
    ),
    (
        "NdPr",
        "ex-China incentive price over China's price",
        75 - NDPR_CHINA_USD_PER_KG,
        105 - NDPR_CHINA_USD_PER_KG,
        f"incentive price for new Western supply US$75-105 (Project Blue, data brief evidence v2) minus "
        f"{NDPR_CHINA_USD_PER_KG} (China, {SMM_MAY_2025}) = {75 - NDPR_CHINA_USD_PER_KG}-{105 - NDPR_CHINA_USD_PER_KG}",
    ),
    (
        "Dy",
        "Europe over China (2025)",
        700 - DY_CHINA_USD_PER_KG,
        1000 - DY_CHINA_USD_PER_KG,
        f"Europe Dy oxide US$700-1,000 (6 May 2025; {ARGUS_MAY_2025}) minus {DY_CHINA_USD_PER_KG} (China: 96% of "
        f"2025 volume, {ADAMAS_DY}) = {700 - DY_CHINA_USD_PER_KG}-{1000 - DY_CHINA_USD_PER_KG}",
    ),
    (
        "Dy",
        "Rotterdam asks over China",
        1100 - DY_CHINA_USD_PER_KG,
        None,
        f"Rotterdam asks > US$1,100 minus {DY_CHINA_USD_PER_KG} (China) = {1100 - DY_CHINA_USD_PER_KG}, a lower bound "
        f"(asks in a thin market; {ADAMAS_DY})",
    ),
    (
        "Tb",
        "Europe over China (May 2025)",
        2000 - TB_CHINA_USD_PER_KG,
        4000 - TB_CHINA_USD_PER_KG,
        f"Europe Tb oxide US$2,000-4,000 (6 May 2025; {ARGUS_MAY_2025}) minus {TB_CHINA_USD_PER_KG} (China, "
        f"CNY 7,025,000/t / 7.2 incl. VAT, the basis of Dy's 224; {SMM_MAY_2025}) = "
        f"{2000 - TB_CHINA_USD_PER_KG}-{4000 - TB_CHINA_USD_PER_KG}",
    ),
]

# claims: (claim, evidence, verdict, scenario, source); the seed's claims (data brief sec. 0)
CLAIMS = [
    (
        "China's refining costs a quarter of the US's",
        "not found; \u2153 of capex (WSJ, industry estimates) and \u2154 of production cost (ChinaFolio)",
        "not found as \u00bc",
        "china_cost_factor_0_25",
        f"{WSJ}; ChinaFolio (https://chinafolio.com/china-rare-earths-and-technological-edge/)",
    ),
    (
        "$300 bn and a decade to rebuild a full supply chain (DOE)",
        "not found; nearest: Rare Earth Exchanges' $50\u201375 bn 'warp-speed' effort reaching ~50 % independence by "
        "2035\u201340",
        "unverified",
        "budget_300bn",
        "rareearthexchanges.com (https://rareearthexchanges.com/?p=14549)",
    ),
    (
        "34 countries met in Washington",
        "54 countries + the European Commission at the 4 Feb 2026 Critical Minerals Ministerial",
        "not found as 34: 54",
        None,
        "State Dept release via nie-podam.pl (http://nie-podam.pl/viewer.php?id=110731777); The National "
        "(https://www.thenationalnews.com/news/us/2026/02/04/us-proposes-trading-bloc-for-critical-minerals); "
        "frominsideasia.com (https://frominsideasia.com/?p=209051)",
    ),
    (
        "US invests $8.5 bn in rare-earth refining",
        "the $8.5 bn is the US\u2013Australia framework's pipeline of projects (20 Oct 2025), each country \u2265 US$1 bn "
        "within 6 months",
        "a pipeline, not an investment",
        "budget_8_5bn",
        "dailyshorts.io (https://www.dailyshorts.io/geopolitics/us-australia-rare-minerals-agreement/amp/?post=7583); "
        "White House framework text via vu.govpulse.tools (https://vu.govpulse.tools/2025/10/20/united-states-australia-"
        "framework-for-securing-of-supply-in-the-mining-and-processing-of-critical-minerals-and-rare-earths)",
    ),
]

# v2 rows (issue 14): every figure added or changed from v1, with its year
MCS = "USGS MCS 2025 Rare Earths (https://pubs.usgs.gov/periodicals/mcs2025/mcs2025-rare-earths.pdf)"
SOURCES_V2 = [
    (
        "clean by evidence: bloc china_offtake",
        "Myanmar 31,000; Nigeria 13,000; Thailand 13,000; Madagascar 2,000; Malaysia 130 t",
        MCS,
        2024,
        "USGS estimates these countries' 2024 mine output from China's import data (footnote in MCS 2025): their ore is "
        f"known to go to China. They form bloc {OFFTAKE}, listed in restricted_blocs (their output is mixed) but not in "
        "cost_advantage_blocs (no China cost factor). The nodes' `restricted` column is left blank because no scenario "
        "key can change it; restricted_blocs can (scenario open_china_offtake_mines). Malaysia's mine output is a node "
        "of its own (malaysia_mines) so that Lynas Kuantan stays non_allied",
    ),
    (
        "Myanmar share of China's imports",
        "57% of RE imports (2024); 74.9% of oxide imports (Jan-Sep 2024)",
        "CSIS via realtribune.ru; China customs via wealthtrend.net",
        2024,
        "supports Myanmar in bloc china_offtake",
    ),
    (
        "Laos",
        None,
        "Metalnomist Aug 2024 (https://metalnomist.com/2024/08/increased-supplies-and-weak-demand.html)",
        2024,
        "named with Myanmar and Malaysia as a source of China's ~60,000 t REO ore-feed imports; no tonnage in USGS MCS "
        f"2025 or elsewhere in the data: bloc {OFFTAKE}, no facility",
    ),
    (
        "setting cost_advantage_blocs",
        "china",
        "modelling choice",
        2026,
        f"the cost factor stays China's own; v1 had it implicitly (= restricted_blocs = china). {OFFTAKE} is restricted, "
        "not cheap",
    ),
]
SOURCES_V2 += [
    (
        "circuits: who separates Dy/Tb",
        None,
        "data brief, evidence v2 ('Only China and Lynas separate Dy/Tb at scale in 2025'; light-RE-only: NPM Silmet, "
        "SRC, IREL, Peak, Nolans)",
        2025,
        "separators with circuit rows separate only those elements: light-RE separators get an NdPr circuit only; China "
        "gets NdPr, Dy and Tb circuits sized not to bind (v3; v2 had none, same LP); Eneabba's follow its announced "
        "~4,000 t NdPr and ~500 t Dy/Tb (v3); Solvay La Rochelle gets NdPr and buildable Dy/Tb circuits (see its row). "
        "v1 let every separator separate Dy/Tb",
    ),
    (
        "circuit Lynas Malaysia Dy+Tb",
        f"{LYNAS_HRE_NOW} t now, {LYNAS_HRE_NOW + LYNAS_HRE_NEW} t max",
        "FMT 2024-06-27 (A$25m, 1,500 t/yr SEGH); The West (A$180m, up to 5,000 t/yr HRE feed)",
        2025,
        f"t of Dy+Tb per t SEG feed from MP (200 / 3,000 = {HRE_PER_T_SEG_FEED:.4f}): derived; Dy:Tb 6:1 from Mt Weld's "
        f"assumed Dy 0.3%, Tb 0.05%; capex A$180m x 0.663 / {LYNAS_HRE_NEW} t = US${HRE_CAPEX_LYNAS:,.0f} per tpa",
    ),
    (
        "circuit MP heavy-RE",
        f"{MP_HRE_T} t Dy/Tb, US${HRE_CAPEX_MP:,.0f} per tpa",
        "MP Q3 2025 (kviitv.marketminute.com); defence-industry.eu",
        2025,
        "200 t/yr Dy/Tb on 3,000 t feed, commissioning mid-2026; the US$150m DoD loan taken as capex (data brief sec. 4.1); "
        "Dy:Tb 5:1 from Mountain Pass's assumed Dy 0.05%, Tb 0.01%",
    ),
    (
        "circuit generic heavy",
        HRE_CAPEX_MP,
        "assumption on MP's unit cost",
        2026,
        "new heavy circuits at allied greenfield-capable separators (united_states, australia, canada, estonia): MP's "
        "US$750k per tpa (the upper unit cost; Lynas's new plant is ~US$276k), 3 years, 200 t/yr",
    ),
    (
        "circuit White Mesa Phase 2",
        "Dy 240, Tb 66 t",
        "Stocktwits (Energy Fuels Phase 2 BFS, Jan 2026)",
        2026,
        "in service 2029 at the earliest (build from 2026, 3 years); capex inside the facility's US$410m",
    ),
    (
        "circuit India NdPr",
        f"{INDIA_NDPR_NOW} -> {INDIA_NDPR_TARGET} t",
        "Business Standard 2025-11-09",
        2025,
        "IREL Nd output 20-40 t (FY25), 200 t (FY26 target), 500 t (FY27 target); v1: 5,000 t REO input separated in full "
        "(~1,000 t NdPr). Nd only is reported: taken as NdPr (conservative)",
    ),
]
SOURCES_V2 += [
    (
        "setting ramp_up",
        ", ".join(f"{x:g}" for x in RAMP_UP),
        "MP Q4/FY2025 results (investingnews); data brief evidence v2",
        2025,
        "MP's separation line (~6,000 t/yr NdPr nameplate) made 1,294 t NdPr in 2024 and 2,599 t in 2025: 22% and 43% "
        "of nameplate in its 1st and 2nd years; years 3 and 4 continue the same yearly gain (+21.8 points, derived), 1 "
        "after. The only quantitative ramp record in the data (Lynas Kalgoorlie: 'still ramping' since 2024; Narva: "
        "ramp 2026): applied to all new capacity (v1: no ramp)",
    ),
    *[
        (f"min_utilization {node} {stage}", share, "see note", 2025, why)
        for (node, stage), (share, why) in MUST_RUN.items()
    ],
    (
        "Ngualla capex",
        f"{NGUALLA_MINE_CAPEX:.0f} / {NGUALLA_SEP_CAPEX:.0f}",
        "NS Energy (Nolans 2022 update); Mining Weekly (Ngualla 2017 BFS)",
        2022,
        f"v1 used the 2017 BFS US$356m / 11,524 t = US${NGUALLA_CAPEX_2017_PER_T_TREO:,.0f} per tpa TREO, less than half "
        f"Nolans' 2022 US${NOLANS_CAPEX_PER_T_TREO:,.0f} for the same integrated scope (mine to oxide); v2 uses Nolans' "
        "unit cost (Nolans itself went A$1.0bn 2019 -> A$1.6bn 2024), split 0.402 mining / 0.598 separation; v1 "
        f"{round(NGUALLA_CAPEX_2017_PER_T_TREO * MINE_SHARE_OF_INTEGRATED_CAPEX, -2):.0f} / "
        f"{round(NGUALLA_CAPEX_2017_PER_T_TREO * (1 - MINE_SHARE_OF_INTEGRATED_CAPEX), -2):.0f}",
    ),
    (
        "US magnet capacity",
        f"{US_MAGNETS_T} t magnets",
        "investorintel (GM order of 1,000 t/yr magnets from VAC from mid-2025); fortworthinc; noveon.co",
        2025,
        "v1: 3,000 t (MP 1,000 + Noveon 2,000); v2 adds e-VAC Sumter at GM's 1,000 t/yr order (its capacity is not "
        "disclosed)",
    ),
    (
        "Solvay La Rochelle NdPr",
        f"{SOLVAY_NDPR_NOW} -> {SOLVAY_NDPR_TARGET} t",
        "automotiveworld; 24brussels; rawmaterials.net",
        2025,
        "magnet-RE line 'several hundred tonnes' in 2025 (300 = low reading, assumption); ~4,500 tpa NdPr-type by 2030",
    ),
    (
        "Japanese and German magnet capacity",
        None,
        "not found (searched: Argus 2022 '<9% share', couragemagnet: TDK, Shin-Etsu, Hitachi 'undisclosed')",
        2026,
        "no current figure in the data or the stored pages: v1's proxies kept (Japan NdFeB alloy 12,400 t in 2020; "
        "Europe 1.3% of 2010 world output); both stale",
    ),
]
SOURCES_V2 += [
    (
        "uncertainty: ramp",
        None,
        "not modelled",
        2026,
        "ramp_up is a list, not a numeric key, so the uncertainty sheet cannot draw it; slow ramps show only through "
        "the delays",
    ),
    (
        "uncertainty: China's cost factor, demand, embargo",
        "uniform 0.333-0.667; uniform 1-1.239; 2027/2030/none",
        "WSJ; ChinaFolio; McKinsey; MOFCOM suspension to 10 Nov 2026 (NDTV Profit)",
        2025,
        "see the rows' notes; the embargo probabilities are assumptions",
    ),
]
SOURCES_V2 += [
    (
        "stockpiles: existing strategic stocks",
        0,
        "IEA policy database (Japan, JOGMEC: 'quantities ... undisclosed'); Argus via juniorminingnews 2020 (Japan held "
        "reserves of 7 metals, no rare earths); Reuters via dailyasianage 2019 (DoD solicits a rotating 6-month NdFeB "
        "magnet stock, quantity not given)",
        2023,
        "no public tonnage: initial_t 0 everywhere",
    ),
    (
        "stockpiles: build option",
        f"{STOCK_DAYS} days of 2025 demand",
        "IEA policy database (Japan: target 60 days, 'such as 180 days' for high-geopolitical-risk minerals); Reuters "
        "(DoD: six-month magnet supply)",
        2020,
        "scenario stockpile_180_days: max_t at each allied consumer (US, Japan, Germany, EU rest, Korea, UK) for NdPr, "
        "Dy, Tb = 180/365 of its 2025 demand; the stock is bought through the chain at the model's costs. Base: max_t 0, "
        "because open stockpiles also serve as cheap inventory (pre-producing instead of building), which lowered the "
        "base case's cost by ~US$0.5bn: a policy lever, not a base-case fact",
    ),
    (
        "stockpiles: holding cost",
        f"{HOLDING_SHARE:.0%} of the China price per year",
        "assumption (not found); prices SMM 9 May 2025 ex-VAT: NdPr oxide US$51/kg, Dy US$199/kg, Tb US$864/kg",
        2025,
        "storage and insurance; the cost of capital is already in the discounting",
    ),
    (
        "scope: magnets embedded in goods",
        EMBEDDED_SHARE,
        "assumption (not found)",
        2024,
        "data brief: allied direct magnet demand ~20% of the world, magnets embedded in imported goods are extra, China "
        "exports 22% of its output as magnets and much of the rest inside goods; no tonnage found. Node "
        f"china_goods_for_allies carries {EMBEDDED_SHARE:.0%} of China's own use (201,848 t magnets in 2024) in bloc "
        "china; scenario scope_embedded_magnets moves it to allied",
    ),
]
SOURCES_V2 += [
    (
        "scenario budget_25bn",
        2.5e10,
        "assumption",
        2025,
        "a round middle value between the two sourced budgets, budget_8_5bn (US-Australia framework pipeline) and "
        "budget_75bn (Rare Earth Exchanges' upper end); same requirement as budget_8_5bn",
    ),
    *[
        (f"comparator {element}: {label}", low if high is None else f"{low:g}-{high:g}", source, 2025, "USD/kg")
        for element, label, low, high, source in COMPARATORS
    ],
    *[(f"claim: {claim}", verdict, source, 2025, evidence) for claim, evidence, verdict, _, source in CLAIMS],
]
# v3 rows (issue 21): every figure added or changed for reference world v3, with its year and link; "repost" marks a
# source that rewrites a primary one (research notes: docs/evidence/reference_v3_research.md, P/R column)
AMC = "AMC Consultants, 'Why feasibility studies fail' (https://amcconsultants.com/experience/why-feasibility-studies-fail/)"
TOMLINSON = "A.J. Tomlinson, PhD thesis, University of Sydney (https://ses.library.usyd.edu.au/handle/2123/12024)"
SERRA_2026 = (
    "Bloomberg via Mining.com 23 Apr 2026, 'Serra Verde to boost output of scarce rare earths amid US deal' "
    "(repost: https://www.krbitget.com/news/detail/12560605381703)"
)
DOD_MP = "DoD-MP Price Protection Agreement, EX-10.6 (https://contracts.justia.com/companies/fortress-value-acquisition-corp-10229/contract/1332901)"
JARE = "Finance News Network 10 Mar 2026 (https://www.finnewsnetwork.com.au/archives/finance_news_network4192821.html)"
ENEABBA_IN = (
    "InvestorNews 2022 (https://investornews.com/critical-minerals-rare-earths/iluka-resources-looks-to-join-exclusive-"
    "club-of-rare-earths-producers/)"
)
SOURCES_V3 = [
    *[
        (
            f"attrition tier {tier}",
            f"p(fail) {p}; delay {delays}",
            f"judgement, anchored on {TOMLINSON}; {AMC}; TMR index (http://www.techmetalsresearch.com/); Hellman & "
            "Duncan 2014, doi 10.1179/1743275814Y.0000000054 (repost: vdocuments.us)",
            2026,
            f"{why}. No stored IEA, S&P or Wood Mackenzie text gives a probability by project stage (research notes "
            "sec. 1.2): every tier p is judgement. Rows: failure and lead_time_delay per project, note prefix "
            f"'tier={tier};'",
        )
        for tier, (p, delays, why) in TIERS.items()
    ],
    (
        "attrition: shared market shock",
        f"factor {MARKET_FACTOR}, correlation {MARKET_CORRELATION}",
        "judgement; precedent: Molycorp's 2015 bankruptcy and no new mine but Mt Weld 2003-14 (Hellman & Duncan 2014)",
        2015,
        f"on the failure and delay rows of the {' and '.join(CORRELATED_TIERS)} tiers (risk.md v3 one-factor copula)",
    ),
    (
        "attrition: the 2-of-28 record no longer used",
        round(1 - 2 / 28, 2),
        "'The rapid evolution of speculative investment in the REE market' (abstract, repost: discovery.researcher.life)",
        2015,
        "v2 applied p = 0.93 to seven generic mines: it measures speculative juniors of 2006-15, not today's state-backed "
        "projects; it anchors the studied and generic tiers' judgement instead",
    ),
    (
        "central case: capex overrun",
        CAPEX_CENTRAL,
        f"{AMC} (primary, citing Bullock 2011); 258 projects: miningdoc.tech (repost of the AusIMM Bulletin 2015)",
        2015,
        "every non-China build option's capex (facilities and circuits) = announced x 1.26: the average overrun of 258 "
        "mining projects over 50 years. Not the +42-80% of Eneabba (A$1.0-1.2bn -> A$1.7-1.8bn): Eneabba's and Nolans' "
        "figures in the data already carry part of it. The uncertainty sheet's overrun is relative to the central case",
    ),
    (
        "central case: lead times",
        "+1 year",
        "Eneabba: WA gov. (https://wa.gov.au/government/announcements/australias-first-integrated-rare-earths-refinery, "
        "primary) 2025 at FID -> 2027 (https://nrinvesting.com/?p=441223, repost of Iluka's quarterly); HyProMag "
        "Tyseley mid-2024 -> Jan 2026 (https://www.electrive.com/2026/01/15/rare-earth-magnet-recycling-plant-opens-in-"
        "the-uk, repost); Strange Lake 2023 -> 2028 (see its row)",
        2026,
        "+1 year on the lead times that are a company's announced schedule (Nolans, White Mesa Phase 2, Ngualla, Strange "
        "Lake, Solikamsk, Glazov, MP 10X, Narva Phase 2, Serra Verde Phase 2, HyProMag USA); none on Eneabba (its 2027 is already the "
        "slipped date) nor on the generic IEA 8-year rows; the tier delays are drawn on top",
    ),
    (
        "scenario announced_figures",
        round(1 / CAPEX_CENTRAL, 4),
        "modelling choice",
        2026,
        "capex_factor 1/1.26 on allied, non_allied and china_offtake: capex as announced. Lead times cannot be set by a "
        "scenario key: they stay the central case's",
    ),
    (
        "setting must_run_until_year",
        MUST_RUN_UNTIL,
        DOD_MP + " (primary, redacted in places)",
        2025,
        "the DoD-MP floor runs 10 years from Q4 2025: every min_utilization floor holds to 2035 in every case (the "
        "unconstrained plan too). One setting holds all floors: Lynas-JARE's 2036-2038 is not modelled. The DoD's 100% "
        "offtake of the 10X magnet plant (new capacity, 2028) cannot be a floor: the model has floors on existing "
        "capacity only",
    ),
    (
        "floor Lynas-JARE",
        f"{JARE_NDPR_T:,} t/yr NdPr at >= US$110/kg to 2038",
        JARE + " (repost of Lynas's ASX release)",
        2026,
        f"= {LYNAS_JARE_TREO:,.0f} t TREO/yr at Mt Weld (25% NdPr, 0.95 yield) and at Kuantan; 75% of Lynas's heavy oxides "
        "available to Japan (not modelled: Japan's share of Lynas's Dy is a destination, not a floor)",
    ),
    (
        "Serra Verde ramp",
        f"{SERRA_VERDE_UPGRADING} t (2025-26), {SERRA_VERDE_2027:,} t (2027), {SERRA_VERDE_RUN_RATE:,} t (from 2028)",
        SERRA_2026,
        2026,
        "'roughly 100 metric tons of rare earth oxides each year' while upgrading (Apr 2026), 'about 6,400 tons annually "
        "by the end of next year'. 2025 output not found: the 2026 rate assumed; 2027 = the mean of 100 and 6,400 "
        "(linear ramp, assumption). Other stored targets: 4,800-6,500 t by early 2027 (wedoany, Nov 2025), ~6,500 t by "
        "2027 (Reuters via miningdoc.tech). Availability sheet ceilings on a 6,400 t facility",
    ),
    (
        "Serra Verde Phase 2",
        f"to {SERRA_VERDE_PHASE_2:,} t TREO/yr",
        "Mining Technology (https://mining-technology.com/newsletters/serra-commissioning-rare-earths), repost",
        2024,
        "'could double run-of-mine production before 2030': an option at the brownfield reference capex, tier operating "
        "(the team's tier table), 3 years announced + 1",
    ),
    (
        "Serra Verde composition",
        f"NdPr {SERRA_VERDE_NDPR:.0%}; Dy+Tb {SERRA_VERDE_DY_TB:.1%} (assumption)",
        SERRA_2026,
        2026,
        "NdPr 22% and Y 42% (in Other) as quoted; the same article's 'about 32% will be terbium and dysprosium' is "
        "inconsistent (22 + 42 + 32 = 96%, and Y alone exceeds its 'one-third heavy'): ASSUMPTION Dy+Tb = 3.2% (a "
        "misprint reading, unverified), split as China's ionic clay (Dy 4.33 : Tb 0.78). No resource table found. v2: "
        "China's ionic-clay profile (Dy 4.33%)",
    ),
    (
        "Eneabba composition",
        f"NdPr {ENEABBA_NDPR_T / ENEABBA_FEED_TREO:.1%}; Dy+Tb {ENEABBA_DY_TB:.2%}",
        ENEABBA_IN + ", repost (an analyst's reading of Iluka's documents)",
        2022,
        f"derived: {ENEABBA_NDPR_T:,} t NdPr and {ENEABBA_DY_TB_T} t Dy/Tb of {ENEABBA_FEED_TREO:,} t feed; Dy:Tb split as "
        "the generic monazite (assumption); La, Ce as the generic monazite. It includes the xenotime and third-party "
        "feed the refinery plans (Browns Range), taken as the node's own ore",
    ),
    (
        "Eneabba xenotime share",
        "not found; <= ~10% of the concentrate (derived)",
        "Iluka (https://iluka.com/community-engagement/eneabba), primary",
        2025,
        "Iluka stockpiles 'monazite and xenotime' and makes a '~90% monazite concentrate': xenotime at most ~10% (bound, "
        "derived). Its Dy/Tb split is not found either",
    ),
    (
        "Eneabba circuits",
        f"NdPr {ENEABBA_NDPR_T:,} t; Dy {ENEABBA_DY_T} t; Tb {ENEABBA_DY_TB_T - ENEABBA_DY_T} t",
        ENEABBA_IN + ", repost",
        2022,
        "built with the refinery (capex inside it); 'full capacity of 23,000 TPY of TREO with all circuits fully "
        "utilized'. Fixes v2's validate --strict warning (a separator without circuit rows)",
    ),
    (
        "China circuits",
        "NdPr, Dy, Tb sized not to bind",
        "modelling choice",
        2026,
        "China separates every element: its circuits are input x 0.95 x the richest share in any ore, free to grow (the "
        "LP of v2 unchanged); fixes v2's validate --strict warning",
    ),
    (
        "Mt Weld Dy and Tb",
        "Dy 0.3%, Tb 0.05% of TREO (assumption, unchanged)",
        "Lynas ASX 5 Aug 2024, '2024 Mineral Resource and Reserve Update' (repost: https://stocksavvy.ai/filings/"
        "lynas-rare-earths-limited-asx/2024-mineral-resource-and-reserve-update-1)",
        2024,
        "not found: the release says 'Contained Dysprosium oxide in Ore Reserves has increased by 92%' (vs 2018) but no "
        "Dy or Tb % of TREO is in the stored excerpts; the ASX table has them (the place to look)",
    ),
    (
        "heavy-rich greenfields: Dy and Tb",
        f"Dy = {HRE_DY_OF_HREO:.0%} of HREO; Tb = Dy x {TB_PER_DY}",
        "assumption (no Dy or Tb assay found for Tanbreez, Strange Lake or Nechalacho)",
        2026,
        "anchor: Browns Range, the one heavy-rich deposit with a Dy figure (Dy ~10% of TREO in a xenotime ore nearly all "
        "heavy); consistent with Tanbreez (HREO 27%, Y2O3 19%: Dy 2.7% = a third of its non-Y heavy oxides); it carries "
        "weight: Strange Lake at 15,000 t x 4.7% = 705 t Dy/yr; Tb:Dy as China's ionic clay. Light oxides split as Mt Weld's (NdPr 25%, La 24%, Ce 44% of the light "
        "share). The generic Canada and Greenland options stay beside them (other deposits), tier generic",
    ),
    (
        "Strange Lake",
        "HREO 47% of TREO (43-51%); 15,000 t REO/yr; production 2028 (announced)",
        "Northern Miner Apr 2010 (primary trade press); Canadian Indigenous Investment Summit 4 Dec 2025 (https://"
        "canadianindigenousinvestmentsummit.com/blog/project-22-strange-lake-rare-earth-project), repost",
        2025,
        "'heavy rare earths ... represent between 43% and 51% of the TREO' (midpoint used); 2019 promise 11,500 t by 2023 "
        "(Asian Metal interview): >= 5 years of slip; tier studied",
    ),
    (
        "Nechalacho Basal zone",
        "HREO 20.72% of TREO; 10,000 t/yr mixed REO (PFS)",
        "Northern Miner 2011 (primary trade press); Canadian Mining Journal (https://www.canadianminingjournal.com/news/"
        "rare-earth-study-avalon-has-nechalacho-deposit-in-feasibility-stage/), repost",
        2013,
        "57.49 Mt at 1.56% TREO, HREO 20.72%; FS 2013, never financed; tier studied",
    ),
    (
        "Tanbreez",
        "HREO 27% of TREO; Nd2O3 12% (taken as NdPr, conservative); 2,275 t TREO/yr",
        "Adamas Intelligence 3 Sep 2013 (https://www.adamasintel.com/three-rare-earth-projects-part2/), primary analyst; "
        "metals-wire 2025 (repost)",
        2025,
        "'>27% HREE' (2025) and Nd2O3 12%, Y2O3 19% of TREO (2013); the 2013 DFS scale, not the 2025 PEA's 85,000 t/yr; "
        "the SEC 6-K Exhibit 96.1 tables (not reached) are the place to look for Dy/Tb; tier studied",
    ),
    (
        "Browns Range",
        f"Dy {BROWNS_RANGE_DY:.0%} of TREO (derived); 3,000 t TREO/yr",
        "Smallcaps 2018 (https://smallcaps.com.au/northern-minerals-rare-earths-producer-outside-china-browns-range/), "
        "repost of the company",
        2018,
        "'3 million kilograms per annum' TREO, 'of that ... 300,000kg dysprosium'; NdPr 2.6%, La 2.4%, Ce 4.4% "
        "(assumption: ~10% light oxides in xenotime, split as Mt Weld); tier studied",
    ),
    (
        "Ngualla",
        "construction from Dec 2025, first production by end-2026; Shenghe-owned",
        "middle.news 19 Sep 2025 (https://www.middle.news/articles/2025/09/19/peak-rare-earths-acquisition-approved-whats-"
        "next-for-shareholders), repost of Peak's ASX releases; The Citizen/BizLens 8 May 2025, repost",
        2025,
        "Shenghe completed its takeover on 30 Sep 2025 (A$195m, raised from A$158m): lead 2 years announced + 1, tier "
        "funded; the UK refinery for its concentrate is a generic option (site sold, Shenghe takes all concentrate)",
    ),
]
SOURCES = (
    [(item, value, source, None, note) for item, value, source, note in SOURCES_V1]
    + SOURCES_V2
    + SOURCES_V3
    + CLEAN_SOURCES
    + RECIPE_SOURCES
)


# ---------------------------------------------------------------------------------------
# validation (issue 21, item 7; a rechain extension read by `rechain report` only): China's
# observed and projected shares of world output by stage (research21 sec. 6; P = primary,
# R = repost of the primary named). No stored source projects the magnet share to 2030 or 2035.
# ---------------------------------------------------------------------------------------
IEA_OCT_2025 = (
    "IEA commentary of 23 Oct 2025, as reported by Rare Earth Exchanges, 24 Oct 2025, "
    "https://rareearthexchanges.com/news/the-mineral-chessboard-iea-sounds-alarm-as-china-tightens-its-grip"
)
IEA_GCMO_2024 = "IEA Global Critical Minerals Outlook 2024, as reported by SEAISI, 3 Jun 2024, https://seaisi.org/details/24787?type=news-rooms"
IEA_GCMO_2025 = "IEA Global Critical Minerals Outlook 2025, as reported by Rare Earth Exchanges, https://rareearthexchanges.com/?p=6972"
VALIDATION = [
    ("mining", "china", 2025, 0.69, "USGS Mineral Commodity Summaries 2025: China 270,000 t of about 390,000 t",
     "observed in 2024 (the latest USGS year), compared with the model's 2025; P"),
    ("separation", "china", 2025, 0.91, IEA_OCT_2025,
     "observed 2024-25: 'China accounts for 91 percent of global rare-earth separation'; R (of an IEA commentary)"),
    ("magnet", "china", 2025, 0.94, IEA_OCT_2025,
     "observed 2024-25: '94 percent of permanent-magnet manufacturing'; R (of an IEA commentary)"),
    ("mining", "china", 2030, 0.54, IEA_GCMO_2024, "IEA projection (62 % in 2023); R"),
    ("separation", "china", 2030, 0.77, IEA_GCMO_2024, "IEA projection of refined output (92 % in 2023); R"),
    ("mining", "china", 2035, 0.52, IEA_GCMO_2025, "IEA projection; R"),
    ("separation", "china", 2035, 0.76, IEA_GCMO_2025, "IEA projection of refining; R"),
]  # fmt: skip


# ---------------------------------------------------------------------------------------
# writer
# ---------------------------------------------------------------------------------------
def composition_rows():
    rows = []
    for node, profile_name in NODE_PROFILE:
        profile = PROFILES[profile_name]
        named = [round(profile[e], 6) for e in ELEMENTS if e != "Other"]
        other = round(1 - sum(named), 10)
        for element, share in zip(ELEMENTS, [*named, other], strict=False):
            rows.append((node, element, share))
    return rows


SHEETS = [
    ("settings", SETTINGS),
    ("nodes", None),
    ("stages", STAGES),
    ("facilities", None),
    ("composition", None),
    ("demand", None),
    ("routes", ROUTES),
    ("trade_rules", TRADE_RULES),
    ("budgets", BUDGETS),
    ("circuits", None),
    ("availability", None),
    ("uncertainty", None),
    ("stockpiles", None),
    ("recipes", RECIPE_ROWS),
    ("scenarios", None),
    ("comparators", COMPARATORS),
    ("claims", CLAIMS),
    ("validation", VALIDATION),
    ("sources", SOURCES),
]
SOURCES_HEADER = ("item", "value", "source", "year", "note")  # free text, not read: wider than the schema's


def header(name: str) -> tuple[str, ...]:
    """A sheet's header from the schema; the rows above give every column, in that order."""
    if name == "settings":
        return schema.SETTINGS_HEADER
    if name == "sources":
        return SOURCES_HEADER
    return schema.SHEET_BY_NAME[name].header


def build() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    generated = {
        "nodes": node_rows(),
        "composition": composition_rows() + recycling_composition_rows(),
        "demand": demand_rows() + high_growth_rows() + thrifting_rows(),
        "scenarios": scenario_rows(),
        "facilities": facility_rows() + [central(row) for row in recycling_facility_rows()],
        "circuits": circuit_rows() + recycling_circuit_rows(),
        "availability": AVAILABILITY + recycling_availability_rows(),
        "uncertainty": uncertainty_rows(),
        "stockpiles": stockpile_rows(),
    }
    for name, rows in SHEETS:
        columns = header(name)
        ws = wb.create_sheet(name)
        ws.append(list(columns))
        for row in rows if rows is not None else generated[name]:
            if len(row) > len(columns):
                raise ValueError(f"{name}: a row of {len(row)} values under {len(columns)} columns: {row}")
            row = (*row, *[None] * (len(columns) - len(row)))  # trailing optional (v2) columns left blank
            ws.append([float(v) if isinstance(v, float) else v for v in row])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for col in range(1, len(columns) + 1):
            longest = max(len(str(c.value)) for c in ws[get_column_letter(col)] if c.value is not None)
            ws.column_dimensions[get_column_letter(col)].width = min(max(longest + 2, 10), 80)
    return wb


def save_deterministic(wb: Workbook, path: Path) -> None:
    """Save with fixed document dates and zip timestamps, so the same data gives the same bytes."""
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)", rb"\g<1>2025-01-01T00:00:00Z\g<2>", data
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, data)
    path.write_bytes(out.getvalue())


def main() -> None:
    wb = build()
    wb.properties.creator = "rechain build_reference.py"
    save_deterministic(wb, OUT)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
