"""An SLA outcome carries its conversation's channel account: the SLA figures of a channel are
counted from the outcomes' own copy, and agree with a recount through the conversations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from socialdesk.channels.models import ChannelAccount
from socialdesk.inbox.importing.pipeline import refresh_conversations
from socialdesk.inbox.models import Contact, Conversation, Direction, Message
from socialdesk.sla.models import SlaOutcome, SlaPolicy
from socialdesk.sla.outcome_kpi import sla_kpi
from socialdesk.sla.services import refresh_sla

pytestmark = pytest.mark.django_db

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
NOW = START + timedelta(days=3)


def _asked(account: ChannelAccount, n: int, answered_after: int | None) -> Conversation:
    contact = Contact.objects.create(display_name=f"Kim {n}")
    conversation = Conversation.objects.create(channel_account=account, contact=contact)
    asked = START + timedelta(hours=n)
    times = [(Direction.INBOUND, asked)]
    if answered_after is not None:
        times.append((Direction.OUTBOUND, asked + timedelta(minutes=answered_after)))
    for i, (direction, at) in enumerate(times):
        Message.objects.create(
            conversation=conversation, channel_account=account, external_id=f"{n}-{i}",
            direction=direction, text="?", needs_reply=direction == Direction.INBOUND,
            created_at=at,
        )  # fmt: skip
    refresh_conversations({conversation.pk})
    return conversation


def test_a_channels_sla_figures_count_its_own_clocks_only():
    SlaPolicy.objects.create(name="Hour", first_response_minutes=60)
    nord = ChannelAccount.objects.create(network="mastodon", handle="nord")
    sued = ChannelAccount.objects.create(network="bluesky", handle="sued.example")
    made = [
        _asked(account, n, answered)
        for n, (account, answered) in enumerate(
            [(nord, 20), (nord, 90), (nord, None), (sued, 10), (sued, 10), (sued, None)]
        )
    ]
    refresh_sla([c.pk for c in made], now=NOW)
    outcomes = list(SlaOutcome.objects.select_related("conversation"))
    assert len(outcomes) == 6
    assert all(o.channel_account_id == o.conversation.channel_account_id for o in outcomes)
    for account, typed in ((nord, "@Nord"), (sued, "sued.example")):
        figures = sla_kpi(account=typed, since=date(2026, 11, 1), until=date(2026, 11, 30), now=NOW)
        first = figures.first_response
        # recounted through the conversations, not the outcomes' copy
        theirs = [o for o in outcomes if o.conversation.channel_account_id == account.pk]
        assert (first.met, first.breached) == (
            sum(o.state == "met" for o in theirs),
            sum(o.state == "breached" for o in theirs),
        )
    assert (first.met, first.breached) == (2, 1)  # sued: two on time, one never answered


def test_an_outcome_saved_alone_takes_its_conversations_account():
    account = ChannelAccount.objects.create(network="mastodon", handle="nord")
    conversation = Conversation.objects.create(channel_account=account)
    outcome = SlaOutcome.objects.create(
        conversation=conversation, kind="first_response", policy_name="P", target_seconds=60,
        started_at=START, state="pending",
    )  # fmt: skip
    assert outcome.channel_account_id == account.pk
