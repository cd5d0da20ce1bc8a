"""Property tests: the share and median KPIs equal a plain recomputation over random histories.

Random questions (asked within six weeks around the DST change, answered after 0 s … 3 days or
not at all, needing a reply or not) and random SLA clocks (met, breached, pending with a due
time before or after "now"); each example runs in a transaction rolled back afterwards.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialdesk.accounts.models import Organisation
from socialdesk.channels.models import ChannelAccount
from socialdesk.goals import kpis
from socialdesk.goals.kpis import Grain, Period
from socialdesk.goals.tests.test_kpis_honest import EXPECTED, bounds
from socialdesk.inbox.models import Conversation, Direction, Message
from socialdesk.sla.models import SlaOutcome

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
FIRST = datetime(2026, 10, 12, 0, 0, tzinfo=UTC)
PERIOD = Period.of_days(date(2026, 10, 12), date(2026, 11, 30))

questions = st.lists(
    st.tuples(
        st.integers(0, 49 * 24 * 60),  # asked, minutes after FIRST
        st.one_of(st.none(), st.integers(0, 3 * 24 * 3600)),  # answered after seconds
        st.booleans(),  # needs a reply
    ),
    max_size=14,
)
clocks = st.lists(
    st.tuples(
        st.sampled_from(["first_response", "next_response", "resolution"]),
        st.integers(0, 49 * 24 * 60),  # started, minutes after FIRST
        st.integers(60, 3 * 24 * 3600),  # target seconds
        st.one_of(st.none(), st.integers(0, 4 * 24 * 3600)),  # stopped after seconds
    ),
    max_size=14,
)


def _build(rows: list[tuple[int, int | None, bool]], outcomes: list[Any]) -> None:
    organisation = Organisation.current()
    organisation.time_zone = "Europe/Berlin"
    organisation.save()
    account = ChannelAccount.objects.create(network="mastodon", handle="nord")
    made = []
    for index, (minutes, after, needs) in enumerate(rows):
        asked = FIRST + timedelta(minutes=minutes)
        answered = asked + timedelta(seconds=after) if after is not None else None
        if answered is not None and answered > NOW:
            answered, after = None, None  # nothing is answered in the future
        conversation = Conversation.objects.create(
            channel_account=account, first_message_at=asked, needs_reply=needs,
            first_response_at=answered, first_response_seconds=after,
        )  # fmt: skip
        Message.objects.create(
            conversation=conversation, channel_account=account, external_id=f"q{index}",
            direction=Direction.INBOUND, text="?", created_at=asked, needs_reply=needs,
        )  # fmt: skip
        made.append(conversation)
    seen: set[tuple[int, str, int]] = set()  # one live clock per conversation, kind and start
    for index, (kind, minutes, target, stopped) in enumerate(outcomes):
        if not made:
            break
        if (index % len(made), kind, minutes) in seen:
            continue
        seen.add((index % len(made), kind, minutes))
        start = FIRST + timedelta(minutes=minutes)
        if stopped is not None and start + timedelta(seconds=stopped) > NOW:
            stopped = None
        state = "pending" if stopped is None else "met" if stopped <= target else "breached"
        SlaOutcome.objects.create(
            conversation=made[index % len(made)], kind=kind, policy_name="P",
            target_seconds=target, started_at=start,
            due_at=start + timedelta(seconds=target),
            stopped_at=start + timedelta(seconds=stopped) if stopped is not None else None,
            state=state, elapsed_seconds=stopped,
        )  # fmt: skip


SHARES_AND_MEDIANS = [
    ("first_response_within", {"within": "24h"}),
    ("first_response_within", {"within": "2h"}),
    ("first_response_median", {}),
    ("first_response_p90", {}),
    ("needs_reply_share", {}),
    ("sla_met_first_response", {}),
    ("sla_met_next_response", {}),
    ("sla_met_resolution", {}),
    ("next_response_median", {}),
    ("resolution_median", {}),
    ("resolution_p90", {}),
]


@pytest.mark.slow
@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=questions, outcomes=clocks, by=st.sampled_from(list(Grain)))
def test_it_equals_a_recomputation_over_random_histories(
    rows: list[tuple[int, int | None, bool]], outcomes: list[Any], by: Grain
) -> None:
    with transaction.atomic():
        _build(rows, outcomes)
        for name, params in SHARES_AND_MEDIANS:
            kpi = kpis.get(name)
            whole = kpi.value(PERIOD, params=params, now=NOW)
            assert whole == pytest.approx(EXPECTED[name](*bounds(PERIOD), params, None)), name
            for point in kpi.series(PERIOD, by, params=params, now=NOW):
                expected = EXPECTED[name](*bounds(point.period), params, None)
                assert point.value == pytest.approx(expected), (name, by, point.period)
        transaction.set_rollback(True)
