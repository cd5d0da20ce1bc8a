"""Cursor pages walk every row once, in order, across the rows with and without a value."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from socialdesk.api.paging import Order, page
from socialdesk.channels.models import ChannelAccount
from socialdesk.inbox.models import Conversation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("limit", [1, 2, 3, 7, 40])
def test_every_row_once_in_order_with_ties_and_empty_values(descending: bool, limit: int) -> None:
    account = ChannelAccount.objects.create(network="mastodon", handle="nordlicht")
    start = timezone.now().replace(microsecond=0)
    # Three rows share each time (ties broken by id); every third row has no time.
    made = Conversation.objects.bulk_create(
        Conversation(channel_account=account,
                     sla_due_at=None if n % 3 == 0 else start + timedelta(minutes=n % 4))
        for n in range(24)
    )  # fmt: skip
    rows = list(Conversation.objects.filter(pk__in=[c.pk for c in made]))
    dated = [c for c in rows if c.sla_due_at is not None]
    undated = [c for c in rows if c.sla_due_at is None]
    if descending:
        dated.sort(key=lambda c: (c.sla_due_at, c.pk), reverse=True)
        undated.sort(key=lambda c: c.pk, reverse=True)
    else:
        dated.sort(key=lambda c: (c.sla_due_at, c.pk))
        undated.sort(key=lambda c: c.pk)
    expected = [c.pk for c in dated + undated]

    walked: list[int] = []
    cursor = ""
    for _ in range(100):
        found, cursor_next = page(
            Conversation.objects.all(), Order("sla_due_at", descending), cursor, limit
        )
        walked += [c.pk for c in found]
        assert len(found) <= limit
        if cursor_next is None:
            break
        cursor = cursor_next
    assert walked == expected
