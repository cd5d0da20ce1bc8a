"""Two writers and the worker's compaction at the same moment (PostgreSQL: real transactions).

The count of waiting conversations (`inbox.waiting`) is kept by rows that triggers insert,
never by updating a shared one: a worker storing items into one account's conversations does
not wait for another worker's open transaction, the compaction neither, and nothing either
of them counted is lost or counted twice."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection, connections, transaction

from socialdesk.channels.models import ChannelAccount
from socialdesk.inbox import waiting
from socialdesk.inbox.models import Conversation

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL pass"),
]

NOW = datetime(2026, 12, 6, 9, tzinfo=UTC)


def _no_waiting_for_locks() -> None:
    """A statement that would wait for another transaction's row lock fails at once."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL lock_timeout = '2s'")


def test_writers_and_the_compaction_never_wait_for_each_other_and_lose_nothing() -> None:
    account = ChannelAccount.objects.create(network="mastodon", handle="faehre")
    first, second, third = (Conversation.objects.create(channel_account=account) for _ in range(3))
    Conversation.objects.filter(pk=third.pk).update(waiting_for_us_since=NOW)  # committed
    wrote, done = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def open_writer() -> None:
        """A worker's transaction: the customer of `first` wrote; it commits only later."""
        try:
            with transaction.atomic():
                Conversation.objects.filter(pk=first.pk).update(waiting_for_us_since=NOW)
                wrote.set()
                assert done.wait(30), "the other writer did not finish"
        except BaseException as error:  # reported by the test below
            errors.append(error)
            wrote.set()
        finally:
            connections.close_all()

    writer = threading.Thread(target=open_writer)
    writer.start()
    assert wrote.wait(30)
    try:
        with transaction.atomic():  # the same account, the same department and assignee
            _no_waiting_for_locks()
            Conversation.objects.filter(pk=second.pk).update(waiting_for_us_since=NOW)
            Conversation.objects.filter(pk=third.pk).update(waiting_for_us_since=None)
        assert waiting.count() == 1  # the open transaction's change is not seen yet
        with transaction.atomic():
            _no_waiting_for_locks()
            waiting.compact()
        assert waiting.count() == 1
    finally:
        done.set()
        writer.join(30)
    assert not errors, errors
    assert waiting.count() == 2 == Conversation.objects.exclude(waiting_for_us_since=None).count()
    assert waiting.compact() == 1  # its row, kept past the first compaction, added up now
    assert waiting.count() == 2
