"""Live channel items: the company's own new thread is no open conversation from nobody, a
customer's question reopens it, and the SLA clocks of what came in start at once."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from socialdesk.channels.items.readers import ImportRow
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.inbox.channel_items import store
from socialdesk.inbox.models import Conversation, Status
from socialdesk.sla.models import SlaOutcome, SlaPolicy


def _row(external_id: str, author: str, text: str, minutes_ago: int, parent: str = "") -> ImportRow:
    return ImportRow(
        external_id=external_id,
        author=author,
        author_name=author,
        text=text,
        created_at=timezone.now() - timedelta(minutes=minutes_ago),
        parent_id=parent,
        inbound=None,
        account="",
    )


def _store(account: ChannelAccount, *rows: ImportRow) -> int:
    return store(
        account,
        list(enumerate(rows, start=1)),
        company_handles={account.handle},
        listening=False,
        on_rejection=lambda rejection: None,
    )


def test_the_companys_own_new_thread_waits_for_nobody_until_a_customer_asks(db) -> None:
    account = ChannelAccount.objects.create(
        network=Network.MASTODON, name="Bahn", handle="bahn@social.example"
    )
    _store(
        account,
        _row("1", "bahn@social.example", "Neu: der Nachtzug fährt ab Montag. (1/2)", 30),
        _row("2", "bahn@social.example", "Tickets gibt es ab heute. (2/2)", 29, parent="1"),
    )
    conversation = Conversation.objects.get()
    assert conversation.status == Status.RESOLVED  # not "open" from "Unbekannt"
    assert not Conversation.objects.filter(status=Status.OPEN).exists()

    _store(account, _row("3", "lena@example.social", "Gilt das Deutschlandticket?", 5, parent="2"))
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN  # the customer asked: it waits for us
    assert conversation.waiting_for_us_since is not None


def test_a_conversation_a_person_works_on_keeps_its_status_when_the_company_writes(db) -> None:
    account = ChannelAccount.objects.create(
        network=Network.MASTODON, name="Bahn", handle="bahn@social.example"
    )
    _store(account, _row("1", "lena@example.social", "Wo ist mein Koffer?", 30))
    _store(account, _row("2", "bahn@social.example", "Wir suchen ihn.", 10, parent="1"))
    # Live: an answer does not resolve the customer's conversation; the team decides that.
    assert Conversation.objects.get().status == Status.OPEN


def test_the_sla_clock_of_a_polled_question_starts_when_it_comes_in(db) -> None:
    SlaPolicy.objects.create(name="Alle", first_response_minutes=60, is_active=True)
    account = ChannelAccount.objects.create(
        network=Network.MASTODON, name="Bahn", handle="bahn@social.example"
    )
    _store(account, _row("1", "lena@example.social", "Fährt heute noch ein Zug nach Kiel?", 5))
    conversation = Conversation.objects.get()
    assert conversation.sla_policy is not None
    assert SlaOutcome.objects.filter(conversation=conversation).exists()
