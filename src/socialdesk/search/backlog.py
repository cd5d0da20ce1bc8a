"""Entries written later, in bulk: what a history import changes is noted, then indexed at once.

Inside `core.changes.deferred()` (the import command and import jobs), a change does not
rewrite its entries in the writer's transaction (an upsert per entry through both full-text
indexes, about 40 % of an import's time): `note` records the objects in `SearchBacklog`, in
that same transaction, so a stored chunk is never forgotten and a refused one notes nothing.
`catch_up` then writes them the way a reindex does: read and analysed in ranges (by several
processes when asked), staged, and copied into the index in time order; the worker catches up
whatever a process that died left behind. An entry written since its row was made (a live
edit meanwhile) is kept (`staging.copy_in_time_order(keep_newer=True)`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import batched
from typing import Any

from django.db import connection
from django.db.models import Max

from socialdesk.core import changes
from socialdesk.search import analysis, indexing, recent, staging
from socialdesk.search.models import SearchBacklog
from socialdesk.search.registry import KINDS

ROUND = 200_000  # backlog rows caught up per round: memory stays flat for any import
LOCK = 0x5EA4C4  # PostgreSQL advisory lock: one catch-up at a time
QUIET_RECENT = 20_000  # from this many entries on, the recent index is rebuilt once at the end


def connect() -> None:
    changes.listen(indexing.refresh, later=note, catch_up=catch_up, warm=analysis.warm)


_TABLE = SearchBacklog._meta.db_table
_NOTED_AGAIN = f"ON CONFLICT (kind, object_id) DO UPDATE SET notes = {_TABLE}.notes + 1"
_NOTE = f"INSERT INTO {_TABLE} (kind, object_id, notes) VALUES (%s, %s, 1) {_NOTED_AGAIN}"  # noqa: S608
_NOTE_ARRAYS = (  # PostgreSQL: one statement for the lot (executemany sends one per row)
    f"INSERT INTO {_TABLE} (kind, object_id, notes) "  # noqa: S608
    "SELECT kind, object_id, 1 FROM unnest(%s::text[], %s::bigint[]) AS noted(kind, object_id) "
    f"ORDER BY kind, object_id {_NOTED_AGAIN}"  # rows locked in one order: no deadlock here
)


def note(source: str, ids: tuple[int, ...]) -> None:
    """The deferred listener: the objects whose entries `refresh` would rewrite, noted (once
    more, if they already wait: a catch-up that read them before keeps them)."""
    rows = [(kind.key, pk) for kind, wanted in indexing.affected(source, ids) for pk in wanted]
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Each object once: one statement may not update the same row twice.
            kinds, pks = zip(*dict.fromkeys(rows), strict=True)
            cursor.execute(_NOTE_ARRAYS, [list(kinds), list(pks)])
        else:
            cursor.executemany(_NOTE, rows)


def has_work() -> bool:
    return SearchBacklog.objects.exists()


def catch_up(
    *, jobs: int = 1, progress: changes.Progress | None = None, least: int = 0, before: int = 0
) -> int:
    """Write the entries of everything noted until now; returns how many objects. Another
    catch-up running (PostgreSQL) leaves this one with nothing to do.

    `least` (a round beside a bulk write, `changes.caught_up_beside`): nothing is done while
    fewer objects wait, and the recent index stays on (PostgreSQL keeps it; switched off, it
    would be rebuilt after every round). `before`: objects of the same bulk write caught up
    beside it: counted with these for the planner's statistics afterwards."""
    if least and SearchBacklog.objects.count() < least:
        return 0
    done, quiet = 0, False
    ceiling = SearchBacklog.objects.aggregate(last=Max("pk"))["last"]
    if ceiling is not None:
        with _alone() as alone:
            if not alone:
                return 0
            total = SearchBacklog.objects.filter(pk__lte=ceiling).count()
            quiet = total >= QUIET_RECENT and not least
            if quiet:
                recent.switch_off()
            try:
                jobs = jobs if jobs > 1 and indexing._shared() else 1
                with indexing.processes(_built, jobs) as build:
                    done = _rounds(ceiling, total, build, progress)
            finally:
                if quiet:
                    recent.refill()
    if connection.vendor == "postgresql" and (quiet or (before and done + before >= QUIET_RECENT)):
        with connection.cursor() as cursor:  # the planner's word statistics
            cursor.execute(f"ANALYZE {staging.TABLE}")
    return done


def _rounds(
    ceiling: int, total: int, build: indexing.BuildAll, progress: changes.Progress | None
) -> int:
    done, after = 0, 0
    if progress:
        progress(0, total)
    while True:  # each row once: one noted again meanwhile waits for the next catch-up
        batch = list(
            SearchBacklog.objects.filter(pk__gt=after, pk__lte=ceiling)
            .order_by("pk")
            .values_list("pk", "kind", "object_id", "notes")[:ROUND]
        )
        if not batch:
            return done
        by_kind: dict[str, list[int]] = defaultdict(list)
        for _pk, key, object_id, _notes in batch:
            by_kind[key].append(object_id)
        tasks = [
            (key, tuple(chunk))
            for key, ids in by_kind.items()
            if key in KINDS  # a kind since removed: nothing to write
            for chunk in batched(sorted(ids), indexing.CHUNK)
        ]
        with staging.stage() as add:
            for key, ids, rows in build(tasks):
                add(rows)
                indexing._forget(KINDS[key], set(ids) - {r[1] for r in rows})
            staging.copy_in_time_order(indexing.WRITTEN, keep_newer=True)
        _done_with(batch)
        after = batch[-1][0]
        done += len(batch)
        if progress:
            progress(min(done, total), total)


def _done_with(batch: list[tuple[int, str, int, int]]) -> None:
    """Remove the rows caught up, unless noted again since they were read."""
    by_notes: dict[int, list[int]] = defaultdict(list)
    for pk, _key, _object_id, notes in batch:
        by_notes[notes].append(pk)
    for notes, pks in by_notes.items():
        for chunk in batched(pks, indexing.CHUNK):
            SearchBacklog.objects.filter(pk__among=list(chunk), notes=notes).delete()


def _built(task: tuple[str, tuple[int, ...]]) -> indexing.Built:
    """Read and analyse one chunk of a kind's noted objects (in a forked process, or here)."""
    key, ids = task
    kind = KINDS[key]
    return key, ids, indexing._rows(kind, kind.build(ids))


@contextmanager
def _alone() -> Iterator[bool]:
    """PostgreSQL: whether this session holds the catch-up's advisory lock (SQLite lets one
    writer in at a time: a second catch-up waits, then finds the rows gone)."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK])
        held: Any = cursor.fetchone()[0]
    try:
        yield bool(held)
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK])
