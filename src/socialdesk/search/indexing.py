"""Keeping the index in step with the data: `refresh` hears `core.changes` and rewrites the
entries of what changed, in the writer's transaction; `reindex` rebuilds kinds in chunks.

A refreshed object that is gone (deleted, or no longer indexable like a deleted room post)
loses its entry. Entries are written with one upsert per kind and chunk
(`INSERT … ON CONFLICT (kind, object_id) DO UPDATE`), the same statement on both databases.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult, Pool
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from socialdesk.core import changes
from socialdesk.search import fulltext, recent, staging
from socialdesk.search.analysis import IndexTerms, analyse_document, warm
from socialdesk.search.kinds.base import Doc, Ids, Kind
from socialdesk.search.models import SearchEntry
from socialdesk.search.registry import CONTAINERS, INDEXED

CHUNK = 5_000
PART = 500  # texts sent to an analysing process at once
AHEAD = 2  # chunks being analysed while one is written
Progress = Callable[..., None]  # (done, total[, step])


def connect() -> None:
    changes.listen(refresh)


def _analyse(doc: Doc) -> IndexTerms:
    return analyse_document(doc.title, doc.body, doc.language, handles=doc.handles)


Text = tuple[str, str, str, tuple[str, ...]]
Analysing = AsyncResult[list[list[tuple[str, str, str]]]]


def _analyse_texts(texts: list[Text]) -> list[tuple[str, str, str]]:
    """A chunk's texts analysed in another process: plain tuples both ways (pickling
    dataclasses cost as much as analysing them)."""
    out = []
    for title, body, language, handles in texts:
        terms = analyse_document(title, body, language, handles=handles)
        out.append((terms.title_terms, terms.body_terms, terms.parts))
    return out


Row = list[Any]


def row(kind: Kind, doc: Doc, now: Any, terms: IndexTerms | None = None) -> Row:
    """The values of one entry in `staging.COLUMNS` order, ready for the database (plain values: a
    model instance per entry costs more than writing it)."""
    terms = terms or _analyse(doc)
    return [
        kind.entry_kind, doc.object_id, doc.conversation_id, doc.room_id, doc.space_id,
        doc.author_id, (doc.language or "")[:8], connection.ops.adapt_datetimefield_value(doc.at),
        terms.title_terms, terms.body_terms, terms.parts, False, now,
    ]  # fmt: skip


def write(kind: Kind, ids: Ids) -> int:
    """Rewrite the entries of `ids` of `kind` (objects that are gone lose theirs)."""
    if not ids:
        return 0
    return _store(kind, ids, kind.build(ids), [None] * len(ids))


def _store(
    kind: Kind,
    ids: Ids,
    docs: list[Doc],
    terms: Sequence[IndexTerms | None],
    put: Callable[[list[Row]], None] | None = None,
) -> int:
    """Write the docs' entries (`put`: elsewhere, e.g. a reindex's stage; default: `upsert`);
    entries of `ids` that no longer have a doc go at once."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    (put or upsert)([row(kind, doc, now, t) for doc, t in zip(docs, terms, strict=False)])
    gone = set(ids) - {doc.object_id for doc in docs}
    if gone:
        SearchEntry.objects.filter(kind=kind.entry_kind, object_id__in=gone).delete()
    return len(docs)


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
    held = _held_by_gone(source, ids)
    for kind in INDEXED:
        related = kind.sources.get(source)
        wanted = list(related(ids)) if related is not None else []
        wanted += held.get(kind.entry_kind, ())
        if related is not None or wanted:
            write(kind, tuple(dict.fromkeys(int(pk) for pk in wanted)))


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


def _finish(
    add: Callable[[list[Row]], None], kind: Kind, ids: Ids, docs: list[Doc], analysing: Analysing
) -> None:
    _store(kind, ids, docs, [IndexTerms(*t) for part in analysing.get() for t in part], add)


@dataclass(frozen=True)
class Reindexed:
    documents: int
    removed: int
    seconds: float


def _chunks(kind: Kind) -> Iterable[Ids]:
    last = 0
    objects = kind.objects().order_by("pk").values_list("pk", flat=True)
    while True:
        ids = tuple(objects.filter(pk__gt=last)[:CHUNK])
        if not ids:
            return
        yield ids
        last = ids[-1]


def reindex(
    *,
    kinds: Iterable[str] = (),
    progress: Progress | None = None,
    jobs: int = 1,
    offline: bool = False,
) -> Reindexed:
    """Rebuild the entries of `kinds` (all when empty), chunk by chunk, each chunk its own
    transaction; entries of objects that no longer exist are removed at the end. With
    `jobs` > 1 the texts are analysed in that many forked processes (the database is only
    read and written here). The recent index (`search.recent`) is off meanwhile and rebuilt
    at the end. `offline` (SQLite; web and worker stopped — writers wait): one
    transaction without the per-row full-text triggers, the FTS5 table rebuilt once at the
    end."""
    started = time.monotonic()
    recent.switch_off()  # written anew below: the recent index is rebuilt once at the end
    try:
        if offline and connection.vendor == "sqlite":
            with transaction.atomic(), connection.cursor() as cursor:
                for statement in fulltext.SQLITE_DROP_TRIGGERS:  # the triggers, not the table
                    cursor.execute(statement)
                done = _with_jobs(kinds, progress, jobs)
                cursor.execute(fulltext.SQLITE_REBUILD)
                for statement in fulltext.SQLITE_TRIGGERS:
                    cursor.execute(statement)
        else:
            done = _with_jobs(kinds, progress, jobs)
    finally:
        recent.refill()
    if connection.vendor == "postgresql":  # the planner's word statistics after a bulk write
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {SearchEntry._meta.db_table}")
    return Reindexed(done.documents, done.removed, time.monotonic() - started)


def _with_jobs(kinds: Iterable[str], progress: Progress | None, jobs: int) -> Reindexed:
    if jobs > 1:
        warm()  # loaded once here, shared by the forked processes
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            return _reindex(kinds, progress, pool)
    return _reindex(kinds, progress, None)


def _reindex(kinds: Iterable[str], progress: Progress | None, pool: Pool | None) -> Reindexed:
    chosen = [k for k in INDEXED if not kinds or k.key in set(kinds)]
    started = time.monotonic()
    total = sum(k.objects().count() for k in chosen)
    done = 0
    if progress:
        progress(0, total)
    pending: deque[tuple[Kind, Ids, list[Doc], Analysing]] = deque()
    with staging.stage() as add:
        for kind in chosen:
            for ids in _chunks(kind):
                docs = kind.build(ids)
                if pool is None:
                    _store(kind, ids, docs, [None] * len(docs), add)
                else:  # the processes analyse the next chunks while this one is staged
                    texts = [(d.title, d.body, d.language, tuple(d.handles)) for d in docs]
                    parts = [texts[n : n + PART] for n in range(0, len(texts), PART)]
                    pending.append((kind, ids, docs, pool.map_async(_analyse_texts, parts, 1)))
                    if len(pending) > AHEAD:
                        _finish(add, *pending.popleft())
                done += len(ids)
                if progress:
                    progress(done, total)
        while pending:
            _finish(add, *pending.popleft())
        staging.copy_in_time_order(
            CHUNK, (lambda copied: progress(copied, done, "writing")) if progress else None
        )
    removed = 0
    for kind in chosen:
        orphans = SearchEntry.objects.filter(kind=kind.entry_kind).exclude(
            object_id__in=kind.objects().values("pk")
        )
        removed += orphans.delete()[0]
    return Reindexed(done, removed, time.monotonic() - started)
