"""The commands' glue, one module per command (or pair): read the case, run it (`rechain.run`), write and show
its results (`rechain.report`), and turn its outcome into an exit code. `rechain.cli` holds the arguments."""
