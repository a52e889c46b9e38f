"""Reporting: the files results are written to, each set atomically (writers, through rechain.base), result
tables as .xlsx with native charts, CSV, Markdown and PNG (tables), the terminal (terminal), and
escaping of data for each medium (text). It formats what it is given; it never solves."""
