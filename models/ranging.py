"""One-sided marginal supply costs where the dual is not unique (model.md, "Non-unique marginal costs").

The least cost z(b) of an LP is convex and piecewise linear in its right-hand sides b. The marginal
supply cost of element e in year y is its derivative in the direction d that adds one t of protected
demand of (e, y), spread over the protected consumers in proportion to their demand D[m,e,y]:

    d_r = ∂bound_r / ∂t   for the rows r in which D[m,e,y] stands: demand[m,e,y] (and, one stage,
                          clean_cap_demand[m,e,y]) for m ∈ P, independence[e,y] with (1 − α)

A solver's dual y gives y·d, one subgradient. It is the derivative only where z is differentiable
along d; at a kink the honest figure is the pair of one-sided derivatives z'(b; −d) ≤ z'(b; +d), and
every value between them is a valid marginal cost. They are measured over a step δ = STEP × the
protected demand of (e, y) (1e-4: 66 kg of 656 t), from the duals y± of the LP re-solved warm at b ± δ·d:

    low = y−·d  ≤  z'(b; −d)  ≤  z'(b; +d)  ≤  high = y+·d        (convexity)

with equality unless z has another kink within δ of b; a kink closer than δ counts as at b (as the
shortfall held at its least plus 1e-6 t at any price: more demand then has no finite cost). A side
whose re-solve is infeasible has no finite end (high = +∞, low = −∞). low and high within 0.1%
(UNIQUE) are one value: the marginal cost is unique.

Cheap where it is unique: HiGHS's ranging gives each row's bound interval over which the optimal
basis stays optimal. The set of right-hand sides a basis keeps optimal is convex, so when each of the
k moved rows can move k·δ·|d_r| either way inside its interval, the basis is optimal on all of
[b − δ·d, b + δ·d], z is linear there (low = high = y·d) and nothing is re-solved. The values are in
objective units per t; marginal.py converts them to undiscounted USD per kg.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyomo.environ as pyo
from pyomo.repn import generate_standard_repn

from .formulation import Built
from .highs import Probe
from .variants import Variant

STEP = 1e-4  # δ as a share of the element-year's protected demand
UNIQUE = 1e-3  # low and high within UNIQUE · max(|low|, |high|) + ABS: one marginal cost (to 0.1%)
ABS = 1e-9  # objective units (million USD) per t: 0.001 USD/t


@dataclass(frozen=True)
class Direction:
    """The rows of d, their bounds now (HiGHS's) and their change per t (lower, upper; 0 where infinite)."""

    rows: list[int]
    lower: Any
    upper: Any
    d_lower: Any
    d_upper: Any
    tonnes: float  # protected demand of (e, y), t

    def slope(self, duals: list[float]) -> float:
        """y·d: duals are d(objective)/d(bound), so each row counts with the change of its finite bound."""
        return float(sum(y * (lo if lo else hi) for y, lo, hi in zip(duals, self.d_lower, self.d_upper, strict=True)))


def probed(built: Built) -> bool:
    """Whether one-sided costs are measured for this variant: the cost LPs, where α is a parameter."""
    return built.variant in (Variant.COST, Variant.DRAWS)


def one_sided(built: Built, probe: Probe, keys: list[tuple[str, int]]) -> dict[tuple[str, int], tuple[float, float]]:
    """(low, high) in objective units per t for each (e, y) of `keys` whose rows HiGHS's ranging does
    not show stable over ±δ; math.nan on a side not measured."""
    found = {}
    for key in keys:
        direction = _direction(built, probe, *key)
        if direction is None or _stable(probe, direction):
            continue
        found[key] = (_side(probe, direction, -1.0), _side(probe, direction, 1.0))
    return found


def same(a: float, b: float) -> bool:
    """Left and right derivatives that are one marginal cost (finite, within UNIQUE and ABS)."""
    return math.isfinite(a) and math.isfinite(b) and abs(a - b) <= UNIQUE * max(abs(a), abs(b)) + ABS


def _rows(built: Built, e: str, y: int) -> tuple[list[Any], float]:
    """The constraints in which the protected demand of (e, y) stands, and that demand (t, D)."""
    m, ds = built.model, built.dataset
    protected = {n for n, bloc in ds.nodes.items() if bloc in ds.settings.protected_blocs}
    consumers = [c for (c, e2, y2) in built.network.demand_rows if (e2, y2) == (e, y) and c in protected]
    tonnes = sum(built.network.demand_rows[(c, e, y)] for c in consumers)
    cons = [m.demand[c, e, y] for c in consumers if (c, e, y) in getattr(m, "demand", {})]
    cons += [m.clean_cap_demand[c, e, y] for c in consumers if (c, e, y) in getattr(m, "clean_cap_demand", {})]
    if (e, y) in getattr(m, "independence", {}):
        cons.append(m.independence[e, y])
    return cons, tonnes


def _bounds(con: Any) -> tuple[float, float]:
    """The row's bounds as HiGHS holds them: the constraint's bounds minus its body's constant."""
    lower, body, upper = con.to_bounded_expression()
    constant = float(generate_standard_repn(body, compute_values=True, quadratic=False).constant)
    lo = -math.inf if lower is None else float(pyo.value(lower)) - constant
    hi = math.inf if upper is None else float(pyo.value(upper)) - constant
    return lo, hi


def _direction(built: Built, probe: Probe, e: str, y: int) -> Direction | None:
    """d for (e, y): each row's bound change per unit of demand_factor (bounds are affine in it),
    divided by D, so that d adds one t spread in proportion to D; None without protected demand."""
    cons, tonnes = _rows(built, e, y)
    factor = built.model.demand_factor
    if not cons or tonnes <= 0 or float(pyo.value(factor)) <= 0:
        return None
    now = float(pyo.value(factor))
    before = [_bounds(con) for con in cons]
    factor.set_value(now + 1.0)
    try:
        after = [_bounds(con) for con in cons]
    finally:
        factor.set_value(now)
    change = [
        [(a - b) / tonnes if math.isfinite(b) else 0.0 for a, b in zip(x, w, strict=True)]
        for x, w in zip(after, before, strict=True)
    ]
    rows = [probe.row_of(con) for con in cons]
    lower, upper = probe.bounds(rows)
    return Direction(
        rows,
        lower,
        upper,
        np.array([c[0] for c in change]),
        np.array([c[1] for c in change]),
        tonnes * float(pyo.value(factor)),
    )


def _stable(probe: Probe, direction: Direction) -> bool:
    """Every moved bound can move k·δ·|d_r| either way inside its basis-stable interval (HiGHS ranging)."""
    moved = [
        (r, lo if d_lo else hi, d_lo or d_hi)
        for r, lo, hi, d_lo, d_hi in zip(
            direction.rows, direction.lower, direction.upper, direction.d_lower, direction.d_upper, strict=True
        )
        if d_lo or d_hi
    ]
    for r, bound, change in moved:
        room = len(moved) * STEP * direction.tonnes * abs(change)
        down, up = probe.stable(r)
        if not (down < bound - room and up > bound + room):
            return False
    return True


def _side(probe: Probe, direction: Direction, sign: float) -> float:
    """y±·d on the side `sign` (+1 high, −1 low), objective units per t: ±inf where the LP at b ± δ·d is
    infeasible, nan where HiGHS ends otherwise."""
    delta = sign * STEP * direction.tonnes
    lower = direction.lower + delta * direction.d_lower
    upper = direction.upper + delta * direction.d_upper
    status, duals = probe.moved(direction.rows, lower, upper)
    if status == "infeasible":
        return sign * math.inf
    return direction.slope(duals) if status == "optimal" else math.nan
