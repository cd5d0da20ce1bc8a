"""PostgreSQL's index of the recent entries (`search.recent_gin`, kept by `search.recent`): made
once there are enough entries, moved up by the worker, set aside by a reindex, and a search
that finds its matches there gives the page the whole index gives."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from socialdesk.accounts.models import Department, User
from socialdesk.search import indexing, recent, recent_gin, selectors, windows
from socialdesk.search.models import SearchEntry
from socialdesk.search.query import translate
from socialdesk.search.tests.world import MARK, build

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the partial GIN index is PostgreSQL's"
    ),
]


def _recent_indexes() -> dict[str, str]:
    """Every recent index: name → its definition (valid ones only listed by the planner)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
            "AND indexname LIKE 'search\\_recent\\_%%'",
            [SearchEntry._meta.db_table],
        )
        return dict(cursor.fetchall())


def _nth_newest(n: int) -> int:
    return int(SearchEntry.objects.order_by("-id").values_list("id", flat=True)[n - 1])


def _indexed_to_hold_half(
    people: dict[str, User], departments: dict[str, Department], monkeypatch: pytest.MonkeyPatch
) -> int:
    """The search world indexed, and the recent index sized to hold its newer half as soon
    as it is built; returns how many entries there are."""
    build(people, departments)
    indexing.reindex()
    total = SearchEntry.objects.count()
    monkeypatch.setattr(recent, "RECENT", total // 2)
    monkeypatch.setattr(recent, "SLACK", 0)
    return total


def _order(user: User, query: str, **options: Any) -> list[tuple[str, int, float]]:
    page = selectors.search(user, query, **options)
    return [(hit.kind, hit.object_id, hit.score) for hit in page.hits] + [("more", page.more, 0)]


def test_it_is_made_over_the_newest_entries_and_moved_up_when_it_holds_too_many(
    people: dict[str, User], departments: dict[str, Department], monkeypatch: pytest.MonkeyPatch
) -> None:
    build(people, departments)
    indexing.reindex()
    total = SearchEntry.objects.count()
    assert recent.floor() is None and _recent_indexes() == {}  # few entries: none
    monkeypatch.setattr(recent, "RECENT", total // 2)
    monkeypatch.setattr(recent, "SLACK", total - total // 2)
    assert recent.has_work() is False  # not more than RECENT + SLACK
    monkeypatch.setattr(recent, "SLACK", total - total // 2 - 1)
    assert recent.has_work() is True
    assert recent.prune() == 0  # the first one: no entry left an older one
    edge = _nth_newest(total // 2)
    assert recent.floor() == edge and recent.has_work() is False
    definition = _recent_indexes()[f"{recent_gin.PREFIX}{edge}"]
    assert "USING gin (vector)" in definition and f"WHERE (id >= {edge})" in definition
    # fewer newest ones to hold: it moves up, and the old one goes
    monkeypatch.setattr(recent, "RECENT", total // 4)
    monkeypatch.setattr(recent, "SLACK", 1)
    assert recent.has_work() is True
    higher = _nth_newest(total // 4)
    assert recent.prune() == SearchEntry.objects.filter(id__gte=edge, id__lt=higher).count() > 0
    assert recent.floor() == higher
    assert list(_recent_indexes()) == [f"{recent_gin.PREFIX}{higher}"]
    # a reindex sets it aside while it writes and makes it again at the end
    seen: list[int | None] = []
    indexing.reindex(progress=lambda *args: seen.append(recent.floor()))
    assert set(seen) == {None}
    assert recent.floor() == _nth_newest(total // 4)
    indexing.reindex(offline=True)  # its indexes set aside and made again: this one anew
    assert list(_recent_indexes()) == [f"{recent_gin.PREFIX}{_nth_newest(total // 4)}"]
    recent.switch_off()
    assert recent.floor() is None and _recent_indexes() == {}


def test_a_search_finds_the_same_page_in_it_as_in_the_whole_index(
    people: dict[str, User], departments: dict[str, Department], monkeypatch: pytest.MonkeyPatch
) -> None:
    world = build(people, departments)
    indexing.reindex()
    total = SearchEntry.objects.count()
    monkeypatch.setattr(windows, "CHUNK", 1)  # more matches than a chunk: the quick path
    monkeypatch.setattr(windows, "SPARSE", 0)  # every word sparse: found in a GIN index
    monkeypatch.setattr(recent, "RECENT", total // 2)
    admin, member = world.people["admin"], world.people["member"]
    queries = [MARK, f"{MARK} -ticket", f'"{MARK}"']
    first = SearchEntry.objects.filter(kind="message").order_by("id")[0]  # below the edge,
    first.at = timezone.now() + timedelta(days=1)  # dated after every other (history
    first.save(update_fields=["at"])  # imported late): first when newest come first
    assert selectors.search(admin, MARK, order="newest").hits[0].object_id == first.object_id
    wanted = {
        (who.pk, query, limit, order): _order(who, query, limit=limit, order=order)
        for who in (admin, member)
        for query in queries
        for limit in (2, total)  # the recent entries alone, and every one
        for order in ("relevance", "newest")
    }
    recent.refill()  # not over RECENT + SLACK entries: none
    assert recent.floor() is None
    monkeypatch.setattr(recent, "SLACK", 0)
    assert recent.refill() == total // 2 and recent.floor() == _nth_newest(total // 2)
    monkeypatch.setattr(recent, "RECENT", total // 2 - 2)  # the index is older than that
    asked: list[Any] = []  # the edges the quick paths asked for (by rank; by date)

    def noted(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql == windows._NEWEST_RANKED_POSTGRES:
            asked.append(("rank", params[1]))
        elif "m.id >= %s" in sql:
            asked.append(("date", params[1]))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(noted):
        found = {
            (who, query, limit, order): _order(
                User.objects.get(pk=who), query, limit=limit, order=order
            )
            for who, query, limit, order in wanted
        }
    assert found == wanted
    assert any(len(page) > 2 for page in found.values())
    edge = recent.floor()  # from the recent index's own edge first
    assert ("rank", edge) in asked and ("date", edge) in asked


def test_the_newest_matches_of_a_rare_word_are_read_from_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The plan of the quick path (`windows._NEWEST_RANKED_POSTGRES` from the recent index's
    edge, as `_by_relevance_postgres` asks it) with 20,000 entries, a word in one of 500."""
    table = SearchEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (kind, object_id, at, title_terms, body_terms, parts, "
            "language, stale, indexed_at) SELECT 'filler', n, now(), '', CASE WHEN mod(n, 500) = 0 "
            "THEN 'selten wort' ELSE 'haeufig wort' END, '', '', false, now() "
            "FROM generate_series(1, 20000) AS n"
        )
    monkeypatch.setattr(recent, "SLACK", 5_000)
    recent.refill(size=10_000)
    edge, compiled = recent.floor(), translate("selten")
    assert edge == _nth_newest(10_000)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
        with windows._reading_matches(thin=True):
            cursor.execute(
                f"EXPLAIN {windows._NEWEST_RANKED_POSTGRES}",
                [compiled.tsquery, edge, windows.RANKED, compiled.tsquery],
            )
            plan = "\n".join(row[0] for row in cursor.fetchall())
    assert f"Bitmap Index Scan on {recent_gin.PREFIX}{edge}" in plan, plan
    assert "search_entry_vector" not in plan, plan  # not the whole index
    # each match's row is read once, where it was found, and ranked there: joined to the
    # table again by id, with index scans off for a sparse word, every entry was read
    assert plan.count(f" on {table}") == 1 and "Seq Scan" not in plan, plan


@pytest.mark.django_db(transaction=True)
def test_the_worker_builds_it_without_holding_writers_up(
    people: dict[str, User], departments: dict[str, Department], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside a transaction (the worker's task) it is built and dropped CONCURRENTLY."""
    total = _indexed_to_hold_half(people, departments, monkeypatch)
    statements: list[str] = []

    def noted(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(sql)
        return execute(sql, params, many, context)

    assert not connection.in_atomic_block
    with connection.execute_wrapper(noted):
        recent.prune()
    edge = _nth_newest(total // 2)
    assert recent.floor() == edge
    assert f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {recent_gin.PREFIX}{edge}" in "\n".join(
        statements
    )
    monkeypatch.setattr(recent, "RECENT", total // 4)
    statements.clear()
    with connection.execute_wrapper(noted):
        recent.prune()
    dropped = f'DROP INDEX CONCURRENTLY IF EXISTS "{recent_gin.PREFIX}{edge}"'
    made = next(n for n, sql in enumerate(statements) if sql.startswith("CREATE INDEX"))
    assert statements.index(dropped) > made  # the old one served while the new one was built
    assert list(_recent_indexes()) == [f"{recent_gin.PREFIX}{_nth_newest(total // 4)}"]
    recent.switch_off()


def _second_session() -> psycopg.Connection[Any]:
    """Another connection to the test database, as another worker would hold."""
    settings = connection.settings_dict
    return psycopg.connect(
        dbname=settings["NAME"], user=settings["USER"], password=settings["PASSWORD"],
        host=settings["HOST"], port=settings["PORT"] or 5432, autocommit=True,
    )  # fmt: skip


def _other_session_locks() -> bool:
    """Whether another session gets the recent index's lock now (and gives it back)."""
    with _second_session() as other:
        row = other.execute("SELECT pg_try_advisory_lock(%s)", [recent_gin.LOCK]).fetchone()
        held = bool(row and row[0])
        if held:
            other.execute("SELECT pg_advisory_unlock(%s)", [recent_gin.LOCK])
        return held


def test_one_session_builds_it_at_a_time_and_none_while_a_reindex_has_it_off(
    people: dict[str, User], departments: dict[str, Department], monkeypatch: pytest.MonkeyPatch
) -> None:
    total = _indexed_to_hold_half(people, departments, monkeypatch)
    assert _other_session_locks() is True
    with _second_session() as other:
        other.execute("SELECT pg_advisory_lock(%s)", [recent_gin.LOCK])  # building there
        assert recent.has_work() is True
        assert recent.prune() == 0 and recent.floor() is None  # left to that session
        other.execute("SELECT pg_advisory_unlock(%s)", [recent_gin.LOCK])
    recent.prune()
    assert recent.floor() == _nth_newest(total // 2)
    recent.switch_off()  # a bulk write begins: dropped, and held off
    assert recent.floor() is None and _other_session_locks() is False
    assert recent.prune() == 0 and recent.floor() is None  # the worker waits for the refill
    assert recent.refill() == total // 2
    assert recent.floor() == _nth_newest(total // 2) and _other_session_locks() is True
