"""Running cases: one solve end to end with its diagnosis (solve, diagnosis, numerics), sweeps of
mutable parameters with warm re-solves in this process, worker processes or on dask (sweep,
parallel), the cost frontiers (frontier), every scenario beside the base (scenarios) and the
solves behind `rechain report` (findings). Interrupts and their exit codes live in signals.
Everything returns tables; writing them is rechain.report's job."""
