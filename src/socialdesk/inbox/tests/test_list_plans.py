"""The inbox list's orders are read from an index, never sorted: a guard on the query plans.

At a million messages a sort of every conversation costs 0.5–0.8 s on PostgreSQL ("all, newest
first", "resolved, by SLA deadline"; bench/bench_api.py); the indexes of migration 0023 serve
each order. With sequential scans and sorts switched off the planner must find an index that gives
the order itself: a Sort node above the scan means no index fits any more (a change of the order,
a dropped index). SQLite is checked for the orders its indexes can give (DESC puts NULLs last
there; an ascending order with NULLs last is sorted on SQLite).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from socialdesk.accounts.models import User
from socialdesk.api.conversations import ORDERS
from socialdesk.api.paging import page
from socialdesk.channels.models import ChannelAccount
from socialdesk.inbox import selectors
from socialdesk.inbox.models import Conversation, Status

pytestmark = pytest.mark.django_db


def _plan(user: User, status: str, sort: str) -> str:
    rows = selectors.inbox_list(user, selectors.InboxFilters(status=status, sort=sort))
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        page(rows, ORDERS[sort], "", 25)
    plans = []
    with connection.cursor() as cursor:
        for query in queries.captured_queries:  # the rows with a value, then those without
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL enable_seqscan TO off")
                cursor.execute("SET LOCAL enable_sort TO off")  # a sort only if no index fits
                cursor.execute("EXPLAIN " + query["sql"])
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
            plans.append("\n".join(str(row[-1]) for row in cursor.fetchall()))
    return "\n\n".join(plans)


CASES = [("", "newest"), (Status.OPEN, "newest"), (Status.RESOLVED, "due"), (Status.OPEN, "due")]


@pytest.mark.parametrize(("status", "sort"), CASES)
def test_each_order_of_the_list_comes_from_an_index(
    people: dict[str, User], status: str, sort: str
) -> None:
    account = ChannelAccount.objects.create(network="mastodon", handle="nordlicht")
    now = timezone.now()
    Conversation.objects.bulk_create(
        Conversation(channel_account=account, status=[Status.OPEN, Status.RESOLVED][n % 2],
                     last_message_at=now if n % 3 else None)
        for n in range(60)
    )  # fmt: skip
    plan = _plan(people["manager"], status, sort)
    if connection.vendor == "postgresql":
        sorts = [
            line
            for line in plan.splitlines()
            if line.strip().startswith("->  Sort") or line.startswith("Sort")
        ]
        assert not sorts, plan
    else:  # both sections read in an index's order, also "by deadline" (ascending)
        assert "TEMP B-TREE FOR ORDER BY" not in plan, plan


def _list_plan(user: User, status: str) -> str:
    """The plan of the HTML list's page of rows, "newest first" (its own order, not the API's)."""
    rows = selectors.inbox_list(user, selectors.InboxFilters(status=status, sort="newest"))
    sql, params = rows[:50].query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan TO off")
            cursor.execute("SET LOCAL enable_sort TO off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.parametrize("status", ["", Status.OPEN])
def test_the_lists_newest_first_keeps_undated_last_and_reads_an_index(
    people: dict[str, User], status: str
) -> None:
    """Newest first: conversations without a date come last on both databases, and the page is
    read from `conversation_newest` (before, PostgreSQL put them first and sorted every
    conversation: 220 ms at 10M messages)."""
    account = ChannelAccount.objects.create(network="mastodon", handle="nordlicht")
    now = timezone.now()
    undated = Conversation.objects.create(channel_account=account, status=Status.OPEN)
    older = Conversation.objects.create(
        channel_account=account, status=Status.OPEN, last_message_at=now - timedelta(hours=1)
    )
    newer = Conversation.objects.create(
        channel_account=account, status=Status.OPEN, last_message_at=now
    )
    rows = selectors.inbox_list(
        people["manager"], selectors.InboxFilters(status=status, sort="newest")
    )
    assert [c.pk for c in rows] == [newer.pk, older.pk, undated.pk]
    plan = _list_plan(people["manager"], status)
    if connection.vendor == "postgresql":
        assert "Sort" not in plan, plan
        assert "conversation_newest" in plan or "conversation_status_newest" in plan, plan
    else:
        assert "TEMP B-TREE FOR ORDER BY" not in plan, plan
