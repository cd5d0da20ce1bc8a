# ruff: noqa: S608 - every name in these statements is a constant of this module
"""SQLite: a second, small FTS5 index over the newest entries only, to rank in.

FTS5's bm25 weighs a term by the number of documents holding it, and counts them anew on every
statement by walking the term's whole list: about 45 ms for a word in a million entries, even
when only a few hundred matches are ranked. `search_recent` indexes the same three term
columns of the newest entries only (those with an id from `search_recent_floor.floor` on;
entry ids follow time), so ranking a page of a frequent word among recent entries walks a list
of at most some ten thousand.

Kept in step like `search_fts` (triggers on the entries, in the writer's transaction), but only
for ids at or above the floor. `prune` (the worker's REGULAR task) moves the floor up once
more than RECENT + SLACK entries lie above it; `refill` rebuilds it (after a reindex, which
switches it off while it writes). Switched off (floor DISABLED), the search ranks in the whole
index. PostgreSQL ranks only the matches it reads, but finding a word's newest matches in the
whole GIN index costs as much: there the same functions keep a partial GIN index over the
newest entries (`search.recent_gin`).
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from socialdesk.search import recent_gin
from socialdesk.search.fulltext import COLUMNS, TABLE, TOKENIZE

FTS = "search_recent"
FLOOR = "search_recent_floor"
RECENT = 100_000  # entries kept after a prune or refill
SLACK = 50_000  # more above the floor than RECENT + SLACK: pruned
DISABLED = 2**62  # the floor while switched off: no entry reaches it

_ABOVE = f"(SELECT floor FROM {FLOOR})"
_OLD = "old.id, old.title_terms, old.body_terms, old.parts"
_NEW = "new.id, new.title_terms, new.body_terms, new.parts"
_DELETE_OLD = f"INSERT INTO {FTS} ({FTS}, rowid, {COLUMNS}) VALUES ('delete', {_OLD});"
_INSERT_NEW = f"INSERT INTO {FTS} (rowid, {COLUMNS}) VALUES ({_NEW});"
TRIGGERS = [
    f"CREATE TRIGGER IF NOT EXISTS search_recent_ai AFTER INSERT ON {TABLE} "
    f"WHEN new.id >= {_ABOVE} BEGIN {_INSERT_NEW} END",
    f"CREATE TRIGGER IF NOT EXISTS search_recent_ad AFTER DELETE ON {TABLE} "
    f"WHEN old.id >= {_ABOVE} BEGIN {_DELETE_OLD} END",
    f"CREATE TRIGGER IF NOT EXISTS search_recent_au AFTER UPDATE OF {COLUMNS} ON {TABLE} "
    f"WHEN old.id >= {_ABOVE} BEGIN {_DELETE_OLD} {_INSERT_NEW} END",
]
CREATE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5({COLUMNS}, content='{TABLE}', "
    f"content_rowid='id', {TOKENIZE})",
    f"CREATE TABLE IF NOT EXISTS {FLOOR} (floor INTEGER NOT NULL)",
    f"INSERT INTO {FLOOR} (floor) SELECT {DISABLED} WHERE NOT EXISTS (SELECT 1 FROM {FLOOR})",
    *TRIGGERS,
]
DROP_TRIGGERS = [
    "DROP TRIGGER IF EXISTS search_recent_au",
    "DROP TRIGGER IF EXISTS search_recent_ad",
    "DROP TRIGGER IF EXISTS search_recent_ai",
]
DROP = [*DROP_TRIGGERS, f"DROP TABLE IF EXISTS {FLOOR}", f"DROP TABLE IF EXISTS {FTS}"]


FLOOR_NOW = f"SELECT floor FROM {FLOOR}"  # SQLite: the floor as a subquery (`usable` reads it)


def usable(found: int | None) -> int | None:
    """SQLite: the floor read by FLOOR_NOW, None while switched off (or without its row)."""
    return None if found is None or found >= DISABLED else int(found)


def floor() -> int | None:
    """The lowest entry id the recent index holds; None: there is none (switched off while a
    reindex writes; PostgreSQL: fewer entries than RECENT + SLACK)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            return recent_gin.floor(cursor)
    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_NOW)
        found = cursor.fetchone()
    return usable(None if found is None else found[0])


def switch_off() -> None:
    """Empty it; writes no longer reach it and the search ranks in the whole index (a
    reindex writes every entry anew: writing them twice would cost twice)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            recent_gin.switch_off(cursor)
    if connection.vendor != "sqlite":
        return
    with transaction.atomic(), connection.cursor() as cursor:
        _empty(cursor)


def refill(size: int | None = None) -> int:
    """Rebuild it with the `size` (default RECENT) newest entries, in one transaction (writers
    wait; PostgreSQL: built concurrently, and only over more than `size` + SLACK entries);
    returns how many it holds."""
    size = RECENT if size is None else size
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            recent_gin.switched_on(cursor)
            with recent_gin.alone(cursor) as alone:
                edge = _rebuilt(cursor, size, SLACK) if alone else None
                return 0 if edge is None else _count(cursor, edge)
    if connection.vendor != "sqlite":
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        _empty(cursor)
        edge = _nth_newest(cursor, size)
        cursor.execute(
            f"INSERT INTO {FTS} (rowid, {COLUMNS}) SELECT id, {COLUMNS} FROM {TABLE} "
            "WHERE id >= %s",
            [edge],
        )
        cursor.execute(f"UPDATE {FLOOR} SET floor = %s", [edge])
        return _count(cursor, edge)  # (a virtual table's insert counts no changes)


def prune(size: int | None = None, slack: int | None = None) -> int:
    """Move the floor up so that it holds the `size` newest entries, once more than `size` +
    `slack` lie above it; returns how many entries left it."""
    size = RECENT if size is None else size
    slack = SLACK if slack is None else slack
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor, recent_gin.alone(cursor) as alone:
            old = recent_gin.floor(cursor)
            if not alone or not _over(cursor, old or 0, size + slack):
                return 0  # another session builds it, or has it switched off
            edge = _nth_newest(cursor, size)
            recent_gin.build(cursor, edge)
            return 0 if old is None else _count(cursor, old, below=edge)
    if connection.vendor != "sqlite":
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT floor FROM {FLOOR}")
        (old,) = cursor.fetchone()
        if old >= DISABLED or not _over(cursor, old, size + slack):
            return 0
        edge = _nth_newest(cursor, size)
        cursor.execute(
            f"INSERT INTO {FTS} ({FTS}, rowid, {COLUMNS}) SELECT 'delete', id, {COLUMNS} "
            f"FROM {TABLE} WHERE id >= %s AND id < %s",
            [old, edge],
        )
        cursor.execute(f"UPDATE {FLOOR} SET floor = %s", [edge])
        return _count(cursor, old, below=edge)


def has_work() -> bool:
    """Whether `prune` would move the floor (a cheap count by the primary key; PostgreSQL:
    or make the first one)."""
    found = floor()
    if found is None and connection.vendor == "postgresql":
        found = 0
    if found is None:
        return False
    with connection.cursor() as cursor:
        return _over(cursor, found, RECENT + SLACK)


def create(apps: Any, schema_editor: Any) -> None:
    """The migration: create it and fill it (SQLite only)."""
    if schema_editor.connection.vendor == "sqlite":
        for statement in CREATE:
            schema_editor.execute(statement)
        refill()


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for statement in DROP:
            schema_editor.execute(statement)


def _empty(cursor: CursorWrapper) -> None:
    """Switched off and empty (the caller's transaction)."""
    cursor.execute(f"UPDATE {FLOOR} SET floor = {DISABLED}")
    cursor.execute(f"INSERT INTO {FTS} ({FTS}) VALUES ('delete-all')")


def _over(cursor: CursorWrapper, floor: int, most: int) -> bool:
    """Whether more than `most` entries lie at or above `floor` (counted by the primary key,
    no further than one past `most`)."""
    cursor.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} WHERE id >= %s LIMIT %s) AS above",
        [floor, most + 1],
    )
    return bool(cursor.fetchone()[0] > most)


def _nth_newest(cursor: CursorWrapper, size: int) -> int:
    """The id of the `size`-th newest entry (1 when there are not that many)."""
    cursor.execute(f"SELECT id FROM {TABLE} ORDER BY id DESC LIMIT 1 OFFSET %s", [max(size - 1, 0)])
    found = cursor.fetchone()
    return 1 if found is None else int(found[0])


def _count(cursor: CursorWrapper, edge: int, below: int | None = None) -> int:
    """The entries from id `edge` on (below id `below`)."""
    upper = "" if below is None else f" AND id < {int(below)}"
    cursor.execute(f"SELECT count(*) FROM {TABLE} WHERE id >= %s{upper}", [edge])
    return int(cursor.fetchone()[0])


def _rebuilt(cursor: CursorWrapper, size: int, slack: int) -> int | None:
    """PostgreSQL: the partial GIN index over the `size` newest entries made anew (none over
    `size` + `slack` entries or fewer); its edge (None: none)."""
    if not _over(cursor, 0, size + slack):
        recent_gin.drop(cursor)
        return None
    edge = _nth_newest(cursor, size)
    recent_gin.build(cursor, edge)
    return edge
