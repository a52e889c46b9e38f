"""Input workbooks rechain writes (`rechain generate`, `rechain template`) keep labels as text (issue 22): a label
beginning with `=`, `+`, `-` or `@` is written as quote-prefixed text, never a live formula, and reading the
workbook back gives the label exactly as it was."""

from __future__ import annotations

import openpyxl
from rechain.workbook import template
from rechain.workbook.generate import world, write_world
from rechain.workbook.read import read_tables
from rechain.workbook.validate import load_workbook

from writing import unsafe_cells

HOSTILE = {"N0000": '=HYPERLINK("http://evil.example","x")', "N0001": "+1+1", "N0002": "-2", "N0003": "@SUM(A1)"}


def renamed(tables: dict[str, list[list]]) -> dict[str, list[list]]:
    """The generated tables with nodes N0000-N0003 renamed to hostile labels wherever they appear."""
    return {name: [[HOSTILE.get(v, v) if isinstance(v, str) else v for v in row] for row in rows]
            for name, rows in tables.items()}  # fmt: skip


def test_generated_workbook_keeps_hostile_node_names(tmp_path):
    """A generated world of 8 nodes whose first four are named `=HYPERLINK(...)`, `+1+1`, `-2`, `@SUM(A1)`: no
    cell of the file is a formula, each such name is quote-prefixed text, and the validated workbook has
    exactly those four names among its 8 nodes (blocs as generated: node 0 china, 1-3 allied)."""
    path = tmp_path / "world.xlsx"
    write_world(path, renamed(world(8, 3, 3, seed=0)))
    assert unsafe_cells(path) == []
    nodes = openpyxl.load_workbook(path)["nodes"]
    assert [(c.value, c.data_type, c.quotePrefix) for c in nodes["A"][1:5]] == [
        (name, "s", True) for name in HOSTILE.values()
    ]
    wb = load_workbook(path)
    assert len(wb.nodes) == 8 and {name: wb.nodes[name] for name in HOSTILE.values()} == {
        HOSTILE["N0000"]: "china",
        "+1+1": "allied",
        "-2": "allied",
        "@SUM(A1)": "allied",
    }


def test_template_writes_formula_like_examples_as_text(tmp_path, monkeypatch):
    """The template with example node rows named `=1+1` and `@x`: both cells are quote-prefixed text, and
    the nodes sheet read back holds `=1+1` and `@x` as written (no formula left to evaluate)."""
    extra = {**template.EXTRA_EXAMPLES, "nodes": [["=1+1", "china", "China", "East Asia", "restricted bloc"],
                                                  ["@x", "allied", "USA", "North America", None]]}  # fmt: skip
    monkeypatch.setattr(template, "EXTRA_EXAMPLES", extra)
    path = tmp_path / "template.xlsx"
    template.write_template(path)
    assert unsafe_cells(path) == []
    raw = read_tables(path)["nodes"]
    names = [raw.cell(row, "node")[0] for row in raw.rows]
    assert "=1+1" in names and "@x" in names
