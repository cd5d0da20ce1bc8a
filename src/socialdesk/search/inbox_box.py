# ruff: noqa: S608 - the statements join constants of this module
"""The inbox's search box, answered from the search index.

The box reads the search's language (words with their stems and compound parts, "a phrase",
prefix*, -not, #tag, @handle, lang:de) in the entries of the conversations (the contact's name
and handles, the tags, the preview) and of their messages. A conversation is found when each
top-level part of the query is held by one of its entries (the name in one, a word in a
message) and no excluded part by any. Matching the text itself (ILIKE on every message, then
DISTINCT) read all of them: at 10 million messages 5.5 s for a frequent word and 21 s for a
rare one.

Each part is looked up alone, in one statement that reads the conversations of up to RARE
matching entries:
- no more than that: those conversations, as ids (`pk__among`); the list, its filters, its
  order and its count read only them;
- more (a frequent word): each conversation the list reads in its order is checked against
  the index (`_Holds`, an index lookup by conversation), which ends as soon as the page is
  full; when every wanted part is frequent, the list counts up to `TEXT_COUNT_CAP`.
On PostgreSQL the same statement asks the planner's estimate first (`fulltext.MATCHES`): a
word it knows to be in more than one of FREQUENT entries is not read at all (a frequent word's
first RARE matches took 60–150 ms). Permissions stay the inbox's: only conversation ids come
from here.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import connection
from django.db.models import BooleanField, F, Func, Q

from socialdesk.inbox.selectors import TextMatch, TextQueryError
from socialdesk.insights.query import QueryError
from socialdesk.search import fulltext
from socialdesk.search.query import Compiled, translate_parts
from socialdesk.search.selectors import problem_of

KINDS = "('conversation', 'message')"  # the entries of conversations and of their messages
RARE = 20_000  # entries read to find a word's conversations; more: it is checked row by row
FREQUENT = 100  # PostgreSQL: a word the statistics put in more than one of this many entries
# (and in more than RARE); a word missing from their most common ones is put in at most 0.5 %
TABLE = fulltext.TABLE


def match(text: str) -> TextMatch:
    """The conversations whose entries hold `text`; TextQueryError when it cannot be read.

    The rare parts' conversations are combined here into one list of ids (those of every
    wanted part, less those of the unwanted ones): two lists of 20,000 in one statement would
    pass the 32,766 values SQLite takes."""
    try:
        parts = translate_parts(text)
    except QueryError as error:
        raise TextQueryError(problem_of(text, error).message) from None
    condition = Q()
    wanted: set[int] | None = None  # the conversations of every rare wanted part
    unwanted: set[int] = set()  # those of the rare unwanted parts
    for compiled in parts.wanted:
        found = _few(compiled)
        if found is None:
            condition &= Q(_Holds(compiled))
        else:
            wanted = set(found) if wanted is None else wanted & set(found)
    for compiled in parts.unwanted:
        found = _few(compiled)
        if found is None:
            condition &= ~Q(_Holds(compiled))
        else:
            unwanted.update(found)
    # as sets: Django walks a list's every value for expressions, for the list and again for
    # its count (2.7 ms each for 4,400 conversations); `__among` takes any iterable
    if wanted is not None:
        condition &= Q(pk__among=frozenset(wanted - unwanted))
    elif unwanted:
        condition &= ~Q(pk__among=frozenset(unwanted))
    # every wanted part frequent: each conversation is checked as the list reads it, and the
    # list's count is capped
    return TextMatch(condition, many=wanted is None)


def _languages(compiled: Compiled, alias: str) -> tuple[str, list[Any]]:
    """`lang:de` / `-lang:en` as SQL on the entries' language."""
    sql, params = "", []
    if compiled.language:
        sql += f" AND {alias}.language = %s"
        params.append(compiled.language)
    if compiled.excluded_languages:
        excluded = sorted(compiled.excluded_languages)
        sql += f" AND {alias}.language NOT IN ({', '.join(['%s'] * len(excluded))})"
        params += excluded
    return sql, params


def _few(compiled: Compiled) -> list[int] | None:
    """The conversations of a word in at most RARE entries (None: in more)."""
    languages, params = _languages(compiled, "e")
    floor = RARE if _estimable(compiled) else _NEVER  # the estimate that calls it frequent
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "WITH q AS MATERIALIZED (SELECT to_tsquery('simple', %s) AS q), "
                f"estimate AS MATERIALIZED (SELECT {fulltext.MATCHES}(q) AS matches FROM q), "
                "frequent AS MATERIALIZED (SELECT matches > %s AND matches * %s > (SELECT "
                f"greatest(reltuples, 0) FROM pg_class WHERE oid = '{TABLE}'::regclass) AS yes "
                "FROM estimate) "
                "SELECT (SELECT yes FROM frequent), count(*), "
                "coalesce(array_agg(DISTINCT found.conversation_id), '{}') FROM ("
                f"SELECT e.conversation_id FROM {TABLE} AS e, q WHERE NOT (SELECT yes FROM "
                f"frequent) AND e.vector @@ q.q AND e.kind IN {KINDS}{languages} LIMIT %s"
                ") AS found",
                [compiled.tsquery, floor, FREQUENT, *params, RARE + 1],
            )
            frequent, entries, ids = cursor.fetchone()
            if frequent or entries > RARE:
                return None
            return [int(pk) for pk in ids if pk is not None]
        cursor.execute(
            f"SELECT e.conversation_id FROM {fulltext.FTS} JOIN {TABLE} AS e "
            f"ON e.id = {fulltext.FTS}.rowid WHERE {fulltext.FTS} MATCH %s "
            f"AND e.kind IN {KINDS}{languages} LIMIT %s",
            [compiled.fts5, *params, RARE + 1],
        )
        rows = cursor.fetchall()
    if len(rows) > RARE:
        return None
    return sorted({int(pk) for (pk,) in rows if pk is not None})


_NEVER = 2**62  # no estimate is that large: the part is read
_JOINED = re.compile(r"&|!|<\d*-?>")  # AND, NOT and side by side in a tsquery (outside its
# quoted terms, which hold letters and digits only)


def _estimable(compiled: Compiled) -> bool:
    """Whether the planner's estimate can call the part frequent: a word, a prefix or words
    OR-ed. For words that must occur together (a phrase, `(a b)`) it multiplies their shares
    as if they were independent: two frequent words that hardly ever meet would be called
    frequent, and every conversation checked (35 s at 10 million messages for a word that is
    not there)."""
    return not _JOINED.search(compiled.tsquery)


class _Holds(Func):
    """Whether the conversation's entries hold the word: a lookup by `conversation_id` per
    conversation the list reads. PostgreSQL: `OFFSET 0` keeps it a check per row (flattened
    into a join, the planner chose to read every match first when counting a status's
    conversations: 325 ms instead of 53 at 10 million messages). SQLite asks FTS5 about each
    of the conversation's entries by its rowid: as `id IN (SELECT rowid … MATCH)` it read
    every match of the word again for each conversation (9.7 s to count 200 conversations
    holding "thank" at a million messages, 24 ms this way)."""

    output_field = BooleanField()

    def __init__(self, compiled: Compiled) -> None:
        super().__init__(F("pk"))
        self.compiled = compiled

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra: Any
    ) -> tuple[str, list[Any]]:
        pk, params = compiler.compile(self.source_expressions[0])
        languages, language_params = _languages(self.compiled, "held")
        if connection.vendor == "postgresql":
            sql = (
                f"EXISTS (SELECT 1 FROM {TABLE} AS held WHERE held.conversation_id = {pk} "
                f"AND held.kind IN {KINDS} AND held.vector @@ to_tsquery('simple', %s)"
                f"{languages} OFFSET 0)"
            )
            return sql, [*params, self.compiled.tsquery, *language_params]
        sql = (
            f"EXISTS (SELECT 1 FROM {TABLE} AS held JOIN {fulltext.FTS} ON "
            f"{fulltext.FTS}.rowid = held.id WHERE held.conversation_id = {pk} "
            f"AND held.kind IN {KINDS} AND {fulltext.FTS} MATCH %s{languages})"
        )
        return sql, [*params, self.compiled.fts5, *language_params]
