# ruff: noqa: S608 - the statements join constants of this module and SQL Django compiled
"""A page of hits newest first, without dating every match of a frequent word (the other
quick ways, by relevance and for a rare word, are in `search.windows`).

Newest first (`by_date`): the newest DATED matches by id are dated and the page's best kept;
entry ids follow time except where history was imported later, so the older entries dated
after the page's last are looked up by date (the kind-and-date index) and added when they
match. Too many of those, or too few permitted: the range widens ×4; beyond RANKED_MAX the
full statement dates every match. Only the page's hits are weighed (`ranks_of`). (Walking the
entries by date and asking FTS5 which of them match cost about 65 µs per entry; dating every
match of a word in half a million entries took 1.5 s.)
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from socialdesk.search import fulltext, registry, windows
from socialdesk.search.query import Compiled
from socialdesk.search.windows import TABLE, _edges, _few_postgres, _reading_matches, _thin, probe

DATED = 2_000  # newest first: the newest matches by id dated at once; ×4 while too few
LATE_MAX = 200  # older entries dated after the page's last: more than that, the range widens


def by_date(
    compiled: Compiled, where: str, params: list[Any], wanted: int
) -> list[tuple[Any, ...]] | None:
    """The first `wanted` permitted rows newest first (date, then id, as the full statement
    sorts), found among the newest DATED matches by id (×4 while too few are permitted) and
    the older entries dated after the last of them. None: fewer matches than that (the full
    statement dates them at once; PostgreSQL dates them itself when its statistics call the
    word rare), or more than RANKED_MAX to date. PostgreSQL: a sparse
    word's matches are first dated among the recent entries (`search.recent_gin`; reading
    the newest 2,000 of three words ANDed from the whole index took 114 ms)."""
    thin = False
    if connection.vendor == "postgresql":
        few = _few_postgres(compiled, where, params, wanted, "newest")
        if few.rows is not None:
            return few.rows
        thin = _thin(few.matches, few.entries)
        if thin and (recent_floor := _edges()[1]) is not None:
            with _reading_matches(thin):
                rows = _dated(compiled, where, params, recent_floor, None, wanted)
            found = _with_late(compiled, where, params, rows, recent_floor, wanted)
            if found is not None:
                return found
    newest = DATED
    while newest <= windows.RANKED_MAX:
        floor = _lowest_of_newest(compiled, newest, thin)
        if floor is None:  # not more matches than that: the full statement dates them all
            return None
        rows = _dated(compiled, where, params, floor, newest, wanted)
        found = _with_late(compiled, where, params, rows, floor, wanted)
        if found is not None:
            return found
        newest *= 4
    return None


def _with_late(
    compiled: Compiled,
    where: str,
    params: list[Any],
    rows: list[tuple[Any, ...]],
    floor: int,
    wanted: int,
) -> list[tuple[Any, ...]] | None:
    """The page: the `wanted` newest of the matches dated from id `floor` on (`rows`) and of
    those below it dated later than the last of them. None: too few rows, or too many late
    ones to look at (a wider range answers)."""
    late = _late(compiled, where, params, rows[-1][0], floor) if len(rows) == wanted else None
    if late is None:
        return None
    merged = sorted([*rows, *late], key=lambda row: (row[3], row[0]), reverse=True)
    return [row[:3] for row in merged[:wanted]]


def _lowest_of_newest(compiled: Compiled, newest: int, thin: bool) -> int | None:
    """The lowest id among the `newest` newest matches; None: there are not more matches."""
    if connection.vendor == "sqlite":
        floor, _few = probe(compiled, newest)
        return floor or None
    with connection.cursor() as cursor, _reading_matches(thin):
        cursor.execute(
            f"SELECT min(id), count(*) FROM (SELECT id FROM {TABLE} WHERE vector @@ "
            "to_tsquery('simple', %s) ORDER BY id DESC LIMIT %s) AS newest",
            [compiled.tsquery, newest],
        )
        lowest, count = cursor.fetchone()
    return int(lowest) if count >= newest else None


def _dated(
    compiled: Compiled,
    where: str,
    params: list[Any],
    floor: int,
    newest: int | None,
    wanted: int,
) -> list[tuple[Any, ...]]:
    """The first `wanted` permitted matches among the `newest` (None: all) from id `floor` on,
    newest first (id, kind, object id, date)."""
    columns = f"{TABLE}.id, {TABLE}.kind, {TABLE}.object_id, {TABLE}.at"
    if connection.vendor == "postgresql":  # the matches by walking the key backwards, as
        # `_lowest_of_newest` found them (with the word's whole GIN list, 13 ms more)
        sql = (
            f"SELECT {columns} FROM {TABLE} WHERE {TABLE}.id IN (SELECT id FROM {TABLE} AS m "
            "WHERE m.vector @@ to_tsquery('simple', %s) AND m.id >= %s ORDER BY m.id DESC "
            f"LIMIT %s) AND ({where}) "
        )
        first: list[Any] = [compiled.tsquery, floor, newest]
    else:
        sql = (
            f"SELECT {columns} FROM {fulltext.FTS} JOIN {TABLE} ON {TABLE}.id = "
            f"{fulltext.FTS}.rowid WHERE {fulltext.FTS} MATCH %s AND {fulltext.FTS}.rowid >= %s "
            f"AND ({where}) "
        )
        first = [compiled.fts5, floor]
    with connection.cursor() as cursor:
        cursor.execute(
            f"{sql}ORDER BY {TABLE}.at DESC, {TABLE}.id DESC LIMIT %s", [*first, *params, wanted]
        )
        return list(cursor.fetchall())


def _late(
    compiled: Compiled, where: str, params: list[Any], last: int, floor: int
) -> list[tuple[Any, ...]] | None:
    """The permitted matches below id `floor` dated after entry `last` (history imported
    after newer entries), read by date; None: more than LATE_MAX such entries."""
    kinds = ", ".join(f"'{kind.key}'" for kind in registry.INDEXED)  # constants
    index = "" if connection.vendor == "postgresql" else " INDEXED BY search_entry_kind_at"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {TABLE}.id, {TABLE}.kind, {TABLE}.object_id, {TABLE}.at FROM {TABLE}{index} "
            f"WHERE {TABLE}.kind IN ({kinds}) AND {TABLE}.at > (SELECT later.at FROM {TABLE} "
            f"AS later WHERE later.id = %s) AND {TABLE}.id < %s AND ({where}) LIMIT %s",
            [last, floor, *params, LATE_MAX + 1],
        )
        found = {int(row[0]): row for row in cursor.fetchall()}
    if len(found) > LATE_MAX:
        return None
    return [found[pk] for pk in _matching(compiled, list(found))]


def _matching(compiled: Compiled, ids: list[int]) -> list[int]:
    """Which of these few entries match."""
    if not ids:
        return []
    listed = ", ".join(str(int(pk)) for pk in ids)  # integers only
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT id FROM {TABLE} WHERE id IN ({listed}) AND "
                "vector @@ to_tsquery('simple', %s)",
                [compiled.tsquery],
            )
        else:
            cursor.execute(
                f"SELECT rowid FROM {fulltext.FTS} WHERE {fulltext.FTS} MATCH %s "
                f"AND rowid IN ({listed})",
                [compiled.fts5],
            )
        return [int(pk) for (pk,) in cursor.fetchall()]
