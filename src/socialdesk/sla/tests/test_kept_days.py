"""A past period of up to a month is kept day by day once it changed (PostgreSQL,
`core.figure_days`): a first view computes it in one pass, its first change computes its days,
every later change the day it falls in; and the period's figures merged from its days are
exactly those of one pass over the period (PostgreSQL's `percentile_cont`, kept whole as a
longer period is).

The semantics a kept figure must keep (changes by any writer, time turning a clock breached,
transactions that wrote, the log's compaction) are tested on both ways of keeping in
`test_kept_figures.py`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from socialdesk.channels.models import ChannelAccount
from socialdesk.core import figure_cache, figure_days
from socialdesk.core.models import KeptFigure
from socialdesk.inbox.models import Contact, Conversation
from socialdesk.sla import kpi
from socialdesk.sla.models import SlaOutcome
from socialdesk.sla.outcome_kpi import sla_kpi

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("berlin_nothing_kept"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL keeps figures"),
]

BERLIN = ZoneInfo("Europe/Berlin")
OCTOBER: dict[str, Any] = {"since": date(2026, 10, 1), "until": date(2026, 10, 31)}
LATER = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # October is over
HOUR = timedelta(hours=1)


@pytest.fixture
def conversations() -> list[Conversation]:
    account = ChannelAccount.objects.create(network="mastodon", handle="nord")
    return [
        Conversation.objects.create(
            channel_account=account, contact=Contact.objects.create(display_name=f"Kim {n}")
        )
        for n in range(3)
    ]


def _clock(conversation: Conversation, started: datetime, **fields: Any) -> SlaOutcome:
    fields.setdefault("kind", "first_response")
    fields.setdefault("state", "met")
    return SlaOutcome.objects.create(
        conversation=conversation, channel_account=conversation.channel_account,
        policy_name="Hour", target_seconds=3600, started_at=started, **fields,
    )  # fmt: skip


def _whole(read: Any) -> Any:
    """The figures of one pass over the period, nothing kept or served (as for a quarter)."""
    with (
        mock.patch.object(figure_days, "MAX_DAYS", 0),
        mock.patch.object(figure_cache, "found", lambda where: (False, None)),
        mock.patch.object(figure_cache, "keep", lambda *args: None),
    ):
        return read()


def _computed_days(read: Any) -> tuple[Any, list[date]]:
    """The figures and the local dates of the days computed (not served) to give them."""
    computed: list[date] = []
    keep = figure_days.keep

    def spy(places: Any, seen: Any, values: dict[int, Any]) -> None:
        days = [places[n] for n in values if "/" not in places[n].key]  # not a merged period
        computed.extend(day.start.date() for day in days)
        keep(places, seen, values)

    with mock.patch.object(figure_days, "keep", spy):
        return read(), sorted(computed)


def _sla() -> Any:
    return sla_kpi(now=LATER, **OCTOBER)


def test_a_stopped_clock_of_one_day_recomputes_that_day_alone(conversations):
    one, two, three = conversations
    early = _clock(one, datetime(2026, 10, 3, 9, tzinfo=UTC), elapsed_seconds=600)
    _clock(two, datetime(2026, 10, 14, 9, tzinfo=UTC), state="breached", elapsed_seconds=9000)
    late = _clock(
        three, datetime(2026, 10, 20, 9, tzinfo=UTC), state="pending", due_at=LATER + HOUR
    )
    first, days = _computed_days(_sla)
    assert days == []  # a first view: one pass over October
    assert (first.first_response.met, first.first_response.breached) == (1, 1)
    assert first.first_response.pending == 1 and first.first_response.median_seconds == 4800
    with CaptureQueriesContext(connection) as queries:
        kept, days = _computed_days(_sla)
    assert days == [] and kept == first
    # served as kept: one read of the kept figures, none of the days
    assert sum(figure_cache.KEPT in q["sql"] for q in queries.captured_queries) == 1
    # October changes (a clock of October 3 counts a second more): its days are computed
    SlaOutcome.objects.filter(pk=early.pk).update(elapsed_seconds=601)
    touched, days = _computed_days(_sla)
    assert len(days) == 31 and touched == _whole(_sla)  # every day, those without clocks too
    # the clock of October 20 stops: that day is computed again, the other thirty are served
    SlaOutcome.objects.filter(pk=late.pk).update(state="met", elapsed_seconds=1200)
    changed, days = _computed_days(_sla)
    assert days == [date(2026, 10, 20)]
    assert changed == _whole(_sla)
    assert (changed.first_response.met, changed.first_response.pending) == (2, 0)
    assert changed.first_response.median_seconds == 1200


def test_a_late_first_reply_recomputes_the_day_of_its_question(conversations):
    one, two, _three = conversations
    for conversation, asked, answered in (
        (one, datetime(2026, 10, 5, 8, tzinfo=UTC), 1800),
        (two, datetime(2026, 10, 9, 8, tzinfo=UTC), None),
    ):
        Conversation.objects.filter(pk=conversation.pk).update(
            first_message_at=asked, first_message_inbound=True, needs_reply=True,
            first_response_seconds=answered,
            first_response_at=asked + timedelta(seconds=answered) if answered else None,
        )  # fmt: skip

    def read() -> Any:
        return kpi.first_responses(
            periods=[(date(2026, 10, 1), date(2026, 10, 31)), (date(2026, 9, 1), date(2026, 9, 30))],
            within=HOUR, now=LATER,
        )  # fmt: skip

    (october, september), days = _computed_days(read)
    assert days == []  # a first view: both periods in one statement
    assert (october.conversations, october.answered_within, october.missed) == (2, 1, 1)
    assert september.conversations == 0 and september.median_seconds is None
    # the answered question gets its answer a second earlier: October's days are computed
    Conversation.objects.filter(pk=one.pk).update(first_response_seconds=1799)
    touched, days = _computed_days(read)
    assert len(days) == 31 and touched == _whole(read)  # September unchanged: kept
    Conversation.objects.filter(pk=two.pk).update(
        first_response_seconds=90_000, first_response_at=datetime(2026, 10, 10, 9, tzinfo=UTC)
    )
    (answered, _september), days = _computed_days(read)
    assert days == [date(2026, 10, 9)]
    assert [answered, _september] == _whole(read)
    assert (answered.answered, answered.median_seconds) == (2, (1799 + 90_000) / 2)
    # the one period alone shares the kept days
    alone, days = _computed_days(
        lambda: kpi.first_response(within=HOUR, now=LATER, breakdown=False, **OCTOBER)
    )
    assert days == [] and alone.p90_seconds == answered.p90_seconds


def test_the_days_follow_the_organisations_clock_change(conversations):
    """October 25 has 25 hours in Berlin: a clock at 23:30 that evening is the 25th's, and a
    change to it recomputes that day, not the 26th."""
    days = figure_days.days_of(
        datetime(2026, 10, 24, tzinfo=BERLIN), datetime(2026, 10, 27, tzinfo=BERLIN)
    )
    hours = [end.astimezone(UTC) - start.astimezone(UTC) for start, end in days]
    assert hours == [24 * HOUR, 25 * HOUR, 24 * HOUR]
    evening = datetime(2026, 10, 25, 23, 30, tzinfo=BERLIN)
    clock = _clock(conversations[0], evening, elapsed_seconds=60)
    _clock(conversations[1], evening + HOUR, elapsed_seconds=120)  # the 26th
    _sla()
    SlaOutcome.objects.filter(pk=clock.pk).update(elapsed_seconds=61)
    _sla()  # October changed: its days computed
    SlaOutcome.objects.filter(pk=clock.pk).update(elapsed_seconds=62)
    changed, computed = _computed_days(_sla)
    assert computed == [date(2026, 10, 25)]
    assert changed == _whole(_sla) and changed.first_response.median_seconds == 91


def test_counting_times_beyond_32_bits_keep_their_value(conversations):
    huge = 2**62 + 1
    _clock(conversations[0], datetime(2026, 10, 2, tzinfo=UTC), elapsed_seconds=huge)
    _clock(conversations[1], datetime(2026, 10, 2, 1, tzinfo=UTC), elapsed_seconds=-5)
    assert _sla() == _whole(_sla)
    SlaOutcome.objects.filter(elapsed_seconds=-5).update(elapsed_seconds=-6)
    merged, days = _computed_days(_sla)  # from the days now
    assert len(days) == 31 and merged == _whole(_sla)
    assert merged.first_response.p90_seconds == pytest.approx(0.9 * float(huge), rel=1e-12)


def test_a_longer_period_is_kept_whole(conversations):
    _clock(conversations[0], datetime(2026, 8, 3, tzinfo=UTC), elapsed_seconds=60)
    quarter = sla_kpi(now=LATER, since=date(2026, 7, 1), until=date(2026, 9, 30))
    _figures, computed = _computed_days(
        lambda: sla_kpi(now=LATER, since=date(2026, 7, 1), until=date(2026, 9, 30))
    )
    assert computed == [] and quarter.first_response.met == 1
    keys = list(KeptFigure.objects.values_list("cache_key", flat=True))
    assert keys and not any("T00:00:00" in key for key in keys)  # no day's key


def test_merged_percentiles_are_postgresqls_over_any_values() -> None:
    """Any values, split over any days, give `percentile_cont` of them all, bit for bit."""
    pytest.importorskip("hypothesis")
    from hypothesis import given, settings
    from hypothesis import strategies as st

    values = st.integers(min_value=-(2**63) + 1, max_value=2**63 - 1) | st.integers(0, 10**6)

    @settings(max_examples=150, deadline=None)
    @given(st.lists(st.lists(values, max_size=12), max_size=6), st.sampled_from([0.5, 0.9, 0.0]))
    def check(days: list[list[int]], share: float) -> None:
        kept = [figure_days.times(day) for day in days]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT percentile_cont(ARRAY[%s, 0.9]::float8[]) WITHIN GROUP (ORDER BY v) "
                "FROM unnest(%s::bigint[]) AS v",
                [share, [v for day in days for v in day]],
            )
            (expected,) = cursor.fetchone()
        assert figure_days.percentiles(kept, (share, 0.9)) == tuple(expected or (None, None))

    check()


def test_a_kept_row_read_again_comes_from_memory_until_it_is_written_anew(conversations):
    """The days a process decoded are not sent and unpickled again while their row is
    unchanged; a row rewritten (by any process) is read anew."""
    _clock(conversations[0], datetime(2026, 10, 2, tzinfo=UTC), elapsed_seconds=60)
    period = figure_days.places(
        SlaOutcome.objects.all(), "memo", sources=("sla_slaoutcome",),
        start=datetime(2026, 10, 1, tzinfo=BERLIN), end=datetime(2026, 10, 3, tzinfo=BERLIN),
        now=LATER,
    )  # fmt: skip
    assert period is not None and len(period.days) == 2
    seen = figure_cache.snapshot(period.whole)
    figure_days.keep(period.days, seen, {0: ("first", None), 1: ("second", None)})
    keys = [day.key for day in period.days]
    assert {k: e.value for k, e in figure_days._read(keys).items()} == dict(
        zip(keys, ["first", "second"], strict=True)
    )
    with mock.patch("pickle.loads", side_effect=AssertionError("decoded")):
        again = figure_days._read(keys)  # nothing sent, nothing unpickled
    assert [again[k].value for k in keys] == ["first", "second"]
    figure_days.keep(period.days, seen, {1: ("rewritten", None)})
    assert [figure_days._read(keys)[k].value for k in keys] == ["first", "rewritten"]


def test_the_memory_of_decoded_rows_stays_within_its_bound() -> None:
    memo = figure_days._Decoded(limit=100)
    entry = figure_cache.Entry("v", figure_cache.Snapshot("1:1:", LATER), LATER, None)
    for n in range(5):
        memo.put(f"k{n}", "1", entry, 40)
    assert memo.size <= 100 and list(memo.rows) == ["k3", "k4"]  # the least recently used out
    assert memo.get("k4", "1") is entry and memo.get("k4", "2") is None  # another version
    memo.put("huge", "1", entry, 101)
    assert "huge" not in memo.rows and memo.size == 80
