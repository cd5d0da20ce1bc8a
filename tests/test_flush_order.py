"""A transactional test's flush leaves nothing for the next test on its worker: on SQLite the
messages' DELETE trigger must run while the rollup is still there to be emptied after it (one
order of the flush wrote negative counts that the next test's KPI counted: -141 for 17)."""

from __future__ import annotations

import pytest
from django.core.management.color import no_style
from django.core.management.sql import sql_flush
from django.db import connection
from django.utils import timezone

from socialdesk.channels.models import ChannelAccount
from socialdesk.inbox.models import Conversation, Direction, Message
from socialdesk.inbox.rollup_models import MessageRollup


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL truncates every table in one statement"
)
def test_the_flush_empties_the_rollup_after_the_messages(db: None) -> None:
    statements = sql_flush(no_style(), connection, allow_cascade=False)
    tables = [s.split()[-1].strip('";') for s in statements]
    assert tables.index("inbox_message") < tables.index("inbox_messagerollup")


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_with_inbound_messages() -> None:
    account = ChannelAccount.objects.create(network="webhook", handle="shop")
    conversation = Conversation.objects.create(channel_account=account)
    for k in range(5):
        Message.objects.create(
            conversation=conversation, channel_account=account, external_id=f"m{k}",
            direction=Direction.INBOUND, text="Hallo?", created_at=timezone.now(),
        )  # fmt: skip
    assert sum(MessageRollup.objects.values_list("inbound", flat=True)) == 5


@pytest.mark.django_db(transaction=True)
def test_the_next_test_finds_no_counts_left() -> None:
    assert list(MessageRollup.objects.values_list("inbound", flat=True)) == []
