"""The docs' column reference is generated from the schema and must stay in sync."""

from pathlib import Path

from rechain.workbook.schema import SHEETS, with_reference

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_workbook_reference_is_generated_from_the_schema():
    text = (DOCS / "workbook.md").read_text(encoding="utf-8")
    assert with_reference(text) == text, "run: python -m rechain.workbook.schema docs/workbook.md"
    for sheet in SHEETS:
        for col in sheet.columns:
            assert f"`{col.name}`" in text


def test_model_doc_names_every_constraint_family():
    text = (DOCS / "model.md").read_text(encoding="utf-8")
    for family in (
        "add_throughput",
        "add_capacity",
        "add_separation_balance",
        "add_element_stage_balance",
        "add_demand",
        "add_independence",
        "add_budget",
        "add_cost_aggregates",
        "add_objective",
    ):
        assert family in text
