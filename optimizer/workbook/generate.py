"""A synthetic but realistic world of any size (`rechain generate`), valid per workbook.md."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from ..base.cells import formula_like, keep_text
from ..base.files import atomic_path
from .schema import SETTINGS_HEADER, SHEET_BY_NAME

BASE_ELEMENTS = ("NdPr", "Dy", "Tb", "La", "Ce", "Other")
STAGES = (("mining", 1, None), ("separation", 2, 0.95), ("metal", 3, 0.96), ("magnet", 4, 0.97))
HOSTS = {"mining": 0.45, "separation": 0.35, "metal": 0.3, "magnet": 0.35}
CAPEX = {"mining": 25_000, "separation": 45_000, "metal": 16_000, "magnet": 300_000}
OPEX = {"mining": 3_000, "separation": 6_000, "metal": 3_000, "magnet": 20_000}
FIRST_YEAR = 2025


def elements(n: int) -> list[str]:
    return list(BASE_ELEMENTS[:n]) + [f"E{i}" for i in range(len(BASE_ELEMENTS) + 1, n + 1)]


def table(sheet: str, rows: list[dict[str, Any]]) -> list[list[Any]]:
    """A sheet's rows under its schema header (header row first); columns a row does not give are blank."""
    header = SHEET_BY_NAME[sheet].header
    for row in rows:
        unknown = set(row) - set(header)
        if unknown:
            raise KeyError(f"sheet {sheet} has no column {', '.join(sorted(unknown))}")
    return [list(header)] + [[row.get(c) for c in header] for row in rows]


def world(nodes: int, years: int, n_elements: int, seed: int = 0) -> dict[str, list[list[Any]]]:
    """Tables (header row first) of a generated case."""
    rng = random.Random(seed)
    first, last = FIRST_YEAR, FIRST_YEAR + years - 1
    els = elements(n_elements)
    names = [f"N{i:04d}" for i in range(nodes)]
    blocs = {
        n: "china" if i % 7 == 0 else "allied" if i % 7 in (1, 2, 3) else "non_allied" for i, n in enumerate(names)
    }
    hosts = _hosts(rng, names, blocs)
    consumers = [n for n in names if rng.random() < 0.4] or [names[-1]]
    base_demand = {
        (c, e): rng.uniform(50, 500) * (1.0 if e == "NdPr" else 0.05 if e in ("Dy", "Tb") else 0.3)
        for c in consumers
        for e in els
    }
    rows: dict[str, list[dict[str, Any]]] = {
        "nodes": [{"node": n, "bloc": blocs[n], "country": f"country {n}", "note": "synthetic"} for n in names],
        "stages": [{"stage": s, "order": o, "yield": y} for s, o, y in STAGES],
        "facilities": _facilities(rng, hosts, blocs, sum(base_demand.values()), first),
        "composition": _composition(rng, hosts["mining"], els),
        "demand": _demand(rng, base_demand, consumers, first, last),
        "routes": _routes(rng, names),
        "trade_rules": [
            {
                "from_bloc": "china",
                "to_bloc": "allied",
                "element": els[0],
                "allowed": True,
                "tariff_usd_per_t": 500,
                "note": "synthetic tariff",
            },
            {
                "from_bloc": "china",
                "to_bloc": "allied",
                "element": els[min(1, len(els) - 1)],
                "first_year": first + years // 2,
                "allowed": False,
                "scenario": "controls",
                "note": "synthetic ban",
            },
        ],
        "scenarios": [
            {"scenario": "controls", "key": "max_restricted_share", "value": 0.5},
            {"scenario": "cheap_china", "key": "restricted_cost_factor", "value": 0.25},
        ],
    }
    settings: list[list[Any]] = [
        list(SETTINGS_HEADER),
        ["first_year", first],
        ["last_year", last],
        ["discount_rate", 0.07],
        ["max_restricted_share", 0.5],
        ["independence_year", first + min(5, years - 1)],
        ["default_transport_usd_per_t", 200],
    ]
    return {"settings": settings, **{sheet: table(sheet, r) for sheet, r in rows.items()}}


def _hosts(rng: random.Random, names: list[str], blocs: dict[str, str]) -> dict[str, list[str]]:
    """The nodes hosting each stage; the first node (in china) hosts every stage."""
    hosts: dict[str, list[str]] = {s: [] for s, _, _ in STAGES}
    for s, _, _ in STAGES:
        for n in names:
            if rng.random() < HOSTS[s] or (blocs[n] == "china" and n == names[0]):
                hosts[s].append(n)
        if not hosts[s]:
            hosts[s].append(names[0])
    return hosts


def _facilities(
    rng: random.Random, hosts: dict[str, list[str]], blocs: dict[str, str], total: float, first: int
) -> list[dict[str, Any]]:
    rows = []
    for s, _, _ in STAGES:
        for n in hosts[s]:
            share = 1.6 / len(hosts[s]) * (4 if blocs[n] == "china" else 1)
            existing = round(total * share * rng.uniform(0.2, 1.0), 1)
            capex = round(CAPEX[s] * rng.uniform(0.7, 1.4), 0)
            rows.append(
                {
                    "node": n,
                    "stage": s,
                    "existing_tpa": existing,
                    "max_tpa": round(existing * 3 + total * 0.2, 1),
                    "capex_usd_per_tpa": capex,
                    "fixed_om_usd_per_tpa_yr": round(capex * 0.04, 1),
                    "opex_usd_per_t": round(OPEX[s] * rng.uniform(0.8, 1.2), 1),
                    "lead_time_years": rng.randint(1, 6),
                    "lifetime_years": 25,
                    "available_from_year": first + rng.randint(0, 3),
                    "max_build_tpa_per_year": round(total * 0.1, 1),
                    "source": "synthetic",
                }
            )
    return rows


def _composition(rng: random.Random, mines: list[str], els: list[str]) -> list[dict[str, Any]]:
    rows = []
    for n in mines:
        raw = [rng.uniform(0.5, 2.0) * (3 if e == "NdPr" else 0.05 if e in ("Dy", "Tb") else 1) for e in els]
        shares = [round(r / sum(raw), 6) for r in raw]
        shares[-1] = round(1 - sum(shares[:-1]), 6)
        rows += [{"node": n, "element": e, "share": s} for e, s in zip(els, shares, strict=False)]
    return rows


def _demand(
    rng: random.Random, base_demand: dict[tuple[str, str], float], consumers: list[str], first: int, last: int
) -> list[dict[str, Any]]:
    growth = {c: rng.uniform(0.03, 0.08) for c in consumers}
    return [
        {"node": c, "element": e, "year": y, "demand_t": round(d * (1 + growth[c]) ** (y - first), 2)}
        for (c, e), d in base_demand.items()
        for y in range(first, last + 1)
    ]


def _routes(rng: random.Random, names: list[str]) -> list[dict[str, Any]]:
    """Random arcs; a repeated (from, to, stage) keeps its first place and its last figures."""
    routes = {}
    for _ in range(max(1, len(names) // 2)):
        a, b = rng.sample(names, 2) if len(names) > 1 else (names[0], names[0])
        stage = rng.choice(["mining", "separation", None])
        routes[(a, b, stage)] = {
            "from_node": a,
            "to_node": b,
            "stage": stage,
            "cost_usd_per_t": round(rng.uniform(50, 600), 0),
            "allowed": rng.random() > 0.1,
        }
    return list(routes.values())


def write_world(path: Path, tables: dict[str, list[list[Any]]]) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for name, rows in tables.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append([_text_cell(ws, v) if formula_like(v) else v for v in row])
    with atomic_path(Path(path)) as tmp:
        book.save(tmp)


def _text_cell(ws: Any, text: str) -> Any:
    """A write-only cell holding text that begins like a formula (`=`, `+`, `-`, `@`): quote-prefixed text."""
    from openpyxl.cell import WriteOnlyCell

    return keep_text(WriteOnlyCell(ws, text))
