"""Keeping the index in step with the data: `refresh` hears `core.changes` and rewrites the
entries of what changed, in the writer's transaction; `reindex` rebuilds kinds in chunks.

A refreshed object that is gone (deleted, or no longer indexable like a deleted room post)
loses its entry. Entries are written with one upsert per kind and chunk
(`INSERT … ON CONFLICT (kind, object_id) DO UPDATE`), the same statement on both databases.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, QuerySet
from django.utils import timezone

from socialdesk.core import forked
from socialdesk.search import fulltext, recent, staging
from socialdesk.search.analysis import analyse_document, warm
from socialdesk.search.kinds.base import Doc, Ids, Kind, Span
from socialdesk.search.models import SearchEntry
from socialdesk.search.registry import CONTAINERS, INDEXED, KINDS

CHUNK = 5_000  # objects read and analysed at once
SPREAD = 4  # keys more than this far apart on average: ranges by counting (`_ranges`)
WRITTEN = 20_000  # entries copied into the index per transaction (writers wait ~0.5 s): the
# full-text engines flush and merge their segments at each commit, and smaller ones cost
# a third more in all
BUILD_MEMORY = "512MB"  # PostgreSQL's maintenance_work_mem while --offline builds the GIN index
Progress = Callable[..., None]  # (done, total[, step])


Row = list[Any]


def row(kind: Kind, doc: Doc, now: Any, at: Callable[[Any], Any] | None = None) -> Row:
    """The values of one entry in `staging.COLUMNS` order, ready for the database (plain values: a
    model instance per entry costs more than writing it). `at`: the database's form of a time
    (default: Django's); a document's time already in it (text) is taken as it is."""
    terms = analyse_document(doc.title, doc.body, doc.language, handles=doc.handles)
    when = (
        doc.at
        if isinstance(doc.at, str)
        else (at or connection.ops.adapt_datetimefield_value)(doc.at)
    )
    return [
        kind.entry_kind, doc.object_id, doc.conversation_id, doc.room_id, doc.space_id,
        doc.author_id, (doc.language or "")[:8],
        when,
        terms.title_terms, terms.body_terms, terms.parts, False, now,
    ]  # fmt: skip


def write(kind: Kind, ids: Ids) -> int:
    """Rewrite the entries of `ids` of `kind` (objects that are gone lose theirs)."""
    if not ids:
        return 0
    docs = kind.build(ids)
    upsert(_rows(kind, docs))
    _forget(kind, set(ids) - {doc.object_id for doc in docs})
    return len(docs)


def _forget(kind: Kind, gone: set[int]) -> None:
    if gone:
        SearchEntry.objects.filter(kind=kind.entry_kind, object_id__in=gone).delete()


_UPSERT = (
    f"INSERT INTO {SearchEntry._meta.db_table} ({', '.join(staging.COLUMNS)}) "  # noqa: S608
    f"VALUES ({', '.join(['%s'] * len(staging.COLUMNS))})" + staging.UPSERT_TAIL
)


def upsert(rows: list[Row]) -> None:
    """Insert or overwrite entries by (kind, object_id): one statement, both databases (the
    ORM's bulk_create spends longer building its SQL than the database takes to run it)."""
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(_UPSERT, rows)


def refresh(source: str, ids: tuple[int, ...]) -> None:
    """The `core.changes` listener: every kind fed by `source` rewrites its entries; when
    `source` names containers that are gone, what they held is rewritten too (and so loses
    its entries when it went with them)."""
    for kind, wanted in affected(source, ids):
        write(kind, wanted)


def affected(source: str, ids: tuple[int, ...]) -> Iterator[tuple[Kind, Ids]]:
    """The objects, kind by kind, whose entries a change of `ids` of `source` rewrites."""
    held = _held_by_gone(source, ids)
    for kind in INDEXED:
        related = kind.sources.get(source)
        wanted = list(related(ids)) if related is not None else []
        wanted += held.get(kind.entry_kind, ())
        if related is not None or wanted:
            yield kind, tuple(dict.fromkeys(int(pk) for pk in wanted))


def _held_by_gone(source: str, ids: Ids) -> dict[str, list[int]]:
    container = CONTAINERS.get(source)
    if container is None or not ids:
        return {}
    column, objects = container
    gone = set(ids) - set(objects().filter(pk__in=ids).values_list("pk", flat=True))
    held: dict[str, list[int]] = {}
    if gone:
        entries = SearchEntry.objects.filter(**{f"{column}__in": gone})
        for kind, object_id in entries.values_list("kind", "object_id"):
            held.setdefault(kind, []).append(object_id)
    return held


@dataclass(frozen=True)
class Reindexed:
    documents: int
    removed: int
    seconds: float
    processes: int = 1


def reindex(
    *,
    kinds: Iterable[str] = (),
    progress: Progress | None = None,
    jobs: int = 1,
    offline: bool = False,
) -> Reindexed:
    """Rebuild the entries of `kinds` (all when empty): their rows are made chunk by chunk,
    staged, and copied into the index in time order (`search.staging`), a chunk per
    transaction; entries of objects that no longer exist are removed at the end. With
    `jobs` > 1, that many forked processes read the objects, analyse them and make the rows,
    each with its own connection (only this process writes; a database no other process can
    open, in memory, or what this connection has not committed yet, is reindexed in this
    one). The recent index (`search.recent`) is off meanwhile and rebuilt at the end.
    `offline` (web and worker stopped — writers and, on PostgreSQL, readers wait): one
    transaction without the per-row full-text upkeep, built once at the end (SQLite: the FTS5
    table without its triggers; PostgreSQL: the indexes but the keys dropped and built anew
    with `BUILD_MEMORY`, and when every kind is rewritten the table emptied first)."""
    started = time.monotonic()
    # offline, nobody else writes: an entry of these kinds not written from here on is an
    # orphan (one pass over the entries instead of looking up each one's object)
    since = timezone.now() if offline else None
    processes = jobs if jobs > 1 and _shared() else 1
    recent.switch_off()  # written anew below: the recent index is rebuilt once at the end
    try:
        if offline and connection.vendor == "sqlite":
            with transaction.atomic(), connection.cursor() as cursor:
                for statement in fulltext.SQLITE_DROP_TRIGGERS:  # the triggers, not the table
                    cursor.execute(statement)
                indexes = fulltext.set_aside(cursor)
                # none of these kinds indexed yet: plain inserts, and no entry to look for
                # afterwards (a pass over all entries: 3 s of a million messages' reindex)
                empty = not SearchEntry.objects.filter(kind__in=_entry_kinds(kinds)).exists()
                done = _with_jobs(
                    kinds, progress, processes, emptied=empty, since=None if empty else since
                )
                for statement in indexes:
                    cursor.execute(statement)
                cursor.execute(fulltext.SQLITE_REBUILD)
                for statement in fulltext.SQLITE_TRIGGERS:
                    cursor.execute(statement)
        elif offline and connection.vendor == "postgresql":
            every = not kinds or {k.key for k in INDEXED} <= set(kinds)
            with transaction.atomic(), connection.cursor() as cursor:
                indexes = fulltext.set_aside(cursor, unique=every)
                gone = 0
                if every:  # written anew: plain inserts, and no entry left for a missing object
                    gone = sum(orphans(kind).count() for kind in INDEXED)
                    cursor.execute(f"TRUNCATE {SearchEntry._meta.db_table}")
                done = _with_jobs(kinds, progress, processes, emptied=every, since=since)
                done = replace(done, removed=done.removed + gone)
                if progress:
                    progress(0, done.documents, "full-text index")
                cursor.execute(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'")
                for statement in indexes:
                    cursor.execute(statement)
                if progress:
                    progress(done.documents, done.documents, "full-text index")
        else:
            done = _with_jobs(kinds, progress, processes)
    finally:
        recent.refill()
    if connection.vendor == "postgresql":  # the planner's word statistics after a bulk write
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {SearchEntry._meta.db_table}")
    return Reindexed(done.documents, done.removed, time.monotonic() - started, processes)


def _with_jobs(
    kinds: Iterable[str],
    progress: Progress | None,
    jobs: int,
    *,
    emptied: bool = False,
    since: datetime | None = None,
) -> Reindexed:
    """`emptied`: the index holds none of these kinds' entries (none to remove afterwards);
    `since`: nobody else writes the index, so the entries of these kinds written before
    `since` are those of objects that are gone (removed in one statement at the end)."""
    chosen = _chosen(kinds)
    if jobs == 1:
        return _reindex(chosen, progress, _here(chosen), emptied, since)
    with processes(_built, jobs) as build:
        ranges = [(kind.key, low, high) for kind in chosen for low, high in _ranges(kind)]
        return _reindex(chosen, progress, build(ranges), emptied, since)


def _chosen(kinds: Iterable[str]) -> list[Kind]:
    keys = set(kinds)
    return [k for k in INDEXED if not keys or k.key in keys]


def _entry_kinds(kinds: Iterable[str]) -> list[str]:
    return [k.entry_kind for k in _chosen(kinds)]


ProcessLost = forked.ProcessLost  # the search command names it


@contextmanager
def processes(work: Callable[[Any], Built], jobs: int) -> Iterator[BuildAll]:
    """Yield a map of `work` over tasks: here when `jobs` is 1, else in that many forked
    processes (`core.forked`), results in the order they are done, at most AHEAD tasks a
    process under way: results never pile up faster than they are written."""
    if jobs == 1:
        yield lambda tasks: map(work, tasks)
        return
    warm()  # loaded once here, shared by the forked processes
    with forked.forked_pool(jobs) as pool:
        yield lambda tasks: _as_done(pool, work, tasks, AHEAD * jobs)


AHEAD = 2  # tasks handed to each process before the first result is taken
DOING = "reading and analysing objects for the search"


def _as_done(
    pool: ProcessPoolExecutor, work: Callable[[Any], Built], tasks: Iterable[Any], ahead: int
) -> Iterator[Built]:
    pending: set[Future[Built]] = set()
    for task in tasks:
        pending.add(forked.submit(pool, work, task, DOING))
        if len(pending) >= ahead:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            yield from _results(done)
    while pending:
        done, pending = wait(pending, return_when=FIRST_COMPLETED)
        yield from _results(done)


def _results(done: set[Future[Built]]) -> Iterator[Built]:
    for future in done:
        yield forked.result(future, DOING)


def _shared() -> bool:
    """Whether other processes see what this connection sees: not a SQLite database in
    memory (the tests), and nothing written in an open transaction."""
    if connection.in_atomic_block:
        return False
    return connection.vendor != "sqlite" or not connection.is_in_memory_db()  # type: ignore[attr-defined]


Built = tuple[str, Ids, list[Row]]  # the kind's key, the ids read, the rows of those still there
BuildAll = Callable[[Iterable[Any]], Iterator[Built]]  # tasks -> their rows, as they are done


def _ranges(kind: Kind) -> list[tuple[int, int]]:
    """The kind's primary keys in ranges of about CHUNK objects (a process reads one range at
    a time): plain steps of CHUNK where the keys lie close together, as they mostly do; where
    they are spread far apart (many deleted), each range ends where CHUNK objects are read."""
    objects = kind.objects().order_by("pk").values_list("pk", flat=True)
    bounds = objects.order_by().aggregate(low=Min("pk"), high=Max("pk"), count=Count("pk"))
    low, high = bounds["low"], bounds["high"]
    if low is None:
        return []
    if high - low < SPREAD * bounds["count"] + CHUNK:
        return [(start, start + CHUNK) for start in range(low, high + 1, CHUNK)]
    ranges: list[tuple[int, int]] = []
    while True:
        following = list(objects.filter(pk__gt=low)[CHUNK - 1 : CHUNK])
        if not following:
            return [*ranges, (low, high + 1)]
        ranges.append((low, following[0]))
        low = following[0]


def _built(task: tuple[str, int, int]) -> Built:
    """Read one range of a kind, analyse it and make its rows (in a forked process, or here)."""
    key, low, high = task
    kind = KINDS[key]
    objects = kind.objects().filter(pk__gte=low, pk__lt=high).order_by("pk")
    ids = tuple(objects.values_list("pk", flat=True))
    if not ids:
        return key, ids, []
    wanted = set(ids)  # the range may hold more (see `Span`)
    docs = kind.build(Span(ids, low, high))
    return key, ids, _rows(kind, [doc for doc in docs if doc.object_id in wanted])


def _here(chosen: list[Kind]) -> Iterator[Built]:
    """One process: range after range, read, analysed and made rows here."""
    for kind in chosen:
        for low, high in _ranges(kind):
            yield _built((kind.key, low, high))


def _rows(kind: Kind, docs: list[Doc]) -> list[Row]:
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    at = _sqlite_time if connection.vendor == "sqlite" else None
    return [row(kind, doc, now, at) for doc in docs]


def _sqlite_time(value: datetime) -> str:
    """What Django writes for an aware time on SQLite (UTC, no offset, "2026-11-30
    09:15:00.250000"), without its checks for each of a million entries (a test compares)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return str(value)


def orphans(kind: Kind) -> QuerySet[SearchEntry]:
    """The entries of `kind` whose object is gone. NOT EXISTS, an anti-join: PostgreSQL tests
    each entry of a NOT IN against the whole list once that list outgrows work_mem (306,000
    conversations: over a quarter of an hour)."""
    alive = kind.objects().filter(pk=OuterRef("object_id"))
    return SearchEntry.objects.filter(~Exists(alive), kind=kind.entry_kind)


def _reindex(
    chosen: list[Kind],
    progress: Progress | None,
    built: Iterable[Built],
    emptied: bool = False,
    since: datetime | None = None,
) -> Reindexed:
    started = time.monotonic()
    total = sum(k.objects().count() for k in chosen)
    done = 0
    if progress:
        progress(0, total)
    with staging.stage() as add:
        for key, ids, rows in built:
            add(rows)
            if not emptied:
                _forget(KINDS[key], set(ids) - {r[1] for r in rows})
            done += len(ids)
            if progress:
                progress(done, total)
        staging.copy_in_time_order(
            WRITTEN,
            (lambda copied: progress(copied, done, "writing")) if progress else None,
            upsert=not emptied,
        )
    if emptied:
        removed = 0
    elif since is not None:
        removed = _unwritten(chosen, since)
    else:
        removed = sum(orphans(kind).delete()[0] for kind in chosen)
    return Reindexed(done, removed, time.monotonic() - started)


def _unwritten(chosen: list[Kind], since: datetime) -> int:
    """Remove the entries of `chosen` written before `since` (one pass over the entries: a
    look-up of each entry's object took 8 of a million messages' 95 s here)."""
    entries = SearchEntry.objects.filter(indexed_at__lt=since)
    if len(chosen) < len(INDEXED):  # some kinds only
        entries = entries.filter(kind__in=[k.entry_kind for k in chosen])
    return entries.delete()[0]
