"""A reindex gives entries ids in time order across kinds, so "the newest matches" that a very
frequent word is ranked among are the newest by date, not the kinds read last."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from socialdesk.accounts.models import Department, User
from socialdesk.core import changes
from socialdesk.inbox.models import Conversation, Message
from socialdesk.search import indexing, selectors
from socialdesk.search.models import SearchEntry
from socialdesk.search.registry import KINDS
from socialdesk.search.tests.world import MARK, build

pytestmark = pytest.mark.django_db(transaction=True)


def _ids_by_time() -> list[tuple[datetime, int]]:
    return list(SearchEntry.objects.order_by("id").values_list("at", "id"))


@pytest.mark.parametrize("jobs", [1, 2])
def test_entry_ids_follow_the_dates_whatever_the_kind(
    people: dict[str, User], departments: dict[str, Department], jobs: int
) -> None:
    world = build(people, departments)
    now = timezone.now()
    # the first kind read (conversations) holds the newest, the last (people) the oldest
    newest = next(iter(world.conversations.values()))
    Conversation.objects.filter(pk=newest.pk).update(last_message_at=now + timedelta(days=30))
    oldest = people["viewer"]
    User.objects.filter(pk=oldest.pk).update(date_joined=now - timedelta(days=3_000))
    first_message = Message.objects.order_by("pk")[0]
    Message.objects.filter(pk=first_message.pk).update(created_at=now - timedelta(days=1_000))
    result = indexing.reindex(jobs=jobs)
    # PostgreSQL: the data is committed (transactional test), so `jobs` processes read it;
    # SQLite in memory: no other process can open it, so one reads it all
    # (tests/test_reindex_processes.py runs two on a SQLite file)
    assert result.processes == (jobs if connection.vendor == "postgresql" else 1)
    ordered = _ids_by_time()
    assert len(ordered) > 20
    assert [at for at, _id in ordered] == sorted(at for at, _id in ordered)
    first, last = SearchEntry.objects.order_by("id")[0], SearchEntry.objects.order_by("-id")[0]
    assert (first.kind, first.object_id) == ("person", oldest.pk)
    assert (last.kind, last.object_id) == ("conversation", newest.pk)
    # and a search still finds what it found before
    assert selectors.search(people["admin"], MARK, limit=100).hits


def test_what_is_not_committed_yet_is_reindexed_by_this_process(
    people: dict[str, User], departments: dict[str, Department]
) -> None:
    """Inside an open transaction, other processes would not see its writes: the reindex
    then reads everything itself, and indexes what the transaction wrote."""
    world = build(people, departments)
    conversation = next(iter(world.conversations.values()))
    with transaction.atomic():
        message = Message.objects.create(
            conversation=conversation,
            channel_account=conversation.channel_account,
            external_id="uncommitted",
            text="Quittungsdrucker klemmt",
            created_at=timezone.now(),
        )
        SearchEntry.objects.filter(kind="message", object_id=message.pk).delete()
        result = indexing.reindex(jobs=2)
        assert result.processes == 1
        assert SearchEntry.objects.filter(kind="message", object_id=message.pk).exists()
        hits = selectors.search(people["admin"], "Quittungsdrucker", limit=10).hits
        assert [(h.kind, h.object_id) for h in hits] == [("message", message.pk)]


def test_a_reindex_over_an_index_keeps_the_ids_and_rewrites_the_terms(
    people: dict[str, User], departments: dict[str, Department]
) -> None:
    build(people, departments)
    indexing.reindex()
    before = list(SearchEntry.objects.order_by("id").values_list("id", "kind", "body_terms"))
    assert sum(1 for _id, _kind, terms in before if terms) > 10
    SearchEntry.objects.update(body_terms="")
    indexing.reindex()
    assert (
        list(SearchEntry.objects.order_by("id").values_list("id", "kind", "body_terms")) == before
    )


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's planner statistics after a reindex"
)
def test_a_reindex_leaves_the_planner_statistics_of_the_words(
    people: dict[str, User], departments: dict[str, Department]
) -> None:
    build(people, departments)

    def last_analysed() -> Any:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = %s",
                [SearchEntry._meta.db_table],
            )
            return cursor.fetchone()[0]

    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        before = cursor.fetchone()[0]
    assert (last_analysed() or before) <= before
    indexing.reindex()
    assert last_analysed() > before  # the most common words and their frequencies, anew


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_entry_is_dated_at_its_message_or_conversation(
    people: dict[str, User], departments: dict[str, Department], jobs: int
) -> None:
    """Newest first and the date filters read the entry's time: a message's is when it was
    written, a conversation's its last message's (or its creation, without messages), to the
    microsecond, whole seconds too (read as the database's text, written back as it is)."""
    world = build(people, departments)
    whole = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # no fraction of a second
    fraction = datetime(2026, 10, 25, 2, 59, 59, 999_999, tzinfo=UTC)
    first, second = Message.objects.order_by("pk")[:2]
    Message.objects.filter(pk=first.pk).update(created_at=whole)
    Message.objects.filter(pk=second.pk).update(created_at=fraction)
    quiet = next(iter(world.conversations.values()))
    Conversation.objects.filter(pk=quiet.pk).update(last_message_at=None, created_at=fraction)
    indexing.reindex(jobs=jobs)
    entries = dict(
        ((kind, pk), at)
        for kind, pk, at in SearchEntry.objects.values_list("kind", "object_id", "at")
    )
    messages = dict(Message.objects.values_list("pk", "created_at"))
    assert {pk: entries["message", pk] for pk in messages} == messages
    assert (entries["message", first.pk], entries["message", second.pk]) == (whole, fraction)
    conversations = {
        pk: last or created
        for pk, last, created in Conversation.objects.values_list(
            "pk", "last_message_at", "created_at"
        )
    }
    assert {pk: entries["conversation", pk] for pk in conversations} == conversations
    assert entries["conversation", quiet.pk] == fraction


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's form of a time")
@given(st.datetimes(timezones=st.timezones()))
def test_a_reindex_writes_times_as_django_writes_them_on_sqlite(value: datetime) -> None:
    django_writes = connection.ops.adapt_datetimefield_value(value)
    assert indexing._sqlite_time(value) == django_writes


def test_ranges_cover_keys_spread_far_apart_in_few_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Processes read a kind range by range; keys far apart (most objects deleted) must not
    make a million empty ranges, and every object must lie in one."""
    from socialdesk.inbox.models import Contact
    from socialdesk.search.registry import KINDS

    monkeypatch.setattr(indexing, "CHUNK", 2)
    for pk in (5, 6, 7, 10**9, 10**9 + 5):
        Contact.objects.create(pk=pk, display_name=f"Kundin {pk}")
    ranges = indexing._ranges(KINDS["contact"])
    pks = list(KINDS["contact"].objects().values_list("pk", flat=True))
    assert len(ranges) <= len(pks)  # not (10**9 / 2) of them
    for pk in pks:
        assert sum(low <= pk < high for low, high in ranges) == 1
    # close keys: plain steps
    Contact.objects.filter(pk__gte=10**9).delete()
    assert indexing._ranges(KINDS["contact"]) == [(5, 7), (7, 9)]


def test_a_reindex_keeps_hostile_values_as_they_are(
    people: dict[str, User], departments: dict[str, Department]
) -> None:
    """The stage is written with COPY on PostgreSQL: tabs, backslashes, quotes and line
    breaks in a value must arrive as they are (they are COPY's own marks)."""
    world = build(people, departments)
    conversation = next(iter(world.conversations.values()))
    odd = "d\\N\t'\n\""
    message = Message.objects.create(
        conversation=conversation,
        channel_account=conversation.channel_account,
        external_id="odd",
        text="Gepäckträger \\N \\. \t Ende",
        language=odd,
        created_at=timezone.now(),
    )
    result = indexing.reindex(jobs=2)
    assert result.documents > 20
    entry = SearchEntry.objects.get(kind="message", object_id=message.pk)
    assert entry.language == odd[:8]
    assert entry.body_terms.split() == ["gepacktrag", "n", "end"]
    hits = selectors.search(people["admin"], "Gepäckträger", limit=5).hits
    assert [(h.kind, h.object_id) for h in hits] == [("message", message.pk)]


def test_a_reindex_removes_the_entries_of_objects_gone_meanwhile(
    people: dict[str, User], departments: dict[str, Department]
) -> None:
    world = build(people, departments)
    indexing.reindex()
    gone = list(Message.objects.order_by("pk").values_list("pk", flat=True)[:2])
    with changes.muted():  # deleted without the index hearing of it (a raw cleanup, a crash)
        Message.objects.filter(pk__in=gone).delete()
    assert SearchEntry.objects.filter(kind="message", object_id__in=gone).count() == 2
    done = indexing.reindex()
    assert done.removed == 2
    assert not SearchEntry.objects.filter(kind="message", object_id__in=gone).exists()
    admin = world.people["admin"]
    hits = selectors.search(admin, MARK, limit=100).hits
    assert not {h.object_id for h in hits if h.kind == "message"} & set(gone)
    if connection.vendor == "postgresql":  # an anti-join, never NOT IN over a list
        plan = indexing.orphans(KINDS["message"]).explain()
        assert "Anti Join" in plan and "NOT (ANY" not in plan, plan
