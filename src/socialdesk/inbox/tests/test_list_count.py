"""The inbox list counts at most COUNT_CAP conversations: beyond, it says "10.000+".

Counting every open conversation took 62–95 ms at 10M messages on PostgreSQL, more than the
page; a team sees "more than" instead, pages through the first ones and is told how to reach
the rest.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from socialdesk.channels.models import ChannelAccount
from socialdesk.core import paging
from socialdesk.inbox import selectors, views
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
    assert "Alle Unterhaltungen auswählen, die diesem Filter entsprechen (mehr als 4)" in text
    assert "sind ausgewählt (mehr als 4)." in text
    assert 'data-total="4+"' in first
    counts = [
        q["sql"]
        for q in queries.captured_queries
        if "COUNT(" in q["sql"].upper() and "inbox_conversation" in q["sql"]
    ]
    assert len(counts) == 1 and "LIMIT 5" in counts[0], counts  # cap + 1 rows at most
    last = _text(client.get(reverse("inbox:list") + "?page=2").content.decode())
    assert "Seite 2 von 2+" in last
    assert "Mehr als 4 Unterhaltungen entsprechen den Filtern. Grenzen Sie die Filter ein" in last
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


def test_a_members_count_agrees_with_their_list_under_every_filter(people, departments):
    """Counted branch by branch (their departments, then assigned to them elsewhere), a
    department member's count is the length of the list they see, each conversation once."""
    member = people["member"]  # Product Development
    theirs, other = departments["Product Development"], departments["Legal"]
    account = ChannelAccount.objects.create(network="mastodon", handle="nordlicht")
    kinds = [
        {"department": theirs},
        {"department": theirs, "assignee": member},  # both branches: once
        {"department": other, "assignee": member},
        {"department": None, "assignee": member},
        {"department": other},
        {"department": None},
        {"department": other, "assignee": people["agent"]},
    ]
    for n in range(28):
        Conversation.objects.create(
            channel_account=account,
            status=[Status.OPEN, Status.RESOLVED][n // 7 % 2],
            **kinds[n % 7],
        )
    cases = [
        selectors.InboxFilters(status=""),
        selectors.InboxFilters(status=Status.OPEN),
        selectors.InboxFilters(status=Status.RESOLVED, sort="newest"),
        selectors.InboxFilters(status="", assignee="me"),
        selectors.InboxFilters(status="", department=str(other.pk)),
    ]
    for filters in cases:
        listed = len(selectors.inbox_list(member, filters))
        assert listed > 0
        assert selectors.inbox_count(member, filters, 1_000) == listed, filters
        for most in (1, listed - 1, listed, listed + 1):
            assert selectors.inbox_count(member, filters, most) == min(listed, most), (
                filters,
                most,
            )
    # an independent recomputation of "all": their department or assigned to them
    everything = selectors.InboxFilters(status="")
    expected = sum(1 for k in kinds if k["department"] == theirs or k.get("assignee") == member)
    assert selectors.inbox_count(member, everything, 1_000) == expected * 4
    member.departments.clear()  # no department: only what is assigned to them
    assert selectors.inbox_count(member, everything, 1_000) == 3 * 4
    assert len(selectors.inbox_list(member, everything)) == 3 * 4


@pytest.mark.parametrize("who", ["manager", "member"])
def test_a_deep_page_lists_the_same_conversations_in_the_same_order(
    client_as, people, departments, monkeypatch, who
):
    """From DEEP rows on a page's ids are looked up first: every page still holds exactly the
    list's conversations at its place, under each order, for a member's visibility too."""
    monkeypatch.setattr(paging, "DEEP", 4)
    member = people["member"]  # Product Development
    theirs, other = departments["Product Development"], departments["Legal"]
    account = ChannelAccount.objects.create(network="mastodon", handle="nordlicht")
    start = timezone.now() - timedelta(days=3)
    for n in range(40):
        Conversation.objects.create(
            channel_account=account,
            status=[Status.OPEN, Status.RESOLVED][n % 2],
            department=[theirs, other, None][n % 3],
            assignee=member if n % 5 == 0 else None,
            last_message_at=start + timedelta(minutes=n % 13),  # ties: the id decides
            waiting_for_us_since=start + timedelta(minutes=n % 7),
        )
    user = people[who]
    for filters in (
        selectors.InboxFilters(status=Status.RESOLVED, sort="newest"),
        selectors.InboxFilters(status="", sort="newest"),
        selectors.InboxFilters(status=Status.OPEN),
    ):
        rows = selectors.inbox_list(user, filters)
        expected = [c.pk for c in rows]
        pages = paging.CappedPaginator(rows, 3)
        shown = [c.pk for n in pages.page_range for c in pages.page(n).object_list]
        assert shown == expected, filters
    # the page a person opens: its rows are the list's eighth three
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    html = client_as(who).get(reverse("inbox:list") + "?status=&sort=newest&page=3").content
    newest = list(selectors.inbox_list(user, selectors.InboxFilters(status="", sort="newest")))
    listed = re.findall(rb'class="conversation-row[^"]*" data-id="(\d+)"', html)
    assert [int(pk) for pk in listed] == [c.pk for c in newest[6:9]]
