"""One search over everything a person may read (issue 14, plan §6).

The pure core lives in `analysis` (words, folding, stems, compound parts) and `query`
(a query's parse tree → SQLite FTS5 MATCH / PostgreSQL tsquery); neither needs a database.
"""
