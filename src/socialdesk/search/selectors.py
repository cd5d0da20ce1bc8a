# ruff: noqa: S608 - the statements join constants of this module and SQL Django compiled
"""Reading the index: one search over everything a person may see.

`search(user, query, …)` translates the query (`search.query`), builds the permission
condition from every chosen kind's selector (`Kind.visible`) and the filters as an ORM
condition on `SearchEntry`, compiles that condition to SQL and splices it into the full-text
statement of the database (FTS5 MATCH + bm25 on SQLite, tsquery + ts_rank on PostgreSQL),
so permissions are checked in SQL, before LIMIT. Each hit is then read once more through its
kind's selector (`Kind.show`): what the selector would not give is never shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from socialdesk.accounts.models import User
from socialdesk.core.db import prepared_cursor
from socialdesk.inbox.selectors import visible_departments
from socialdesk.insights.query import QueryError, marked
from socialdesk.search import dated, windows
from socialdesk.search.fulltext import FTS
from socialdesk.search.kinds.base import Filters, Kind
from socialdesk.search.models import SearchEntry
from socialdesk.search.query import Compiled, translate
from socialdesk.search.registry import KINDS
from socialdesk.search.snippets import snippet
from socialdesk.search.windows import RANK_POSTGRES, RANK_SQLITE

MAX_LIMIT = 100
MAX_OFFSET = 500
ORDERS = ("relevance", "newest")
DEFAULT_KINDS = tuple(k for k in KINDS if k != "listening")  # listening only when asked


@dataclass(frozen=True)
class Hit:
    kind: str
    object_id: int
    title: str
    url: str
    snippet_html: str
    snippet_text: str
    highlights: tuple[str, ...]
    score: float
    at: datetime | None
    badges: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueryProblem:
    """A query that cannot be searched: `message` says why and where."""

    message: str
    position: int


@dataclass(frozen=True)
class SearchPage:
    hits: list[Hit] = field(default_factory=list)
    more: bool = False
    problem: QueryProblem | None = None


def problem_of(query: str, error: QueryError) -> QueryProblem:
    text = _("%(problem)s at position %(position)s: %(marked)s") % {
        "problem": error.message,
        "position": error.position + 1,
        "marked": _("“%(name)s”") % {"name": marked(query, error.position)},
    }
    return QueryProblem(capfirst(text), error.position)


def _chosen(filters: Filters) -> list[Kind]:
    keys = filters.kinds or DEFAULT_KINDS
    unknown = [k for k in keys if k not in KINDS]
    if unknown:
        raise ValueError(f"unknown kinds: {', '.join(unknown)}")
    return [KINDS[k] for k in dict.fromkeys(keys) if KINDS[k].accepts(filters)]


def visible_condition(user: User, filters: Filters) -> Q | None:
    """Which entries the person may find under `filters` (None: no entry at all)."""
    condition: Q | None = None
    for kind in _chosen(filters):
        part = kind.narrowed(filters)
        if (rule := kind.visible(user)) is not None:
            part &= rule
        if kind.also is not None:
            part &= kind.also(user)
        condition = part if condition is None else condition | part
    return condition


def _condition(user: User, filters: Filters, compiled: Compiled) -> Q | None:
    condition = visible_condition(user, filters)
    if condition is None:
        return None
    if filters.since is not None:
        condition &= Q(at__gte=filters.since)
    if filters.until is not None:
        condition &= Q(at__lt=filters.until)
    if compiled.language:
        condition &= Q(language=compiled.language)
    if compiled.excluded_languages:
        condition &= ~Q(language__in=compiled.excluded_languages)
    return condition


@lru_cache(maxsize=2_048)
def _where_for(
    pk: int,
    role: str,
    active: bool,
    filters: Filters,
    language: str | None,
    excluded: frozenset[str],
    departments: tuple[int, ...] = (),
) -> tuple[str, tuple[Any, ...]] | None:
    """The compiled permission and filter condition of a person (None: nothing to find).

    Building it through the ORM costs more than the search itself, so it is kept: it holds
    the person's id, role and departments (the inbox's rule names them as values) and the
    filters, while everything else that changes (room memberships, hand-overs, approval
    steps) stays a subquery the database evaluates on every search."""
    user = User.objects.get(pk=pk)
    user.role, user.is_active = role, active
    condition = _condition(user, filters, Compiled("", "", language, excluded, ()))
    if condition is None:
        return None
    sql, params = _where(condition)
    return sql, tuple(params)


def _where(condition: Q) -> tuple[str, list[Any]]:
    query = SearchEntry.objects.filter(condition).query
    compiler = query.get_compiler(using=connection.alias)
    sql, params = compiler.compile(query.where)
    return sql, list(params)


def _statement(
    compiled: Compiled, where: str, order: str, *, limit: str = "%s"
) -> tuple[str, list[Any]]:
    """The full statement: every match the condition lets through, ranked (relevance) or
    dated (newest; no rank: weighing every match of a frequent word took most of its time,
    and the page's few are weighed afterwards by `windows.ranks_of`). `limit`: the LIMIT's SQL
    (SQLite, by relevance: `windows.rare_limit`, no rows unless the word is rare, so that a
    rare word needs no statement of its own to find out: two took 1.6–2.7× the raw match)."""
    table = SearchEntry._meta.db_table
    if order == "newest":
        match = (
            f"{table}, to_tsquery('simple', %s) AS q WHERE vector @@ q"
            if connection.vendor == "postgresql"
            else f"{FTS} JOIN {table} ON {table}.id = {FTS}.rowid WHERE {FTS} MATCH %s"
        )
        return (
            f"SELECT {table}.id, {table}.kind, {table}.object_id FROM {match} AND ({where}) "
            f"ORDER BY {table}.at DESC, {table}.id DESC LIMIT %s OFFSET %s",
            [compiled.tsquery if connection.vendor == "postgresql" else compiled.fts5],
        )
    if connection.vendor == "postgresql":
        rank = RANK_POSTGRES
        sorting = "rank DESC, id"
        return (
            f"SELECT id, kind, object_id, {rank} AS rank FROM {table}, "
            f"to_tsquery('simple', %s) AS q WHERE vector @@ q AND ({where}) "
            f"ORDER BY {sorting} LIMIT %s OFFSET %s",
            [compiled.tsquery],
        )
    sorting = "rank DESC, {0}.id"
    return (
        f"SELECT {table}.id, {table}.kind, {table}.object_id, "
        f"-{RANK_SQLITE.format(table=FTS)} AS rank FROM {FTS} JOIN {table} "
        f"ON {table}.id = {FTS}.rowid WHERE {FTS} MATCH %s AND ({where}) "
        f"ORDER BY {sorting.format(table)} LIMIT {limit} OFFSET %s",
        [compiled.fts5],
    )


def _rows(
    compiled: Compiled, where: str, params: list[Any], order: str, limit: int, offset: int
) -> list[tuple[Any, ...]]:
    if order == "relevance":
        if connection.vendor == "sqlite":  # a rare word's page in one statement (empty:
            rare, rare_params = windows.rare_limit(compiled)  # not rare, or nothing
            sql, first = _statement(compiled, where, order, limit=rare)  # permitted: the
            with prepared_cursor(connection) as cursor:  # windows tell)
                cursor.execute(sql, [*first, *params, *rare_params, limit, offset])
                rows = list(cursor.fetchall())
            if rows:
                return rows
        found = windows.by_relevance(compiled, where, params, offset + limit)
        if found is not None:
            return found[offset:]
    else:
        found = dated.by_date(compiled, where, params, offset + limit)
        if found is not None:
            return _ranked(compiled, found[offset:])
    sql, full_params = _statement(compiled, where, order)
    with prepared_cursor(connection) as cursor:  # planning the permissions cost more than
        cursor.execute(sql, [*full_params, *params, limit, offset])  # the few matches
        rows = list(cursor.fetchall())
    return _ranked(compiled, rows) if order == "newest" else rows


def _ranked(compiled: Compiled, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """A page sorted by date, each row with its rank (only the page's hits are weighed; a rare
    word's page on PostgreSQL comes weighed)."""
    if all(len(row) > 3 for row in rows):
        return rows
    rank_of = windows.ranks_of(compiled, [int(row[0]) for row in rows])
    return [(*row, rank_of.get(int(row[0]), 0.0)) for row in rows]


def search(
    user: User,
    query: str,
    *,
    filters: Filters | None = None,
    order: str = "relevance",
    limit: int = 20,
    offset: int = 0,
) -> SearchPage:
    """The hits of `query` the person may open, best (or newest) first."""
    filters = filters or Filters()
    if order not in ORDERS:
        raise ValueError(f"unknown order: {order!r}")
    limit = max(1, min(limit, MAX_LIMIT))
    try:
        compiled = translate(query)
    except QueryError as error:
        return SearchPage(problem=problem_of(query, error))
    if offset > MAX_OFFSET or offset < 0:
        return SearchPage(problem=QueryProblem(_("Please narrow your search down."), 0))
    rows = permitted(user, compiled, filters, order, limit + 1, offset)
    more = len(rows) > limit
    return SearchPage(_hits(user, rows[:limit], filters, compiled), more)


def permitted(
    user: User, compiled: Compiled, filters: Filters, order: str, limit: int, offset: int
) -> list[tuple[Any, ...]]:
    """The `limit` entries from `offset` on that the person may find (id, kind, object id,
    rank): the search before its hits are read and cut into snippets."""
    visible = visible_departments(user)  # the inbox's rule names them (see `_where_for`)
    departments = () if visible is None else tuple(visible)
    where_sql = _where_for(
        user.pk,
        user.role,
        user.is_active,
        filters,
        compiled.language,
        compiled.excluded_languages,
        departments,
    )
    if where_sql is None:
        return []
    return _rows(compiled, where_sql[0], list(where_sql[1]), order, limit, offset)


def _hits(
    user: User, rows: list[tuple[Any, ...]], filters: Filters, compiled: Compiled
) -> list[Hit]:
    chosen = _chosen(filters)
    shown_by: dict[str, Kind] = {}
    for kind in chosen:  # "message" rows are messages, or listening hits when only that
        shown_by.setdefault(kind.entry_kind, kind)
    wanted: dict[str, list[int]] = {}
    for _id, entry_kind, object_id, _rank in rows:
        wanted.setdefault(entry_kind, []).append(int(object_id))
    shown = {
        entry_kind: shown_by[entry_kind].show(user, tuple(ids))
        for entry_kind, ids in wanted.items()
        if entry_kind in shown_by
    }
    hits = []
    seen: dict[str, bool] = {}  # the words of the page's texts that match (or not)
    for _id, entry_kind, object_id, rank in rows:
        view = shown.get(entry_kind, {}).get(int(object_id))
        if view is None:  # the selector does not give it: never shown
            continue
        kind = shown_by[entry_kind]
        cut = snippet(view.text, compiled.highlight, seen=seen)
        hits.append(
            Hit(
                kind=kind.key,
                object_id=int(object_id),
                title=view.title or str(kind.label),
                url=view.url,
                snippet_html=cut.html,
                snippet_text=cut.text,
                highlights=cut.highlights,
                score=round(float(rank or 0.0), 4),
                at=view.at,
                badges=view.badges,
            )
        )
    return hits
