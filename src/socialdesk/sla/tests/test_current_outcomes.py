"""A goal's SLA share over a period going on (its last four weeks up to today): the past days'
clocks are kept as a past period's are (PostgreSQL, `sla.outcome_days`) and only today's are
counted at each view (`sla.outcome_kpi._past_days_and_today`). Met, breached and pending stay
what an independent count of the clocks gives: after a clock of last week stops, a new clock
today, and time running out for a pending clock of yesterday; and what it keeps of the past
days serves a reader of those days with the percentiles too."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from statistics import median, quantiles
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from socialdesk.channels.models import ChannelAccount
from socialdesk.core import figure_days
from socialdesk.inbox.models import Conversation
from socialdesk.sla.models import SlaOutcome
from socialdesk.sla.outcome_kpi import sla_kpi

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("berlin_nothing_kept"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL keeps figures"),
]

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # 13:00 in Berlin
PERIOD: dict[str, Any] = {"since": date(2026, 11, 11), "until": date(2026, 11, 20)}
# November 11 begins at 23:00 UTC the day before in Berlin, November 21 likewise
START, END = datetime(2026, 11, 10, 23, tzinfo=UTC), datetime(2026, 11, 20, 23, tzinfo=UTC)
KINDS = ["first_response"]
DAY = timedelta(days=1)


@pytest.fixture
def conversation() -> Conversation:
    account = ChannelAccount.objects.create(network="mastodon", handle="nord")
    return Conversation.objects.create(channel_account=account)


def _clock(conversation: Conversation, started: datetime, state: str, **fields: Any) -> SlaOutcome:
    fields.setdefault("due_at", started + timedelta(hours=1))
    if state != "pending":
        fields.setdefault("elapsed_seconds", 1800 if state == "met" else 5400)
    return SlaOutcome.objects.create(
        conversation=conversation, channel_account=conversation.channel_account,
        kind="first_response", policy_name="Hour", target_seconds=3600, started_at=started,
        state=state, **fields,
    )  # fmt: skip


def _counted(now: datetime, start: datetime = START, end: datetime = END) -> tuple[int, int, int]:
    """Met, breached and pending first-response clocks started in [start, end), counted here in
    Python from the rows: a pending clock past its target is breached."""
    rows = [
        o for o in SlaOutcome.objects.filter(kind="first_response") if start <= o.started_at < end
    ]
    overdue = [o for o in rows if o.state == "pending" and o.due_at is not None and o.due_at < now]
    met = sum(1 for o in rows if o.state == "met")
    breached = sum(1 for o in rows if o.state == "breached") + len(overdue)
    return met, breached, len(rows) - met - breached


def _share(now: datetime = NOW) -> tuple[int, int, int]:
    found = sla_kpi(now=now, kinds=KINDS, times=False, **PERIOD).first_response
    return found.met, found.breached, found.pending


def _statements(read: Any) -> list[str]:
    """The statements over the outcomes `read` runs."""
    with CaptureQueriesContext(connection) as queries:
        read()
    return [q["sql"] for q in queries.captured_queries if 'FROM "sla_slaoutcome"' in q["sql"]]


def test_the_past_days_are_kept_and_today_is_counted_anew(conversation):
    _clock(conversation, datetime(2026, 11, 12, 8, tzinfo=UTC), "met")
    late = _clock(conversation, datetime(2026, 11, 15, 8, tzinfo=UTC), "pending")  # overdue
    _clock(conversation, datetime(2026, 11, 17, 8, tzinfo=UTC), "breached")
    _clock(conversation, datetime(2026, 11, 20, 7, tzinfo=UTC), "met")  # today
    _clock(conversation, datetime(2026, 11, 20, 11, 30, tzinfo=UTC), "pending")  # today, running
    _clock(conversation, datetime(2026, 11, 10, 22, tzinfo=UTC), "met")  # 23:00 Berlin: before
    assert _share() == _counted(NOW) == (2, 2, 1)
    # read again: the past days are served as kept, only today is counted (from midnight in Berlin)
    statements = _statements(_share)
    assert len(statements) == 1, statements
    assert "started_at\" >= '2026-11-20 00:00:00+01:00'" in statements[0], statements
    # the overdue clock of last week stops (late): the figure follows, its day computed again
    SlaOutcome.objects.filter(pk=late.pk).update(state="breached", elapsed_seconds=7200)
    assert _share() == _counted(NOW) == (2, 2, 1)
    SlaOutcome.objects.filter(pk=late.pk).update(state="met", elapsed_seconds=3000)
    assert _share() == _counted(NOW) == (3, 1, 1)
    # a new clock today counts at once
    _clock(conversation, datetime(2026, 11, 20, 11, 45, tzinfo=UTC), "breached")
    assert _share() == _counted(NOW) == (3, 2, 1)


def test_a_pending_clock_of_yesterday_turns_breached_with_time(conversation):
    started = datetime(2026, 11, 19, 21, 30, tzinfo=UTC)  # 22:30 in Berlin, a day to answer
    _clock(conversation, started, "pending", due_at=started + timedelta(hours=24))
    assert _share() == _counted(NOW) == (0, 0, 1)
    later = datetime(2026, 11, 20, 22, 0, tzinfo=UTC)  # the same day in Berlin, past its target
    assert _share(later) == _counted(later) == (0, 1, 0)


def test_the_same_figures_as_one_count_over_the_period(conversation):
    """Kept or not, the figure is the period's: with no day kept (none may be) the whole
    period is counted at once."""
    states = ["met", "breached", "pending", "met"]
    for n in range(12):
        _clock(conversation, START + timedelta(hours=7 + 19 * n), states[n % 4])
    with mock.patch.object(figure_days, "MAX_DAYS", 0):
        assert len(_statements(_share)) == 1  # not split: one count over the ten days
        whole = _share()
    assert _share() == _share() == whole == _counted(NOW)


def test_the_kept_past_days_serve_a_reader_of_them_with_the_percentiles(conversation):
    """The past days a goal's share keeps hold the counting times too: the KPI over exactly
    those days (November 11 to 19, over) is served from them, with its percentiles."""
    seconds = [600, 1200, 2400, 3000, 4200, 6000]
    for n, spent in enumerate(seconds):
        _clock(conversation, START + timedelta(days=n, hours=9), "met" if spent <= 3600 else
               "breached", elapsed_seconds=spent)  # fmt: skip
    _share()  # keeps November 11 to 19
    with CaptureQueriesContext(connection) as queries:
        past = sla_kpi(now=NOW, kinds=KINDS, since=date(2026, 11, 11), until=date(2026, 11, 19))
    assert not [q for q in queries.captured_queries if 'FROM "sla_slaoutcome"' in q["sql"]]
    figures = past.first_response
    p90 = quantiles(seconds, n=10, method="inclusive")[8]  # linear between ranks, as numpy
    assert (figures.met, figures.breached, figures.pending) == _counted(NOW, end=END - DAY)
    assert figures.median_seconds == pytest.approx(median(seconds)) == 2700
    assert figures.p90_seconds == pytest.approx(p90) == 5100
