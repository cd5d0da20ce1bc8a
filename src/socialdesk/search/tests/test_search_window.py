"""The fast paths (`search.windows`: the engine ranks the newest matches alone and their best
are checked until enough are permitted; newest first walks the entries by date) give the same
hits in the same order as the full statement."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from socialdesk.accounts.models import Department, User
from socialdesk.search import dated, fulltext, indexing, recent, selectors, windows
from socialdesk.search.kinds.base import Filters
from socialdesk.search.models import SearchEntry
from socialdesk.search.query import translate
from socialdesk.search.tests.world import MARK, build

pytestmark = pytest.mark.django_db


def _order(user: User, query: str, **options: Any) -> list[tuple[str, int, float]]:
    page = selectors.search(user, query, **options)
    return [(hit.kind, hit.object_id, hit.score) for hit in page.hits] + [("more", page.more, 0)]


def _where(user: User, filters: Filters) -> tuple[str, tuple[Any, ...]]:
    """The person's compiled permission condition, as the search splices it."""
    departments = tuple(sorted(user.departments.values_list("pk", flat=True)))
    found = selectors._where_for(user.pk, user.role, True, filters, None, frozenset(), departments)
    return found or ("", ())


def _nth_newest_match(query: str, n: int) -> int:
    """The id of the `n`-th newest entry matching `query` (0: fewer)."""
    compiled = translate(query)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT id FROM {SearchEntry._meta.db_table} WHERE vector @@ "
                "to_tsquery('simple', %s) ORDER BY id DESC LIMIT 1 OFFSET %s",
                [compiled.tsquery, n - 1],
            )
        else:
            cursor.execute(
                "SELECT rowid FROM search_fts WHERE search_fts MATCH %s "
                "ORDER BY rowid DESC LIMIT 1 OFFSET %s",
                [compiled.fts5, n - 1],
            )
        found = cursor.fetchone()
    return int(found[0]) if found else 0


def test_it_pages_by_relevance_as_the_full_statement_does(
    people: dict[str, User], departments: dict[str, Department], monkeypatch: pytest.MonkeyPatch
) -> None:
    world = build(people, departments)
    indexing.reindex()
    asked: list[tuple[str, dict[str, Any]]] = [
        (MARK, {"limit": 3}),
        (MARK, {"limit": 2, "offset": 4}),
        ("ticket", {"limit": 1}),
        (MARK, {"limit": 5, "filters": Filters(kinds=("message", "room_post", "wiki_page"))}),
    ]
    monkeypatch.setattr(windows, "CHUNK", 1)  # the smallest chunk: it must grow
    windowed = {
        (name, n): _order(user, query, **options)
        for name, user in world.people.items()
        for n, (query, options) in enumerate(asked)
    }
    monkeypatch.setattr(windows, "by_relevance", lambda *args: None)
    full = {
        (name, n): _order(user, query, **options)
        for name, user in world.people.items()
        for n, (query, options) in enumerate(asked)
    }
    assert windowed == full
    assert len(full["admin", 0]) == 4  # three hits and "more"


def test_it_gives_up_on_a_window_that_grows_too_wide(
    people: dict[str, User], departments: dict[str, Department], monkeypatch: pytest.MonkeyPatch
) -> None:
    world = build(people, departments)
    indexing.reindex()
    monkeypatch.setattr(windows, "CHUNK", 1)  # more matches than a chunk: not "a rare word"
    monkeypatch.setattr(windows, "RANKED", 1)
    monkeypatch.setattr(windows, "RANKED_MAX", 4)
    viewer = world.people["viewer"]
    asked: dict[str, Any] = {"filters": Filters(kinds=("room",)), "limit": 5}
    widened = _order(viewer, MARK, **asked)
    compiled = translate(MARK)
    where, params = _where(viewer, asked["filters"])
    assert windows.by_relevance(compiled, where, list(params), 6) is None  # gave up
    monkeypatch.setattr(windows, "by_relevance", lambda *args: None)
    assert widened == _order(viewer, MARK, **asked)


def test_it_ranks_only_the_newest_matches_of_a_word_in_most_documents(
    people: dict[str, User], departments: dict[str, Department], monkeypatch: pytest.MonkeyPatch
) -> None:
    world = build(people, departments)
    indexing.reindex()
    admin = world.people["admin"]
    everything = selectors.search(admin, MARK, limit=100).hits
    monkeypatch.setattr(windows, "CHUNK", 2)
    monkeypatch.setattr(windows, "RANKED", 4)  # only the 4 newest matches are ranked
    newest = selectors.search(admin, MARK, limit=3)
    assert len(newest.hits) == 3 and newest.more
    assert {(h.kind, h.object_id) for h in newest.hits} <= {
        (h.kind, h.object_id) for h in everything
    }
    floor = _nth_newest_match(MARK, 16)  # at most one widening for her
    ids = {
        pk
        for pk, kind, object_id in SearchEntry.objects.values_list("id", "kind", "object_id")
        if (kind, object_id) in {(h.kind, h.object_id) for h in newest.hits}
    }
    assert min(ids) >= floor > 0  # only the newest matches were ranked
    # a person who may see few of them: the ranked part grows until enough are permitted
    roomie = world.people["roomie"]
    posts = selectors.search(roomie, MARK, filters=Filters(kinds=("room_post",)), limit=5)
    assert len(posts.hits) == 2


def _few(query: str) -> bool:
    """Whether the word has fewer matches than a chunk (SQLite counts them with `probe`, as
    the search does)."""
    compiled = translate(query)
    return (
        windows.probe(compiled, 4)[1]
        if connection.vendor == "sqlite"
        else (_nth_newest_match(query, windows.CHUNK) == 0)
    )


@pytest.mark.parametrize("order", ["relevance", "newest"])
def test_a_rare_word_is_answered_by_the_full_statement_alone(
    people: dict[str, User],
    departments: dict[str, Department],
    monkeypatch: pytest.MonkeyPatch,
    order: str,
) -> None:
    """A word with fewer matches than a chunk: SQLite asks the whole index once, then the full
    statement answers; PostgreSQL reads the matches and checks their ids in one statement. Either
    way the page is the full statement's, and the windows give it too once there are more."""
    world = build(people, departments)
    indexing.reindex()
    admin, member = world.people["admin"], world.people["member_cs"]
    matches = SearchEntry.objects.count()  # at least as many as the mark has matches
    monkeypatch.setattr(windows, "CHUNK", matches + 1)
    assert _few(MARK) is True  # fewer matches than a chunk
    with CaptureQueriesContext(connection) as asked:
        few = [_order(user, MARK, limit=3, order=order) for user in (admin, member)]
    statements = [q["sql"] for q in asked]
    if connection.vendor == "sqlite" and order == "relevance":  # one statement per person:
        assert recent.floor() is not None  # the full one, whose LIMIT asks the recent index
        matching = [sql for sql in statements if " MATCH " in sql]  # and the whole one
        assert len(matching) == 2
        assert all(f"{fulltext.FTS} MATCH" in sql for sql in matching)
        assert all(f"{recent.FTS} MATCH" in sql and "LIMIT (SELECT CASE" in sql
                   for sql in matching)  # fmt: skip
        with CaptureQueriesContext(connection) as asked:  # nothing the person may see:
            found = _order(world.people["roomie"], "Ticketkauf", limit=3, order=order)
        assert found == [("more", False, 0)]  # no hit
        matching = [q["sql"] for q in asked if " MATCH " in q["sql"]]  # the windows find it
        assert len(matching) == 3  # rare, and the full statement answers
    if connection.vendor == "postgresql":  # per person one statement: the estimate, the
        read = [sql for sql in statements if "to_tsquery" in sql]  # matches and the page
        assert len(read) == 2
        assert all(f"{fulltext.MATCHES}(q)" in sql for sql in read)
    with monkeypatch.context() as full_statement:
        full_statement.setattr(windows, "by_relevance", lambda *args: None)
        full_statement.setattr(dated, "by_date", lambda *args: None)
        assert [_order(user, MARK, limit=3, order=order) for user in (admin, member)] == few
    assert len(few[0]) == 4  # three hits and "more"
    monkeypatch.setattr(windows, "CHUNK", 1)
    assert _few(MARK) is False
    compiled = translate(MARK)
    where, params = _where(admin, Filters())
    assert windows.by_relevance(compiled, where, list(params), 3) is not None
    assert [_order(user, MARK, limit=3, order=order) for user in (admin, member)] == few


def test_a_rare_words_page_under_every_filter_is_the_full_statements(
    people: dict[str, User], departments: dict[str, Department], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rare word's statement checks the permissions and filters on the matches it read
    (PostgreSQL: their columns under the table's name); each filter narrows the page as the
    full statement does, for a manager and for a department member."""
    world = build(people, departments)
    indexing.reindex()
    monkeypatch.setattr(windows, "CHUNK", SearchEntry.objects.count() + 1)
    assert _few(MARK) is True
    admin, member = world.people["admin"], world.people["member_cs"]
    newest = SearchEntry.objects.order_by("-at").values_list("at", flat=True).first()
    assert newest is not None
    narrowed = [
        Filters(kinds=("message", "wiki_page")),
        Filters(department_id=departments["Customer Service"].pk),
        Filters(channel_id=world.account.pk),
        Filters(author_id=admin.pk),
        Filters(since=newest),
        Filters(until=newest),
    ]
    pages = {
        (str(f), who.pk): _order(who, MARK, limit=50, filters=f)
        for f in narrowed
        for who in (admin, member)
    }
    assert len({tuple(page) for page in pages.values()}) > 3  # the filters do narrow
    monkeypatch.setattr(windows, "by_relevance", lambda *args: None)  # the full statement
    for f in narrowed:
        for who in (admin, member):
            assert _order(who, MARK, limit=50, filters=f) == pages[(str(f), who.pk)], f


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's rare-word statement")
def test_a_word_not_rare_is_not_read_by_the_rare_words_statement(
    people: dict[str, User], departments: dict[str, Department], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The statement that answers a rare word reads none of a frequent word's matches (its
    rare test gates the scan), and says so: the windows then answer, with its estimate."""
    world = build(people, departments)
    indexing.reindex()
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {SearchEntry._meta.db_table}")
    admin = world.people["admin"]
    compiled = translate(MARK)  # in most entries
    where, params = _where(admin, Filters())
    monkeypatch.setattr(windows, "CHUNK", 1)  # more matches than a chunk
    frequent = windows._few_postgres(compiled, where, list(params), 3, "relevance")
    entries = SearchEntry.objects.count()
    assert frequent.rows is None and frequent.read == 0
    assert (frequent.matches, frequent.entries) == windows.estimate(compiled)
    assert frequent.entries == entries
    monkeypatch.setattr(windows, "RARE", 10 * entries)  # now it counts as rare
    monkeypatch.setattr(windows, "CHUNK", entries + 1)
    rare = windows._few_postgres(compiled, where, list(params), 3, "relevance")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {SearchEntry._meta.db_table} "
            "WHERE vector @@ to_tsquery('simple', %s)",
            [compiled.tsquery],
        )
        assert rare.read == cursor.fetchone()[0] > 3  # every match read, the best three kept
    assert rare.rows is not None and len(rare.rows) == 3
    monkeypatch.setattr(windows, "CHUNK", rare.read)  # as many matches as a chunk: not few
    assert windows._few_postgres(compiled, where, list(params), 3, "relevance").rows is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's estimate function")
@pytest.mark.parametrize("text", ["it's", "o''brien", "drop' table x", '"a\'b c"', "l'été"])
def test_the_estimate_takes_any_query_as_a_value(
    people: dict[str, User], departments: dict[str, Department], text: str
) -> None:
    """The estimate function quotes the query it plans (quotes in a search are words), and the
    rare-word statement that asks it runs."""
    build(people, departments)
    indexing.reindex()
    before = SearchEntry.objects.count()
    compiled = translate(text)
    assert compiled.tsquery  # the words reach the function
    matches, entries = windows.estimate(compiled)
    assert matches >= 0 and entries == before
    selectors.search(people["admin"], text)  # the rare-word statement asks it too
    assert SearchEntry.objects.count() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan for a sparse word")
def test_a_sparse_word_read_from_the_gin_index_gives_the_same_page(
    people: dict[str, User], departments: dict[str, Department], monkeypatch: pytest.MonkeyPatch
) -> None:
    world = build(people, departments)
    indexing.reindex()
    monkeypatch.setattr(windows, "CHUNK", 1)  # more matches than a chunk: the quick path
    admin = world.people["admin"]
    compiled = translate(MARK)
    assert windows.sparse(compiled) is False  # the mark is in every entry
    walked = _order(admin, MARK, limit=3)
    monkeypatch.setattr(windows, "SPARSE", 0)  # every word is sparse now
    assert windows.sparse(compiled) is True
    assert _order(admin, MARK, limit=3) == walked
    with connection.cursor() as cursor:  # the settings hold only for those statements
        for name, default in (("enable_indexscan", "on"), ("enable_bitmapscan", "on")):
            cursor.execute(f"SHOW {name}")
            assert cursor.fetchone()[0] == default, name
        cursor.execute("SHOW work_mem")
        assert cursor.fetchone()[0] != windows.WORK_MEM


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner estimates")
def test_the_estimate_holds_when_the_planner_shares_the_scan_among_workers(
    people: dict[str, User], departments: dict[str, Department]
) -> None:
    """The word's estimate and the count of entries (which decide whether a word is rare) are
    the same whether the planner would scan alone or share the scan among parallel workers
    (whose own plan nodes count only a worker's share)."""
    build(people, departments)
    indexing.reindex()
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {SearchEntry._meta.db_table}")
    compiled = translate(MARK)
    alone = windows.estimate(compiled)
    with connection.cursor() as cursor:  # in the test's transaction: parallel plans cost nothing
        # (and reading pages neither: pages left by earlier tests' rolled-back rows would
        # otherwise outweigh what the workers save on so few rows)
        for name in ("parallel_setup_cost", "parallel_tuple_cost", "min_parallel_table_scan_size",
                     "seq_page_cost"):  # fmt: skip
            cursor.execute(f"SET LOCAL {name} = 0")
        cursor.execute(
            f"EXPLAIN SELECT 1 FROM {SearchEntry._meta.db_table} UNION ALL "
            f"SELECT 1 FROM {SearchEntry._meta.db_table}"
        )
        assert "Gather" in cursor.fetchone()[0]  # the planner shares scans now
    assert windows.estimate(compiled) == alone
    entries = SearchEntry.objects.count()
    assert alone[1] == entries and 0 < alone[0] <= entries


def test_the_recent_entries_are_ranked_first_and_the_rest_when_they_hold_too_few(
    people: dict[str, User], departments: dict[str, Department], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both databases rank a word first among about the newest `recent.RECENT` entries
    (SQLite: its recent index; PostgreSQL: the ids from `windows.recent_edge` on), and only
    when those hold too few that the person may see, among all."""
    world = build(people, departments)
    indexing.reindex()
    entries = SearchEntry.objects.count()
    monkeypatch.setattr(recent, "RECENT", entries // 2)
    if connection.vendor == "sqlite":
        recent.refill()  # with that many
    edge = recent.floor() if connection.vendor == "sqlite" else windows.recent_edge()
    assert edge is not None and edge > SearchEntry.objects.order_by("id")[0].pk
    monkeypatch.setattr(windows, "CHUNK", 1)  # more matches than a chunk: not "a rare word"
    admin = world.people["admin"]
    page = selectors.search(admin, MARK, limit=3)
    ids = dict(
        ((kind, object_id), pk)
        for pk, kind, object_id in SearchEntry.objects.values_list("id", "kind", "object_id")
    )
    assert len(page.hits) == 3
    assert all(ids[h.kind, h.object_id] >= edge for h in page.hits)  # all recent ones
    # asked for more than the recent entries hold: the whole index answers, as in full
    wide = _order(admin, MARK, limit=entries)
    monkeypatch.setattr(windows, "by_relevance", lambda *args: None)
    assert wide == _order(admin, MARK, limit=entries)
    assert any(ids[kind, pk] < edge for kind, pk, _score in wide[:-1])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's rare-word statement")
def test_a_word_estimated_at_one_in_rare_entries_is_read_alone(
    people: dict[str, User], departments: dict[str, Department], monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL estimates a word missing from its statistics at most at one in 200 entries,
    rounded to whole entries (at 13 million entries: 65,332 of 13,066,386): that estimate
    counts as rare, so its matches are read at once, at 13 million entries as at 100,000. An
    estimate more than one entry above it does not."""
    world = build(people, departments)
    indexing.reindex()
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {SearchEntry._meta.db_table}")
    admin = world.people["admin"]
    compiled = translate("Ticketkauf")  # in one entry
    where, params = _where(admin, Filters())
    matches, entries = windows.estimate(compiled)
    assert matches >= 2  # the statistics' guess for a word they do not hold
    monkeypatch.setattr(windows, "CHUNK", 1)  # the estimate is not below a chunk
    monkeypatch.setattr(windows, "RARE", -(-int(entries) // int(matches)))  # rounded up
    assert entries <= matches * windows.RARE < entries + windows.RARE  # one in RARE, rounded
    at_the_cap = windows._few_postgres(compiled, where, list(params), 3, "relevance")
    assert at_the_cap.read == 1  # read: the statement called it rare
    monkeypatch.setattr(windows, "RARE", -(-int(entries) // int(matches - 1)))
    assert (matches - 1) * windows.RARE >= entries  # more than one in RARE, beyond rounding
    assert windows._few_postgres(compiled, where, list(params), 3, "relevance").read == 0
