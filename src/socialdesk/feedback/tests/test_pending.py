"""The inbound messages waiting to be classified are a queue kept by triggers (`pending.py`),
on SQLite and PostgreSQL: whatever stores, classifies or deletes a message keeps it right, and
the worker's look for new work reads the queue, never every message."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from socialdesk.channels.models import ChannelAccount
from socialdesk.core import triggers
from socialdesk.core.db import insert_rows, reserve_ids
from socialdesk.feedback import pending
from socialdesk.feedback.models import Classification, PendingMessage
from socialdesk.feedback.understanding import classify_new
from socialdesk.inbox.importing.pipeline import MESSAGE_FIELDS
from socialdesk.inbox.models import Conversation, Direction, Message

WRITTEN = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def _pending() -> set[int]:
    return set(PendingMessage.objects.values_list("message_id", flat=True))


def _unclassified() -> set[int]:
    """Recomputed independently: every inbound message without a classification."""
    return set(
        Message.objects.filter(direction=Direction.INBOUND, classification__isnull=True)
        .values_list("pk", flat=True)
    )  # fmt: skip


@pytest.fixture
def conversation(db: None) -> Conversation:
    account = ChannelAccount.objects.create(network="webhook", handle="shop")
    return Conversation.objects.create(channel_account=account)


def _message(conversation: Conversation, n: int, direction: str = Direction.INBOUND) -> Message:
    return Message.objects.create(
        conversation=conversation, channel_account=conversation.channel_account,
        external_id=f"m{n}", direction=direction, text="Wo bleibt meine Lieferung?",
        created_at=WRITTEN,
    )  # fmt: skip


def test_what_is_stored_classified_or_deleted_keeps_the_queue_right(conversation) -> None:
    asked, _answered, other = (
        _message(conversation, n, d) for n, d in enumerate(["in", "out", "in"])
    )
    assert _pending() == {asked.pk, other.pk} == _unclassified()  # our own reply: never
    Classification.objects.create(message=asked, sentiment="negative")  # a person's, say
    assert _pending() == {other.pk} == _unclassified()
    Classification.objects.filter(message=asked).delete()  # the message stays: pending again
    assert _pending() == {asked.pk, other.pk} == _unclassified()
    other.delete()
    assert _pending() == {asked.pk} == _unclassified()
    conversation.delete()  # with its messages
    assert _pending() == set() == _unclassified()


def test_a_bulk_insert_as_the_import_writes_is_queued_too(conversation) -> None:
    ids = reserve_ids(Message, 3)
    fields = ["id", *MESSAGE_FIELDS]  # as the import stores them
    rows = [
        [pk, conversation.pk, conversation.channel_account_id, f"b{pk}", direction, "kim", None,
         "Hallo", WRITTEN, None, "", False, "de", WRITTEN, {}]
        for pk, direction in zip(ids, ["in", "out", "in"], strict=True)
    ]  # fmt: skip
    insert_rows(Message, fields, rows)  # COPY on PostgreSQL, one prepared INSERT on SQLite
    assert _pending() == {ids[0], ids[2]} == _unclassified()


def test_a_bulk_insert_queues_its_rows_in_one_statement_and_the_trigger_comes_back(
    conversation,
) -> None:
    ids = reserve_ids(Message, 40)
    rows = [
        [pk, conversation.pk, conversation.channel_account_id, f"b{pk}", "in" if pk % 2 else
         "out", "kim", None, "Hallo", WRITTEN, None, "", False, "de", WRITTEN, {}]
        for pk in ids
    ]  # fmt: skip
    with transaction.atomic():
        with triggers.bulk_insert(pending.MESSAGES, ids):
            insert_rows(Message, ["id", *MESSAGE_FIELDS], rows)
            assert _pending() == set()  # no trigger row by row: queued at the block's end
        later = _message(conversation, 99)  # the same transaction, after the bulk insert
    assert pending.installed() == set(pending.TRIGGERS)
    assert _pending() == {pk for pk in ids if pk % 2} | {later.pk} == _unclassified()
    # registered when the app starts, as every process (the import command's) does
    assert triggers.suspendable(pending.MESSAGES) == {"feedback_pending_message_added_v1"}


def test_a_history_import_queues_the_customers_messages(db: None, tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["tweet_id", "author_id", "inbound", "created_at", "text",
                         "response_tweet_id", "in_response_to_tweet_id"])  # fmt: skip
        for n in range(1, 7, 2):
            writer.writerow([str(n), f"50{n}", "True", "Mon Mar 02 08:00:00 +0000 2026",
                             "Ticketkauf kaputt", str(n + 1), ""])  # fmt: skip
            writer.writerow([str(n + 1), "Nord", "False", "Mon Mar 02 08:30:00 +0000 2026",
                             f"@50{n} Wir helfen", "", f"{n}.0"])  # fmt: skip
    call_command("import", "--format", "twcs", str(path), stdout=StringIO(), stderr=StringIO())
    assert Message.objects.count() == 6
    assert len(_pending()) == 3 and _pending() == _unclassified()
    assert pending.installed() == set(pending.TRIGGERS)


def test_the_worker_classifies_the_newest_first_and_empties_the_queue(conversation) -> None:
    made = [_message(conversation, n) for n in range(5)]
    assert classify_new(limit=2) == 2
    newest = {m.pk for m in made[-2:]}
    assert set(Classification.objects.values_list("message_id", flat=True)) == newest
    assert _pending() == {m.pk for m in made[:3]} == _unclassified()
    PendingMessage.objects.create(message_id=made[-1].pk + 1000)  # its message went unseen
    assert classify_new() == 3
    assert _pending() == set() == _unclassified()


def test_with_nothing_to_do_the_worker_reads_the_queue_and_no_message(conversation) -> None:
    _message(conversation, 1)
    classify_new()
    with CaptureQueriesContext(connection) as queries:
        assert classify_new() == 0
    reads = [q["sql"] for q in queries.captured_queries if "SELECT" in q["sql"]]
    assert reads and all(pending.TABLE in sql for sql in reads)
    assert not any(pending.MESSAGES in sql for sql in reads)


def test_triggers_a_migration_dropped_are_made_again_and_the_queue_listed_anew(
    conversation,
) -> None:
    pending.drop()  # as a SQLite migration rebuilding the message table does
    missed = _message(conversation, 1)
    assert _pending() == set()
    assert pending.ensure()  # as `migrate` runs it
    assert pending.installed() == set(pending.TRIGGERS)
    assert _pending() == {missed.pk} == _unclassified()
    assert not pending.ensure()  # all there: nothing to do


@pytest.mark.django_db(transaction=True)
def test_undone_the_queue_and_its_triggers_go_and_redone_it_lists_what_waits() -> None:
    account = ChannelAccount.objects.create(network="webhook", handle="shop")
    conversation = Conversation.objects.create(channel_account=account)
    executor = MigrationExecutor(connection)
    executor.migrate([("feedback", "0004_classification_department_assignee")])
    assert pending.installed() == set()
    assert not pending.ensure()  # without its table: no trigger made
    waiting = _message(conversation, 1)  # messages are stored without it
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert pending.ensure()
    assert _pending() == {waiting.pk}
