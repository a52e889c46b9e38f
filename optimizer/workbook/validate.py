"""Validate raw tables into a typed Workbook, collecting every problem at once.

A row in error is reported once, at its cause: the labels it would have
defined (a node, a stage, an element, a bloc) are doubtful, and references to
them elsewhere are not reported again.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..base.errors import Problems
from ..models.dataset import CLEAN, MIXED, BlocBudget, Circuit, Facility, Recipe, Route, Stage, Stockpile, TradeRule
from .cells import MISSING, implausible, parse_value
from .keys import split_key
from .observed import Observed, observed_rows
from .read import RawRow, RawSheet
from .schema import KEYED_SETTINGS, SETTINGS, SETTINGS_HEADER, SETTINGS_NOTE, SHEET_BY_NAME, SHEETS, Column, Sheet

COMPOSITION_TOLERANCE = 1e-6
SHARE_TOLERANCE = 1e-9  # recipe max_shares adding up to 1 within rounding reach 1
RECIPE_LEVEL = ("extra_cost_usd_per_t", "max_share", "available_from_year")  # repeated on every row of a recipe
SHOWN_UNKNOWN = 5  # unknown columns named one by one; the rest in one line


@dataclass(frozen=True)
class Comparator:
    """A public per-kg premium over China's price (comparators sheet, read by `rechain report` only)."""

    element: str
    comparator: str
    low: float  # USD/kg
    high: float  # USD/kg, >= low (= low when the cell is blank)
    source: str
    place: str = "comparators!A2"  # the row's element cell


@dataclass(frozen=True)
class Claim:
    """A claim stated against evidence (claims sheet, read by `rechain report` only)."""

    claim: str
    evidence: str
    verdict: str
    scenario: str | None
    source: str
    place: str = "claims!A2"  # the row's claim cell


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
    node_restricted: dict[str, bool] = field(default_factory=dict)  # explicit flags only
    availability: dict[tuple[str, int, int], float] = field(default_factory=dict)  # (node, order, year) -> tpa
    circuits: dict[tuple[str, str], Circuit] = field(default_factory=dict)
    stockpiles: dict[tuple[str, str], Stockpile] = field(default_factory=dict)
    recipes: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # product -> recipe -> Recipe's fields
    recipe_cells: dict[str, dict[str, str]] = field(default_factory=dict)  # product -> column -> its first row's cell
    availability_places: dict[tuple[str, int, int], str] = field(default_factory=dict)  # -> "availability!D2"
    scenario_descriptions: dict[str, str] = field(default_factory=dict)  # every scenario name -> "" when none
    comparators: tuple[Comparator, ...] = ()  # in sheet order
    claims: tuple[Claim, ...] = ()  # in sheet order
    node_owner: dict[str, str] = field(default_factory=dict)  # explicit owners only (blank = the node's bloc)
    scenario_demand: dict[str, dict[tuple[str, str, int], float]] = field(default_factory=dict)  # name -> rows
    observed: tuple[Observed, ...] = ()  # the validation sheet, in sheet order

    @property
    def scenario_names(self) -> list[str]:
        """Scenarios named in the scenarios sheet or by scenario-scoped trade rules and budgets."""
        return sorted(
            set(self.scenarios) | {s for s, _ in self.trade_rules if s} | {s for s, _ in self.bloc_budgets if s}
        )


class Places:
    """The cells of one row, by column name (made on demand: a sheet may have a million rows)."""

    __slots__ = ("raw", "number")

    def __init__(self, raw: RawSheet, number: int):
        self.raw, self.number = raw, number

    def __getitem__(self, column: str) -> str:
        letter = self.raw.letters.get(column, "?")
        return f"{self.raw.name}!{letter}{self.number}"


Row = tuple[int, dict[str, Any], Places]  # (row number, column -> value of the column's kind, cells)


@dataclass
class Table:
    """The typed rows of a sheet; `dropped` are rows with an error in a required column."""

    rows: list[Row] = field(default_factory=list)
    dropped: list[dict[str, Any]] = field(default_factory=list)
    whole: bool = True  # False when a required column is missing


@dataclass
class Pool:
    """Labels a sheet defines. References to doubtful labels, or to any label
    when the sheet could not be read whole, are not reported: the cause is."""

    labels: Set[str] = field(default_factory=set)
    doubtful: set[str] = field(default_factory=set)
    whole: bool = True

    def doubt(self, table: Table, column: str) -> None:
        for values in table.dropped:
            if values.get(column) is None:
                self.whole = False
            else:
                self.doubtful.add(values[column])
        self.whole = self.whole and table.whole


def _rows(sheet: Sheet, raw: RawSheet, problems: Problems) -> Table:
    """Typed rows of a table sheet. Rows with an error in a required column are
    dropped after the error is recorded."""
    _check_header(sheet, raw, problems)
    missing = [c for c in sheet.columns if c.required and c.name not in raw.header]
    for c in missing:
        problems.error(
            f"{raw.name}!{raw.header_row}:{raw.header_row}",
            f"a column named '{c.name}' ({c.description})",
            "<no such column in the header row>",
        )
    if missing:
        return Table(whole=False)
    table = Table()
    columns = [(col, raw.index.get(col.name), raw.letters.get(col.name, "?")) for col in sheet.columns]
    for row in raw.rows:
        values, ok, width = {}, True, len(row.values)
        for col, i, letter in columns:
            value = row.values[i] if i is not None and i < width else None
            place = f"{raw.name}!{letter}{row.number}"
            parsed = parse_value(col, value, place, problems)
            if parsed is MISSING:
                ok = False if col.required else ok
                parsed = col.default
            else:
                _warn_if_implausible(col, parsed, place, problems)
            values[col.name] = parsed
        if ok:
            table.rows.append((row.number, values, Places(raw, row.number)))
        else:
            table.dropped.append(values)
    return table


def _check_header(sheet: Sheet, raw: RawSheet, problems: Problems) -> None:
    known = {c.name for c in sheet.columns}
    unknown = [(col, place) for col, place in raw.header.items() if col not in known]
    for col, place in unknown[:SHOWN_UNKNOWN]:
        problems.warn(f"{place}: unknown column '{col}' in sheet '{sheet.name}' is ignored")
    if len(unknown) > SHOWN_UNKNOWN:
        problems.warn(f"{raw.name}: {len(unknown) - SHOWN_UNKNOWN} more unknown columns are ignored")
    for col, place in raw.repeated:
        if col in known:
            problems.error(place, f"each column once ('{col}' is also at {raw.header[col]})", col)


def _warn_if_implausible(col: Column, value: object, place: str, problems: Problems) -> None:
    why = implausible(col, value)
    if why:
        problems.warn(f"{place}: {why}", place, col.name)


def _unique(rows: list[Row], key_cols: tuple[str, ...], sheet: str, problems: Problems) -> list[Row]:
    """Drop and report rows whose key repeats an earlier row's."""
    seen: dict[tuple[Any, ...], int] = {}
    kept: list[Row] = []
    for number, values, places in rows:
        key = tuple(values[c] for c in key_cols)
        if key in seen:
            problems.error(
                places[key_cols[0]],
                f"one row per {' + '.join(key_cols)} in {sheet}",
                f"<a repeat of row {seen[key]} ({', '.join(str(k) for k in key)})>",
            )
            continue
        seen[key] = number
        kept.append((number, values, places))
    return kept


def read_settings(raw: RawSheet, problems: Problems) -> dict[str, tuple[object, str]]:
    """key -> (value, place) of the settings sheet's rows; required settings must have one."""
    if not _settings_header(raw, problems):
        return {}
    settings: dict[str, tuple[object, str]] = {}
    for row in raw.rows:
        _setting_row(raw, row, settings, problems)
    _required_settings(raw, settings, problems)
    return settings


def _settings_header(raw: RawSheet, problems: Problems) -> bool:
    key, value = SETTINGS_HEADER
    if key not in raw.header or value not in raw.header:
        problems.error(
            f"{raw.name}!A{raw.header_row}:B{raw.header_row}",
            f"the header '{key} | {value}'",
            f"<{', '.join(raw.header) or 'no header'}>",
        )
        return False
    for col, place in raw.header.items():
        if col not in (*SETTINGS_HEADER, SETTINGS_NOTE):
            problems.warn(f"{place}: unknown column '{col}' in sheet '{raw.name}' is ignored")
    return True


def _setting_row(raw: RawSheet, row: RawRow, settings: dict[str, tuple[object, str]], problems: Problems) -> None:
    key_raw, key_place = raw.cell(row, SETTINGS_HEADER[0])
    value, place = raw.cell(row, SETTINGS_HEADER[1])
    assert key_place is not None and place is not None  # the header has both columns (_settings_header)
    head, label = split_key(str(key_raw)) if key_raw is not None else ("", "")
    keyed = head in KEYED_SETTINGS and bool(label)
    key = f"{head}.{label}" if label else head  # a label (a bloc) keeps its case
    if not key:
        problems.error(key_place, "a settings key", key_raw)
    elif key in settings:
        problems.error(key_place, f"each setting once ('{key}' is also at {settings[key][1]})", key_raw)
    elif key not in SETTINGS.header and not keyed:
        problems.warn(f"{key_place}: unknown setting '{key}' is ignored" + _did_you_mean(key, SETTINGS.header))
    else:
        parsed = parse_value(KEYED_SETTINGS[head] if keyed else SETTINGS.column(key), value, place, problems)
        if parsed is not MISSING:
            settings[key] = (parsed, place)


def _required_settings(raw: RawSheet, settings: dict[str, tuple[object, str]], problems: Problems) -> None:
    """A missing required setting is an error, unless its row is already reported."""
    for col in SETTINGS.columns:
        if (
            col.required
            and col.name not in settings
            and not any(e.place.startswith(f"{raw.name}!") and col.name in e.expected for e in problems.errors)
        ):
            problems.error(
                f"{raw.name}", f"a row for the required setting '{col.name}' ({col.description})", "<no such row>"
            )


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.75)
    return f" (did you mean '{close[0]}'?)" if close else ""


class Checker:
    """Reference checks that name the cell, list the labels known and stay quiet about doubtful ones."""

    def __init__(self, problems: Problems):
        self.problems = problems

    def known(self, value: object, pool: Pool, place: str, what: str) -> bool:
        if value in pool.labels:
            return True
        if value in pool.doubtful or not pool.whole:
            return False
        labels = sorted(map(str, pool.labels))
        hint = ", ".join(labels[:8]) + (", ..." if len(labels) > 8 else "")
        near = [x for x in labels if isinstance(value, str) and x.lower() == value.strip().lower()]
        found = f"<{value!r} (labels match exactly, case included: did you mean {near[0]!r}?)>" if near else value
        self.problems.error(place, f"a known {what} ({hint})" if labels else f"a known {what} (none defined)", found)
        return False


def validate_tables(tables: dict[str, RawSheet]) -> tuple[Workbook | None, Problems]:
    """The typed Workbook, or None with every problem recorded."""
    problems = Problems()
    check = Checker(problems)
    _check_sheets(tables, problems)
    rows = {
        s.name: _rows(s, tables[s.name], problems)
        for s in SHEETS
        if s.name in tables and s.name not in ("settings", "sources", "uncertainty")
    }
    settings = _settings(tables.get("settings"), problems)

    def table(name: str) -> Table:
        return rows.get(name) or Table(whole=False)

    def optional(name: str) -> Table:
        return rows.get(name) or Table()

    nodes, node_pool, bloc_pool = _nodes(table("nodes"), problems)
    stages, stage_pool = _stages(table("stages"), "stages" in tables, problems)
    order_of = {s.id: s.order for s in stages}
    facilities, doubtful_sites = _facilities(table("facilities"), node_pool, stage_pool, order_of, check)
    composition, element_pool = _composition(table("composition"), node_pool, facilities, doubtful_sites, stages, check)
    first_year = settings.get("first_year", (None,))[0]
    recipes, product_pool, recipe_cells = _recipes(optional("recipes"), element_pool, check, first_year)
    _check_recipe_shares(recipes_of(recipes), recipe_cells, settings, problems)
    demand, scenario_demand = _demand(table("demand"), node_pool, element_pool, product_pool, check)
    routes = _routes(table("routes"), node_pool, stage_pool, order_of, check)
    sites = Sites(facilities, doubtful_sites, node_pool, stage_pool, element_pool, order_of)
    availability = _availability(optional("availability"), sites, check)
    circuits = _circuits(optional("circuits"), sites, check)
    _warn_uncircuited(facilities, circuits, problems)
    stockpiles = _stockpiles(optional("stockpiles"), sites, len(stages), check)

    scenarios = _scenarios(table("scenarios"))
    descriptions = _scenario_descriptions(table("scenarios"), problems)
    bloc_pool.labels = bloc_pool.labels | _scenario_blocs(scenarios)
    owners = _owners(table("nodes"), bloc_pool, check)
    _check_demand_scenarios(table("demand"), _sheet_scenarios(rows), check)
    trade_rules = _trade_rules(table("trade_rules"), bloc_pool, stage_pool, element_pool, order_of, check)
    bloc_budgets = _budgets(table("budgets"), bloc_pool, check)
    comparators = _comparators(optional("comparators"), element_pool, table("demand"), check)
    claims = _claims(optional("claims"), _scenario_pool(rows), check)
    observed = observed_rows(optional("validation"), stage_pool, bloc_pool, check)

    if problems.errors:
        return None, problems
    book = Workbook(
        settings,
        nodes,
        stages,
        facilities,
        composition,
        demand,
        tuple(routes),
        tuple(trade_rules),
        tuple(bloc_budgets),
        scenarios,
        problems.warnings,
        _restricted_flags(table("nodes")),
        {key: t for key, (t, _) in availability.items()},
        circuits,
        stockpiles,
        recipes,
        recipe_cells,
        {key: place for key, (_, place) in availability.items()},
    )
    book.scenario_descriptions = {name: descriptions.get(name, "") for name in book.scenario_names}
    book.comparators, book.claims = tuple(comparators), tuple(claims)
    book.node_owner, book.scenario_demand = owners, scenario_demand
    book.observed = tuple(observed)
    return book, problems


def _settings(raw: RawSheet | None, problems: Problems) -> dict[str, tuple[object, str]]:
    settings = read_settings(raw, problems) if raw is not None else {}
    for key, (value, place) in settings.items():
        if key in SETTINGS.header:  # keyed settings are judged where the case is made, with the scenario's
            _warn_if_implausible(SETTINGS.column(key), value, place, problems)
    return settings


def _check_sheets(tables: dict[str, RawSheet], problems: Problems) -> None:
    for sheet in SHEETS:
        if sheet.required and sheet.name not in tables:
            problems.error("workbook", f"a sheet named '{sheet.name}' ({sheet.description})", "<no such sheet>")
    for name, raw in tables.items():
        if name not in SHEET_BY_NAME:
            near = _did_you_mean(name, [s for s in SHEET_BY_NAME if s not in tables])
            if near:
                problems.warn(f"sheet '{raw.name}' is not read{near}")


def _nodes(table: Table, problems: Problems) -> tuple[dict[str, str], Pool, Pool]:
    nodes = {v["node"]: v["bloc"] for _, v, _ in _unique(table.rows, ("node",), "nodes", problems)}
    node_pool, bloc_pool = Pool(nodes.keys()), Pool(set(nodes.values()))
    node_pool.doubt(table, "node")
    bloc_pool.doubt(table, "bloc")
    return nodes, node_pool, bloc_pool


def _restricted_flags(table: Table) -> dict[str, bool]:
    """The nodes' explicit `restricted` flags (blank = by bloc)."""
    return {v["node"]: v["restricted"] for _, v, _ in table.rows if v["restricted"] is not None}


def _owners(table: Table, bloc_pool: Pool, check: Checker) -> dict[str, str]:
    """The nodes' explicit owners (blank = the node's own bloc); an owner is a bloc of the workbook."""
    return {
        v["node"]: v["owner"]
        for _, v, p in table.rows
        if v["owner"] is not None and check.known(v["owner"], bloc_pool, p["owner"], "bloc")
    }


def _stages(table: Table, present: bool, problems: Problems) -> tuple[tuple[Stage, ...], Pool]:
    stages_by_id, orders = {}, defaultdict(list)
    for _, v, p in _unique(table.rows, ("stage",), "stages", problems):
        place = p["ramp_up"] if v["ramp_up"] else p["stage"]
        stages_by_id[v["stage"]] = Stage(v["stage"], v["order"], v["yield"], v["ramp_up"], place)
        orders[v["order"]].append(p["order"])
    for order, places in orders.items():
        for place in places[1:]:
            problems.error(place, f"each order once (order {order} is also at {places[0]})", order)
    if orders and not table.dropped and sorted(orders) != list(range(1, len(orders) + 1)):
        problems.error("stages", f"orders 1 ... {len(orders)} with no gaps", f"<orders {sorted(orders)}>")
    if present and table.whole and not stages_by_id and not table.dropped:
        problems.error("stages", "at least one stage", "<no rows>")
    pool = Pool(set(stages_by_id))
    pool.doubt(table, "stage")
    return tuple(sorted(stages_by_id.values(), key=lambda s: s.order)), pool


def _facilities(
    table: Table, node_pool: Pool, stage_pool: Pool, order_of: dict[str, int], check: Checker
) -> tuple[dict[tuple[str, int], Facility], set[str | None]]:
    """Facilities by (node, order), and the nodes with a facility row in error."""
    facilities: dict[tuple[str, int], Facility] = {}
    doubtful: set[str | None] = {v["node"] for v in table.dropped}
    for _, v, p in _unique(table.rows, ("node", "stage"), "facilities", check.problems):
        ok = check.known(v["node"], node_pool, p["node"], "node")
        ok = check.known(v["stage"], stage_pool, p["stage"], "stage") and ok
        if v["max_tpa"] is not None and v["max_tpa"] < v["existing_tpa"]:
            check.problems.error(p["max_tpa"], f"max_tpa >= existing_tpa ({v['existing_tpa']:g})", v["max_tpa"])
            ok = False
        if not ok:
            doubtful.add(v["node"])
            continue
        k = order_of[v["stage"]]
        facilities[(v["node"], k)] = Facility(
            v["node"],
            k,
            v["existing_tpa"],
            v["max_tpa"],
            v["capex_usd_per_tpa"],
            v["fixed_om_usd_per_tpa_yr"],
            v["opex_usd_per_t"],
            v["lead_time_years"],
            v["lifetime_years"],
            v["available_from_year"],
            v["max_build_tpa_per_year"],
            v["source"] or "",
            p["node"],
            v["ramp_up"],
            v["min_utilization"],
        )
    return facilities, doubtful | ({None} if not table.whole else set())


def _composition(
    table: Table,
    node_pool: Pool,
    facilities: dict[tuple[str, int], Facility],
    doubtful_sites: set[str | None],
    stages: tuple[Stage, ...],
    check: Checker,
) -> tuple[dict[str, dict[str, float]], Pool]:
    composition: defaultdict[str, dict[str, float]] = defaultdict(dict)
    first_place: dict[str, str] = {}
    doubtful_nodes = {v["node"] for v in table.dropped}
    element_pool = Pool(whole=table.whole)
    element_pool.doubt(table, "element")
    for _, v, p in _unique(table.rows, ("node", "element"), "composition", check.problems):
        if check.known(v["node"], node_pool, p["node"], "node"):
            composition[v["node"]][v["element"]] = v["share"]
            first_place.setdefault(v["node"], p["share"])
        else:
            element_pool.doubtful.add(v["element"])
    extraction = {n for (n, k) in facilities if k == 1}
    for n, shares in composition.items():
        total = sum(shares.values())
        if n not in doubtful_nodes and abs(total - 1) > COMPOSITION_TOLERANCE:
            check.problems.error(
                first_place[n], f"the shares of node '{n}' to sum to 1 (within 1e-6)", f"<a sum of {total:.6g}>"
            )
        if n not in extraction and n not in doubtful_sites and None not in doubtful_sites and stages:
            check.problems.warn(f"{first_place[n]}: node '{n}' has a composition but no {stages[0].id} facility")
    if table.whole:
        for n in sorted(extraction - set(composition) - doubtful_nodes):
            check.problems.error(
                "composition",
                f"rows for node '{n}' (it has a stage-1 facility at {facilities[(n, 1)].place})",
                "<no rows>",
            )
    element_pool.labels = {e for shares in composition.values() for e in shares}
    return dict(composition), element_pool


def _demand(
    table: Table, node_pool: Pool, element_pool: Pool, product_pool: Pool, check: Checker
) -> tuple[dict[tuple[str, str, int], float], dict[str, dict[tuple[str, str, int], float]]]:
    """Demand for elements and for products (the recipes sheet's): the base rows, and the rows of each
    demand scenario (model.md v3, "Demand paths by scenario")."""
    demand: dict[tuple[str, str, int], float] = {}
    by_scenario: defaultdict[str, dict[tuple[str, str, int], float]] = defaultdict(dict)
    either = Pool(
        set(element_pool.labels) | set(product_pool.labels),
        element_pool.doubtful | product_pool.doubtful,
        element_pool.whole and product_pool.whole,
    )
    what = "element or product" if product_pool.labels else "element"
    for _, v, p in _unique(table.rows, ("node", "element", "year", "scenario"), "demand", check.problems):
        ok = check.known(v["node"], node_pool, p["node"], "node")
        if either.labels or either.doubtful:
            ok = check.known(v["element"], either, p["element"], what) and ok
        if ok:
            rows = demand if v["scenario"] is None else by_scenario[v["scenario"]]
            rows[(v["node"], v["element"], v["year"])] = v["demand_t"]
    return demand, dict(by_scenario)


def _sheet_scenarios(rows: dict[str, Table]) -> Pool:
    """The scenario names of the scenarios sheet (a row in error makes its name doubtful)."""
    table = rows.get("scenarios") or Table()
    pool = Pool({v["scenario"] for _, v, _ in table.rows})
    pool.doubt(table, "scenario")
    return pool


def _check_demand_scenarios(table: Table, scenarios: Pool, check: Checker) -> None:
    """A demand row's scenario is one of the scenarios sheet, named at the cell once per name."""
    seen: set[str] = set()
    for _, v, p in table.rows:
        name = v["scenario"]
        if name is not None and name not in seen:
            seen.add(name)
            check.known(name, scenarios, p["scenario"], "scenario of the scenarios sheet")


def _routes(table: Table, node_pool: Pool, stage_pool: Pool, order_of: dict[str, int], check: Checker) -> list[Route]:
    routes = []
    for _, v, p in _unique(table.rows, ("from_node", "to_node", "stage"), "routes", check.problems):
        ok = check.known(v["from_node"], node_pool, p["from_node"], "node")
        ok = check.known(v["to_node"], node_pool, p["to_node"], "node") and ok
        if v["stage"] is not None:
            ok = check.known(v["stage"], stage_pool, p["stage"], "stage") and ok
        if ok:
            routes.append(
                Route(v["from_node"], v["to_node"], order_of.get(v["stage"]), v["cost_usd_per_t"], v["allowed"])
            )
    return routes


def _trade_rules(
    table: Table, bloc_pool: Pool, stage_pool: Pool, element_pool: Pool, order_of: dict[str, int], check: Checker
) -> list[tuple[str | None, TradeRule]]:
    rules = []
    for _, v, p in table.rows:
        ok = True
        for col in ("from_bloc", "to_bloc"):
            if v[col] is not None:
                ok = check.known(v[col], bloc_pool, p[col], "bloc") and ok
        if v["stage"] is not None:
            ok = check.known(v["stage"], stage_pool, p["stage"], "stage") and ok
        if v["element"] is not None and (element_pool.labels or element_pool.doubtful):
            ok = check.known(v["element"], element_pool, p["element"], "element") and ok
        if v["first_year"] is not None and v["last_year"] is not None and v["last_year"] < v["first_year"]:
            check.problems.error(p["last_year"], f"a year >= first_year ({v['first_year']})", v["last_year"])
            ok = False
        if ok and not v["allowed"] and v["from_bloc"] is not None and v["from_bloc"] == v["to_bloc"]:
            check.problems.warn(
                f"{p['to_bloc']}: a ban from bloc '{v['from_bloc']}' to itself stops trade "
                "between its own nodes; did you mean two different blocs?",
                p["to_bloc"],
                "ban",
            )
        if ok:
            rules.append(
                (
                    v["scenario"],
                    TradeRule(
                        v["from_bloc"],
                        v["to_bloc"],
                        order_of.get(v["stage"]),
                        v["element"],
                        v["first_year"],
                        v["last_year"],
                        v["allowed"],
                        v["tariff_usd_per_t"],
                        p["allowed"],
                    ),
                )
            )
    return rules


def _scenarios(table: Table) -> dict[str, list[tuple[str, str, str]]]:
    """Scenario name -> (key, value, place) of its rows."""
    scenarios = defaultdict(list)
    for _, v, p in table.rows:
        scenarios[v["scenario"]].append((v["key"], v["value"], p["value"]))
    return dict(scenarios)


def _scenario_descriptions(table: Table, problems: Problems) -> dict[str, str]:
    """Scenario name -> the first non-blank description of its rows; a second, different one is an error."""
    descriptions: dict[str, tuple[str, str]] = {}
    for _, v, p in table.rows:
        text = (v["description"] or "").strip()
        if not text:
            continue
        first = descriptions.setdefault(v["scenario"], (text, p["description"]))
        if first[0] != text:
            problems.error(
                p["description"],
                f"one description per scenario ('{v['scenario']}' is described at {first[1]}), or a blank",
                text,
            )
    return {name: text for name, (text, _) in descriptions.items()}


def _scenario_blocs(scenarios: dict[str, list[tuple[str, str, str]]]) -> set[str]:
    """Blocs a scenario gives a node (`bloc.<node>`): trade rules and budgets may name them."""
    return {value for entries in scenarios.values() for key, value, _ in entries if split_key(key)[0] == "bloc"}


def _budgets(table: Table, bloc_pool: Pool, check: Checker) -> list[tuple[str | None, BlocBudget]]:
    return [
        (v["scenario"], BlocBudget(v["bloc"], v["budget_usd"], p["budget_usd"]))
        for _, v, p in table.rows
        if check.known(v["bloc"], bloc_pool, p["bloc"], "bloc")
    ]


def _comparators(table: Table, element_pool: Pool, demand: Table, check: Checker) -> list[Comparator]:
    """Public premiums in sheet order; the element must be one of the composition or demand sheet."""
    named = {v["element"] for _, v, _ in demand.rows}
    pool = Pool(
        set(element_pool.labels) | named,
        element_pool.doubtful | {v["element"] for v in demand.dropped},
        element_pool.whole and demand.whole,
    )
    comparators = []
    for _, v, p in table.rows:
        ok = check.known(v["element"], pool, p["element"], "element of the composition or demand sheet")
        low, high = v["premium_low_usd_per_kg"], v["premium_high_usd_per_kg"]
        if high is not None and high < low:
            check.problems.error(p["premium_high_usd_per_kg"], f"a number >= premium_low_usd_per_kg ({low:g})", high)
            ok = False
        if ok:
            high = low if high is None else high
            comparators.append(Comparator(v["element"], v["comparator"], low, high, v["source"] or "", p["element"]))
    return comparators


def _scenario_pool(rows: dict[str, Table]) -> Pool:
    """Scenario names as Workbook.scenario_names gives them: the scenarios sheet's and those that scope
    trade rules and budgets (a row in error is reported at its cause, so its scenario is doubtful)."""
    pool = Pool()
    scenarios = rows.get("scenarios")
    if scenarios is not None:
        pool.labels = {v["scenario"] for _, v, _ in scenarios.rows}
        pool.doubt(scenarios, "scenario")
    for name in ("trade_rules", "budgets"):
        table = rows.get(name) or Table()
        pool.labels |= {v["scenario"] for _, v, _ in table.rows if v["scenario"] is not None}
        pool.doubtful |= {v["scenario"] for v in table.dropped if v["scenario"] is not None}
        pool.whole = pool.whole and table.whole
    return pool


def _claims(table: Table, scenario_pool: Pool, check: Checker) -> list[Claim]:
    """Claims in sheet order; a scenario, when given, must be one of the workbook's."""
    claims = []
    for _, v, p in table.rows:
        scenario = v["scenario"]
        if scenario is not None and scenario not in scenario_pool.labels:
            if scenario_pool.whole and scenario not in scenario_pool.doubtful:
                known = ", ".join(sorted(scenario_pool.labels)) or "none"
                check.problems.error(p["scenario"], f"a scenario of the workbook ({known})", scenario)
            continue
        claims.append(Claim(v["claim"], v["evidence"], v["verdict"], scenario, v["source"] or "", p["claim"]))
    return claims


@dataclass
class Sites:
    """What the version-2 sheets refer to: facilities, and the pools of the labels they may name."""

    facilities: dict[tuple[str, int], Facility]
    doubtful: set[str | None]  # nodes with a facility row in error (None: the facilities sheet is not whole)
    nodes: Pool
    stages: Pool
    elements: Pool
    order_of: dict[str, int]

    def quiet(self, node: str) -> bool:
        """Whether a missing facility of this node may be the effect of an error already reported."""
        return node in self.doubtful or None in self.doubtful

    def element(self, value: str, place: str, check: Checker) -> bool:
        pool = self.elements
        return check.known(value, pool, place, "element") if pool.labels or pool.doubtful else True


def _availability(table: Table, sites: Sites, check: Checker) -> dict[tuple[str, int, int], tuple[float, str]]:
    """Per-year throughput ceilings, (node, stage order, year) -> (max_tpa, its cell)."""
    ceilings = {}
    for _, v, p in _unique(table.rows, ("node", "stage", "year"), "availability", check.problems):
        ok = check.known(v["node"], sites.nodes, p["node"], "node")
        if not (check.known(v["stage"], sites.stages, p["stage"], "stage") and ok):
            continue
        key = (v["node"], sites.order_of[v["stage"]])
        if key in sites.facilities:
            ceilings[(*key, v["year"])] = (v["max_tpa"], p["max_tpa"])
        elif not sites.quiet(v["node"]):
            check.problems.error(
                p["node"],
                f"a node with a {v['stage']} facility (a row of the facilities sheet)",
                f"<{v['node']!r}, which has none>",
            )
    return ceilings


def _circuits(table: Table, sites: Sites, check: Checker) -> dict[tuple[str, str], Circuit]:
    circuits = {}
    for _, v, p in _unique(table.rows, ("node", "element"), "circuits", check.problems):
        ok = check.known(v["node"], sites.nodes, p["node"], "node")
        ok = sites.element(v["element"], p["element"], check) and ok
        if v["max_tpa"] is not None and v["max_tpa"] < v["existing_tpa"]:
            check.problems.error(p["max_tpa"], f"max_tpa >= existing_tpa ({v['existing_tpa']:g})", v["max_tpa"])
            ok = False
        if ok and (v["node"], 2) not in sites.facilities:
            if not sites.quiet(v["node"]):
                check.problems.error(
                    p["node"],
                    "a node with a separation (order 2) facility (a row of the facilities sheet)",
                    f"<{v['node']!r}, which has none>",
                )
            ok = False
        if ok:
            circuits[(v["node"], v["element"])] = Circuit(
                v["existing_tpa"],
                v["max_tpa"],
                v["capex_usd_per_tpa"],
                v["fixed_om_usd_per_tpa_yr"],
                v["lead_time_years"],
                v["available_from_year"],
                v["max_build_tpa_per_year"],
                v["source"] or "",
                p["node"],
            )
    return circuits


def _warn_uncircuited(
    facilities: dict[tuple[str, int], Facility], circuits: dict[tuple[str, str], Circuit], problems: Problems
) -> None:
    """A separator without circuit rows beside separators that have them separates every element
    without an element limit (model.md, circuits): legal, but easily a forgotten row."""
    with_rows = sorted({n for n, _ in circuits})
    if not with_rows:
        return
    shown = ", ".join(with_rows[:3]) + (", ..." if len(with_rows) > 3 else "")
    for (n, k), f in sorted(facilities.items()):
        if k == 2 and n not in with_rows:
            problems.warn(
                f"{f.place or 'facilities'}: separation facility '{n}' has no circuit rows while {shown} "
                "have some: it separates every element without an element limit; add its circuit rows "
                "if it should not"
            )


def _stockpiles(table: Table, sites: Sites, kbar: int, check: Checker) -> dict[tuple[str, str], Stockpile]:
    """Stockpiles by (consumer, element); whether the consumer has demand is judged per case (cases.py)."""
    piles = {}
    for _, v, p in _unique(table.rows, ("node", "element"), "stockpiles", check.problems):
        ok = check.known(v["node"], sites.nodes, p["node"], "node")
        ok = sites.element(v["element"], p["element"], check) and ok
        provenance = v["initial_provenance"].lower()
        if provenance not in (CLEAN, MIXED):
            check.problems.error(p["initial_provenance"], f"{CLEAN} or {MIXED}", v["initial_provenance"])
            ok = False
        if v["max_t"] is not None and v["max_t"] < v["initial_t"]:
            check.problems.error(p["max_t"], f"max_t >= initial_t ({v['initial_t']:g})", v["max_t"])
            ok = False
        if ok and kbar == 1:
            check.problems.error(
                p["node"],
                "a chain of two stages or more for a stockpile (it holds the last stage's separated elements)",
                "<a chain of one stage>",
            )
            ok = False
        if ok:
            piles[(v["node"], v["element"])] = Stockpile(
                v["initial_t"], provenance, v["max_t"], v["holding_cost_usd_per_t_yr"], p["node"]
            )
    return piles


def _recipes(
    table: Table, element_pool: Pool, check: Checker, first_year: object
) -> tuple[dict[str, dict[str, dict[str, Any]]], Pool, dict[str, dict[str, str]]]:
    """product -> recipe -> Recipe, the pool of products, and the cells of each product's first row.
    The recipe-level columns agree across a recipe's rows after defaults (a blank available_from_year
    is first_year)."""
    first: dict[tuple[str, str], tuple[dict[str, Any], Places]] = {}
    t_per_t: defaultdict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    cells: dict[str, dict[str, str]] = {}
    for _, v, p in _unique(table.rows, ("product", "recipe", "element"), "recipes", check.problems):
        product, recipe = v["product"], v["recipe"]
        ok = True
        if element_pool.labels or element_pool.doubtful:
            ok = check.known(v["element"], element_pool, p["element"], "element")
        if product not in cells:
            cells[product] = {c: p[c] for c in ("product", *RECIPE_LEVEL)}
            if product in element_pool.labels:
                check.problems.error(
                    p["product"], "a product name that is not an element of the composition sheet", product
                )
        values, places = first.setdefault((product, recipe), (v, p))
        for col in RECIPE_LEVEL:
            if _defaulted(v, col, first_year) != _defaulted(values, col, first_year):
                check.problems.error(
                    p[col],
                    f"the same {col} on every row of recipe '{recipe}' of '{product}' "
                    f"(its first row has {_plain(values[col])} at {places[col]})",
                    _plain(v[col]),
                )
        if ok:
            t_per_t[(product, recipe)][v["element"]] = v["t_per_t"]
    recipes: defaultdict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for (product, recipe), (v, p) in first.items():
        recipes[product][recipe] = dict(
            t_per_t=t_per_t[(product, recipe)],
            extra_cost_usd_per_t=v["extra_cost_usd_per_t"],
            max_share=v["max_share"],
            available_from_year=v["available_from_year"],
            place=p["product"],
        )
    pool = Pool(set(recipes))
    pool.doubt(table, "product")
    return dict(recipes), pool, cells


def _defaulted(values: dict[str, Any], column: str, first_year: object) -> object:
    """A recipe-level value with its default written out (the schema's defaults are already in `values`)."""
    return first_year if column == "available_from_year" and values[column] is None else values[column]


def recipes_of(
    fields: dict[str, dict[str, dict[str, Any]]], changes: dict[tuple[str, str], dict[str, Any]] | None = None
) -> dict[str, dict[str, Recipe]]:
    """Recipes from the Workbook's plain fields (a Recipe holds a read-only mapping, which does not pickle),
    with `changes` {(product, recipe): {field: value}}."""
    changes = changes or {}
    return {
        p: {r: Recipe(**(kw | changes.get((p, r), {}))) for r, kw in by_name.items()} for p, by_name in fields.items()
    }


def _plain(value: object) -> str:
    return "blank" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def check_recipe_shares(
    recipes: dict[str, dict[str, Recipe]], first: int, last: int
) -> list[tuple[str, str, str, str]]:
    """(product, column, expected, found) for each product whose recipes cannot make all of its demand in
    some year of first ... last: none available from first_year, or available max_shares short of 1.
    The available shares only grow with the year, so the years short of 1 run from first_year."""
    found = []
    for product, by_name in sorted(recipes.items()):
        if not any(r.available(first, first) for r in by_name.values()):
            starts = sorted(
                {first if r.available_from_year is None else r.available_from_year for r in by_name.values()}
            )
            found.append(
                (
                    product,
                    "available_from_year",
                    f"a recipe of product '{product}' with max_share > 0 available from first_year ({first})",
                    f"<recipes available from {', '.join(map(str, starts))}>",
                )
            )
            continue
        changes = {r.available_from_year for r in by_name.values() if r.available_from_year is not None}
        starts = sorted({first} | {y for y in changes if first < y <= last}) + [last + 1]
        shares = [sum(r.max_share for r in by_name.values() if r.available(y, first)) for y in starts[:-1]]
        short = [i for i, total in enumerate(shares) if total < 1 - SHARE_TOLERANCE]
        if short:
            until = starts[short[-1] + 1] - 1
            span = str(first) if until == first else f"{first}-{until}"
            found.append(
                (
                    product,
                    "max_share",
                    f"the max_share of the recipes of product '{product}' available in each year to add up to 1",
                    f"<{shares[0]:g} in {span}>",
                )
            )
    return found


def _check_recipe_shares(
    recipes: dict[str, dict[str, Recipe]],
    cells: dict[str, dict[str, str]],
    settings: Mapping[str, tuple[Any, str]],
    problems: Problems,
) -> None:
    """The max_share check over the settings' horizon (when it is known), at the product's first row."""
    first, last = (settings.get(k, (None,))[0] for k in ("first_year", "last_year"))
    if first is None or last is None or last < first:
        return
    for product, column, expected, found in check_recipe_shares(recipes, first, last):
        problems.error(cells[product][column], expected, found)


def load_workbook(path: Path) -> Workbook:
    """Read and validate a workbook or CSV folder; raises InputError with every problem."""
    from .read import read_tables

    workbook, problems = validate_tables(read_tables(path))
    problems.raise_if_any()
    assert workbook is not None  # no errors: validate_tables made one
    return workbook
