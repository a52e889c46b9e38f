"""Make the model's Dataset from a Workbook: the base case, a scenario, and
`--set` overrides on top. The workbook is never modified."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from typing import Any, TypeVar

from ..base.errors import Problems
from ..models.dataset import LOCATION, OWNERSHIP, Circuit, Dataset, Facility, Recipe, Settings, Stockpile, TradeRule
from .cells import MISSING, implausible, parse_value
from .keys import split_key
from .schema import EMBARGO, FACTOR_RANGE, KEYED_SETTINGS, RECIPES, SETTINGS, STOCKPILES, YEAR_RANGE, Column
from .validate import Workbook, check_recipe_shares, recipes_of

# (key, value) rows on top of a case: --set gives them as text, the frontiers as numbers
Overrides = tuple[tuple[str, str | float], ...]
Case = tuple[str | None, Overrides]  # (scenario, overrides); None: the base case
Item = TypeVar("Item")

MAX_YEARS = 100
FACTOR = Column("factor", "float", "a factor", gt=0, default=1.0, **FACTOR_RANGE)
CAPACITY_FACTOR = Column("capacity_factor", "float", "a factor", ge=0, default=1.0, **FACTOR_RANGE)
YEAR = Column("year", "int", "a year", **YEAR_RANGE)
LABEL = Column("label", "text", "a label")
BLOC_LISTS = ("restricted_blocs", "protected_blocs", "budget_blocs", "cost_advantage_blocs")
SETTING_NAMES = frozenset(SETTINGS.header)
KEYS = (
    "a settings key or one of demand_factor, capex_factor.<bloc>, opex_factor.<bloc>, capacity_factor.<node>, "
    "bloc.<node>, ban.<from>.<to>, embargo.<bloc>, max_share.<product>.<recipe>, max_t.<node>.<element>, "
    "initial_t.<node>.<element>"
)


def make_dataset(
    wb: Workbook,
    scenario: str | None = None,
    overrides: Overrides = (),
    warnings: list[str] | None = None,
) -> Dataset:
    """The case to model; raises InputError naming every bad override. Warnings about
    legal but doubtful values go into `warnings` (each once)."""
    problems = Problems()
    keyed = [(key, value, place) for key, (value, place) in wb.settings.items() if key not in SETTING_NAMES]
    entries = keyed + _entries(wb, scenario, overrides, problems)
    case = _Case(wb, entries, problems)
    for key, value, place in entries:
        case.apply(key, value, place)
    case.check_blocs()
    case.check_clean()
    s = _settings(case.settings | {"embargo": case.embargo}, case.places, problems)
    recipes, stockpiles = case.recipes(), case.stockpiles()
    demand = {k: d for k, d in demand_of(wb, scenario).items() if s is not None and k[2] in s.years}
    if s is not None:
        case.check_recipes(recipes, s)
        _check_stockpiles(stockpiles, demand, recipes, s, problems)
    problems.raise_if_any()
    assert s is not None  # first_year and last_year are required settings
    if warnings is not None:
        warnings += [w for w in case.problems.warnings + _doubts(wb, s, case) if w not in warnings]
    factor = case.capacity_factor
    return Dataset(
        s,
        case.nodes,
        wb.stages,
        _scaled_facilities(wb, factor),
        wb.composition,
        demand,
        wb.routes,
        _scoped(wb.trade_rules, scenario) + tuple(case.bans),
        _scoped(wb.bloc_budgets, scenario),
        case.demand_factor,
        case.capex_factor,
        case.opex_factor,
        case.places,
        wb.node_restricted,
        {k: t * factor.get(k[0], 1.0) for k, t in wb.availability.items() if k[2] in s.years},
        _scaled_circuits(wb, factor),
        stockpiles,
        recipes,
        availability_places=wb.availability_places,
        node_owner=wb.node_owner,
    )


def demand_of(wb: Workbook, scenario: str | None) -> dict[tuple[str, str, int], float]:
    """The case's demand rows: the base rows, where the scenario's demand rows replace every year of each
    (node, element) they name (model.md v3, "Demand paths by scenario")."""
    rows = wb.scenario_demand.get(scenario, {}) if scenario is not None else {}
    replaced = {(n, e) for (n, e, _) in rows}
    return {k: d for k, d in wb.demand.items() if k[:2] not in replaced} | rows


def _entries(
    wb: Workbook, scenario: str | None, overrides: Overrides, problems: Problems
) -> list[tuple[str, object, str]]:
    """(key, value, place) of the scenario's rows, then of the `--set` overrides."""
    entries: list[tuple[str, object, str]] = []
    if scenario is not None:
        names = set(wb.scenario_names)
        if scenario not in names:
            problems.error(
                "--scenario", f"a scenario of the workbook ({', '.join(sorted(names)) or 'none defined'})", scenario
            )
            problems.raise_if_any()
        entries += wb.scenarios.get(scenario, [])
    return entries + [(key, value, f"--set {key}") for key, value in overrides]


def _scaled_facilities(wb: Workbook, capacity_factor: dict[str, float]) -> dict[tuple[str, int], Facility]:
    facilities = {}
    for key, f in wb.facilities.items():
        factor = capacity_factor.get(f.node)
        if factor is not None:
            f = replace(
                f, existing_tpa=f.existing_tpa * factor, max_tpa=None if f.max_tpa is None else f.max_tpa * factor
            )
        facilities[key] = f
    return facilities


def _scaled_circuits(wb: Workbook, capacity_factor: dict[str, float]) -> dict[tuple[str, str], Circuit]:
    circuits = {}
    for (n, e), c in wb.circuits.items():
        factor = capacity_factor.get(n)
        if factor is not None:
            c = replace(
                c, existing_tpa=c.existing_tpa * factor, max_tpa=None if c.max_tpa is None else c.max_tpa * factor
            )
        circuits[(n, e)] = c
    return circuits


def _check_stockpiles(
    stockpiles: dict[tuple[str, str], Stockpile],
    demand: dict[tuple[str, str, int], float],
    recipes: dict[str, dict[str, Recipe]],
    s: Settings,
    problems: Problems,
) -> None:
    """A stockpile needs demand for its element at its node in the horizon: direct, or through a recipe
    usable for a product the node demands (model.md, "Strategic stockpiles")."""
    wanted = {(m, e) for (m, e, _), d in demand.items() if d > 0}
    for (m, p, y), d in demand.items():
        for r in recipes.get(p, {}).values():
            if d > 0 and r.available(y, s.first_year):
                wanted |= {(m, e) for e, t in r.t_per_t.items() if t > 0}
    for (m, e), sp in sorted(stockpiles.items()):
        if (m, e) not in wanted:
            problems.error(
                sp.place,
                f"a stockpile where node '{m}' has demand for '{e}' in {s.first_year}-{s.last_year} "
                "(a stock serves its own node's demand)",
                f"<no demand for {e!r} at {m!r} in those years>",
            )


def _scoped(tagged: Iterable[tuple[str | None, Item]], scenario: str | None) -> tuple[Item, ...]:
    """The items tagged for every case (None) or for this scenario."""
    return tuple(item for tag, item in tagged if tag is None or tag == scenario)


class _Case:
    """The settings and factors of one case, as the scenario and `--set` entries change them."""

    def __init__(self, wb: Workbook, entries: list[tuple[str, object, str]], problems: Problems):
        self.problems = problems
        self.settings: dict[str, Any] = {k: v for k, (v, _) in wb.settings.items() if k in SETTING_NAMES}
        self.places = {k: p for k, (_, p) in wb.settings.items() if k in SETTING_NAMES}
        self.nodes = dict(wb.nodes)
        self.demand_factor = 1.0
        self.capex_factor: dict[str, float] = {}
        self.opex_factor: dict[str, float] = {}
        self.capacity_factor: dict[str, float] = {}
        self.bans: list[TradeRule] = []
        self.blocs = set(wb.nodes.values()) | {
            str(v).strip() for k, v, _ in entries if split_key(k)[0] == "bloc" and v is not None and str(v).strip()
        }
        self.embargo: dict[str, int] = {}
        self.wb = wb
        self.max_share: dict[tuple[str, str], tuple[float, str]] = {}  # (product, recipe) -> (share, place)
        self.pile: dict[tuple[str, str], dict[str, tuple[float | None, str]]] = {}  # -> column -> (value, place)

    def parse(self, col: Column, value: object, place: str, key: str) -> Any:  # of the column's kind
        parsed = parse_value(col, value, place, self.problems)
        why = implausible(col, parsed, key) if parsed is not MISSING else None
        if why:
            self.problems.warn(f"{place}: {why}")
        return parsed

    def apply(self, key: str, value: object, place: str) -> None:
        head, rest = split_key(key)
        if head in SETTING_NAMES:
            self.setting(head, key, value, place)
            return
        handler = {
            "demand_factor": self.demand_factor_of,
            "capex_factor": self.bloc_factor,
            "opex_factor": self.bloc_factor,
            "capacity_factor": self.capacity,
            "bloc": self.node_bloc,
            "ban": self.ban,
            "embargo": self.embargo_of,
            "max_share": self.recipe_share,
            "max_t": self.stockpile,
            "initial_t": self.stockpile,
        }.get(head)
        if handler is None:
            self.problems.error(place, KEYS, key)
        else:
            handler(head, rest, key, value, place)

    def setting(self, head: str, key: str, value: object, place: str) -> None:
        parsed = self.parse(SETTINGS.column(head), value, place, key)
        if parsed is not MISSING:
            self.settings[head], self.places[head] = parsed, place

    def demand_factor_of(self, head: str, rest: str, key: str, value: object, place: str) -> None:
        parsed = self.parse(FACTOR, value, place, key)
        self.demand_factor = self.demand_factor if parsed is MISSING else parsed

    def bloc_factor(self, head: str, rest: str, key: str, value: object, place: str) -> None:
        if self.bloc(rest, place):
            parsed = self.parse(FACTOR, value, place, key)
            if parsed is not MISSING:
                (self.capex_factor if head == "capex_factor" else self.opex_factor)[rest] = parsed

    def capacity(self, head: str, rest: str, key: str, value: object, place: str) -> None:
        if _known(rest, self.nodes, place, "node", self.problems):
            parsed = self.parse(CAPACITY_FACTOR, value, place, key)
            if parsed is not MISSING:
                self.capacity_factor[rest] = parsed

    def node_bloc(self, head: str, rest: str, key: str, value: object, place: str) -> None:
        if _known(rest, self.nodes, place, "node", self.problems):
            parsed = parse_value(LABEL, value, place, self.problems)
            if parsed:
                self.nodes[rest] = parsed

    def ban(self, head: str, rest: str, key: str, value: object, place: str) -> None:
        src, _, dst = rest.partition(".")
        known = [self.bloc(src, place), self.bloc(dst, place)]
        if not all(known):
            return
        parsed = self.parse(YEAR, value, place, f"ban.{rest}")
        self.bans = [b for b in self.bans if (b.from_bloc, b.to_bloc) != (src, dst)]
        if parsed not in (MISSING, None):
            self.bans.append(TradeRule(src, dst, allowed=False, first_year=parsed, place=place))
            if src == dst:
                self.problems.warn(
                    f"{place}: ban.{src}.{dst} stops trade between the nodes of one bloc; "
                    "did you mean two different blocs?"
                )

    def embargo_of(self, head: str, rest: str, key: str, value: object, place: str) -> None:
        if self.bloc(rest, place):
            parsed = self.parse(EMBARGO, value, place, key)
            if parsed is not MISSING:
                self.places[f"embargo.{rest}"] = place
                if parsed is None:
                    self.embargo.pop(rest, None)
                else:
                    self.embargo[rest] = parsed

    def recipe_share(self, head: str, rest: str, key: str, value: object, place: str) -> None:
        pair = self.pair(rest, [(p, r) for p, by_name in self.wb.recipes.items() for r in by_name], place, key)
        if pair:
            parsed = self.parse(RECIPES.column("max_share"), value, place, key)
            if parsed is not MISSING:
                self.max_share[pair] = (parsed, place)

    def stockpile(self, head: str, rest: str, key: str, value: object, place: str) -> None:
        pair = self.pair(rest, list(self.wb.stockpiles), place, key)
        if pair:
            parsed = self.parse(STOCKPILES.column(head), value, place, key)
            if parsed is not MISSING:
                self.pile.setdefault(pair, {})[head] = (parsed, place)

    def pair(self, rest: str, pairs: list[tuple[str, str]], place: str, key: str) -> tuple[str, str] | None:
        """The (product, recipe) or (node, element) pair `rest` names, labels joined by a dot (labels may hold
        dots); an input error listing the known pairs if none or several match."""
        matches = sorted(pair for pair in pairs if f"{pair[0]}.{pair[1]}" == rest)
        if len(matches) == 1:
            return matches[0]
        sheet = "recipes" if split_key(key)[0] == "max_share" else "stockpiles"
        known = sorted(".".join(pair) for pair in pairs)
        shown = ", ".join(known[:8]) + (", ..." if len(known) > 8 else "")
        self.problems.error(
            place,
            f"a pair of the {sheet} sheet after the key's prefix ({shown or 'none defined'})"
            if not matches
            else f"a key naming one pair of the {sheet} sheet (it could name {' or '.join(map(str, matches))})",
            rest or "<nothing>",
        )
        return None

    def recipes(self) -> dict[str, dict[str, Recipe]]:
        changes = {pair: {"max_share": share} for pair, (share, _) in self.max_share.items()}
        return recipes_of(self.wb.recipes, changes)

    def stockpiles(self) -> dict[tuple[str, str], Stockpile]:
        """The stockpiles with the case's max_t and initial_t; initial_t <= max_t checked again where changed."""
        piles = dict(self.wb.stockpiles)
        for pair, changes in self.pile.items():
            changed: dict[str, Any] = {col: value for col, (value, _) in changes.items()}
            sp = replace(piles[pair], **changed)
            piles[pair] = sp
            if sp.max_t is not None and sp.initial_t > sp.max_t:
                col, (_, place) = next(iter(sorted(changes.items())))
                self.problems.error(
                    place,
                    f"initial_t <= max_t at stockpile {'.'.join(pair)} (initial_t {sp.initial_t:g}, "
                    f"max_t {sp.max_t:g} in this case)",
                    f"<{col} {changes[col][0]:g}>",
                )
        return piles

    def check_recipes(self, recipes: dict[str, dict[str, Recipe]], s: Settings) -> None:
        """Each product's recipes can still make all of its demand in every year of the case, named at the
        last max_share override of the product, else at the product's first row."""
        moved = {p: place for (p, _), (_, place) in self.max_share.items()}
        for product, column, expected, found in check_recipe_shares(recipes, s.first_year, s.last_year):
            self.problems.error(moved.get(product) or self.wb.recipe_cells[product][column], expected, found)

    def bloc(self, label: str, place: str) -> bool:
        """Whether label is a bloc of the case; an input error naming the known blocs if not."""
        if label in self.blocs:
            return True
        known = sorted(self.blocs)
        near = [b for b in known if b.lower() == label.lower()]
        found = (
            f"<{label!r} (blocs match exactly, case included: did you mean {near[0]!r}?)>"
            if near
            else label or "<nothing>"
        )
        self.problems.error(place, f"a bloc of the nodes sheet ({', '.join(known) or 'none defined'})", found)
        return False

    def check_clean(self) -> None:
        """clean_by is location or ownership; allied_only_stages names stages of the stages sheet."""
        clean_by = str(self.settings.get("clean_by") or LOCATION).strip().lower()
        if clean_by in (LOCATION, OWNERSHIP):
            self.settings["clean_by"] = clean_by
        else:
            self.problems.error(self.places["clean_by"], f"{LOCATION} or {OWNERSHIP}", self.settings["clean_by"])
        stages = {st.id for st in self.wb.stages}
        for label in self.settings.get("allied_only_stages") or ():
            if label not in stages:
                known = ", ".join(sorted(stages)) or "none defined"
                self.problems.error(self.places["allied_only_stages"], f"a stage of the stages sheet ({known})", label)

    def check_blocs(self) -> None:
        """Blocs named by settings lists; defaults are not checked."""
        for key in BLOC_LISTS:
            if key in self.places and isinstance(self.settings.get(key), tuple):
                for label in self.settings[key]:
                    self.bloc(label, self.places[key])


def _doubts(wb: Workbook, s: Settings, case: _Case) -> list[str]:
    """Settings that are legal but can have no effect or are probably a slip."""
    found = []
    places = case.places
    for bloc, year in sorted(s.embargo.items()):
        if year > s.last_year:
            found.append(
                f"{places[f'embargo.{bloc}']}: embargo.{bloc} = {year} is after last_year {s.last_year}: "
                "the embargo never applies"
            )
    if s.independence_year is not None and s.independence_year > s.last_year:
        found.append(
            f"{places['independence_year']}: independence_year {s.independence_year} is after last_year "
            f"{s.last_year}: the independence requirement never applies"
        )
    both = sorted(set(s.restricted_blocs) & set(s.protected_blocs))
    if both:
        where = places.get("protected_blocs") or places.get("restricted_blocs")
        found.append(
            f"{where}: {', '.join(both)} is both restricted and protected: its own material counts as "
            "mixed for its own demand"
        )
    outside = sum(1 for (_, _, y) in wb.demand if y not in s.years)
    if outside == len(wb.demand) and wb.demand:
        years = sorted({y for (_, _, y) in wb.demand})
        found.append(
            f"demand: none of its {outside} row(s) falls within {s.first_year}-{s.last_year} (its years run "
            f"{years[0]}-{years[-1]}): the plan has nothing to supply"
        )
    elif outside:
        found.append(f"demand: {outside} row(s) outside {s.first_year}-{s.last_year} are ignored")
    return found


def _known(label: str, pool: Collection[str], place: str, what: str, problems: Problems) -> bool:
    if label in pool:
        return True
    labels = sorted(pool)
    shown = ", ".join(labels[:8]) + (", ..." if len(labels) > 8 else "")
    problems.error(place, f"a {what} of the workbook after the key's prefix ({shown})", label or "<nothing>")
    return False


def _settings(values: dict[str, Any], place: dict[str, str], problems: Problems) -> Settings | None:
    first, last = values.get("first_year"), values.get("last_year")
    if first is None or last is None:
        return None
    if last < first or last - first >= MAX_YEARS:
        problems.error(
            place.get("last_year", "settings"),
            f"a year from first_year ({first}) to first_year + {MAX_YEARS - 1}",
            last,
        )
        return None
    return settings_of(values)


def settings_of(values: Mapping[str, Any]) -> Settings:
    """Settings from `values`, every setting they do not give at its schema default (keyed settings such
    as embargo: {label: value}, none by default)."""
    merged = {c.name: c.default for c in SETTINGS.columns} | {name: {} for name in KEYED_SETTINGS} | dict(values)
    lists = {c.name for c in SETTINGS.columns if c.kind == "list"}
    fields: dict[str, Any] = {k: frozenset(v) if k in lists and isinstance(v, tuple) else v for k, v in merged.items()}
    return Settings(**fields)
