"""SQLite's recent index (`search.recent`): it holds exactly the entries from its floor on,
through every write, prune and reindex, and ranking in it gives what ranking an index of
only those entries would."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from socialdesk.accounts.models import Department, User
from socialdesk.core import changes
from socialdesk.inbox.models import Conversation, Message
from socialdesk.search import indexing, recent, selectors, windows
from socialdesk.search.kinds.base import Filters
from socialdesk.search.models import SearchEntry
from socialdesk.search.query import translate
from socialdesk.search.tests.world import MARK, build

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="the recent index is SQLite's (FTS5 statistics)"
    ),
]


def _counts(index: str, floor: int = 0) -> dict[str, int]:
    """Every term of `index` with the number of its entries from `floor` on, read through
    the FTS5 vocabulary (the whole index for search_fts, cut at the floor)."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, {index}, 'instance')")
        cursor.execute(
            "SELECT term, count(DISTINCT doc) FROM temp.v WHERE doc >= %s GROUP BY term", [floor]
        )
        counts = {term: int(n) for term, n in cursor.fetchall()}
        cursor.execute("DROP TABLE temp.v")
    return counts


def _in_step() -> int:
    """The recent index holds the same terms of the same entries as the whole index from the
    floor on (and nothing below it); returns the floor."""
    edge = recent.floor()
    assert edge is not None
    assert _counts(recent.FTS) == _counts("search_fts", edge)
    assert _counts(recent.FTS) == _counts(recent.FTS, edge)
    return edge


def _order(user: User, query: str, **options: Any) -> list[tuple[str, int, float]]:
    page = selectors.search(user, query, **options)
    return [(hit.kind, hit.object_id, hit.score) for hit in page.hits] + [("more", page.more, 0)]


def _new_message(text: str, external_id: str) -> Message:
    """A new message in the first conversation, told to the index as the services tell it."""
    older = Message.objects.order_by("pk").first()
    assert older is not None
    message = Message.objects.create(
        conversation=older.conversation,
        channel_account=older.channel_account,
        external_id=external_id,
        direction=older.direction,
        text=text,
        created_at=timezone.now(),
    )
    changes.changed("inbox.message", [message.pk])
    return message


def test_it_follows_every_write_prune_and_reindex(
    people: dict[str, User], departments: dict[str, Department]
) -> None:
    world = build(people, departments)
    indexing.reindex()
    assert _in_step() == 1  # a small installation: every entry is recent
    entries = SearchEntry.objects.count()
    # cut it to the newest three entries; new ones join, edits and deletions follow
    assert recent.refill(size=3) == 3
    edge = _in_step()
    assert SearchEntry.objects.filter(id__gte=edge).count() == 3
    message = _new_message("Lieferschein verschwunden", "new")
    assert _counts(recent.FTS).get("lieferschein") == 1
    message.text = "Frachtbrief verschwunden"
    message.save()
    changes.changed("inbox.message", [message.pk])
    gone = world.conversations["nobody"].pk
    Conversation.objects.filter(pk=gone).delete()
    changes.changed("inbox.conversation", [gone])
    assert SearchEntry.objects.count() < entries + 1
    _in_step()
    assert "lieferschein" not in _counts(recent.FTS) and _counts(recent.FTS)["frachtbrief"] == 1
    # pruned back to two once more than 2 + 1 lie above the floor
    assert recent.prune(size=2, slack=100) == 0
    moved = recent.prune(size=2, slack=0)
    assert moved == SearchEntry.objects.filter(id__gte=edge).count() - 2 > 0
    assert SearchEntry.objects.filter(id__gte=_in_step()).count() == 2
    # a reindex switches it off while it writes and refills it at the end
    seen: list[int | None] = []
    indexing.reindex(progress=lambda *args: seen.append(recent.floor()))
    assert set(seen) == {None}  # off while writing: ranked in the whole index
    assert _in_step() == 1  # fewer than RECENT entries: all of them
    indexing.reindex(offline=True)
    assert _counts(recent.FTS) == _counts("search_fts") != {}


def test_the_worker_prunes_only_when_it_holds_too_many(
    people: dict[str, User], departments: dict[str, Department], monkeypatch: pytest.MonkeyPatch
) -> None:
    build(people, departments)
    indexing.reindex()
    total = SearchEntry.objects.count()
    monkeypatch.setattr(recent, "RECENT", total - 2)
    monkeypatch.setattr(recent, "SLACK", 2)
    assert recent.has_work() is False
    monkeypatch.setattr(recent, "SLACK", 1)
    assert recent.has_work() is True
    assert recent.prune() == 2
    assert recent.has_work() is False
    _in_step()
    recent.switch_off()
    assert recent.floor() is None and recent.has_work() is False and recent.prune() == 0
    assert _counts(recent.FTS) == {}


def test_it_ranks_the_recent_entries_as_an_index_of_only_those_would(
    people: dict[str, User], departments: dict[str, Department], monkeypatch: pytest.MonkeyPatch
) -> None:
    world = build(people, departments)
    indexing.reindex()
    admin = world.people["admin"]
    for n in range(8):  # the newest entries; the word in some of them, texts of other lengths
        text = "Weichenstörung " * {1: 1, 4: 2, 6: 1}.get(n, 0) + "Gleis Anzeige " * (1 + n % 4)
        _new_message(text, f"new{n}")
    monkeypatch.setattr(windows, "CHUNK", 1)  # more matches than a chunk: the quick path
    keep = 8
    recent.refill(size=keep)
    edge = recent.floor()
    assert edge == SearchEntry.objects.order_by("-id").values_list("id", flat=True)[keep - 1]
    quick = _order(admin, "Weichenstörung", limit=2)
    assert len(quick) == 3 and len({score for _kind, _pk, score in quick[:-1]}) == 2
    # too few of a kind among the recent entries: the whole index answers, as the full statement
    held = set(SearchEntry.objects.filter(id__gte=edge).values_list("kind", flat=True))
    kinds = SearchEntry.objects.order_by("id").values_list("kind", flat=True)
    absent = next(kind for kind in kinds if kind not in held)
    asked = {"filters": Filters(kinds=(absent,)), "limit": 5}
    found = _order(admin, MARK, **asked)
    monkeypatch.setattr(windows, "by_relevance", lambda *args: None)
    assert found == _order(admin, MARK, **asked) != [("more", False, 0)]
    # an index of only the recent entries, ranked by the full statement: the same page
    SearchEntry.objects.filter(id__lt=edge).delete()
    assert _order(admin, "Weichenstörung", limit=2) == quick
    assert {(kind, pk) for kind, pk, _score in quick[:-1]} <= set(
        SearchEntry.objects.values_list("kind", "object_id")
    )


def test_the_whole_index_is_asked_only_when_the_recent_one_holds_too_few_matches(
    people: dict[str, User], departments: dict[str, Department], monkeypatch: pytest.MonkeyPatch
) -> None:
    world = build(people, departments)
    indexing.reindex()
    admin, member = world.people["admin"], world.people["member_cs"]
    entries = SearchEntry.objects.count()  # the mark is in every entry
    recent.refill(size=4)
    compiled = translate(MARK)

    def pages() -> list[list[tuple[str, int, float]]]:
        return [_order(user, MARK, limit=3) for user in (admin, member)]

    def full_statement() -> list[list[tuple[str, int, float]]]:
        with monkeypatch.context() as full:
            full.setattr(windows, "by_relevance", lambda *args: None)
            return pages()

    monkeypatch.setattr(windows, "CHUNK", 3)  # the 4 recent matches are enough
    edge, in_recent, in_whole = windows._probes(compiled)
    assert edge == recent.floor() and in_recent[1] is False and in_whole is None
    assert pages() == full_statement()
    monkeypatch.setattr(windows, "CHUNK", 5)  # too few there, more in the whole index
    _edge, in_recent, in_whole = windows._probes(compiled)
    assert in_recent[1] is True and in_whole is not None and in_whole[1] is False
    assert pages() == full_statement()
    monkeypatch.setattr(windows, "CHUNK", entries + 1)  # a rare word: the full statement
    assert windows._probes(compiled)[2] == (0, True)
    assert windows.by_relevance(compiled, "1 = 1", [], 3) is None
    recent.switch_off()  # no recent index: the whole index is asked
    monkeypatch.setattr(windows, "CHUNK", 1)
    edge, _in_recent, in_whole = windows._probes(compiled)
    assert edge is None and in_whole is not None and in_whole[1] is False
    assert pages() == full_statement()


def test_both_full_text_tables_gather_large_segments() -> None:
    """A reindex or a large import writes its terms in segments of HASHSIZE, not FTS5's
    1 MiB (half the time to rebuild a million entries; bench/bench_search.py)."""
    from socialdesk.search import fulltext

    with connection.cursor() as cursor:
        for table in fulltext.SQLITE_TABLES:
            cursor.execute(f"SELECT v FROM {table}_config WHERE k = 'hashsize'")
            assert cursor.fetchone() == (fulltext.HASHSIZE,)
