"""rechain: a transparent linear program for rare-earth supply chains that do not run through China.

The parts (docs/architecture.md): `rechain.models` is the math (dataset, formulation, the front door
that solves); `rechain.workbook` turns a workbook into a dataset; `rechain.run` solves cases, sweeps,
frontiers and the findings; `rechain.report` writes what they return; `rechain.cli` parses arguments
and `rechain.commands` hands what `run` returns to `report`; `rechain.base` is what they all use.
"""


def __getattr__(name: str) -> str:
    """`rechain.__version__`, read from the installed metadata on first use (it costs start-up time)."""
    if name != "__version__":
        raise AttributeError(name)
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("rechain")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"
