"""The feedback loop tells other tools (`core.events`) of new items, items forwarded to a
department and items moved on their board: subject `feedback:<id>`, inside the service's
transaction, nothing for nobody."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, User
from socialdesk.channels.models import ChannelAccount
from socialdesk.feedback import event_data, services
from socialdesk.feedback.models import FeedbackItem, FeedbackStatus, RoutingRule
from socialdesk.inbox import event_data as inbox_event_data
from socialdesk.inbox.models import Contact, Conversation, Direction, Message
from socialdesk.inbox.tests.heard import Recorder, nobody_listening, recording

CREATED, FORWARDED, STATUS = "feedback.created", "feedback.forwarded", "feedback.status_changed"


class Boom(Exception):
    pass


@pytest.fixture
def heard(db: None) -> Iterator[Recorder]:
    with recording() as recorder:
        yield recorder


@pytest.fixture
def said(db: None) -> Message:
    account = ChannelAccount.objects.create(network="webhook", handle="shop")
    contact = Contact.objects.create(display_name="Kim")
    conversation = Conversation.objects.create(channel_account=account, contact=contact)
    return Message.objects.create(
        conversation=conversation, channel_account=account, external_id="1",
        direction=Direction.INBOUND, author_handle="kim", contact=contact,
        text="Datenschutz in der App? Wo kann ich das abschalten?", created_at=timezone.now(),
    )  # fmt: skip


def _subject(item: FeedbackItem) -> str:
    return f"feedback:{item.pk}"


def test_a_new_item_routed_to_a_department_is_created_then_forwarded(
    heard: Recorder, said: Message, people: dict[str, User], departments: dict[str, Department]
) -> None:
    legal = departments["Legal"]
    RoutingRule.objects.create(query="datenschutz OR dsgvo", department=legal)
    by = Acting(user=people["agent"])
    item = services.item_create(by=by, title="Privacy settings", message=said)
    assert [(h.kind, h.subject) for h in heard.all()] == [
        (CREATED, _subject(item)),
        (FORWARDED, _subject(item)),
    ]
    created, forwarded = (h.data for h in heard.all())
    assert created["item"]["id"] == item.pk and created["item"]["title"] == "Privacy settings"
    assert created["item"]["status"] == "new" and created["item"]["department"] is None
    assert created["item"]["url"].endswith(f"/feedback/items/{item.pk}/")
    assert created["message"]["id"] == said.pk and created["message"]["text"] == said.text
    assert created["message"]["conversation"]["id"] == said.conversation_id
    assert created["actor"] == {"id": people["agent"].pk, "name": "Alex Agent"}
    assert forwarded["item"]["department"] == {"id": legal.pk, "name": "Legal"}
    assert forwarded["item"]["due_at"] is not None
    assert forwarded["previous_department"] is None
    assert heard.inside_the_services_transaction()


def test_moving_an_item_on_its_board_is_announced_with_the_status_before(
    heard: Recorder, people: dict[str, User], departments: dict[str, Department]
) -> None:
    by = Acting(user=people["member"])
    item = services.item_create(by=by, title="Dark mode")
    heard.clear()
    services.item_set_status(by=by, item=item, status=FeedbackStatus.PLANNED)
    services.item_set_status(by=by, item=item, status=FeedbackStatus.PLANNED, reason="Q3")
    services.item_set_status(by=by, item=item, status=FeedbackStatus.WONT_DO, reason="Too big")
    assert [(h.kind, h.subject) for h in heard.all()] == [(STATUS, _subject(item))] * 2
    planned, wont = (h.data for h in heard.all())
    assert (planned["previous_status"], planned["item"]["status"]) == ("new", "planned")
    assert (wont["previous_status"], wont["item"]["status"]) == ("planned", "wont_do")
    assert wont["item"]["reason"] == "Too big"
    assert wont["actor"] == {"id": people["member"].pk, "name": "Mia Member"}
    assert heard.inside_the_services_transaction()

    heard.clear()  # forwarding a closed item opens it again: both are told
    product = departments["Product Development"]
    services.item_forward(by=by, item=item, department=product)
    assert heard.kinds() == [FORWARDED, STATUS]
    assert heard.of(STATUS)[0].data["previous_status"] == "wont_do"
    assert heard.of(STATUS)[0].data["item"]["status"] == "new"

    heard.clear()  # a digest link moves it as the person it was made for
    token = services.link_token(item, FeedbackStatus.DONE, people["member"])
    services.apply_token(token, reason="Shipped")
    assert heard.kinds() == [STATUS]
    assert heard.all()[0].data["actor"]["id"] == people["member"].pk
    assert heard.all()[0].data["item"]["status"] == "done"


def test_a_change_whose_transaction_rolls_back_is_never_announced(
    heard: Recorder, people: dict[str, User], departments: dict[str, Department]
) -> None:
    by = Acting(user=people["member"])
    with pytest.raises(Boom), transaction.atomic():
        item = services.item_create(by=by, title="Dark mode")
        services.item_forward(by=by, item=item, department=departments["Legal"])
        services.item_set_status(by=by, item=item, status=FeedbackStatus.PLANNED)
        raise Boom
    assert heard.delivered == 3 and heard.all() == []


def test_nothing_is_built_when_nobody_wants_it(
    said: Message, people: dict[str, User], departments: dict[str, Department], monkeypatch: Any
) -> None:
    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("data built for nobody")

    monkeypatch.setattr(event_data, "item_data", never)
    monkeypatch.setattr(inbox_event_data, "message_data", never)
    by = Acting(user=people["member"])
    with nobody_listening() as asked:
        item = services.item_create(by=by, title="Dark mode", message=said)
        services.item_forward(by=by, item=item, department=departments["Legal"])
        services.item_set_status(by=by, item=item, status=FeedbackStatus.DONE)
    assert FeedbackItem.objects.get().status == FeedbackStatus.DONE
    assert {CREATED, FORWARDED, STATUS} <= set(asked)
