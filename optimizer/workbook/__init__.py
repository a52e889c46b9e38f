"""The workbook: read an .xlsx file or a folder of CSV files (read, guard, limits), check every cell
against the schema and collect every problem at once (cells, validate, schema), and make the model's
typed Dataset for the base case, a scenario or `--set` overrides (cases), whose keys follow one grammar
(keys). Also writes the documented empty workbook (template) and synthetic worlds of any size
(generate). Nothing here solves."""
