"""A period going on (a goal's last four weeks up to today): its past days are kept as a past
period's are (PostgreSQL, `core.figure_days`) and only today is counted at each view
(`sla.kpi._past_days_and_today`). The share of first responses within the target stays the
one an independent count of the questions gives: after a late reply to a question of last
week, a new question today, and time turning a pending question of yesterday missed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from socialdesk.channels.models import ChannelAccount
from socialdesk.core import figure_days
from socialdesk.inbox.models import Conversation
from socialdesk.sla import kpi

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("berlin_nothing_kept"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL keeps figures"),
]

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # 13:00 in Berlin
PERIOD: dict[str, Any] = {"since": date(2026, 11, 11), "until": date(2026, 11, 20)}
HOUR = timedelta(hours=1)


@pytest.fixture
def account() -> ChannelAccount:
    return ChannelAccount.objects.create(network="mastodon", handle="nord")


def _question(account: ChannelAccount, asked: datetime, seconds: int | None) -> Conversation:
    return Conversation.objects.create(
        channel_account=account, first_message_at=asked, first_message_inbound=True,
        needs_reply=True, first_response_seconds=seconds,
        first_response_at=None if seconds is None else asked + timedelta(seconds=seconds),
    )  # fmt: skip


def _counted(within: timedelta, now: datetime) -> tuple[int, int, int, int]:
    """Questions, answered within, pending and missed of the period, counted here in Python
    from the rows (Berlin: November 11 begins at 23:00 UTC the day before)."""
    start, end = datetime(2026, 11, 10, 23, tzinfo=UTC), datetime(2026, 11, 20, 23, tzinfo=UTC)
    rows = [
        (c.first_message_at, c.first_response_seconds)
        for c in Conversation.objects.filter(first_message_inbound=True, needs_reply=True)
        if c.first_message_at and start <= c.first_message_at < end
    ]
    inside = sum(1 for _at, s in rows if s is not None and s <= within.total_seconds())
    pending = sum(1 for at, s in rows if s is None and at + within > now)
    return len(rows), inside, pending, len(rows) - inside - pending


def _share(within: timedelta = HOUR, now: datetime = NOW) -> tuple[int, int, int, int]:
    found = kpi.first_response(within=within, now=now, breakdown=False, percentiles=False, **PERIOD)
    return found.conversations, found.answered_within, found.pending, found.missed


def _statements(read: Any) -> list[str]:
    """The statements over the conversations `read` runs."""
    with CaptureQueriesContext(connection) as queries:
        read()
    return [q["sql"] for q in queries.captured_queries if 'FROM "inbox_conversation"' in q["sql"]]


def test_the_past_days_are_kept_and_today_is_counted_anew(account):
    _question(account, datetime(2026, 11, 12, 8, tzinfo=UTC), 1800)  # within
    late = _question(account, datetime(2026, 11, 15, 8, tzinfo=UTC), None)  # missed
    _question(account, datetime(2026, 11, 20, 7, tzinfo=UTC), 7200)  # today, late
    _question(account, datetime(2026, 11, 20, 11, 30, tzinfo=UTC), None)  # today, pending
    assert _share() == _counted(HOUR, NOW) == (4, 1, 1, 2)
    # read again: the past days are served as kept, only today is counted (from midnight in Berlin)
    statements = _statements(_share)
    assert len(statements) == 1, statements
    assert "first_message_at\" >= '2026-11-20 00:00:00+01:00'" in statements[0], statements
    # a late reply to last week's question: the figure follows (its day computed again)
    Conversation.objects.filter(pk=late.pk).update(
        first_response_seconds=600, first_response_at=datetime(2026, 11, 15, 8, 10, tzinfo=UTC)
    )
    assert _share() == _counted(HOUR, NOW) == (4, 2, 1, 1)
    # a new question today counts at once
    _question(account, datetime(2026, 11, 20, 11, 45, tzinfo=UTC), 60)
    assert _share() == _counted(HOUR, NOW) == (5, 3, 1, 1)


def test_a_pending_question_of_yesterday_turns_missed_with_time(account):
    within = timedelta(hours=24)
    _question(account, datetime(2026, 11, 19, 21, 30, tzinfo=UTC), None)  # 22:30 in Berlin
    assert _share(within) == _counted(within, NOW) == (1, 0, 1, 0)
    later = datetime(2026, 11, 20, 22, 0, tzinfo=UTC)  # the same day in Berlin, past its target
    assert _share(within, later) == _counted(within, later) == (1, 0, 0, 1)


def test_the_same_figures_as_one_count_over_the_period(account):
    """Kept or not, the figure is the period's: with nothing kept (no day may be kept) the
    whole period is counted at once."""
    for n in range(12):
        asked = datetime(2026, 11, 11, 6, tzinfo=UTC) + timedelta(hours=19 * n)
        _question(account, asked, None if n % 4 == 0 else 900 * n)
    with mock.patch.object(figure_days, "MAX_DAYS", 0):
        assert len(_statements(_share)) == 1  # not split: one count over the ten days
        whole = _share()
    assert _share() == _share() == whole == _counted(HOUR, NOW)
