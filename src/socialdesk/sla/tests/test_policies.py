"""SLA policies on conversations: due times, pauses, states, and what stops a clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from socialdesk.accounts.audit import Acting
from socialdesk.channels.models import ChannelAccount
from socialdesk.inbox import services
from socialdesk.inbox.importing.pipeline import refresh_conversations
from socialdesk.inbox.models import Contact, Conversation, Direction, Message, SlaState
from socialdesk.sla.models import BusinessHours, SlaPolicy
from socialdesk.sla.services import refresh_sla

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def account(db):
    return ChannelAccount.objects.create(network="mastodon", handle="nordlicht")


@pytest.fixture
def office(db):
    return BusinessHours.objects.create(
        name="Office", time_zone="Europe/Berlin", german_state="BE",
        weekly_hours={str(d): [["09:00", "17:00"]] for d in range(5)},
    )  # fmt: skip


def _question(account, at: datetime) -> Conversation:
    contact = Contact.objects.create(display_name="Kim")
    conversation = Conversation.objects.create(channel_account=account, contact=contact)
    Message.objects.create(
        conversation=conversation, channel_account=account, external_id=f"q{conversation.pk}",
        direction=Direction.INBOUND, contact=contact, text="Wann?", needs_reply=True, created_at=at,
    )  # fmt: skip
    refresh_conversations({conversation.pk})
    conversation.refresh_from_db()
    return conversation


def test_it_gives_the_known_friday_case_its_monday_deadline(account, office):
    SlaPolicy.objects.create(name="Office hours", first_response_minutes=60, business_hours=office)
    friday = datetime(2026, 3, 6, 16, 30, tzinfo=BERLIN)
    conversation = _question(account, friday)
    refresh_sla([conversation.pk], now=friday + timedelta(minutes=1))
    conversation.refresh_from_db()
    assert conversation.first_response_due_at == datetime(2026, 3, 9, 9, 30, tzinfo=BERLIN)
    assert conversation.sla_state == SlaState.ON_TRACK


def test_it_moves_from_on_track_to_at_risk_to_breached(account):
    SlaPolicy.objects.create(
        name="Round the clock", first_response_minutes=60, warn_before_minutes=15
    )
    start = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    conversation = _question(account, start)
    for minutes, expected in [
        (10, SlaState.ON_TRACK),
        (50, SlaState.AT_RISK),
        (61, SlaState.BREACHED),
    ]:
        refresh_sla([conversation.pk], now=start + timedelta(minutes=minutes))
        conversation.refresh_from_db()
        assert conversation.sla_state == expected, minutes


def test_it_is_met_by_a_reply_and_not_by_a_note(client_as, account):
    SlaPolicy.objects.create(name="Fast", first_response_minutes=24 * 60)
    conversation = _question(account, datetime.now(UTC) - timedelta(minutes=5))
    refresh_sla([conversation.pk])
    client = client_as("agent")
    client.post(reverse("inbox:note", args=[conversation.pk]), {"note-text": "Prüfe ich"})
    conversation.refresh_from_db()
    assert conversation.sla_state == SlaState.ON_TRACK
    client.post(reverse("inbox:reply", args=[conversation.pk]), {"reply-text": "Um 9:12."})
    conversation.refresh_from_db()
    assert conversation.sla_state == SlaState.MET


def test_it_pauses_while_waiting_on_the_customer_and_continues_on_reopen(account, people):
    SlaPolicy.objects.create(
        name="Resolve in a day", first_response_minutes=60, resolution_minutes=24 * 60
    )
    conversation = _question(account, datetime.now(UTC) - timedelta(minutes=30))
    by = Acting(user=people["agent"])
    services.conversation_reply(
        by=by, conversation=conversation, text="Welche Buchungsnummer?", then="waiting"
    )
    conversation.refresh_from_db()
    assert conversation.resolution_due_at is None  # paused while waiting
    assert conversation.sla_state == SlaState.PAUSED  # first response met; the rest waits
    services.conversation_set_status(by=by, conversation=conversation, status="open")
    conversation.refresh_from_db()
    assert conversation.resolution_due_at is not None
    assert conversation.resolution_due_at > conversation.first_message_at + timedelta(hours=24)


def test_it_applies_the_first_policy_that_covers_the_conversation(account, departments):
    legal = SlaPolicy.objects.create(name="Legal", priority=1, first_response_minutes=8 * 60)
    legal.departments.add(departments["Legal"])
    SlaPolicy.objects.create(name="Everyone else", priority=5, first_response_minutes=60)
    conversation = _question(account, datetime.now(UTC))
    refresh_sla([conversation.pk])
    conversation.refresh_from_db()
    assert conversation.sla_policy is not None and conversation.sla_policy.name == "Everyone else"
    conversation.department = departments["Legal"]
    conversation.save()
    refresh_sla([conversation.pk])
    conversation.refresh_from_db()
    assert conversation.sla_policy == legal
    assert conversation.first_message_at is not None
    assert conversation.first_response_due_at == conversation.first_message_at + timedelta(hours=8)


def test_it_starts_a_next_response_clock_when_the_customer_writes_again(account, people):
    SlaPolicy.objects.create(name="Chat", first_response_minutes=60, next_response_minutes=30)
    conversation = _question(account, datetime.now(UTC) - timedelta(minutes=20))
    services.conversation_reply(
        by=Acting(user=people["agent"]), conversation=conversation, text="Hallo!"
    )
    later = datetime.now(UTC)
    Message.objects.create(
        conversation=conversation, channel_account=account, external_id="again", direction=Direction.INBOUND,
        text="Und noch etwas?", created_at=later,
    )  # fmt: skip
    refresh_conversations({conversation.pk})
    refresh_sla([conversation.pk])
    conversation.refresh_from_db()
    assert conversation.next_response_due_at == later + timedelta(minutes=30)


def test_it_leaves_conversations_without_a_policy_alone(account):
    conversation = _question(account, datetime.now(UTC))
    refresh_sla([conversation.pk])
    conversation.refresh_from_db()
    assert conversation.sla_state == SlaState.NONE and conversation.sla_due_at is None


def test_it_rejects_business_hours_that_make_no_sense(db):
    hours = BusinessHours(name="Broken", weekly_hours={"0": [["17:00", "09:00"]]})
    with pytest.raises(Exception, match="17:00"):
        hours.full_clean()


def test_it_shows_due_times_and_state_and_filters_and_sorts_by_them(client_as, account):
    SlaPolicy.objects.create(name="Hour", first_response_minutes=60)
    late = _question(account, datetime.now(UTC) - timedelta(hours=3))
    soon = _question(account, datetime.now(UTC) - timedelta(minutes=5))
    refresh_sla([late.pk, soon.pk])
    client = client_as("agent")
    page = client.get(reverse("inbox:conversation", args=[soon.pk])).content.decode()
    assert "First response due" in page and "On track" in page
    breached = client.get(reverse("inbox:list") + "?sla=breached").content.decode()
    assert f'href="/inbox/{late.pk}/"' in breached and f'href="/inbox/{soon.pk}/"' not in breached
    by_due = client.get(reverse("inbox:list") + "?sort=due").content.decode()
    assert by_due.index(f'href="/inbox/{late.pk}/"') < by_due.index(f'href="/inbox/{soon.pk}/"')
