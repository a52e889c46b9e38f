"""The LP variants one dataset can be built as."""

from __future__ import annotations

from enum import Enum


class Variant(str, Enum):
    """The LPs built from one dataset (model.md, "LP variants").

    COST          minimise discounted total cost (the model of model.md);
    LEAST_ALPHA   α a variable in [0, 1], shortfall fixed at 0: least α for the budget, then the
                  least cost at that α (the budget frontier);
    LEAST_BUDGET  the total budget a variable, shortfall fixed at 0: the least budget that meets
                  the requirement (diagnosis);
    DRAWS         the COST LP with each facility's capex overrun and lead-time delay as mutable
                  parameters, so risk draws re-solve warm (risk.md; formulation.add_draw_parameters)."""

    COST = "cost"
    LEAST_ALPHA = "least_alpha"
    LEAST_BUDGET = "least_budget"
    DRAWS = "draws"
