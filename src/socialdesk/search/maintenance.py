"""Upkeep of the index that writes no entry: compaction after an erasure.

SQLite's FTS5 keeps a deleted row's terms in older segments of its index until they are merged
(3.40 has no `secure-delete`); after an erasure `compact()` merges every segment, so the erased
words leave the file, in both FTS5 indexes (`search_fts` and `search.recent`'s). PostgreSQL
keeps no such copy beside the table (VACUUM clears dead rows).
"""

from __future__ import annotations

from django.db import connection

from socialdesk.search import fulltext, recent


def compact() -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for table in (fulltext.FTS, recent.FTS):  # both hold the words of the newest entries
            cursor.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")  # noqa: S608
