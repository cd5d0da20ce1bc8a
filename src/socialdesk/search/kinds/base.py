"""What every kind of findable object tells the search (`Kind`), and the values it builds.

A kind knows how to turn objects into index documents (`build`), which sources of
`core.changes` concern it (`sources`: source → the ids of this kind to refresh), who may see
its entries (`visible(user)`: a condition on `SearchEntry` made from the owning app's selector;
None: the person sees every entry of the kind) and how a hit looks (`show(user, ids)`, read
through that selector once more, so a hit is never shown that the selector would not give).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from django.db.models import Exists, F, Func, OuterRef, Q, QuerySet, TextField
from django.db.models.functions import Cast, Coalesce
from django.utils.functional import Promise

from socialdesk.accounts.models import User

Ids = tuple[int, ...]
StrOrPromise = str | Promise


class Doc(NamedTuple):
    """One object as the index stores it (text still unanalysed; a tuple: a reindex makes a
    million, and a frozen dataclass takes three times as long to make)."""

    object_id: int
    title: str
    body: str
    at: datetime | str  # a str: the database's own text of the time (`stored_time`)
    language: str = ""
    conversation_id: int | None = None
    room_id: int | None = None
    space_id: int | None = None
    author_id: int | None = None
    handles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Shown:
    """What a hit shows: read through the owning selector."""

    title: str
    text: str
    url: str
    at: datetime | None
    badges: tuple[str, ...] = ()


@dataclass(frozen=True)
class Filters:
    """What a search is narrowed to (None / empty: not narrowed)."""

    kinds: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    author_id: int | None = None
    department_id: int | None = None
    channel_id: int | None = None


@dataclass(frozen=True)
class Kind:
    key: str
    label: StrOrPromise
    entry_kind: str  # the `SearchEntry.kind` of its rows ("listening" reads "message" rows)
    sources: dict[str, Callable[[Ids], Iterable[int]]]
    build: Callable[[Ids], list[Doc]]
    objects: Callable[[], QuerySet]  # type: ignore[type-arg]  # every indexable object
    visible: Callable[[User], Q | None]
    show: Callable[[User, Ids], dict[int, Shown]]
    department: Callable[[int], Q] | None = None  # None: the filter does not apply
    channel: Callable[[int], Q] | None = None
    has_author: bool = False
    also: Callable[[User], Q] | None = None  # a condition beyond visibility (listening)
    badges: tuple[str, ...] = field(default=())

    def accepts(self, filters: Filters) -> bool:
        """Whether the kind can answer a search narrowed by `filters`."""
        if filters.department_id is not None and self.department is None:
            return False
        if filters.channel_id is not None and self.channel is None:
            return False
        return not (filters.author_id is not None and not self.has_author)

    def narrowed(self, filters: Filters) -> Q:
        condition = Q(kind=self.entry_kind)
        if filters.department_id is not None and self.department is not None:
            condition &= self.department(filters.department_id)
        if filters.channel_id is not None and self.channel is not None:
            condition &= self.channel(filters.channel_id)
        if filters.author_id is not None:
            condition &= Q(author_id=filters.author_id)
        return condition


class Span(tuple[int, ...]):
    """The ids of a reindex's range: every indexable object whose key lies in [low, high).

    A kind's `build` reads them by the range (`keys`: two bound values) instead of by up to
    5,000 ids: Django prepares each value of an `IN` list in Python, a sixth of the time a
    reindex spends reading a message. The range may hold objects that are not among the ids
    (made since, or not indexable): the reindex keeps only the documents of its ids."""

    low: int
    high: int

    def __new__(cls, ids: Iterable[int], low: int, high: int) -> Span:
        span = super().__new__(cls, ids)
        span.low, span.high = low, high
        return span


def keys(ids: Ids, field: str = "pk") -> Q:
    """`field` is one of `ids` (by its range for a `Span`; else handed to the database as
    they are, `core.lookups.Among`: a catch-up reads chunks of 5,000 ids)."""
    if isinstance(ids, Span):
        return Q(**{f"{field}__gte": ids.low, f"{field}__lt": ids.high})
    return Q(**{f"{field}__among": [int(pk) for pk in ids]})


def stored_time(name: str, *instead: str) -> Func:
    """The time column `name` (or the first of `instead` where it is empty) read as the
    database's own text, which an entry takes as it is: turning a million stored times into
    datetimes and back took about a fifth of a reindex's reading and analysing."""
    return Cast(Coalesce(name, *instead) if instead else F(name), TextField())


def same(ids: Ids) -> Ids:
    return ids


def first_line(text: str, length: int = 80) -> str:
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= length else line[: length - 1].rstrip() + "…"


def among(column: str, rows: QuerySet[Any], key: str = "pk") -> Q:
    """The entry's `column` is the `key` of one of `rows` (the owning app's selector).

    A correlated EXISTS, not `IN (subquery)`: the database then looks up the few candidate
    entries a search weighs, instead of first listing every row the person may see (all their
    department's conversations, say) on each search."""
    return Q(Exists(rows.order_by().filter(**{key: OuterRef(column)})))
