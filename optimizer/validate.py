"""Validate raw tables into a typed Workbook, collecting every problem at once."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from models.dataset import BlocBudget, Facility, Route, Stage, TradeRule

from .cells import MISSING, parse_value
from .errors import Problems
from .reader import RawSheet
from .schema import SETTINGS, SHEETS, Sheet

COMPOSITION_TOLERANCE = 1e-6


@dataclass
class Workbook:
    """A validated workbook: every case (base and scenarios) can be made from it."""

    settings: dict[str, tuple[object, str]]  # key -> (value, place)
    nodes: dict[str, str]
    stages: tuple[Stage, ...]
    facilities: dict[tuple[str, int], Facility]
    composition: dict[str, dict[str, float]]
    demand: dict[tuple[str, str, int], float]
    routes: tuple[Route, ...] = ()
    trade_rules: tuple[tuple[str | None, TradeRule], ...] = ()  # (scenario, rule)
    bloc_budgets: tuple[tuple[str | None, BlocBudget], ...] = ()
    scenarios: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)  # name -> (key, value, place)
    warnings: list[str] = field(default_factory=list)

    @property
    def elements(self) -> set[str]:
        return {e for shares in self.composition.values() for e in shares}

    @property
    def scenario_names(self) -> list[str]:
        """Scenarios named in the scenarios sheet or by scenario-scoped trade rules and budgets."""
        return sorted(set(self.scenarios) | {s for s, _ in self.trade_rules if s} | {s for s, _ in self.bloc_budgets if s})


def _rows(sheet: Sheet, raw: RawSheet, problems: Problems) -> list[tuple[int, dict, dict]]:
    """Typed rows of a table sheet: (row number, values, places). Rows with an
    error in a required column are dropped after the error is recorded."""
    known = {c.name for c in sheet.columns}
    for col, place in raw.header.items():
        if col not in known:
            problems.warn(f"{place}: unknown column '{col}' in sheet '{sheet.name}' is ignored")
    for col, place in raw.repeated:
        if col in known:
            problems.error(place, f"each column once ('{col}' is also at {raw.header[col]})", col)
    missing = [c for c in sheet.columns if c.required and c.name not in raw.header]
    for c in missing:
        problems.error(f"{raw.name}!{raw.header_row}:{raw.header_row}",
                       f"a column named '{c.name}' ({c.description})", "<no such column in the header row>")
    if missing:
        return []
    result = []
    for row in raw.rows:
        values, places, ok = {}, {}, True
        for col in sheet.columns:
            value, place = row.cells.get(col.name, (None, f"{raw.name}!?{row.number}"))
            if col.name not in raw.header:
                value = None
            parsed = parse_value(col, value, place, problems)
            if parsed is MISSING:
                ok = False if col.required else ok
                parsed = col.default
            values[col.name], places[col.name] = parsed, place
        if ok:
            result.append((row.number, values, places))
    return result


def _unique(rows, key_cols: tuple[str, ...], sheet: str, problems: Problems, fold=lambda v: v):
    """Drop and report rows whose key repeats an earlier row's."""
    seen, kept = {}, []
    for number, values, places in rows:
        key = tuple(fold(values[c]) for c in key_cols)
        if key in seen:
            problems.error(places[key_cols[0]], f"one row per {' + '.join(key_cols)} in {sheet}",
                           f"<a repeat of row {seen[key]} ({', '.join(str(k) for k in key)})>")
            continue
        seen[key] = number
        kept.append((number, values, places))
    return kept


def read_settings(raw: RawSheet, problems: Problems) -> dict[str, tuple[object, str]]:
    if "key" not in raw.header or "value" not in raw.header:
        problems.error(f"{raw.name}!A{raw.header_row}:B{raw.header_row}", "the header 'key | value'",
                       f"<{', '.join(raw.header) or 'no header'}>")
        return {}
    for col, place in raw.header.items():
        if col not in ("key", "value"):
            problems.warn(f"{place}: unknown column '{col}' in sheet '{raw.name}' is ignored")
    settings = {}
    for row in raw.rows:
        key_raw, key_place = row.cells.get("key", (None, f"{raw.name}!A{row.number}"))
        value, place = row.cells.get("value", (None, f"{raw.name}!B{row.number}"))
        key = str(key_raw).strip().lower() if key_raw is not None else ""
        if not key:
            problems.error(key_place, "a settings key", key_raw)
            continue
        if key in settings:
            problems.error(key_place, f"each setting once ('{key}' is also at {settings[key][1]})", key_raw)
            continue
        try:
            col = SETTINGS.column(key)
        except StopIteration:
            problems.warn(f"{key_place}: unknown setting '{key}' is ignored")
            continue
        parsed = parse_value(col, value, place, problems)
        if parsed is not MISSING:
            settings[key] = (parsed, place)
    for col in SETTINGS.columns:
        if col.required and col.name not in settings and not any(
                e.place.startswith(f"{raw.name}!") and col.name in e.expected for e in problems.errors):
            problems.error(f"{raw.name}", f"a row for the required setting '{col.name}' ({col.description})",
                           "<no such row>")
    return settings


def validate_tables(tables: dict[str, RawSheet]) -> tuple[Workbook | None, Problems]:
    """The typed Workbook, or None with every problem recorded."""
    problems = Problems()
    for sheet in SHEETS:
        if sheet.required and sheet.name not in tables:
            problems.error("workbook", f"a sheet named '{sheet.name}' ({sheet.description})",
                           "<no such sheet>")
    rows = {s.name: _rows(s, tables[s.name], problems) for s in SHEETS
            if s.name in tables and s.name not in ("settings", "sources")}
    settings = read_settings(tables["settings"], problems) if "settings" in tables else {}

    nodes = {}
    for _, v, _ in _unique(rows.get("nodes", []), ("node",), "nodes", problems):
        nodes[v["node"]] = v["bloc"]
    blocs = set(nodes.values())

    stages_by_id, orders = {}, defaultdict(list)
    for _, v, p in _unique(rows.get("stages", []), ("stage",), "stages", problems):
        stages_by_id[v["stage"]] = Stage(v["stage"], v["order"], v["yield"])
        orders[v["order"]].append(p["order"])
    for order, places in orders.items():
        for place in places[1:]:
            problems.error(place, f"each order once (order {order} is also at {places[0]})", order)
    if orders and sorted(orders) != list(range(1, len(orders) + 1)):
        problems.error("stages", f"orders 1 ... {len(orders)} with no gaps", f"<orders {sorted(orders)}>")
    stages = tuple(sorted(stages_by_id.values(), key=lambda s: s.order))
    if "stages" in tables and not stages_by_id and "stages" in rows:
        problems.error("stages", "at least one stage", "<no rows>")
    order_of = {s.id: s.order for s in stages}

    def known(value, pool, place, what) -> bool:
        if value in pool:
            return True
        hint = ", ".join(sorted(map(str, pool))[:8]) + (", ..." if len(pool) > 8 else "")
        problems.error(place, f"a known {what} ({hint})" if pool else f"a known {what} (none defined)", value)
        return False

    facilities = {}
    for _, v, p in _unique(rows.get("facilities", []), ("node", "stage"), "facilities", problems):
        ok = known(v["node"], nodes, p["node"], "node")
        ok = known(v["stage"], order_of, p["stage"], "stage") and ok
        if v["max_tpa"] is not None and v["max_tpa"] < v["existing_tpa"]:
            problems.error(p["max_tpa"], f"max_tpa >= existing_tpa ({v['existing_tpa']:g})", v["max_tpa"])
            ok = False
        if ok:
            k = order_of[v["stage"]]
            facilities[(v["node"], k)] = Facility(
                v["node"], k, v["existing_tpa"], v["max_tpa"], v["capex_usd_per_tpa"],
                v["fixed_om_usd_per_tpa_yr"], v["opex_usd_per_t"], v["lead_time_years"],
                v["lifetime_years"], v["available_from_year"], v["max_build_tpa_per_year"],
                v["source"] or "", p["node"])

    composition, comp_place = defaultdict(dict), {}
    for _, v, p in _unique(rows.get("composition", []), ("node", "element"), "composition", problems):
        if known(v["node"], nodes, p["node"], "node"):
            composition[v["node"]][v["element"]] = v["share"]
            comp_place.setdefault(v["node"], p["share"])
    extraction = {n for (n, k) in facilities if k == 1}
    for n, shares in composition.items():
        total = sum(shares.values())
        if abs(total - 1) > COMPOSITION_TOLERANCE:
            problems.error(comp_place[n], f"the shares of node '{n}' to sum to 1 (within 1e-6)", f"<a sum of {total:.6g}>")
        if n not in extraction and stages:
            problems.warn(f"{comp_place[n]}: node '{n}' has a composition but no {stages[0].id} facility")
    if "composition" in rows:
        for n in sorted(extraction - set(composition)):
            facility = facilities[(n, 1)]
            problems.error("composition", f"rows for node '{n}' (it has a stage-1 facility at {facility.place})",
                           "<no rows>")
    elements = {e for shares in composition.values() for e in shares}

    demand = {}
    for _, v, p in _unique(rows.get("demand", []), ("node", "element", "year"), "demand", problems):
        ok = known(v["node"], nodes, p["node"], "node")
        if elements:
            ok = known(v["element"], elements, p["element"], "element") and ok
        if ok:
            demand[(v["node"], v["element"], v["year"])] = v["demand_t"]

    routes = []
    for _, v, p in _unique(rows.get("routes", []), ("from_node", "to_node", "stage"), "routes", problems):
        ok = known(v["from_node"], nodes, p["from_node"], "node")
        ok = known(v["to_node"], nodes, p["to_node"], "node") and ok
        if v["stage"] is not None:
            ok = known(v["stage"], order_of, p["stage"], "stage") and ok
        if ok:
            routes.append(Route(v["from_node"], v["to_node"], order_of.get(v["stage"]), v["cost_usd_per_t"],
                                v["allowed"]))

    scenarios = defaultdict(list)
    for _, v, p in rows.get("scenarios", []):
        scenarios[v["scenario"]].append((v["key"], v["value"], p["value"]))
    scenario_blocs = {value for entries in scenarios.values() for key, value, _ in entries
                      if key.lower().startswith("bloc.")}
    all_blocs = blocs | scenario_blocs

    trade_rules = []
    for _, v, p in rows.get("trade_rules", []):
        ok = True
        for col in ("from_bloc", "to_bloc"):
            if v[col] is not None:
                ok = known(v[col], all_blocs, p[col], "bloc") and ok
        if v["stage"] is not None:
            ok = known(v["stage"], order_of, p["stage"], "stage") and ok
        if v["element"] is not None and elements:
            ok = known(v["element"], elements, p["element"], "element") and ok
        if v["first_year"] is not None and v["last_year"] is not None and v["last_year"] < v["first_year"]:
            problems.error(p["last_year"], f"a year >= first_year ({v['first_year']})", v["last_year"])
            ok = False
        if ok:
            trade_rules.append((v["scenario"], TradeRule(
                v["from_bloc"], v["to_bloc"], order_of.get(v["stage"]), v["element"], v["first_year"],
                v["last_year"], v["allowed"], v["tariff_usd_per_t"], p["allowed"])))

    bloc_budgets = []
    for _, v, p in rows.get("budgets", []):
        if known(v["bloc"], all_blocs, p["bloc"], "bloc"):
            bloc_budgets.append((v["scenario"], BlocBudget(v["bloc"], v["budget_usd"], p["budget_usd"])))

    if problems.errors:
        return None, problems
    return Workbook(settings, nodes, stages, facilities, dict(composition), demand, tuple(routes),
                    tuple(trade_rules), tuple(bloc_budgets), dict(scenarios), problems.warnings), problems


def load_workbook(path) -> Workbook:
    """Read and validate a workbook or CSV folder; raises InputError with every problem."""
    from .reader import read_tables

    workbook, problems = validate_tables(read_tables(path))
    problems.raise_if_any()
    return workbook
