"""The output schema, twin of the input schema (rechain.workbook.schema): every figure rechain reports,
once, with its unit, meaning and dimensions; and the typed figures a solve returns.

A figure with dimensions is written flat, one column per key, as `<name>.<key>` (an element, a year, a
condition's label) or `<name>.<element>.<year>`: `column` builds those names and `split_column` reads them
back; no other code spells or parses them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from enum import Enum
from typing import Any

from ..base.docs import rewrite_from_argv, spliced
from .ranging import UNIQUE


class Dims(Enum):
    """What a figure is given per (its keys, in the order of a flat name)."""

    NONE = ""
    ELEMENT = "element"
    YEAR = "year"
    ELEMENT_YEAR = "element × year"
    LABEL = "uncertainty label"
    PART = "cost part × (discounted, undiscounted)"
    BASIS = "(discounted, undiscounted)"
    STAGE = "stage"


class Where(Enum):
    """Which output carries a figure."""

    SOLVE = "solve: Solution.figures, summary.json, results.xlsx summary"
    RUN = "solve: the run's facts (status, timings, size), summary.json"
    POINT = "sweep and frontier rows"
    DRAW = "risk draws"


@dataclass(frozen=True)
class Figure:
    name: str
    unit: str
    meaning: str
    dims: Dims = Dims.NONE
    where: Where = Where.SOLVE
    point: str = ""  # its flat name in sweep and frontier rows where that differs (a mean under the per-year name)


_R, _P, _D = Where.RUN, Where.POINT, Where.DRAW
_E, _EY = Dims.ELEMENT, Dims.ELEMENT_YEAR
USD_KG = "USD/kg (undiscounted)"

FIGURES: tuple[Figure, ...] = (
    Figure("status", "", "optimal, infeasible, unbounded, time_limit, error, ...", where=_R),
    Figure("message", "", "HiGHS's words on the solve", where=_R),
    Figure("solve_seconds", "s", "time to solve (translate and HiGHS)", where=_R),
    Figure("build_seconds", "s", "time to build the model", where=_R),
    Figure("translate_seconds", "s", "time to hand the model to HiGHS", where=_R),
    Figure("highs_seconds", "s", "time HiGHS ran", where=_R),
    Figure("max_primal_infeasibility", "model units", "largest row violation of the plan", where=_R),
    Figure("max_dual_infeasibility", "model units", "largest reduced-cost violation", where=_R),
    Figure("stages", "", "the chain's stages in order", Dims.STAGE, _R),
    Figure("variables", "count", "active variables of the LP", where=_R),
    Figure("constraints", "count", "active rows of the LP", where=_R),
    Figure("shortfall_at_any_price", "", "shortfall minimised first (setting), not priced", where=_R),
    Figure("shortfall_penalty_usd_per_kg", "USD/kg", "the price of one kg of independence shortfall", where=_R),
    Figure("objective_usd", "USD (discounted)", "the objective: system cost and penalties"),
    Figure("system_cost_usd", "USD (discounted)", "the objective less penalties"),
    Figure("penalty_usd", "USD (discounted)", "penalties: unmet demand, shortfall, must-run shortfall"),
    Figure("capex_usd", "USD (nominal)", "capex at every node, cost factors applied"),
    Figure("budget_capex_usd", "USD (nominal)", "capex at the budget blocs' nodes"),
    Figure("protected_capex_usd", "USD (nominal)", "capex at the protected blocs' nodes"),
    Figure("unmet_t", "t", "demand left unmet, all years"),
    Figure("shortfall_t", "t", "independence shortfall, all years (at any price: the least possible)"),
    Figure("must_run_shortfall_t", "t", "must-run floor not met, all years"),
    Figure("clean_share", "share", "clean supply over protected need", _EY),
    Figure("budget_dual_usd_per_usd", "USD per USD", "the total budget's shadow price (None without a budget)"),
    Figure("costs_usd", "USD", "each cost part, salvage and penalty", Dims.PART),
    Figure("independence_year", "year", "first year of the independence requirement"),
    Figure("marginal_supply_cost_usd_per_kg", USD_KG, "need-weighted marginal supply cost", _EY),
    Figure("marginal_supply_cost_range_usd_per_kg", USD_KG, "[low, high] where not unique", _EY),
    Figure(
        "marginal_supply_cost_mean_usd_per_kg",
        USD_KG,
        "mean from the independence year",
        _E,
        point="marginal_supply_cost_usd_per_kg",
    ),
    Figure("marginal_supply_cost_mean_range_usd_per_kg", USD_KG, "[low, high] of the mean where not unique", _E),
    Figure("protected_payment_usd", "USD", "protected need paid at marginal supply cost", Dims.BASIS),
    Figure("clean_premium_usd_per_t", "USD/t (discounted)", "mean shadow price of the independence row", _E),
    Figure("diagnosis", "", "why demand went unmet or short (rechain solve)", where=_R),
    Figure("read_seconds", "s", "time to read the workbook", where=_R),
    Figure("write_seconds", "s", "time to write the results", where=_R),
    Figure("shortfall_priced", "", "how shortfall was priced: at any price or the penalty per kg", where=_R),
    Figure(
        "marginal_supply_cost_mean_low_usd_per_kg",
        USD_KG,
        "low end of the mean where not unique (blank: no finite end)",
        _E,
        point="marginal_supply_cost_low_usd_per_kg",
    ),
    Figure(
        "marginal_supply_cost_mean_high_usd_per_kg",
        USD_KG,
        "high end of the mean where not unique (blank: no finite end)",
        _E,
        point="marginal_supply_cost_high_usd_per_kg",
    ),
    Figure("marginal_supply_cost_unique", "", "False where the mean is not unique", _E, _P),
    Figure("premium_usd_per_kg", USD_KG, "mean marginal supply cost less the unconstrained case's", _E, _P),
    Figure("premium_unique", "", "False where the per-kg premium is not unique", _E, _P),
    Figure("premium_low_usd_per_kg", USD_KG, "low end of the per-kg premium where not unique", _E, _P),
    Figure("premium_high_usd_per_kg", USD_KG, "high end of the per-kg premium where not unique", _E, _P),
    Figure("premium_usd", "USD (discounted)", "system cost less the unconstrained case's", where=_P),
    Figure("premium_share", "share", "premium_usd over the unconstrained case's system cost", where=_P),
    Figure("clean_required_share", "share", "1 − α: the clean share required of protected need", where=_P),
    Figure("min_alpha", "share", "the least α a budget reaches with no shortfall", where=_P),
    Figure("max_clean_share", "share", "1 − min_alpha", where=_P),
    Figure("budget_binds", "", "a budget row holds the draw's plan back (its dual is not zero)", where=_D),
    Figure(
        "earliest_independence_year",
        "year",
        "first year from which the requirement holds in every later year",
        where=_D,
    ),
    Figure("condition", "", "the class of a draw's value of one uncertainty", Dims.LABEL, _D),
    Figure("holds", "", "the requirement holds in that year (blank: no protected need)", Dims.YEAR, _D),
)
FIGURE = {f.name: f for f in FIGURES}
_KEYS = {Dims.ELEMENT: 1, Dims.YEAR: 1, Dims.LABEL: 1, Dims.ELEMENT_YEAR: 2}
_HEADS = {(f.name, _KEYS[f.dims]): f for f in FIGURES if f.dims in _KEYS} | {
    (f.point, _KEYS[f.dims]): f for f in FIGURES if f.point
}


def column(name: str, *keys: object, point: bool = False) -> str:
    """The flat column name of figure `name` at `keys`: `clean_share.Dy.2035` (KeyError: not a figure);
    `point`: as sweep and frontier rows name it (Figure.point)."""
    figure = FIGURE[name]
    if len(keys) != _KEYS.get(figure.dims, 0):
        raise ValueError(f"{name} takes {_KEYS.get(figure.dims, 0)} keys ({figure.dims.value}), not {keys!r}")
    return ".".join([(point and figure.point) or figure.name, *(str(k) for k in keys)])


def split_column(name: str) -> tuple[Figure, tuple[str, ...]] | None:
    """The figure and keys of a flat column name (`clean_share.Dy.2035` -> clean_share, ("Dy", "2035"));
    None for any other column."""
    head, dot, rest = name.partition(".")
    if not dot:
        return None
    if (head, 2) in _HEADS and "." in rest:
        return _HEADS[(head, 2)], tuple(rest.rsplit(".", 1))
    figure = _HEADS.get((head, 1))
    return None if figure is None else (figure, (rest,))


def part_column(part: str, basis: str) -> str:
    """The flat column of one cost part (costs_usd) on one basis: `capex_discounted_usd`."""
    return f"{part}_{basis}_usd"


def keyed(names: Iterable[object], name: str) -> dict[str, str]:
    """The columns of figure `name` among `names` (flat names, either spelling) by their key:
    {"Dy": "premium_usd_per_kg.Dy", ...}."""
    found = {}
    for c in names:
        split = split_column(str(c))
        if split is not None and split[0].name == name:
            found[".".join(split[1])] = str(c)
    return found


@dataclass(frozen=True)
class Basis:
    """One amount in USD, discounted and undiscounted."""

    discounted: float
    undiscounted: float


Ends = tuple[float | None, float | None]  # (low, high) of a figure that is not unique; None: no finite end


@dataclass(frozen=True)
class RunFacts:
    """What every solve reports, optimal or not (Where.RUN); `size` is None for a run that never solved."""

    status: str
    message: str
    solve_seconds: float | None = None
    build_seconds: float | None = None
    translate_seconds: float | None = None
    highs_seconds: float | None = None
    max_primal_infeasibility: float | None = None
    max_dual_infeasibility: float | None = None
    stages: tuple[str, ...] = ()
    variables: int | None = None
    constraints: int | None = None
    shortfall_at_any_price: bool | None = None
    shortfall_penalty_usd_per_kg: float | None = None
    solved: bool = True  # False: status and message only (a run that raised)


@dataclass(frozen=True)
class Figures:
    """The figures of an optimal solve (Where.SOLVE), each as the schema names it; per element and year
    keyed by (element, year), in that order."""

    objective_usd: float
    system_cost_usd: float
    penalty_usd: float
    capex_usd: float
    budget_capex_usd: float
    protected_capex_usd: float
    unmet_t: float
    shortfall_t: float
    must_run_shortfall_t: float
    clean_share: Mapping[tuple[str, int], float | None]
    budget_dual_usd_per_usd: float | None
    costs_usd: Mapping[str, Basis]
    independence_year: int
    marginal_supply_cost_usd_per_kg: Mapping[tuple[str, int], float]
    marginal_supply_cost_range_usd_per_kg: Mapping[tuple[str, int], Ends]
    marginal_supply_cost_mean_usd_per_kg: Mapping[str, float]
    marginal_supply_cost_mean_range_usd_per_kg: Mapping[str, Ends]
    protected_payment_usd: Basis
    clean_premium_usd_per_t: Mapping[str, float] | None = None  # None: solved without tables (draws)

    def by_year(self, name: str) -> dict[str, dict[int, Any]]:
        """A figure per element and year as element -> year -> value."""
        nested: dict[str, dict[int, Any]] = {}
        for (e, y), v in getattr(self, name).items():
            nested.setdefault(e, {})[y] = v
        return nested


@dataclass(frozen=True)
class Notes:
    """Facts a command adds to a solve's summary (Where.RUN): diagnosis and read time, then write time."""

    diagnosis: Mapping[str, Any] | None = None
    read_seconds: float | None = None
    write_seconds: float | None = None


@dataclass(frozen=True)
class Premium:
    """A per-kg premium (USD/kg): its value and, where it is not unique, its ends."""

    value: float | None
    ends: Ends | None = None


Cost = tuple[float, Ends | None]  # a marginal cost (USD/kg) and its ends where it is not unique


def per_kg_premium(case: list[Cost], free: list[Cost]) -> Premium:
    """The per-kg premium of a case over the unconstrained case from their marginal supply costs in the same
    years (or their means, one each): the mean of the differences. Where a cost of either is not unique, the
    premium is not either; its ends

        low  = mean_y (low_case[y] − high_free[y]),   high = mean_y (high_case[y] − low_free[y])

    (None for an end that is not finite), unless within 0.1% of the larger mean cost (one_value): then none."""
    n = len(case)
    value = sum(c[0] - f[0] for c, f in zip(case, free, strict=True)) / n
    low = _mean([_minus(_end(c, 0), _end(f, 1)) for c, f in zip(case, free, strict=True)])
    high = _mean([_minus(_end(c, 1), _end(f, 0)) for c, f in zip(case, free, strict=True)])
    scale = max(abs(sum(c[0] for c in case)), abs(sum(f[0] for f in free))) / n
    return Premium(value, None if one_value(low, high, scale) else (low, high))


def one_value(low: float | None, high: float | None, scale: float) -> bool:
    """Ends (USD/kg) of a marginal cost or premium of size `scale` that are one value: within UNIQUE
    of it (0.1%) and 1e-6 USD/kg."""
    return low is not None and high is not None and abs(high - low) <= UNIQUE * abs(scale) + 1e-6


def _end(cost: Cost, side: int) -> float | None:
    return cost[0] if cost[1] is None else cost[1][side]


def _minus(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def _mean(values: list[float | None]) -> float | None:
    return None if any(v is None for v in values) else sum(v for v in values if v is not None) / len(values)


PREMIUM = ("premium_usd_per_kg", "premium_unique", "premium_low_usd_per_kg", "premium_high_usd_per_kg")
_ENDS = {
    "premium_usd_per_kg": ("premium_unique", "premium_low_usd_per_kg", "premium_high_usd_per_kg"),
    "marginal_supply_cost_mean_usd_per_kg": (
        "marginal_supply_cost_unique",
        "marginal_supply_cost_mean_low_usd_per_kg",
        "marginal_supply_cost_mean_high_usd_per_kg",
    ),
}


def ends_columns(name: str, element: str, ends: Ends | None) -> dict[str, float | None]:
    """The flat columns saying that figure `name` (premium_usd_per_kg or marginal_supply_cost_mean_usd_per_kg) of
    `element` is not unique, and its ends (none where it is unique). A flag is a bool, so a float too."""
    if ends is None:
        return {}
    unique, low, high = (column(n, element, point=True) for n in _ENDS[name])
    return {unique: False, low: ends[0], high: ends[1]}


def read_ends(row: Mapping[str, Any], name: str, element: str) -> Ends | None:
    """The ends a flat row gives for figure `name` of `element` (ends_columns), None where it is unique."""
    unique, low, high = (column(n, element, point=True) for n in _ENDS[name])
    flag = row.get(unique, True)
    if flag is None or flag != flag or bool(flag):
        return None
    return _number(row.get(low)), _number(row.get(high))


def _number(value: Any) -> float | None:
    return None if value is None or value != value else float(value)


def premium_columns(premiums: Mapping[str, Premium]) -> dict[str, float | None]:
    """Per element its per-kg premium's column and, where not unique, its ends' (ends_columns)."""
    row: dict[str, float | None] = {}
    for e, premium in premiums.items():
        row[column("premium_usd_per_kg", e)] = premium.value
        row |= ends_columns("premium_usd_per_kg", e, premium.ends)
    return row


def _plain(value: Any, dims: Dims) -> Any:
    """A typed figure as summary.json holds it: per element and year nested, years as text, ends as lists."""
    if isinstance(value, Basis):
        return {"discounted": value.discounted, "undiscounted": value.undiscounted}
    if isinstance(value, tuple):
        return list(value)
    if dims is Dims.PART:
        return {k: _plain(v, Dims.BASIS) for k, v in value.items()}
    if dims is Dims.ELEMENT_YEAR:
        nested: dict[str, dict[str, Any]] = {}
        for (e, y), v in value.items():
            nested.setdefault(e, {})[str(y)] = _plain(v, Dims.NONE)
        return nested
    if dims is Dims.ELEMENT:
        return {e: _plain(v, Dims.NONE) for e, v in value.items()}
    return value


def summary(run: RunFacts, figures: Figures | None, notes: Notes | None = None) -> dict[str, Any]:
    """The summary of a solve by figure name, as summary.json writes it (the schema's order)."""
    found: dict[str, Any] = {"status": run.status, "message": run.message}
    if run.solved:
        found |= {f.name: _plain(getattr(run, f.name), FIGURE[f.name].dims) for f in fields(RunFacts)[2:-1]}
    for f in fields(Figures) if figures is not None else ():
        value = getattr(figures, f.name)
        if value is not None or f.name != "clean_premium_usd_per_t":
            found[f.name] = _plain(value, FIGURE[f.name].dims)
    if notes is not None and notes.read_seconds is not None:
        found |= {"diagnosis": notes.diagnosis, "read_seconds": notes.read_seconds}
    if notes is not None and notes.write_seconds is not None:
        found["write_seconds"] = notes.write_seconds
    return found


def shortfall_price_label(summary: Mapping[str, Any]) -> str:
    """How a shortfall was priced, for every output that shows one: "at any price" (the setting
    shortfall_at_any_price) or the penalty per kg, e.g. "penalty $10,000/kg"; "" without either key."""
    if summary.get("shortfall_at_any_price"):
        return "at any price"
    per_kg = summary.get("shortfall_penalty_usd_per_kg")
    if per_kg is None:
        return ""
    return f"penalty ${per_kg:,.0f}/kg" if per_kg >= 10 else f"penalty ${per_kg:.3g}/kg"


def price_label(run: RunFacts) -> str:
    """shortfall_price_label of a solve's facts."""
    return shortfall_price_label(summary(run, None))


SWEPT = ("objective_usd", "system_cost_usd", "penalty_usd", "capex_usd", "budget_capex_usd", "unmet_t", "shortfall_t")


def point_columns(run: RunFacts, figures: Figures, years: Iterable[int]) -> dict[str, Any]:
    """The flat columns of an optimal sweep point: the totals, each cost part discounted, the clean share
    per element in `years`, the budget's dual, and per element the clean premium and the mean marginal
    supply cost (with its ends where not unique)."""
    row: dict[str, Any] = {name: getattr(figures, name) for name in SWEPT}
    row["shortfall_priced"] = price_label(run)
    row |= {part_column(part, "discounted"): cost.discounted for part, cost in figures.costs_usd.items()}
    for e, by_year in figures.by_year("clean_share").items():
        row |= {column("clean_share", e, y): by_year.get(y) for y in years}
    row["budget_dual_usd_per_usd"] = figures.budget_dual_usd_per_usd
    row |= {column("clean_premium_usd_per_t", e): v for e, v in (figures.clean_premium_usd_per_t or {}).items()}
    means = figures.marginal_supply_cost_mean_usd_per_kg
    row |= {column("marginal_supply_cost_mean_usd_per_kg", e, point=True): v for e, v in means.items()}
    for e, ends in figures.marginal_supply_cost_mean_range_usd_per_kg.items():
        row |= ends_columns("marginal_supply_cost_mean_usd_per_kg", e, ends)
    return row


def reference_markdown() -> str:
    """The figures reference of docs/figures.md, generated from FIGURES."""
    lines = []
    for where in Where:
        lines += [f"### {where.value[:1].upper()}{where.value[1:]}", "", "| figure | unit | per | meaning |"]
        lines += ["|---|---|---|---|"]
        for f in (f for f in FIGURES if f.where is where):
            name = f"`{f.name}`" + (f" (rows: `{f.point}`)" if f.point else "")
            lines.append(f"| {name} | {f.unit} | {f.dims.value} | {f.meaning} |")
        lines.append("")
    return "\n".join(lines).rstrip("\n")


MARK, END = "<!-- figures-reference -->", "<!-- /figures-reference -->"


def with_reference(doc: str) -> str:
    """docs/figures.md with its generated figures reference brought up to date."""
    return spliced(doc, MARK, END, reference_markdown())


if __name__ == "__main__":  # python -m rechain.models.figures docs/figures.md
    rewrite_from_argv(with_reference)
