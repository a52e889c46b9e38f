"""The output schema (rechain.models.figures): every reported figure declared once, flat names built and read
in one place, the docs' figures reference generated from it."""

from dataclasses import fields
from pathlib import Path

import pytest
from rechain.models.figures import (
    FIGURE,
    FIGURES,
    Dims,
    Figures,
    RunFacts,
    column,
    keyed,
    split_column,
    with_reference,
)

from worked import case, fac, flat, solve

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_figures_reference_is_generated_from_the_schema():
    text = (DOCS / "figures.md").read_text(encoding="utf-8")
    assert with_reference(text) == text, "run: python -m rechain.models.figures docs/figures.md"
    for f in FIGURES:
        assert f"`{f.name}`" in text


def test_every_typed_figure_is_declared_once():
    names = [f.name for f in FIGURES]
    assert len(names) == len(set(names))
    typed = [f.name for f in fields(Figures)] + [f.name for f in fields(RunFacts) if f.name != "solved"]
    assert [n for n in typed if n not in FIGURE] == []


@pytest.mark.parametrize(
    "name, keys, flat_name",
    [
        ("clean_share", ("Dy", 2035), "clean_share.Dy.2035"),
        ("premium_usd_per_kg", ("NdPr",), "premium_usd_per_kg.NdPr"),
        ("holds", (2035,), "holds.2035"),
        ("condition", ("embargo.china",), "condition.embargo.china"),
        ("clean_share", ("Nd.Pr", 2035), "clean_share.Nd.Pr.2035"),
    ],
)
def test_flat_names_round_trip(name, keys, flat_name):
    assert column(name, *keys) == flat_name
    figure, read = split_column(flat_name)
    assert (figure.name, read) == (name, tuple(str(k) for k in keys))


def test_a_mean_in_rows_takes_the_per_year_name_and_reads_back_as_the_mean():
    """Sweep and frontier rows write the mean marginal cost under the per-year figure's name."""
    flat_name = column("marginal_supply_cost_mean_usd_per_kg", "Dy", point=True)
    assert flat_name == "marginal_supply_cost_usd_per_kg.Dy"
    assert split_column(flat_name)[0].name == "marginal_supply_cost_mean_usd_per_kg"
    assert split_column("marginal_supply_cost_usd_per_kg.Dy.2035")[0].dims is Dims.ELEMENT_YEAR


def test_wrong_keys_and_other_columns():
    with pytest.raises(ValueError, match="takes 2 keys"):
        column("clean_share", "Dy")
    with pytest.raises(KeyError):
        column("no_such_figure")
    assert split_column("failure.mine.mining") is None and split_column("system_cost_usd") is None
    columns = ["draw", "condition.embargo.china", "clean_share.Dy.2035", "premium_usd_per_kg.A", "holds.2030"]
    assert keyed(columns, "condition") == {"embargo.china": "condition.embargo.china"}
    assert keyed(columns, "clean_share") == {"Dy.2035": "clean_share.Dy.2035"}


def test_a_solve_reports_only_declared_figures_in_schema_order():
    """One mine of 10 t/yr at 2 USD/t, 5 t of A to the allied Buyer: system cost 10 USD. The summary
    holds every figure of the schema's solve and run tables, in their order, and nothing else."""
    mine = fac("M", 1, existing_tpa=10, opex_usd_per_t=2)
    ds = case(
        (2025, 2025),
        {"M": "allied", "Buyer": "allied"},
        1,
        [mine],
        {"M": {"A": 1.0}},
        flat("Buyer", "A", 5.0, (2025, 2025)),
    )
    result = solve(ds)
    assert result.figures.system_cost_usd == pytest.approx(10)
    assert result.figures.clean_share == {("A", 2025): 1.0}
    order = [f.name for f in FIGURES]
    names = list(result.summary)
    assert names == sorted(names, key=order.index)
    assert result.summary["clean_share"] == {"A": {"2025": 1.0}}


def test_every_table_picks_its_figures_from_the_schema():
    """The figures each table shows (sweep rows, scenario and findings tables, risk summaries, compare) are
    figures of the schema: a renamed or undeclared one fails here, not in a reader's spreadsheet."""
    from rechain.models.figures import SWEPT
    from rechain.run.compare import COST_FIGURES, TONNE_FIGURES
    from rechain.run.findings import PLAN
    from rechain.run.risk import FIGURES as DRAWN
    from rechain.run.scenarios import FIGURES as AGAINST_BASE

    for picked in (SWEPT, PLAN, tuple(AGAINST_BASE), DRAWN, COST_FIGURES + TONNE_FIGURES):
        assert [name for name in picked if name not in FIGURE] == []
