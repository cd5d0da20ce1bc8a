# ruff: noqa: S608 - every name in these statements is a constant of this module or an integer
"""PostgreSQL: a second, partial GIN index over the newest entries only, to find matches in.

The whole GIN index lists a word's every match: a word in a third of a million entries is a
list of 300,000, and three such words ANDed took 14 ms to intersect before the newest two
thousand of their matches could be ranked. `search_recent_<edge>` indexes the same `vector`
for the entries with an id from <edge> on (entry ids follow time): the search finds the
newest matches of a rarer word there (`search.windows`), in a list a tenth as long, and only
reads the whole index when the recent entries hold too few the person may see.

PostgreSQL keeps it in step itself (in the writer's transaction, as every index). The edge is
a constant of the index's definition, so it cannot move up: `prune` (the worker's REGULAR task,
as SQLite's `search.recent.prune`) builds a new one over the RECENT newest entries once more
than RECENT + SLACK lie above the edge, without blocking writers (`CREATE INDEX
CONCURRENTLY`), and drops the old one. Below RECENT + SLACK entries there is none (the whole
index is as small). The newest valid one is the one in use (`floor`); one a crash left half
built (invalid) is dropped when the next one is built. One session at a time builds or drops
it (an advisory lock), and a reindex holds that lock from `switch_off` to its `refill`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.db.backends.utils import CursorWrapper

from socialdesk.search.fulltext import TABLE

PREFIX = "search_recent_"
LOCK = 0x5EA4C5  # PostgreSQL advisory lock: one build at a time, none while switched off
FLOOR = (  # the edge of the newest valid one (NULL: none)
    f"SELECT max(substr(i.relname, {len(PREFIX) + 1})::bigint) FROM pg_index x "
    "JOIN pg_class i ON i.oid = x.indexrelid "
    f"WHERE x.indrelid = '{TABLE}'::regclass AND x.indisvalid "
    f"AND i.relname ~ '^{PREFIX}[0-9]+$'"
)


def floor(cursor: CursorWrapper) -> int | None:
    cursor.execute(FLOOR)
    found = cursor.fetchone()[0]
    return None if found is None else int(found)


def _names(cursor: CursorWrapper) -> list[tuple[str, int, bool]]:
    """Every recent index: name, edge, valid."""
    cursor.execute(
        f"SELECT i.relname, x.indisvalid FROM pg_index x JOIN pg_class i ON i.oid = "
        f"x.indexrelid WHERE x.indrelid = '{TABLE}'::regclass AND i.relname ~ '^{PREFIX}[0-9]+$'"
    )
    return [(name, int(name[len(PREFIX) :]), bool(valid)) for name, valid in cursor.fetchall()]


def drop(cursor: CursorWrapper, *, keep: int | None = None, invalid_only: bool = False) -> None:
    """Drop every recent index but the valid one with edge `keep` (`invalid_only`: only the
    invalid ones); concurrently outside a transaction (readers and writers go on)."""
    concurrently = "" if connection.in_atomic_block else " CONCURRENTLY"
    for name, edge, valid in _names(cursor):
        if (edge != keep and not invalid_only) or not valid:
            cursor.execute(f'DROP INDEX{concurrently} IF EXISTS "{name}"')


def build(cursor: CursorWrapper, edge: int) -> None:
    """Make the one from id `edge` on beside the old one (concurrently outside a transaction;
    the old one serves meanwhile), then drop the old one."""
    drop(cursor, invalid_only=True)  # one a crash left half built (perhaps of this name)
    concurrently = "" if connection.in_atomic_block else " CONCURRENTLY"
    cursor.execute(
        f"CREATE INDEX{concurrently} IF NOT EXISTS {PREFIX}{int(edge)} ON {TABLE} "
        f"USING GIN (vector) WHERE id >= {int(edge)}"
    )
    drop(cursor, keep=edge)


_off: set[int] = set()  # the connections (by id) that hold the lock while it is switched off


@contextmanager
def alone(cursor: CursorWrapper) -> Iterator[bool]:
    """Whether this session may build or drop it now: one at a time (a session-level advisory
    lock; two concurrent builds would wait for each other's snapshots), and never while this
    or another session has it switched off (`switch_off`: a bulk write is under way)."""
    if id(connection.connection) in _off:  # the lock is this session's own: it would be granted
        yield False
        return
    cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK])
    held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK])


def switch_off(cursor: CursorWrapper) -> None:
    """Drop it and hold the lock until `switched_on` (a reindex or a large catch-up writes every
    entry anew: the worker's prune must not build it again meanwhile). Waits for a build under
    way in another session."""
    if id(connection.connection) not in _off:
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK])
        _off.add(id(connection.connection))
    drop(cursor)


def switched_on(cursor: CursorWrapper) -> None:
    """Release what `switch_off` held (nothing when it was not switched off here)."""
    if id(connection.connection) in _off:
        _off.discard(id(connection.connection))
        cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK])
