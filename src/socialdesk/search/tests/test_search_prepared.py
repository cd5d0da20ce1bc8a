"""PostgreSQL plans a person's permission condition once and keeps the plan (a prepared
statement, `core.db.prepared_cursor`): what changes between searches (room memberships,
hand-overs) still counts on the next search, the hits are those of the statement planned
afresh, and the settings a search chooses for finding matches never outlive it."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

import pytest
from django.db import connection, transaction

from socialdesk.accounts.models import Department, User
from socialdesk.search import indexing, selectors, windows
from socialdesk.search.tests.world import MARK, build
from socialdesk.spaces.models import Room, RoomMembership

pytestmark = pytest.mark.django_db

SETTINGS = ("work_mem", "enable_indexscan", "enable_bitmapscan", windows.SERIAL)


def _hits(user: User, query: str = MARK) -> list[tuple[str, int, float]]:
    return [(h.kind, h.object_id, h.score) for h in selectors.search(user, query, limit=50).hits]


def _prepared() -> list[tuple[str, int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans FROM pg_prepared_statements")
        return [(str(statement), int(generic)) for statement, generic in cursor.fetchall()]


def _shown() -> dict[str, str]:
    with connection.cursor() as cursor:
        return {name: _show(cursor, name) for name in SETTINGS}


def _show(cursor: Any, name: str) -> str:
    cursor.execute(f"SHOW {name}")
    return str(cursor.fetchone()[0])


@pytest.mark.parametrize("windowed", [True, False], ids=["windows", "full statement"])
def test_the_kept_plan_gives_the_hits_of_a_fresh_one_and_sees_new_memberships(
    people: dict[str, User],
    departments: dict[str, Department],
    monkeypatch: pytest.MonkeyPatch,
    windowed: bool,
) -> None:
    world = build(people, departments)
    indexing.reindex()
    if windowed:  # the few matches of this world through the chunked check
        monkeypatch.setattr(windows, "CHUNK", 1)
        if connection.vendor == "postgresql":
            monkeypatch.setattr(windows, "estimate", lambda c: (10_000.0, 10_000.0))
    mo = world.people["member_cs"]
    private = Room.objects.get(name=f"{MARK} private")
    for _ in range(8):  # PostgreSQL: past the five custom plans, the kept generic one
        before = _hits(mo)
    private_posts = {p.pk for p in private.posts.all()}
    assert not {oid for kind, oid, _s in before if kind == "room_post"} & private_posts

    RoomMembership.objects.create(room=private, user=mo)
    after = _hits(mo)
    assert {oid for kind, oid, _s in after if kind == "room_post"} >= private_posts

    monkeypatch.setattr(windows, "prepared_cursor", lambda conn: conn.cursor())
    monkeypatch.setattr(selectors, "prepared_cursor", lambda conn: conn.cursor())
    assert _hits(mo) == after  # planned afresh, bound on the client: the same hits

    if connection.vendor == "postgresql":
        kept = [(s, generic) for s, generic in _prepared() if "search_searchentry" in s]
        assert kept, "the permission statement is prepared"
        assert max(generic for _s, generic in kept) >= 1, "and runs its generic plan"
        assert not [s for s, _g in kept if "ts_rank(" in s and "ORDER BY id DESC" in s], (
            "a statement planned under the settings of one word is never kept for the next"
        )


@pytest.mark.parametrize(
    "in_transaction",
    [pytest.param(False, marks=pytest.mark.django_db(transaction=True)), True],
    ids=["alone", "in a transaction"],
)
def test_the_settings_for_finding_matches_end_with_the_search(
    people: dict[str, User],
    departments: dict[str, Department],
    monkeypatch: pytest.MonkeyPatch,
    in_transaction: bool,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no planner settings")
    world = build(people, departments)
    indexing.reindex()
    monkeypatch.setattr(windows, "CHUNK", 1)
    for thin in (True, False):  # both ways of finding matches
        matches = 100.0 if thin else 10_000.0
        monkeypatch.setattr(windows, "estimate", lambda c, m=matches: (m, 10_000.0))
        with transaction.atomic() if in_transaction else nullcontext():
            assert connection.in_atomic_block == in_transaction
            before = _shown()
            found = _hits(world.people["member_cs"])
            assert _shown() == before
        assert found, "the search found the member's hits"
    assert before[windows.SERIAL] != "0"  # the server's own value, not the search's
