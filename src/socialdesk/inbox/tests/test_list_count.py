"""The inbox list counts at most COUNT_CAP conversations: beyond, it says "10.000+".

Counting every open conversation took 62–95 ms at 10M messages on PostgreSQL, more than the
page; a team sees "more than" instead, pages through the first ones and is told how to reach
the rest.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from socialdesk.channels.models import ChannelAccount
from socialdesk.core import paging
from socialdesk.inbox import views
from socialdesk.inbox.models import Conversation, Status


@pytest.fixture
def open_conversations(db):
    account = ChannelAccount.objects.create(network="mastodon", handle="nordlicht")
    Conversation.objects.bulk_create(
        Conversation(channel_account=account, status=Status.OPEN) for _ in range(7)
    )


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_list_longer_than_the_cap_says_more_than_and_how_to_see_the_rest(
    client_as, people, open_conversations, monkeypatch
):
    monkeypatch.setattr(paging, "COUNT_CAP", 4)
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    people["agent"].language = "de"
    people["agent"].save()
    client = client_as("agent")
    with CaptureQueriesContext(connection) as queries:
        first = client.get(reverse("inbox:list")).content.decode()
    text = _text(first)
    assert "Seite 1 von 2+" in text
    assert "Alle 4+ Unterhaltungen auswählen, die diesem Filter entsprechen" in text
    assert 'data-total="4+"' in first
    counts = [
        q["sql"]
        for q in queries.captured_queries
        if "COUNT(" in q["sql"].upper() and "inbox_conversation" in q["sql"]
    ]
    assert len(counts) == 1 and "LIMIT 5" in counts[0], counts  # cap + 1 rows at most
    last = _text(client.get(reverse("inbox:list") + "?page=2").content.decode())
    assert "Seite 2 von 2+" in last
    assert "Mehr als 4 Unterhaltungen passen. Grenzen Sie die Filter ein" in last
    assert "Mehr als" not in text  # only where the counted pages end


def test_a_list_within_the_cap_keeps_its_exact_count(
    client_as, people, open_conversations, monkeypatch
):
    monkeypatch.setattr(paging, "COUNT_CAP", 7)
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client = client_as("agent")
    text = _text(client.get(reverse("inbox:list")).content.decode())
    assert "Page 1 of 4" in text and "4+" not in text
    assert "Select all 7 conversations matching this filter" in text
    last = _text(client.get(reverse("inbox:list") + "?page=4").content.decode())
    assert "Page 4 of 4" in last and "More than" not in last
