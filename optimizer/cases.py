"""Make the model's Dataset from a Workbook: the base case, a scenario, and
`--set` overrides on top. The workbook is never modified."""

from __future__ import annotations

from dataclasses import replace

from models.dataset import Dataset, Settings, TradeRule

from .cells import MISSING, parse_value
from .errors import Problems
from .schema import SETTINGS, Column
from .validate import Workbook

MAX_YEARS = 100
FACTOR = Column("factor", "float", "a factor", gt=0, default=1.0)
CAPACITY_FACTOR = Column("capacity_factor", "float", "a factor", ge=0, default=1.0)
YEAR = Column("year", "int", "a year")
LABEL = Column("label", "text", "a label")
PREFIXES = ("capex_factor", "opex_factor", "capacity_factor", "bloc", "ban")


def split_key(key: str) -> tuple[str, str]:
    """('capex_factor', 'allied') for 'capex_factor.allied'; (key, '') for plain keys."""
    key = key.strip()
    head, dot, rest = key.partition(".")
    if dot and head.lower() in PREFIXES:
        return head.lower(), rest.strip()
    return key.lower(), ""


def is_known_key(key: str) -> bool:
    head, rest = split_key(key)
    return head in {c.name for c in SETTINGS.columns} | {"demand_factor"} or (head in PREFIXES and bool(rest))


def make_dataset(wb: Workbook, scenario: str | None = None,
                 overrides: tuple[tuple[str, str], ...] = (), warnings: list[str] | None = None) -> Dataset:
    """The case to model; raises InputError naming every bad override."""
    problems = Problems()
    entries = []
    if scenario is not None:
        names = set(wb.scenario_names)
        if scenario not in names:
            problems.error("--scenario", f"a scenario of the workbook ({', '.join(sorted(names)) or 'none defined'})",
                           scenario)
            problems.raise_if_any()
        entries += wb.scenarios.get(scenario, [])
    entries += [(key, value, f"--set {key}") for key, value in overrides]

    settings = {k: v for k, (v, _) in wb.settings.items()}
    places = {k: p for k, (_, p) in wb.settings.items()}
    nodes = dict(wb.nodes)
    demand_factor, capex_factor, opex_factor, capacity_factor = 1.0, {}, {}, {}
    bans = []
    blocs = set(nodes.values()) | {v for entries_ in wb.scenarios.values() for k, v, _ in entries_
                                   if split_key(k)[0] == "bloc"}
    for key, value, place in entries:
        head, rest = split_key(key)
        if head in {c.name for c in SETTINGS.columns}:
            parsed = parse_value(SETTINGS.column(head), value, place, problems)
            if parsed is not MISSING:
                settings[head], places[head] = parsed, place
        elif head == "demand_factor":
            parsed = parse_value(FACTOR, value, place, problems)
            demand_factor = demand_factor if parsed is MISSING else parsed
        elif head in ("capex_factor", "opex_factor") and _known(rest, blocs, place, "bloc", problems):
            parsed = parse_value(FACTOR, value, place, problems)
            if parsed is not MISSING:
                (capex_factor if head == "capex_factor" else opex_factor)[rest] = parsed
        elif head == "capacity_factor" and _known(rest, nodes, place, "node", problems):
            parsed = parse_value(CAPACITY_FACTOR, value, place, problems)
            if parsed is not MISSING:
                capacity_factor[rest] = parsed
        elif head == "bloc" and _known(rest, nodes, place, "node", problems):
            parsed = parse_value(LABEL, value, place, problems)
            if parsed:
                nodes[rest] = parsed
        elif head == "ban":
            src, _, dst = rest.partition(".")
            if _known(src, blocs, place, "bloc", problems) and _known(dst, blocs, place, "bloc", problems):
                parsed = parse_value(YEAR, value, place, problems)
                bans = [b for b in bans if (b.from_bloc, b.to_bloc) != (src, dst)]
                if parsed not in (MISSING, None):
                    bans.append(TradeRule(src, dst, allowed=False, first_year=parsed, place=place))
        elif head not in PREFIXES:
            problems.error(place, "a settings key or one of demand_factor, capex_factor.<bloc>, "
                           "opex_factor.<bloc>, capacity_factor.<node>, bloc.<node>, ban.<from>.<to>", key)

    s = _settings(settings, places, problems)
    problems.raise_if_any()

    facilities = {}
    for key, f in wb.facilities.items():
        factor = capacity_factor.get(f.node)
        if factor is not None:
            f = replace(f, existing_tpa=f.existing_tpa * factor,
                        max_tpa=None if f.max_tpa is None else f.max_tpa * factor)
        facilities[key] = f
    outside = sum(1 for (_, _, y) in wb.demand if y not in s.years)
    if outside and warnings is not None:
        warnings.append(f"demand: {outside} row(s) outside {s.first_year}-{s.last_year} are ignored")
    demand = {k: d for k, d in wb.demand.items() if k[2] in s.years}
    rules = tuple(r for tag, r in wb.trade_rules if tag is None or tag == scenario) + tuple(bans)
    budgets = tuple(b for tag, b in wb.bloc_budgets if tag is None or tag == scenario)
    return Dataset(s, nodes, wb.stages, facilities, wb.composition, demand, wb.routes, rules, budgets,
                   demand_factor, capex_factor, opex_factor, places)


def _known(label: str, pool, place: str, what: str, problems: Problems) -> bool:
    if label in pool:
        return True
    problems.error(place, f"a {what} of the workbook after the key's prefix", label or "<nothing>")
    return False


def _settings(values: dict, place: dict, problems: Problems) -> Settings | None:
    first, last = values.get("first_year"), values.get("last_year")
    if first is None or last is None:
        return None
    if last < first or last - first >= MAX_YEARS:
        problems.error(place.get("last_year", "settings"), f"a year from first_year ({first}) to "
                       f"first_year + {MAX_YEARS - 1}", last)
        return None
    kwargs = {c.name: values.get(c.name, c.default) for c in SETTINGS.columns}
    for key, value in kwargs.items():
        if isinstance(value, tuple):
            kwargs[key] = frozenset(value)
    return Settings(**kwargs)
