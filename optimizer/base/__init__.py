"""What every room uses and that knows nothing of the others: input problems (`errors`), files written
atomically (`files`), spreadsheet cells that keep text as text (`cells`), the run manifest (`manifest`)
and small statistics (`stats`). Imports nothing else of rechain."""
