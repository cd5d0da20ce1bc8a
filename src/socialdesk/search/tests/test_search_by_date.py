"""Newest first (`search.dated.by_date`): the newest matches by id are dated, and the older
entries dated after the page's last are looked up by date, so history imported after newer
entries (high ids, old dates) never pushes the newest hits off the page; the page equals the
one statement that dates every match."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from socialdesk.accounts.models import Department, User
from socialdesk.inbox.models import Direction, Message
from socialdesk.search import dated, indexing, recent, windows
from socialdesk.search.kinds.base import Filters
from socialdesk.search.models import SearchEntry
from socialdesk.search.query import translate
from socialdesk.search.tests.test_search_window import _order, _where
from socialdesk.search.tests.world import MARK, build

pytestmark = pytest.mark.django_db


def _newest_with_ranks(user: User, query: str, limit: int) -> list[tuple[str, int, float]]:
    """Newest first as one statement that ranks every match (the way before), for comparison."""
    where, params = _where(user, Filters())
    table, compiled = SearchEntry._meta.db_table, translate(query)
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT kind, object_id, {windows.RANK_POSTGRES} FROM {table}, "
            f"to_tsquery('simple', %s) AS q WHERE vector @@ q AND ({where}) "
            f"ORDER BY at DESC, id DESC LIMIT {limit}"
        )
        first: list[Any] = [compiled.tsquery]
    else:
        sql = (
            f"SELECT kind, object_id, -{windows.RANK_SQLITE.format(table='search_fts')} "
            f"FROM search_fts JOIN {table} ON {table}.id = search_fts.rowid "
            f"WHERE search_fts MATCH %s AND ({where}) ORDER BY at DESC, {table}.id DESC "
            f"LIMIT {limit}"
        )
        first = [compiled.fts5]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*first, *params])
        return [(kind, int(pk), round(float(rank), 4)) for kind, pk, rank in cursor.fetchall()]


def test_newest_first_gives_the_dates_order_and_the_ranks_of_the_full_statement(
    people: dict[str, User], departments: dict[str, Department]
) -> None:
    world = build(people, departments)
    indexing.reindex()
    for query in (MARK, "ticket"):  # in every entry (ranks near 0), in a few
        for name in ("admin", "member_cs", "roomie"):
            user = world.people[name]
            expected = _newest_with_ranks(user, query, 6)
            assert _order(user, query, order="newest", limit=6)[:-1] == expected, name
    admin = world.people["admin"]
    ranked = _newest_with_ranks(admin, "ticket", 6)
    assert len(ranked) >= 2 and all(score > 0 for *_key, score in ranked)
    if connection.vendor == "sqlite":  # the page reaches below the recent index: ranked one by one
        recent.refill(size=2)
        assert _order(admin, "ticket", order="newest", limit=6)[:-1] == ranked


def _spied(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Records whether `by_date` answered (True) or left the page to the full statement."""
    answered: list[bool] = []
    by_date = dated.by_date

    def spy(*args: Any) -> Any:
        found = by_date(*args)
        answered.append(found is not None)
        return found

    monkeypatch.setattr(dated, "by_date", spy)
    return answered


def test_history_imported_later_does_not_push_the_newest_hits_off_the_page(
    people: dict[str, User], departments: dict[str, Department], monkeypatch: pytest.MonkeyPatch
) -> None:
    world = build(people, departments)
    indexing.reindex()
    long_ago = timezone.now() - timedelta(days=400)
    for n in range(6):  # imported after the rest: the highest ids, the oldest dates
        Message.objects.create(
            conversation=world.conversations["service"],
            channel_account=world.account,
            external_id=f"archive-{n}",
            direction=Direction.INBOUND,
            text=f"{MARK} aus dem Archiv {n}",
            created_at=long_ago + timedelta(minutes=n),
            language="de",
        )
    indexing.refresh("inbox.message", tuple(_archived()))  # as the import's writes do
    archive = set(SearchEntry.objects.order_by("-id").values_list("id", flat=True)[:6])
    imported = SearchEntry.objects.filter(kind="message", object_id__in=_archived())
    assert set(imported.values_list("id", flat=True)) == archive
    monkeypatch.setattr(windows, "CHUNK", 1)  # PostgreSQL: not "a rare word"
    answered = _spied(monkeypatch)
    # (newest dated first, most entries dated later, most dated at all): the last gives up
    for newest, late_max, most in ((2, 100, 10**6), (4, 100, 10**6), (2, 1, 10**6), (2, 1, 8)):
        monkeypatch.setattr(dated, "DATED", newest)
        monkeypatch.setattr(dated, "LATE_MAX", late_max)
        monkeypatch.setattr(windows, "RANKED_MAX", most)
        for name in ("admin", "member_cs", "roomie"):
            user = world.people[name]
            expected = _newest_with_ranks(user, MARK, 5)
            answered.clear()
            assert _order(user, MARK, order="newest", limit=5)[:-1] == expected, (newest, name)
            if name == "admin":  # she sees more than a page of newer hits than the archive's
                assert not {("message", pk) for pk in _archived()} & {e[:2] for e in expected}
                assert answered == [most > 8], (newest, late_max)
        offset = _order(world.people["admin"], MARK, order="newest", limit=2, offset=3)[:-1]
        assert offset == _newest_with_ranks(world.people["admin"], MARK, 5)[3:]


def _archived() -> list[int]:
    return list(
        Message.objects.filter(external_id__startswith="archive-").values_list("id", flat=True)
    )


def test_an_entry_dated_later_below_the_newest_ids_is_found_by_its_date(
    people: dict[str, User], departments: dict[str, Department], monkeypatch: pytest.MonkeyPatch
) -> None:
    world = build(people, departments)
    indexing.reindex()
    oldest = Message.objects.order_by("created_at").first()
    assert oldest is not None
    oldest.created_at = timezone.now() + timedelta(hours=1)  # corrected later: a later date
    oldest.save()
    indexing.refresh("inbox.message", (oldest.pk,))  # as the service's write does
    entry = SearchEntry.objects.get(kind="message", object_id=oldest.pk)
    assert entry.id < max(SearchEntry.objects.values_list("id", flat=True))  # a low id
    monkeypatch.setattr(windows, "CHUNK", 1)
    monkeypatch.setattr(dated, "DATED", 2)
    answered = _spied(monkeypatch)
    admin = world.people["admin"]
    page = _order(admin, MARK, order="newest", limit=3)
    assert page[0][:2] == ("message", oldest.pk)  # the latest date comes first
    assert page[:-1] == _newest_with_ranks(admin, MARK, 3)
    assert answered == [True]
