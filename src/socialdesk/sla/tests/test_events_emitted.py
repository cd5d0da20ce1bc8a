"""The SLA tells other tools (`core.events`) when a response-time deadline is near and when it
was missed: once each, under the conversation's subject, inside the warning's transaction."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction

from socialdesk.channels.models import ChannelAccount
from socialdesk.inbox import event_data
from socialdesk.inbox.models import Conversation
from socialdesk.inbox.tests.heard import Recorder, nobody_listening, recording
from socialdesk.sla import event_data as sla_event_data
from socialdesk.sla.models import SlaPolicy
from socialdesk.sla.services import refresh_sla
from socialdesk.sla.tests.test_policies import _question
from socialdesk.sla.warnings import check_and_warn


class Boom(Exception):
    pass


@pytest.fixture
def heard(db: None) -> Iterator[Recorder]:
    with recording() as recorder:
        yield recorder


@pytest.fixture
def account(db: None) -> ChannelAccount:
    return ChannelAccount.objects.create(network="mastodon", handle="nordlicht")


def _asked_at(account: ChannelAccount, start: datetime) -> Conversation:
    SlaPolicy.objects.create(name="Hour", first_response_minutes=60, warn_before_minutes=15)
    conversation = _question(account, start)
    refresh_sla([conversation.pk], now=start)  # as when the message arrived
    return conversation


def test_a_near_deadline_and_a_missed_one_are_announced_once_each(
    heard: Recorder, account: ChannelAccount
) -> None:
    start = datetime.now(UTC) - timedelta(minutes=50)
    conversation = _asked_at(account, start)
    check_and_warn(now=start + timedelta(minutes=50))
    check_and_warn(now=start + timedelta(minutes=52))  # the same state: no second warning
    subject = f"conversation:{conversation.pk}"
    assert [(h.kind, h.subject) for h in heard.all()] == [("sla.warning", subject)]
    warning = heard.all()[0].data
    assert warning["conversation"]["id"] == conversation.pk
    assert warning["conversation"]["status"] == "open"
    assert datetime.fromisoformat(warning["deadline"]) == start + timedelta(minutes=60)
    assert (warning["clock"], warning["policy"]) == ("first_response", "Hour")

    check_and_warn(now=start + timedelta(minutes=61))
    check_and_warn(now=start + timedelta(minutes=70))
    assert [(h.kind, h.subject) for h in heard.all()] == [
        ("sla.warning", subject),
        ("sla.breached", subject),
    ]  # told although nobody is assigned to hear it in the app
    breached = heard.all()[1].data
    assert datetime.fromisoformat(breached["deadline"]) == start + timedelta(minutes=60)
    assert breached["clock"] == "first_response"
    assert heard.inside_the_services_transaction()


def test_a_warning_whose_transaction_rolls_back_is_never_announced(
    heard: Recorder, account: ChannelAccount
) -> None:
    start = datetime.now(UTC) - timedelta(minutes=50)
    _asked_at(account, start)
    with pytest.raises(Boom), transaction.atomic():
        check_and_warn(now=start + timedelta(minutes=50))
        raise Boom
    assert heard.delivered == 1 and heard.all() == []


def test_nothing_is_built_when_nobody_wants_it(account: ChannelAccount, monkeypatch: Any) -> None:
    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("data built for nobody")

    monkeypatch.setattr(sla_event_data, "_clock", never)
    monkeypatch.setattr(event_data, "conversations", never)
    start = datetime.now(UTC) - timedelta(minutes=50)
    conversation = _asked_at(account, start)
    with nobody_listening() as asked:
        check_and_warn(now=start + timedelta(minutes=50))
        check_and_warn(now=start + timedelta(minutes=61))
    conversation.refresh_from_db()
    assert conversation.sla_warned == "breached"
    assert {"sla.warning", "sla.breached"} <= set(asked)
