# ruff: noqa: S608 - the statements join constants of this module and SQL Django compiled
"""The quick ways to a page of hits, without weighing every match of a frequent word.

`search.selectors` splices the person's permission condition into one full statement (every
match, ranked or dated, then cut); that is exact and quick for a word in few documents, and
what these functions fall back to (they return None). For a word in very many documents:
- by relevance: only the RANKED newest matches (entry ids follow time) are ranked, by the
  full-text engine alone; their best are checked against the permissions CHUNK at a time;
  the range widens ×4 while it holds too few the person may see (up to RANKED_MAX).
  On SQLite they are ranked in the recent index (`search.recent`) while the range lies
  within it, and the matches it holds come first: a frequent word's statistics are counted
  there, not among a million entries.
Where the range covers every match (and the recent index every entry), it gives the same
rows in the same order as the full statement would (tests compare them).
Newest first: `search.dated`.
A rare word, in either order: SQLite asks the whole index whether it has fewer than CHUNK
matches, and the full statement answers (by relevance, the full statement is asked first, its
LIMIT 0 unless the word is rare, `rare_limit`; then `_probes` asks the recent index and, only
when that holds fewer, the whole one); PostgreSQL, in one prepared statement, asks the
planner's estimate (`fulltext.MATCHES`) and, for a word it calls rare, reads up to CHUNK of
its matches and, when that is all, checks their ids (`_few_postgres`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from socialdesk.core.db import prepared_cursor
from socialdesk.search import fulltext, recent, recent_gin
from socialdesk.search.models import SearchEntry
from socialdesk.search.query import BODY, PARTS, TITLE, Compiled

CHUNK = 200  # the best matches checked against the permissions at once; then ×8
RANKED = 2_000  # the newest matches ranked by relevance; ×4 while too few are permitted
# (10,000 took 45 ms on PostgreSQL, which reads each match's row to rank it, and on SQLite
# 36 ms for a phrase, whose word positions FTS5 reads; 2,000 take a quarter of that)
RANKED_MAX = 160_000  # more to rank than that: the full statement answers
RANK_SQLITE = "bm25({table}, 10.0, 3.0, 1.0)"
RANK_POSTGRES = "ts_rank('{0.1, 0.2, 0.4, 1.0}', vector, q, 32)"  # by the words' frequency
# and field, as bm25 on SQLite (and Django's SearchRank); ts_rank_cd's cover density (the
# words' nearness) cost 40 % more: ranking 1,700 matches of three words took 22 ms, not 14
TABLE = SearchEntry._meta.db_table
RARE = 200  # PostgreSQL: a word in at most one of this many entries, give or take one (or
# fewer than CHUNK) is first read alone. One missing from the statistics' most common gets half
# the least common one's share, but at most 0.5 % (DEFAULT_TS_MATCH_SEL): one in 200, rounded
# to whole entries; at 13 million entries the strict "fewer than" called every such word
# frequent, and its search took another path than at 100,000 (bench_scale)
SPARSE = 20  # PostgreSQL: a word in fewer than one of this many entries is "sparse"
WORK_MEM = "16MB"  # PostgreSQL: for the exact bitmap of a sparse word's matches
SERIAL = "max_parallel_workers_per_gather"  # 0: starting a parallel worker for a few
# hundred matches took 3 ms, most of the statement


# SQLite: the id of the so-many-th newest match in an FTS5 index (NULL: fewer matches)
_NTH = "(SELECT rowid FROM {0} WHERE {0} MATCH %s ORDER BY rowid DESC LIMIT 1 OFFSET %s)"


def rare_limit(compiled: Compiled) -> tuple[str, list[Any]]:
    """SQLite: a LIMIT of %s rows when the whole index holds fewer than CHUNK matches (a rare
    word), else 0: SQLite works out a statement's LIMIT before it reads a row, and a LIMIT of
    0 reads none (in WHERE, the subquery was asked again for every match). A frequent word is
    first looked for among the recent entries: CHUNK there end it."""
    recent_nth, whole_nth = _NTH.format(recent.FTS), _NTH.format(fulltext.FTS)
    return (
        f"(SELECT CASE WHEN {recent_nth} IS NOT NULL THEN 0 WHEN {whole_nth} IS NULL THEN %s "
        "ELSE 0 END)",
        [compiled.fts5, CHUNK - 1, compiled.fts5, CHUNK - 1],
    )


def probe(compiled: Compiled, newest: int, index: str = fulltext.FTS) -> tuple[int, bool]:
    """SQLite, in one statement: the lowest id among the `newest` newest matches in `index`
    (0: not more than that), and whether there are fewer than CHUNK matches at all."""
    nth = _NTH.format(index)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {nth}, {nth}", [compiled.fts5, newest - 1, compiled.fts5, CHUNK - 1]
        )
        floor, enough = cursor.fetchone()
    return int(floor or 0), enough is None


def _probes(compiled: Compiled) -> tuple[int | None, tuple[int, bool], tuple[int, bool] | None]:
    """SQLite, in one statement: the recent index's floor (None: switched off), what `probe`
    gives for RANKED in the recent index, and in the whole index, but only when the recent
    one holds fewer than CHUNK matches (None: not asked; more in the recent entries means
    more in all). A frequent word is not looked up in the whole index unless its recent
    matches hold too few the person may see (three words ANDed: 4.5 ms of a page's 36)."""
    recent_nth, whole_nth = _NTH.format(recent.FTS), _NTH.format(fulltext.FTS)
    with connection.cursor() as cursor:
        cursor.execute(  # CASE asks the whole index only when the recent one holds few
            f"WITH r AS MATERIALIZED (SELECT ({recent.FLOOR_NOW}) AS edge, {recent_nth} AS "
            f"floor, {recent_nth} AS enough) SELECT edge, floor, enough, CASE WHEN enough IS "
            f"NULL THEN {whole_nth} END, CASE WHEN enough IS NULL THEN {whole_nth} END FROM r",
            [compiled.fts5, RANKED - 1, compiled.fts5, CHUNK - 1] * 2,
        )
        edge, floor, enough, whole_floor, whole_enough = cursor.fetchone()
    in_recent = (int(floor or 0), enough is None)
    in_whole = (int(whole_floor or 0), whole_enough is None) if enough is None else None
    return recent.usable(edge), in_recent, in_whole


def sparse(compiled: Compiled) -> bool:
    """PostgreSQL: whether the planner's statistics put the word in fewer than one of SPARSE
    entries (see `_reading_matches`)."""
    return _thin(*estimate(compiled))


def _thin(matches: float, entries: float) -> bool:
    return matches * SPARSE < entries


def estimate(compiled: Compiled) -> tuple[float, float]:
    """PostgreSQL: the planner's estimate of the entries holding the word (from the statistics
    of the last ANALYZE: the word's frequency among the most common ones), and of all entries
    (as of the last ANALYZE), in one statement (`fulltext.MATCHES`). The top of a plan counts
    every row, even when parallel workers share it (their own nodes count a worker's
    share)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_ESTIMATE}", [compiled.tsquery])
        matches, entries = cursor.fetchone()
    return float(matches), float(entries)


_ESTIMATE = (
    f"{fulltext.MATCHES}(to_tsquery('simple', %s)) AS matches, (SELECT greatest(reltuples, 0) "
    f"FROM pg_class WHERE oid = '{TABLE}'::regclass) AS entries"
)


def _edges() -> tuple[int, int | None]:
    """PostgreSQL: the highest entry id (for `recent_edge`) and the edge of the partial index
    of the recent entries (`search.recent_gin`; None: there is none), in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT (SELECT max(id) FROM {TABLE}), ({recent_gin.FLOOR})")
        newest, floor = cursor.fetchone()
    return int(newest or 0), None if floor is None else int(floor)


class Few(NamedTuple):
    """PostgreSQL: what `_few_postgres` found: the page (None: not a rare word, or CHUNK
    matches or more), the estimate of the word's matches and of all entries, and how many
    matches were read (none unless the statistics call the word rare)."""

    rows: list[tuple[Any, ...]] | None
    matches: float
    entries: float
    read: int


# The query reaches the scan as a subquery's value (`(SELECT q FROM s)`), so the planner
# prices a custom plan as the generic one (its default share of matches) and keeps the
# generic plan: planning a word's own (2.6 ms, the permissions' subqueries) took longer
# than the rest. That plan reads the matches from the GIN index, the one plan fit for a
# rare word.
_FEW_RANK = RANK_POSTGRES.replace(" q,", " (SELECT q FROM s),")
# The matches carry every column a condition reads (all but the texts, which none reads), and
# the condition is checked on them under the table's name, instead of reading each match's
# row a second time by its id (a member's rare word, median 1.31 → 1.03 ms at 1.4 million).
_CONDITIONED = ", ".join(
    str(field.column)
    for field in SearchEntry._meta.concrete_fields
    if field.name not in (TITLE, BODY, PARTS)
)
_FEW = (
    "WITH s AS MATERIALIZED (SELECT q, matches, entries, matches < <chunk> OR matches * <rare> < "
    f"entries + <rare> AS rare FROM (SELECT q, {fulltext.MATCHES}(q) AS matches, (SELECT "
    f"greatest(reltuples, 0) FROM pg_class WHERE oid = '{TABLE}'::regclass) AS entries "
    "FROM to_tsquery('simple', %s) AS q) AS e), "
    f"m AS MATERIALIZED (SELECT {_CONDITIONED}, {_FEW_RANK} AS rank FROM {TABLE} "
    "WHERE vector @@ (SELECT q FROM s) AND (SELECT rare FROM s) LIMIT <chunk>) "
    "SELECT s.matches, s.entries, s.rare, (SELECT count(*) FROM m), p.id, p.kind, "
    f"p.object_id, p.rank FROM s LEFT JOIN LATERAL (SELECT id, kind, object_id, rank "
    f"FROM m AS {TABLE} WHERE (<where>) ORDER BY <order> LIMIT %s) AS p ON true"
)
_FEW_ORDER = {"relevance": "rank DESC, id", "newest": "at DESC, id DESC"}


def _few(where: str, order: str) -> str:
    """`_FEW` for this condition and order, CHUNK and RARE written in: a LIMIT that is a
    value made the planner price the generic plan for a tenth of all entries, and it kept
    planning each search anew."""
    sql = _FEW.replace("<chunk>", str(int(CHUNK))).replace("<rare>", str(int(RARE)))
    return sql.replace("<order>", _FEW_ORDER[order]).replace("<where>", where)  # where last


def _few_postgres(
    compiled: Compiled, where: str, params: list[Any], wanted: int, order: str
) -> Few:
    """PostgreSQL, in one prepared statement: the planner's estimate of the word's matches
    (`estimate`); when that calls it rare, up to CHUNK of them read from the GIN index and
    ranked, and, when that is all of them, the page the full statement would give (rank,
    then id; or date, then id, newest first; each with its rank), checked against the
    permissions by their ids. A word not rare is not read at all: the rare test is a
    subquery PostgreSQL asks once, before the scan (a one-time filter). Four round trips
    took 2.1 ms for a member and a word in 26 entries, this one 0.9 ms; the full statement
    itself weighed the permissions for the planner's guess of the matches (hashing all
    49,000 conversations of a member's department for 26 matches). Prepared: planning the
    permissions took 2.6 ms; the kept generic plan reads the matches from the GIN index (the
    only plan fit for a rare word). PostgreSQL keeps it only while it costs no more than the
    custom plans: at 1.4 million entries its read of 200 matches was priced 694, a sequential
    scan's 3,061; the scan would win only beyond about 40 million entries, and would then cost
    more than any word's custom plan, which PostgreSQL would go on making."""
    with prepared_cursor(connection) as cursor:
        cursor.execute(_few(where, order), [compiled.tsquery, *params, wanted])
        found = cursor.fetchall()
    matches, entries, rare, read = found[0][:4]
    few = Few(None, float(matches), float(entries), int(read))
    if not rare or read >= CHUNK:
        return few
    return few._replace(rows=[tuple(row[4:]) for row in found if row[4] is not None])


@contextmanager
def _reading_matches(thin: bool) -> Iterator[None]:
    """How PostgreSQL finds a word's newest matches, chosen for it (SET LOCAL, in a savepoint;
    the planner's own choice at a million entries was a bitmap of every match, turned lossy
    by the default work_mem, and rechecking 80,000 rows took 130 ms):
    - a word in at least one of SPARSE entries: walk the primary key backwards and test each
      entry (a word in 7 % of a million: 2,000 matches in 35 ms);
    - a rarer word: read its matches from the GIN index, with work_mem enough for an exact
      bitmap (walking would read most of the index for it).
    And no parallel workers (SERIAL). Outside a transaction the settings end with the one
    this opens; inside one they are reset at the end."""
    settings = {"work_mem": WORK_MEM, "enable_indexscan": "off"} if thin else {}
    settings = (settings or {"enable_bitmapscan": "off"}) | {SERIAL: "0"}
    outermost = not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(  # SET LOCAL, in one statement
            "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in settings),
            [value for pair in settings.items() for value in pair],
        )
        yield
        if not outermost:  # the transaction goes on (a savepoint); quicker than one
            for name in settings:  # set_config over pg_settings
                cursor.execute(f"RESET {name}")


def ranked(
    cursor: CursorWrapper, compiled: Compiled, floor: int, index: str = fulltext.FTS
) -> Callable[[int], list[tuple[int, float]]]:
    """SQLite: rank the matches in `index` (the whole index or the recent one, whose
    statistics are the recent entries') with an id ≥ `floor`, without any condition: FTS5
    ranks them on its own, never reading the entries' rows, and sorts them (rank, then id, as
    the full statement sorts). Returns the function that reads the next so many, best first:
    every match is weighed once, but only as many are read as are asked for."""
    cursor.execute(  # bm25: lower is better
        f"SELECT rowid, {RANK_SQLITE.format(table=index)} FROM {index} "
        f"WHERE {index} MATCH %s AND rowid >= %s ORDER BY 2, 1",
        [compiled.fts5, floor],
    )
    return lambda size: [(int(pk), -float(rank)) for pk, rank in cursor.fetchmany(size)]


# The newest matches carry their vectors out of the scan that found them and are ranked
# there. Found by id first and joined to their rows again, the second read of each row was
# most of the statement: with a sparse word's settings (no index scans) the join read the
# whole table (at 136,000 entries 37 ms for 2,000 matches, now 6 ms; at 13 million 13 → 9 ms,
# and 128,000 matches 5.5 → 2.8 s).
_NEWEST_RANKED_POSTGRES = (
    f"SELECT newest.id, {RANK_POSTGRES.replace('vector', 'newest.vector')} AS rank FROM "
    f"(SELECT id, vector FROM {TABLE} WHERE vector @@ to_tsquery('simple', %s) AND id >= %s "
    "ORDER BY id DESC LIMIT %s) AS newest, to_tsquery('simple', %s) AS q ORDER BY 2 DESC, 1"
)


def recent_edge(newest: int | None = None) -> int | None:
    """PostgreSQL: the lowest id of about the newest `recent.RECENT` entries (ids follow
    time; a few deleted ones make it a few more), None when there are not more entries than
    that. What SQLite's recent index holds, without keeping a second index. `newest`: the
    highest id, when known."""
    if newest is None:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT max(id) FROM {TABLE}")
            newest = int(cursor.fetchone()[0] or 0)
    edge = newest - recent.RECENT + 1
    return edge if edge > 1 else None


def _by_relevance_postgres(
    compiled: Compiled, where: str, params: list[Any], wanted: int
) -> list[tuple[Any, ...]] | None:
    """PostgreSQL: see `by_relevance`; a word the statistics call rare is first read alone
    (`_few_postgres`)."""
    few = _few_postgres(compiled, where, params, wanted, "relevance")
    if few.rows is not None:
        return few.rows
    thin = _thin(few.matches, few.entries)
    newest, floor = _edges()
    edge = recent_edge(newest) if floor is None else floor  # its own edge: no other condition
    if edge is not None:
        found = _widening_postgres(compiled, where, params, wanted, edge, thin)
        if found is not None and len(found) >= wanted:
            return found
    return _widening_postgres(compiled, where, params, wanted, 0, thin)


def _widening_postgres(
    compiled: Compiled, where: str, params: list[Any], wanted: int, edge: int, thin: bool
) -> list[tuple[Any, ...]] | None:
    """PostgreSQL: the newest RANKED matches from id `edge` on found and ranked in
    one statement (the matches and their vectors are read once), ×4 while too few are
    permitted. `thin`: a sparse word (`_reading_matches`)."""
    newest = RANKED
    while newest <= RANKED_MAX:
        with connection.cursor() as cursor:
            with _reading_matches(thin):
                cursor.execute(
                    _NEWEST_RANKED_POSTGRES, [compiled.tsquery, edge, newest, compiled.tsquery]
                )
            every = cursor.rowcount < newest
            found = _first_permitted(
                lambda size: [(int(pk), float(rank)) for pk, rank in cursor.fetchmany(size)],
                where,
                params,
                wanted,
            )
        if len(found) >= wanted or every:
            return found
        newest *= 4
    return None


def ranks_of(compiled: Compiled, ids: list[int]) -> dict[int, float]:
    """The rank of these few matches (a page sorted by date), as the full statement ranks.
    SQLite: when they all lie in the recent index, every match from the lowest on is ranked
    there at once; else each is ranked in the whole index (FTS5 counts a term's documents
    again for each: some ms apiece)."""
    if not ids:
        return {}
    listed = ", ".join(str(int(pk)) for pk in ids)  # integers only
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT id, {RANK_POSTGRES} FROM {TABLE}, to_tsquery('simple', %s) AS q "
                f"WHERE id IN ({listed})",
                [compiled.tsquery],
            )
            return {int(pk): float(rank) for pk, rank in cursor.fetchall()}
        edge = recent.floor()
        if edge is not None and min(ids) >= edge:
            index, where = recent.FTS, f"rowid >= {min(ids)}"
        else:
            index, where = fulltext.FTS, f"rowid IN ({listed})"
        cursor.execute(
            f"SELECT rowid, {RANK_SQLITE.format(table=index)} FROM {index} "
            f"WHERE {index} MATCH %s AND {where}",
            [compiled.fts5],
        )
        wanted = set(ids)
        return {int(pk): -float(rank) for pk, rank in cursor.fetchall() if pk in wanted}


def permitted(ids: list[int], where: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """Which of these entries the condition lets through (id, kind, object id). On
    PostgreSQL a prepared statement: planning the condition's subqueries took 2–3 ms, ten
    times its run over a chunk of ids (so the ids are a value, not part of its text)."""
    if connection.vendor == "postgresql":
        among, first = "= ANY(%s)", [[int(pk) for pk in ids]]
    else:  # integers only
        among, first = f"IN ({', '.join(str(int(pk)) for pk in ids)})", []
    with prepared_cursor(connection) as cursor:
        cursor.execute(
            f"SELECT {TABLE}.id, {TABLE}.kind, {TABLE}.object_id FROM {TABLE} "
            f"WHERE {TABLE}.id {among} AND ({where})",
            [*first, *params],
        )
        return list(cursor.fetchall())


def by_relevance(
    compiled: Compiled, where: str, params: list[Any], wanted: int
) -> list[tuple[Any, ...]] | None:
    """The first `wanted` permitted rows by relevance (rank, then id, as the full statement
    sorts) among the RANKED newest matches (all of them when there are not more), that
    number growing ×4 while it holds fewer than `wanted` permitted ones: ranking every match
    of a word in most documents costs more than a person waits. The matches among the recent
    entries come first (SQLite: ranked in their own small index, `search.recent`, with its
    statistics, not a million entries'; PostgreSQL: those from `recent_edge` on, about as
    many, whose vectors are all that is read); only when they hold too few permitted ones is
    the whole index ranked. None: fewer than CHUNK matches (SQLite; PostgreSQL answers those
    itself when its statistics call the word rare), or more than RANKED_MAX to rank (the full
    statement answers)."""
    if connection.vendor == "postgresql":
        return _by_relevance_postgres(compiled, where, params, wanted)
    edge, in_recent, in_whole = _probes(compiled)
    if in_whole is not None and in_whole[1]:  # a rare word: one statement answers
        return None
    if edge is not None:  # first the recent entries, in their own small index
        found = _widening(compiled, where, params, wanted, recent.FTS, edge, in_recent)
        if found is not None and len(found) >= wanted:
            return found
    return _widening(compiled, where, params, wanted, fulltext.FTS, 0, in_whole)


def _widening(
    compiled: Compiled,
    where: str,
    params: list[Any],
    wanted: int,
    index: str,
    edge: int,
    probed: tuple[int, bool] | None = None,
) -> list[tuple[Any, ...]] | None:
    """SQLite: by relevance among the newest RANKED matches in `index`, ×4 while too few
    are permitted. None: fewer than CHUNK matches, or more than RANKED_MAX to rank. Fewer
    than `wanted`: every match of the index was weighed. `probed`: what `probe` gave for
    the first range (RANKED) of this index."""
    newest = RANKED
    while newest <= RANKED_MAX:
        floor, few = probed if probed and newest == RANKED else probe(compiled, newest, index)
        if few:  # a rare word: the full statement weighs these few at once
            return None
        found = _in_range(compiled, where, params, wanted, max(floor, edge), index)
        if len(found) >= wanted or floor == 0:
            return found
        newest *= 4
    return None


def _in_range(
    compiled: Compiled, where: str, params: list[Any], wanted: int, floor: int, index: str
) -> list[tuple[Any, ...]]:
    """SQLite: the first `wanted` permitted rows among the matches from `floor` on."""
    with connection.cursor() as cursor:
        return _first_permitted(ranked(cursor, compiled, floor, index), where, params, wanted)


def _first_permitted(
    following: Callable[[int], list[tuple[int, float]]],
    where: str,
    params: list[Any],
    wanted: int,
) -> list[tuple[Any, ...]]:
    """The first `wanted` permitted rows, best first: the ranked matches are read CHUNK at a
    time (each chunk ×8 the last) and checked against the permissions until enough are
    permitted (one chunk, mostly, for one who sees most)."""
    rows: list[tuple[Any, ...]] = []
    size = max(CHUNK, wanted)
    while len(rows) < wanted:
        best = following(size)
        if not best:
            break
        rank_of = dict(best)
        rows += sorted(
            ((pk, kind, object_id, rank_of[pk]) for pk, kind, object_id in
             permitted(list(rank_of), where, params)),
            key=lambda row: (-row[3], row[0]),
        )  # fmt: skip
        size *= 8
    return rows[:wanted]
