"""A synthetic but realistic world of any size (`rechain generate`), valid per workbook.md."""

from __future__ import annotations

import random
from pathlib import Path

from ..report.writers import atomic_path

BASE_ELEMENTS = ("NdPr", "Dy", "Tb", "La", "Ce", "Other")
STAGES = (("mining", 1, None), ("separation", 2, 0.95), ("metal", 3, 0.96), ("magnet", 4, 0.97))
HOSTS = {"mining": 0.45, "separation": 0.35, "metal": 0.3, "magnet": 0.35}
CAPEX = {"mining": 25_000, "separation": 45_000, "metal": 16_000, "magnet": 300_000}
OPEX = {"mining": 3_000, "separation": 6_000, "metal": 3_000, "magnet": 20_000}


def elements(n: int) -> list[str]:
    return list(BASE_ELEMENTS[:n]) + [f"E{i}" for i in range(len(BASE_ELEMENTS) + 1, n + 1)]


def world(nodes: int, years: int, n_elements: int, seed: int = 0) -> dict[str, list[list]]:
    """Tables (header row first) of a generated case."""
    rng = random.Random(seed)
    first = 2025
    last = first + years - 1
    els = elements(n_elements)
    names = [f"N{i:04d}" for i in range(nodes)]
    blocs = {}
    for i, n in enumerate(names):
        blocs[n] = "china" if i % 7 == 0 else "allied" if i % 7 in (1, 2, 3) else "non_allied"
    node_rows = [["node", "bloc", "country", "note"]] + [[n, blocs[n], f"country {n}", "synthetic"] for n in names]

    facilities = [["node", "stage", "existing_tpa", "max_tpa", "capex_usd_per_tpa", "fixed_om_usd_per_tpa_yr",
                   "opex_usd_per_t", "lead_time_years", "lifetime_years", "available_from_year",
                   "max_build_tpa_per_year", "source"]]
    hosts = {s: [] for s, _, _ in STAGES}
    for s, _, _ in STAGES:
        for n in names:
            if rng.random() < HOSTS[s] or (blocs[n] == "china" and n == names[0]):
                hosts[s].append(n)
        if not hosts[s]:
            hosts[s].append(names[0])
    consumers = [n for n in names if rng.random() < 0.4] or [names[-1]]
    base_demand = {(c, e): rng.uniform(50, 500) * (1.0 if e == "NdPr" else 0.05 if e in ("Dy", "Tb") else 0.3)
                   for c in consumers for e in els}
    total = sum(base_demand.values())
    for s, _, _ in STAGES:
        for n in hosts[s]:
            china = blocs[n] == "china"
            share = 1.6 / len(hosts[s]) * (4 if china else 1)
            existing = round(total * share * rng.uniform(0.2, 1.0) / (1 if s == "mining" else 1), 1)
            capex = round(CAPEX[s] * rng.uniform(0.7, 1.4), 0)
            facilities.append([n, s, existing, round(existing * 3 + total * 0.2, 1), capex, round(capex * 0.04, 1),
                               round(OPEX[s] * rng.uniform(0.8, 1.2), 1), rng.randint(1, 6), 25,
                               first + rng.randint(0, 3), round(total * 0.1, 1), "synthetic"])

    composition = [["node", "element", "share"]]
    for n in hosts["mining"]:
        raw = [rng.uniform(0.5, 2.0) * (3 if e == "NdPr" else 0.05 if e in ("Dy", "Tb") else 1) for e in els]
        shares = [round(r / sum(raw), 6) for r in raw]
        shares[-1] = round(1 - sum(shares[:-1]), 6)
        composition += [[n, e, s] for e, s in zip(els, shares)]

    growth = {c: rng.uniform(0.03, 0.08) for c in consumers}
    demand = [["node", "element", "year", "demand_t"]]
    for (c, e), d in base_demand.items():
        for y in range(first, last + 1):
            demand.append([c, e, y, round(d * (1 + growth[c]) ** (y - first), 2)])

    routes = [["from_node", "to_node", "stage", "cost_usd_per_t", "allowed"]]
    for _ in range(max(1, nodes // 2)):
        a, b = rng.sample(names, 2) if nodes > 1 else (names[0], names[0])
        routes.append([a, b, rng.choice(["mining", "separation", None]), round(rng.uniform(50, 600), 0),
                       rng.random() > 0.1])
    routes = [routes[0]] + list({(r[0], r[1], r[2]): r for r in routes[1:]}.values())
    trade_rules = [["from_bloc", "to_bloc", "stage", "element", "first_year", "last_year", "allowed",
                    "tariff_usd_per_t", "scenario", "note"],
                   ["china", "allied", None, els[0], None, None, True, 500, None, "synthetic tariff"],
                   ["china", "allied", None, els[min(1, len(els) - 1)], first + years // 2, None, False, None,
                    "controls", "synthetic ban"]]
    settings = [["key", "value"], ["first_year", first], ["last_year", last], ["discount_rate", 0.07],
                ["max_restricted_share", 0.5], ["independence_year", first + min(5, years - 1)],
                ["default_transport_usd_per_t", 200]]
    stages = [["stage", "order", "yield"]] + [[s, o, y] for s, o, y in STAGES]
    scenarios = [["scenario", "key", "value"], ["controls", "max_restricted_share", 0.5],
                 ["cheap_china", "restricted_cost_factor", 0.25]]
    return {"settings": settings, "nodes": node_rows, "stages": stages, "facilities": facilities,
            "composition": composition, "demand": demand, "routes": routes, "trade_rules": trade_rules,
            "scenarios": scenarios}


def write_world(path: Path, tables: dict[str, list[list]]) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for name, rows in tables.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
    with atomic_path(Path(path)) as tmp:
        book.save(tmp)
