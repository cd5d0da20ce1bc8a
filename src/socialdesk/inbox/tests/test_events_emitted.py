"""The inbox tells other tools what happens (`core.events`): new conversations and customer
messages from live channels (never from history files), replies sent or not, resolving,
reopening and assigning by a person, in bulk or by a customer who writes again. Each inside
the service's transaction, so a rolled-back change is never announced, and no data is built
for nobody."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, User
from socialdesk.channels.base import PermanentError, Sent
from socialdesk.channels.items.readers import ImportRow
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.channels.protocol import Capability
from socialdesk.inbox import bulk, event_data, sending, services
from socialdesk.inbox.channel_items import store
from socialdesk.inbox.importing.pipeline import Importer
from socialdesk.inbox.models import Contact, Conversation, Delivery, Direction, Message, Status
from socialdesk.inbox.tests.heard import TABLE, Recorder, nobody_listening, recording

COMPANY = "bahn@social.example"
CREATED, RECEIVED = "conversation.created", "message.received"
RESOLVED, REOPENED, ASSIGNED = (
    "conversation.resolved",
    "conversation.reopened",
    "conversation.assigned",
)


class Boom(Exception):
    pass


@pytest.fixture
def heard(db: None) -> Iterator[Recorder]:
    with recording() as recorder:
        yield recorder


@pytest.fixture
def account(db: None) -> ChannelAccount:
    return ChannelAccount.objects.create(network=Network.MASTODON, name="Bahn", handle=COMPANY)


def _row(external_id: str, author: str, text: str, minutes_ago: int = 5, parent: str = "") -> ImportRow:  # fmt: skip
    return ImportRow(
        external_id=external_id, author=author, author_name=author.split("@")[0].title(),
        text=text, created_at=timezone.now() - timedelta(minutes=minutes_ago), parent_id=parent,
        inbound=None, meta={"url": f"https://social.example/@x/{external_id}"},
    )  # fmt: skip


def _live(account: ChannelAccount, *rows: ImportRow) -> int:
    """Items a channel polled (or a webhook brought) now."""
    return store(
        account,
        list(enumerate(rows, start=1)),
        company_handles={account.handle},
        listening=False,
        on_rejection=lambda rejection: None,
    )


def _conversation(account: ChannelAccount, name: str = "Kim Kunde") -> Conversation:
    contact = Contact.objects.create(display_name=name)
    conversation = Conversation.objects.create(channel_account=account, contact=contact)
    Message.objects.create(
        conversation=conversation, channel_account=account, external_id=f"m{conversation.pk}",
        direction=Direction.INBOUND, contact=contact, author_handle="kim", text="Wo bleibt er?",
        needs_reply=True, created_at=timezone.now() - timedelta(minutes=30),
    )  # fmt: skip
    return conversation


def _subject(conversation: Conversation) -> str:
    return f"conversation:{conversation.pk}"


def _by(person: User) -> Acting:
    return Acting(user=person)


def _actor(person: User) -> dict[str, Any]:
    return {"id": person.pk, "name": person.full_name}


# --------------------------------------------------------------------------- channel items


def test_live_items_announce_each_new_conversation_and_each_customer_message(
    heard: Recorder, account: ChannelAccount
) -> None:
    _live(
        account,
        _row("1", "lena@example.social", "Wo ist mein Koffer?", 30),
        _row("2", COMPANY, "Wir suchen ihn.", 20, parent="1"),
        _row("3", "tom@example.social", "Gibt es WLAN im Zug?", 10),
    )
    lena = Conversation.objects.get(messages__external_id="1")
    tom = Conversation.objects.get(messages__external_id="3")
    expected = [(kind, _subject(c)) for kind in (CREATED, RECEIVED) for c in (lena, tom)]
    # the company's own answer ("2") is no message received
    assert sorted((h.kind, h.subject) for h in heard.all()) == sorted(expected)
    for conversation in (lena, tom):  # in order per conversation
        kinds = [h.kind for h in heard.all() if h.subject == _subject(conversation)]
        assert kinds == [CREATED, RECEIVED]
    assert heard.inside_the_services_transaction()

    created = next(h.data for h in heard.of(CREATED) if h.subject == _subject(lena))
    data = created["conversation"]
    assert (data["id"], data["status"]) == (lena.pk, Status.OPEN)
    assert data["channel"] == {
        "id": account.pk, "network": "mastodon", "name": "Bahn", "handle": COMPANY
    }  # fmt: skip
    assert data["contact"] == {
        "id": lena.contact_id, "name": "Lena", "handle": "lena@example.social"
    }  # fmt: skip
    assert data["assignee"] is None and data["department"] is None
    assert data["url"].endswith(f"/inbox/{lena.pk}/") and data["url"].startswith("http")
    assert datetime.fromisoformat(data["created_at"]) == lena.created_at

    received = next(h.data for h in heard.of(RECEIVED) if h.subject == _subject(tom))
    message = Message.objects.get(external_id="3")
    assert received["conversation"]["id"] == tom.pk
    assert received["message"] == {
        "id": message.pk,
        "direction": "inbound",
        "text": "Gibt es WLAN im Zug?",
        "author": "tom@example.social",
        "created_at": message.created_at.isoformat(),
        "url": "https://social.example/@x/3",
    }

    heard.clear()  # the next poll: a new message in a conversation that exists
    _live(account, _row("4", "lena@example.social", "Schon gefunden?", 1, parent="2"))
    assert [(h.kind, h.subject) for h in heard.all()] == [(RECEIVED, _subject(lena))]
    assert heard.of(RECEIVED)[0].data["message"]["text"] == "Schon gefunden?"


def test_the_companys_own_new_thread_is_created_as_settled_and_nothing_is_received(
    heard: Recorder, account: ChannelAccount
) -> None:
    _live(account, _row("1", COMPANY, "Neu: der Nachtzug fährt ab Montag.", 30))
    assert heard.kinds() == [CREATED]
    assert heard.all()[0].data["conversation"]["status"] == Status.RESOLVED  # nobody to answer


def test_a_customer_who_writes_again_reopens_a_resolved_conversation(
    heard: Recorder, account: ChannelAccount, people: dict[str, User]
) -> None:
    _live(account, _row("1", "lena@example.social", "Wo ist mein Koffer?", 30))
    conversation = Conversation.objects.get()
    services.conversation_set_status(
        by=_by(people["agent"]), conversation=conversation, status=Status.RESOLVED
    )
    heard.clear()
    _live(account, _row("2", "lena@example.social", "Er ist immer noch weg!", 1, parent="1"))
    assert [(h.kind, h.subject) for h in heard.all()] == [
        (RECEIVED, _subject(conversation)),
        (REOPENED, _subject(conversation)),
    ]
    reopened = heard.of(REOPENED)[0].data
    assert reopened["previous_status"] == Status.RESOLVED and reopened["actor"] is None
    assert reopened["conversation"]["status"] == Status.OPEN
    assert heard.inside_the_services_transaction()


def test_history_from_files_announces_nothing(heard: Recorder, account: ChannelAccount) -> None:
    importer = Importer(network=Network.MASTODON, company_handles={COMPANY}, settle=True)
    importer.feed(
        "history.csv",
        [
            (1, _row("1", "lena@example.social", "Wo ist mein Koffer?", 300)),
            (2, _row("2", COMPANY, "Gefunden!", 200, parent="1")),
            (3, _row("3", "tom@example.social", "WLAN?", 100)),
        ],
    )
    assert importer.stats.created == 3 and importer.stats.conversations_created == 2
    assert heard.all() == [] and heard.delivered == 0


def test_items_whose_transaction_rolls_back_are_never_announced(
    heard: Recorder, account: ChannelAccount
) -> None:
    with pytest.raises(Boom), transaction.atomic():
        _live(account, _row("1", "lena@example.social", "Hallo?"))
        assert heard.kinds() == [CREATED, RECEIVED]
        raise Boom
    assert heard.all() == [] and not Message.objects.exists()


def test_the_data_of_a_chunk_takes_the_same_queries_for_two_items_as_for_twelve(
    heard: Recorder, account: ChannelAccount
) -> None:
    def queries(n: int, start: int) -> int:
        rows = [
            _row(str(start + i), f"kunde{start + i}@example.social", "Frage?") for i in range(n)
        ]
        with CaptureQueriesContext(connection) as captured:
            _live(account, *rows)
        return len([q for q in captured.captured_queries if TABLE not in q["sql"]])

    with nobody_listening():
        quiet_few, quiet_many = queries(2, 100), queries(12, 200)
    heard_few, heard_many = queries(2, 300), queries(12, 400)
    assert len(heard.of(CREATED)) == 14 and len(heard.of(RECEIVED)) == 14
    assert heard_few - quiet_few == heard_many - quiet_many == 2  # created, received


# --------------------------------------------------------------------------- replies


class _Network:
    CAPABILITIES = frozenset({Capability.SEND})

    def __init__(self, refuse: str = "") -> None:
        self.refuse = refuse

    def send(self, account: ChannelAccount, message: Message) -> Sent:
        if self.refuse:
            raise PermanentError(self.refuse)
        return Sent(external_id="109", url="https://social.example/@bahn/109")


def _queued_reply(account: ChannelAccount, person: User) -> Message:
    conversation = _conversation(account)
    return Message.objects.create(
        conversation=conversation, channel_account=account, external_id="local-1",
        direction=Direction.OUTBOUND, author_handle=COMPANY, author_user=person,
        text="Wir kümmern uns.", created_at=timezone.now(), delivery=Delivery.QUEUED,
    )  # fmt: skip


def test_a_reply_that_reaches_the_network_is_announced_as_sent(
    heard: Recorder, account: ChannelAccount, people: dict[str, User], monkeypatch: Any
) -> None:
    monkeypatch.setattr(sending, "sender", lambda network: _Network())
    reply = _queued_reply(account, people["agent"])
    assert sending.send_one(reply.pk)
    assert [(h.kind, h.subject) for h in heard.all()] == [
        ("reply.sent", _subject(reply.conversation))
    ]
    data = heard.all()[0].data
    assert data["conversation"]["id"] == reply.conversation_id
    assert data["message"]["id"] == reply.pk and data["message"]["text"] == "Wir kümmern uns."
    assert data["message"]["url"] == "https://social.example/@bahn/109"
    assert data["message"]["direction"] == "outbound"
    assert data["message"]["written_by"] == _actor(people["agent"])
    assert data["message"]["sent_at"] is not None
    assert heard.inside_the_services_transaction()


def test_a_reply_given_up_is_announced_as_failed_with_the_reason(
    heard: Recorder, account: ChannelAccount, people: dict[str, User], monkeypatch: Any
) -> None:
    monkeypatch.setattr(sending, "sender", lambda network: _Network(refuse="text too long"))
    reply = _queued_reply(account, people["agent"])
    assert not sending.send_one(reply.pk)
    assert heard.kinds() == ["reply.failed"]
    data = heard.all()[0].data
    assert data["message"]["id"] == reply.pk and data["error"] == "text too long"
    assert heard.inside_the_services_transaction()

    ChannelAccount.objects.filter(pk=account.pk).update(disconnected_at=timezone.now())
    heard.clear()
    services.message_retry_send(by=_by(people["agent"]), message=Message.objects.get(pk=reply.pk))
    assert not sending.send_one(reply.pk)
    assert heard.kinds() == ["reply.failed"]
    assert "disconnected" in heard.all()[0].data["error"]


# --------------------------------------------------------------------------- status, assignee


def test_resolving_and_reopening_are_announced_with_the_status_before(
    heard: Recorder, account: ChannelAccount, people: dict[str, User]
) -> None:
    conversation, by = _conversation(account), _by(people["agent"])
    services.conversation_set_status(by=by, conversation=conversation, status=Status.WAITING)
    assert heard.all() == []  # waiting on the customer is neither
    services.conversation_set_status(by=by, conversation=conversation, status=Status.RESOLVED)
    services.conversation_set_status(by=by, conversation=conversation, status=Status.OPEN)
    services.conversation_set_status(by=by, conversation=conversation, status=Status.OPEN)
    assert [(h.kind, h.subject) for h in heard.all()] == [
        (RESOLVED, _subject(conversation)),
        (REOPENED, _subject(conversation)),
    ]
    resolved, reopened = (h.data for h in heard.all())
    assert resolved["previous_status"] == Status.WAITING
    assert resolved["conversation"]["status"] == Status.RESOLVED
    assert reopened["previous_status"] == Status.RESOLVED
    assert reopened["conversation"]["status"] == Status.OPEN
    assert resolved["actor"] == reopened["actor"] == _actor(people["agent"])
    assert heard.inside_the_services_transaction()

    heard.clear()  # a reply that resolves: through the same door
    services.conversation_reply(by=by, conversation=conversation, text="Erledigt.", then="resolved")
    assert heard.kinds() == [RESOLVED]


def test_assigning_is_announced_with_who_had_it_before(
    heard: Recorder,
    account: ChannelAccount,
    people: dict[str, User],
    departments: dict[str, Department],
) -> None:
    conversation, by = _conversation(account), _by(people["manager"])
    service = departments["Customer Service"]
    services.conversation_assign(
        by=by, conversation=conversation, assignee=people["agent"], department=service
    )
    services.conversation_assign(
        by=by, conversation=conversation, assignee=people["agent"], department=service
    )  # nothing changes: nothing to tell
    services.conversation_assign(
        by=by, conversation=conversation, assignee=None, department=service
    )
    assert [(h.kind, h.subject) for h in heard.all()] == [(ASSIGNED, _subject(conversation))] * 2
    first, second = (h.data for h in heard.all())
    agent = people["agent"]
    assert first["conversation"]["assignee"] == {
        "id": agent.pk, "name": "Alex Agent", "email": "alex@example.com"
    }  # fmt: skip
    assert first["conversation"]["department"] == {"id": service.pk, "name": "Customer Service"}
    assert first["previous"] == {"assignee": None, "department": None}
    assert first["actor"] == _actor(people["manager"])
    assert second["conversation"]["assignee"] is None
    assert second["previous"]["assignee"]["id"] == agent.pk
    assert second["previous"]["department"] == {"id": service.pk, "name": "Customer Service"}
    assert heard.inside_the_services_transaction()


def test_a_change_whose_transaction_rolls_back_is_never_announced(
    heard: Recorder, account: ChannelAccount, people: dict[str, User]
) -> None:
    conversation, by = _conversation(account), _by(people["agent"])
    with pytest.raises(Boom), transaction.atomic():
        services.conversation_set_status(by=by, conversation=conversation, status=Status.RESOLVED)
        services.conversation_assign(
            by=by, conversation=conversation, assignee=people["agent"], department=None
        )
        raise Boom
    assert heard.delivered == 2  # told inside the transaction …
    assert heard.all() == []  # … and gone with it


def test_bulk_actions_and_their_undo_announce_each_conversation_they_change(
    heard: Recorder,
    account: ChannelAccount,
    people: dict[str, User],
    departments: dict[str, Department],
) -> None:
    first, done, third = (_conversation(account, f"Kunde {i}") for i in range(3))
    Conversation.objects.filter(pk=done.pk).update(status=Status.RESOLVED)
    ids = [first.pk, done.pk, third.pk]
    by = _by(people["agent"])

    job = bulk.bulk_start(by=by, action="resolve", conversation_ids=ids)
    assert sorted((h.kind, h.subject) for h in heard.all()) == [
        (RESOLVED, _subject(first)),
        (RESOLVED, _subject(third)),
    ]  # the one resolved already did not change
    assert {h.data["previous_status"] for h in heard.all()} == {Status.OPEN}
    assert {h.data["actor"]["id"] for h in heard.all()} == {people["agent"].pk}
    assert heard.inside_the_services_transaction()

    heard.clear()  # undo reopens what the job resolved
    bulk.bulk_undo(by=by, job=job)
    assert sorted((h.kind, h.subject) for h in heard.all()) == [
        (REOPENED, _subject(first)),
        (REOPENED, _subject(third)),
    ]

    heard.clear()  # reopen: only what was resolved is reopened (waiting → open is not)
    Conversation.objects.filter(pk=first.pk).update(status=Status.WAITING)
    bulk.bulk_start(by=by, action="reopen", conversation_ids=ids)
    assert [(h.kind, h.subject) for h in heard.all()] == [(REOPENED, _subject(done))]

    heard.clear()
    bulk.bulk_start(by=by, action="assign", conversation_ids=ids, assignee=people["agent"])
    service = departments["Customer Service"]
    bulk.bulk_start(by=by, action="department", conversation_ids=ids, department=service)
    assert heard.kinds() == [ASSIGNED] * 6
    by_person, by_department = heard.all()[:3], heard.all()[3:]
    assert {h.data["conversation"]["assignee"]["id"] for h in by_person} == {people["agent"].pk}
    assert {str(h.data["previous"]) for h in by_person} == {
        str({"assignee": None, "department": None})
    }
    assert {h.data["conversation"]["department"]["id"] for h in by_department} == {service.pk}
    assert {h.data["previous"]["assignee"]["id"] for h in by_department} == {people["agent"].pk}

    heard.clear()
    bulk.bulk_start(by=by, action="tag_add", conversation_ids=ids, tag="Koffer")
    assert heard.all() == []


# --------------------------------------------------------------------------- nobody listens


def test_nothing_is_built_when_nobody_wants_it(
    account: ChannelAccount, people: dict[str, User], monkeypatch: Any
) -> None:
    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("data built for nobody")

    for builder in ("conversations", "messages", "conversation_data", "message_data"):
        monkeypatch.setattr(event_data, builder, never)
    monkeypatch.setattr(sending, "sender", lambda network: _Network())
    by = _by(people["agent"])
    with nobody_listening() as asked:
        _live(account, _row("1", "lena@example.social", "Wo ist mein Koffer?", 30))
        conversation = Conversation.objects.get()
        services.conversation_assign(
            by=by, conversation=conversation, assignee=people["agent"], department=None
        )
        services.conversation_set_status(by=by, conversation=conversation, status=Status.RESOLVED)
        _live(account, _row("2", "lena@example.social", "Noch da?", 1, parent="1"))
        bulk.bulk_start(by=by, action="resolve", conversation_ids=[conversation.pk])
        assert sending.send_one(_queued_reply(account, people["agent"]).pk)
    conversation.refresh_from_db()
    assert conversation.status == Status.RESOLVED  # everything happened, nothing was told
    assert {CREATED, RECEIVED, ASSIGNED, RESOLVED, REOPENED, "reply.sent"} <= set(asked)
