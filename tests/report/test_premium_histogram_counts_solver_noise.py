"""A premium a hair below zero (solver noise: a draw whose clean plan is its unconstrained plan) still gets
its histogram bin (found on the reference world v3 with `rechain risk --draws 4`)."""

import pandas as pd
from rechain.report.risk import premium_histogram


def test_every_draw_is_counted_when_a_premium_is_minus_a_hundred_thousandth_of_a_dollar():
    """Draws of the reference v3 run: -1.5e-5, 3.1e-5, 5.31e9 and 5.71e9 USD: four draws in the bins."""
    draws = pd.DataFrame(
        {"status": ["optimal"] * 4, "premium_usd": [3.051758e-05, 5.709129e09, 5.309242e09, -1.525879e-05]}
    )
    assert premium_histogram(draws)["draws"].sum() == 4
