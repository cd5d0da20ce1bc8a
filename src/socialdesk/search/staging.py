# ruff: noqa: S608 - every name in these statements is a constant of this module
"""A reindex writes its entries in time order, whatever order the kinds are read in.

The search ranks a very frequent word only among its newest matches (by entry id, which the
full-text engines can walk backwards without reading the entries). A reindex reads kind after
kind; writing each chunk at once would give every message an older id than every wiki page,
and "the newest matches" would be one kind's. So the analysed rows first go to a temporary
table (no indexes, no full-text upkeep: cheap), and are then copied into the index ordered by
their date, a chunk per transaction: entries new to the index get ids in time order; entries
already there keep theirs (the same upsert as `indexing.upsert`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from socialdesk.search.models import SearchEntry

TABLE = SearchEntry._meta.db_table
STAGE = "search_stage"
FIELDS = [
    "conversation_id",
    "room_id",
    "space_id",
    "author_id",
    "language",
    "at",
    "title_terms",
    "body_terms",
    "parts",
    "stale",
    "indexed_at",
]
COLUMNS = ["kind", "object_id", *FIELDS]
UPSERT_TAIL = " ON CONFLICT (kind, object_id) DO UPDATE SET " + ", ".join(
    f"{c} = excluded.{c}" for c in FIELDS
)
_TYPES = {
    "kind": "varchar(16)",
    "object_id": "bigint",
    "conversation_id": "bigint",
    "room_id": "bigint",
    "space_id": "bigint",
    "author_id": "bigint",
    "language": "varchar(8)",
    "at": "{datetime}",
    "title_terms": "text",
    "body_terms": "text",
    "parts": "text",
    "stale": "boolean",
    "indexed_at": "{datetime}",
}
ORDER = "at, kind, object_id"


def _datetime() -> str:
    """SQLite: the text Django writes ("2026-11-30 09:15:00.250000", sorting as time), read
    back unconverted so the next chunk starts exactly after it."""
    return "timestamp with time zone" if connection.vendor == "postgresql" else "text"


@contextmanager
def stage() -> Iterator[Callable[[list[list[Any]]], None]]:
    """A temporary table for this connection; yields the function that adds rows to it (in
    `COLUMNS` order). Dropped on the way out."""
    kind = _datetime()
    columns = ", ".join(f"{c} {_TYPES[c].format(datetime=kind)}" for c in COLUMNS)
    marks = ", ".join(["%s"] * len(COLUMNS))
    insert = f"INSERT INTO {STAGE} ({', '.join(COLUMNS)}) VALUES ({marks})"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        cursor.execute(f"CREATE TEMPORARY TABLE {STAGE} ({columns})")
        cache = _roomy(cursor)

    copy = f"COPY {STAGE} ({', '.join(COLUMNS)}) FROM STDIN"

    def add(rows: list[list[Any]]) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":  # a row per INSERT took 70 µs, COPY 5
                with cursor.cursor.copy(copy) as copying:
                    for row in rows:
                        copying.write_row(row)
            else:
                cursor.executemany(insert, rows)

    try:
        yield add
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
            if cache is not None:
                cursor.execute(f"PRAGMA main.cache_size = {int(cache)}")


CACHE_KIB = 256 * 1024  # SQLite's main page cache while staging (the temp one: left alone,
# a large one made each staged row take ten times as long)


def _roomy(cursor: CursorWrapper) -> int | None:
    """SQLite: a larger page cache for this connection while it reindexes (with the default
    2 MiB, copying a million staged rows into the index's B-trees reads the same pages again
    and again: a sixth longer); returns the size to restore."""
    if connection.vendor != "sqlite":
        return None
    cursor.execute("PRAGMA main.cache_size")
    before = int(cursor.fetchone()[0])
    cursor.execute(f"PRAGMA main.cache_size = -{CACHE_KIB}")
    return before


# An entry written after the staged row was made (a live edit) is newer: it stays.
KEEP_NEWER = f" WHERE {TABLE}.indexed_at <= excluded.indexed_at"


def copy_in_time_order(
    chunk: int,
    progress: Callable[[int], None] | None = None,
    *,
    keep_newer: bool = False,
    upsert: bool = True,
) -> int:
    """Copy every staged row into the index, oldest first, `chunk` rows per transaction;
    `keep_newer`: an entry written since the staged row was made is not overwritten;
    not `upsert`: the index holds none of the staged entries (plain inserts, all in one
    statement: `_copy_at_once`)."""
    names = ", ".join(COLUMNS)
    if not upsert:
        return _copy_at_once(names, progress)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE INDEX {STAGE}_order ON {STAGE} ({ORDER})")
    tail = UPSERT_TAIL + (KEEP_NEWER if keep_newer else "")
    copied = 0
    last: list[Any] = []
    if progress:
        progress(0)
    while True:
        after = "(at, kind, object_id) > (%s, %s, %s)" if last else "true"
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT at, kind, object_id FROM {STAGE} WHERE {after} "
                f"ORDER BY {ORDER} LIMIT 1 OFFSET %s",
                [*last, chunk - 1],
            )
            end = cursor.fetchone()
            cursor.execute(
                f"INSERT INTO {TABLE} ({names}) SELECT {names} FROM {STAGE} WHERE {after} "
                f"ORDER BY {ORDER} LIMIT %s" + tail,
                [*last, chunk],
            )
            copied += max(int(cursor.rowcount), 0)
        if progress:
            progress(copied)
        if end is None:  # that was the last chunk
            return copied
        last = list(end)


def _copy_at_once(names: str, progress: Callable[[int], None] | None) -> int:
    """Plain inserts (an offline reindex into an emptied index, already one transaction): one
    statement that sorts the staged rows once. Chunks read the staged rows through an index on
    their order, each from another page of the temporary table. 1.43 million entries here:
    PostgreSQL 40 s in chunks, 28–33 s at once (a third of it making the vectors); SQLite
    about 16 s, 12.8."""
    if progress:
        progress(0)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} ({names}) SELECT {names} FROM {STAGE} ORDER BY {ORDER}"
        )
        copied = max(int(cursor.rowcount), 0)
    if progress:
        progress(copied)
    return copied
