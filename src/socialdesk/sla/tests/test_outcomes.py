"""SLA outcomes as facts: a breach stays a breach, pending is not missed, replies count by their
own time, and `refresh_sla` reads and writes in bulk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from socialdesk.channels.models import ChannelAccount
from socialdesk.inbox.importing.pipeline import refresh_conversations
from socialdesk.inbox.models import Contact, Conversation, Direction, Message, SlaState
from socialdesk.sla.models import SlaOutcome, SlaPolicy
from socialdesk.sla.services import refresh_sla

NOV_2017 = datetime(2017, 11, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def account(db):
    return ChannelAccount.objects.create(network="mastodon", handle="nordlicht")


def _conversation(account) -> Conversation:
    contact = Contact.objects.create(display_name="Kim")
    return Conversation.objects.create(channel_account=account, contact=contact)


def _message(conversation: Conversation, direction: str, at: datetime) -> None:
    Message.objects.create(
        conversation=conversation, channel_account=conversation.channel_account,
        external_id=f"m{Message.objects.count()}", direction=direction, text="…",
        needs_reply=direction == Direction.INBOUND, created_at=at,
    )  # fmt: skip
    refresh_conversations({conversation.pk})


def _outcomes(conversation: Conversation, kind: str) -> list[SlaOutcome]:
    return list(SlaOutcome.objects.filter(conversation=conversation, kind=kind, evaluated=False))


def test_it_keeps_a_breach_after_a_reply_nine_years_late(account):
    SlaPolicy.objects.create(name="Day", first_response_minutes=60, next_response_minutes=24 * 60)
    conversation = _conversation(account)
    _message(conversation, Direction.INBOUND, NOV_2017)
    _message(conversation, Direction.OUTBOUND, NOV_2017 + timedelta(minutes=20))
    _message(conversation, Direction.INBOUND, NOV_2017 + timedelta(hours=1))
    refresh_sla([conversation.pk], now=NOV_2017 + timedelta(days=3))
    conversation.refresh_from_db()
    assert conversation.sla_state == SlaState.BREACHED
    nine_years_later = datetime(2026, 11, 30, 14, 2, tzinfo=UTC)
    _message(conversation, Direction.OUTBOUND, nine_years_later)
    for _ in range(3):  # however often the clocks are recomputed
        refresh_sla([conversation.pk], now=nine_years_later + timedelta(minutes=5))
    conversation.refresh_from_db()
    assert conversation.sla_state == SlaState.BREACHED
    [late] = _outcomes(conversation, "next_response")
    assert late.state == "breached" and late.stopped_at == nine_years_later
    due = NOV_2017 + timedelta(hours=25)
    assert late.due_at == due and late.margin_seconds == -(nine_years_later - due).total_seconds()
    [first] = _outcomes(conversation, "first_response")
    assert first.state == "met" and first.margin_seconds == 40 * 60


def test_it_counts_a_question_inside_its_24_hours_as_pending_not_missed(account):
    SlaPolicy.objects.create(name="Day", first_response_minutes=24 * 60)
    asked = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    conversation = _conversation(account)
    _message(conversation, Direction.INBOUND, asked)
    refresh_sla([conversation.pk], now=asked + timedelta(hours=23))
    [outcome] = _outcomes(conversation, "first_response")
    assert outcome.state == "pending" and outcome.due_at == asked + timedelta(hours=24)
    conversation.refresh_from_db()
    assert conversation.sla_state == SlaState.ON_TRACK


def test_it_counts_a_reply_written_on_time_but_fetched_late_as_met(account):
    SlaPolicy.objects.create(name="Hour", first_response_minutes=60)
    asked = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    conversation = _conversation(account)
    _message(conversation, Direction.INBOUND, asked)
    refresh_sla([conversation.pk], now=asked + timedelta(hours=2))  # no reply seen yet
    assert _outcomes(conversation, "first_response")[0].state == "breached"
    _message(conversation, Direction.OUTBOUND, asked + timedelta(minutes=59))  # fetched now
    refresh_sla([conversation.pk], now=asked + timedelta(hours=3))
    [outcome] = _outcomes(conversation, "first_response")
    assert outcome.state == "met" and outcome.margin_seconds == 60
    conversation.refresh_from_db()
    assert conversation.sla_state == SlaState.MET


def test_it_keeps_a_breach_when_the_policy_is_loosened_afterwards(account):
    policy = SlaPolicy.objects.create(name="Hour", first_response_minutes=60)
    asked = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    conversation = _conversation(account)
    _message(conversation, Direction.INBOUND, asked)
    refresh_sla([conversation.pk], now=asked + timedelta(hours=2))
    policy.first_response_minutes = 7 * 24 * 60
    policy.save()
    _message(conversation, Direction.OUTBOUND, asked + timedelta(hours=3))
    refresh_sla([conversation.pk], now=asked + timedelta(hours=4))
    [outcome] = _outcomes(conversation, "first_response")
    assert (outcome.state, outcome.target_seconds, outcome.margin_seconds) == (
        "breached",
        3600,
        -2 * 3600,
    )


def test_it_lets_a_pending_clock_follow_a_changed_policy(account):
    policy = SlaPolicy.objects.create(name="Hour", first_response_minutes=60)
    asked = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    conversation = _conversation(account)
    _message(conversation, Direction.INBOUND, asked)
    refresh_sla([conversation.pk], now=asked + timedelta(minutes=10))
    policy.first_response_minutes = 30
    policy.save()
    refresh_sla([conversation.pk], now=asked + timedelta(minutes=20))
    [outcome] = _outcomes(conversation, "first_response")
    assert (outcome.state, outcome.due_at) == ("pending", asked + timedelta(minutes=30))


def test_it_records_every_next_response_clock(account):
    SlaPolicy.objects.create(name="Chat", first_response_minutes=60, next_response_minutes=30)
    start = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    conversation = _conversation(account)
    for minutes, direction in [(0, "in"), (10, "out"), (20, "in"), (25, "in"), (40, "out"),
                               (50, "in"), (95, "out")]:  # fmt: skip
        _message(conversation, direction, start + timedelta(minutes=minutes))
    refresh_sla([conversation.pk], now=start + timedelta(hours=3))
    found = [
        (o.started_at - start, o.state, o.margin_seconds)
        for o in _outcomes(conversation, "next_response")
    ]
    assert found == [
        (timedelta(minutes=20), "met", 10 * 60),
        (timedelta(minutes=50), "breached", -15 * 60),
    ]


def test_it_refreshes_many_conversations_in_as_many_queries_as_one(account):
    SlaPolicy.objects.create(name="Chat", first_response_minutes=60, next_response_minutes=30)
    start = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    conversations = []
    for _ in range(30):
        conversation = _conversation(account)
        for minutes, direction in [(0, "in"), (10, "out"), (20, "in")]:
            _message(conversation, direction, start + timedelta(minutes=minutes))
        conversations.append(conversation.pk)
    counts = []
    for ids in ([conversations[0]], conversations[1:]):
        with CaptureQueriesContext(connection) as queries:
            refresh_sla(ids, now=start + timedelta(hours=1))
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert SlaOutcome.objects.count() == 60
