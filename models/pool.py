"""Built models kept per structure: update when a dataset differs from a built one only in values of
PARAMETERS that keep its rows, build anew otherwise (docs/model.md §9, "Which keys rebuild").

    pool = Pool()
    for ds in datasets:                 # cases of one workbook, a sweep's points, draws
        solution = pool.model(ds).solve()

Two datasets share a structure when they are equal once every parameter's value is replaced by its
shape (`structure`); any other difference (a key without a row in PARAMETERS, a trade rule, a demand
row) is another structure, so it builds: the pool never raises where a rebuild is the answer.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, replace

from .dataset import Dataset
from .highs import DEFAULT_OPTIONS, SolveOptions
from .model import PARAMETERS, Model
from .variants import Variant

KEEP = 3  # built models kept at once (each holds a whole LP)


def values(ds: Dataset) -> dict[str, float | None]:
    """Every key of PARAMETERS the dataset has (`capex_factor.<bloc>` for each bloc, …) and its value."""
    found: dict[str, float | None] = {}
    for head, parameter in PARAMETERS.items():
        for rest in parameter.rests(ds):
            found[f"{head}.{rest}" if rest else head] = parameter.read(ds, rest)
    return found


def structure(ds: Dataset) -> Dataset:
    """The dataset with every parameter at the value of its shape (and no places of settings, which
    only name cells in messages): datasets of equal structure are one LP up to `Model.update`."""
    for parameter in PARAMETERS.values():
        for rest in parameter.rests(ds):
            value = parameter.read(ds, rest)
            shaped = parameter.shape(value)
            if shaped != value:
                ds = parameter.write(ds, rest, shaped)
    return replace(ds, setting_places={})


@dataclass
class _Built:
    structure: Dataset
    within: Hashable
    model: Model
    values: dict[str, float | None]  # the parameters' values the model holds now


class Pool:
    """At most `keep` built models of one variant, the least recently used dropped first. `model(ds)`
    returns the one of `ds`'s structure with every parameter set to `ds`'s value (warm: its next solve
    starts from the basis of its last), or builds it. The DRAWS variant's draws, embargoes and
    forbidden builds are not parameters: a caller of that variant sets them before every solve. A caller
    that keeps some datasets of one structure apart names their group (`within`): a model is re-used
    only within its group."""

    def __init__(self, variant: Variant = Variant.COST, options: SolveOptions = DEFAULT_OPTIONS, keep: int = KEEP):
        self.variant, self.options, self.keep = variant, options, keep
        self.builds = 0
        self._built: list[_Built] = []

    def model(self, ds: Dataset, within: Hashable = None) -> Model:
        shape = structure(ds)
        found = next((b for b in self._built if b.within == within and b.structure == shape), None)
        if found is None:
            found = _Built(shape, within, Model(ds, self.variant, self.options), values(ds))
            self.builds += 1
        else:
            self._built.remove(found)
            for key, value in values(ds).items():
                if value is not None and value != found.values[key]:  # None: in both (one shape)
                    found.model.update(key, value)
                    found.values[key] = value
        self._built.append(found)
        del self._built[: -self.keep]
        return found.model

    def discard(self, model: Model) -> None:
        """Forget a model (after its solve raised: what HiGHS holds of it is not trusted)."""
        self._built = [b for b in self._built if b.model is not model]
