"""Claims on channel polls and replies: a dead worker's are taken over within a minute, a live
one's never."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from socialdesk import settings as product  # the product's settings as read at start-up
from socialdesk.channels import tasks
from socialdesk.channels.base import Sent
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.channels.protocol import Capability
from socialdesk.inbox import sending
from socialdesk.inbox.models import Contact, Conversation, Delivery, Direction, Message


def _feed() -> ChannelAccount:
    return ChannelAccount.objects.create(
        network=Network.RSS, handle="feeds.example/news", url="https://feeds.example/news"
    )


def _queued_reply(**fields: Any) -> Message:
    """A reply waiting to be sent in a conversation of a Mastodon account."""
    account = ChannelAccount.objects.create(network=Network.MASTODON, handle="bob@masto.test")
    contact = Contact.objects.create(display_name="Kim")
    conversation = Conversation.objects.create(channel_account=account, contact=contact)
    return Message.objects.create(
        conversation=conversation, channel_account=account, external_id="",
        direction=Direction.OUTBOUND, author_handle="bob", text="Danke!",
        created_at=timezone.now(), delivery=Delivery.QUEUED, **fields,
    )  # fmt: skip


def test_it_takes_over_a_dead_workers_channel_within_a_minute_by_default(
    settings: Any, db: None
) -> None:
    settings.CHANNEL_CLAIM_SECONDS = product.CHANNEL_CLAIM_SECONDS  # not a test's
    account = _feed()
    before = timezone.now()
    assert tasks._claim(account) is not None
    account.refresh_from_db()
    assert account.next_poll_at is not None
    lease = account.next_poll_at - before
    assert timedelta(seconds=10) <= lease <= timedelta(seconds=60)  # was 300 s
    assert tasks.due_accounts() == []
    assert tasks._claim(ChannelAccount(pk=account.pk, next_poll_at=None)) is None  # taken
    # Once the lease is over, with no heartbeat, the next worker takes it.
    ChannelAccount.objects.filter(pk=account.pk).update(next_poll_at=timezone.now())
    assert [a.pk for a in tasks.due_accounts()] == [account.pk]


@pytest.mark.django_db(transaction=True)
def test_a_live_worker_keeps_its_claim_while_polling_longer_than_the_lease(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.CHANNEL_CLAIM_SECONDS = 0.6
    account = _feed()
    seen_by_others: list[list[int]] = []

    def slow_poll(polled: ChannelAccount) -> int:
        for _ in range(4):  # 2 s: more than three leases
            time.sleep(0.5)
            seen_by_others.append([a.pk for a in tasks.due_accounts()])
        return 0

    monkeypatch.setattr("socialdesk.channels.base.poll", slow_poll)
    began = timezone.now()
    tasks.poll_due()
    assert seen_by_others == [[], [], [], []]  # nobody else could have started it
    account.refresh_from_db()
    # The claim was renewed past the whole poll, not just its first lease (0.6 s). Not "later
    # than now": on a busy machine the last renewal's lease may end before this line runs.
    assert account.next_poll_at is not None
    assert account.next_poll_at > began + timedelta(seconds=2)


def test_a_reply_whose_worker_died_is_taken_over_within_a_minute_by_default(
    settings: Any,
) -> None:
    settings.SEND_LEASE_SECONDS = product.SEND_LEASE_SECONDS  # not a test's
    assert timedelta(seconds=10) <= sending.lease() <= timedelta(seconds=60)  # was 120 s


@pytest.mark.django_db(transaction=True)
def test_a_live_worker_keeps_its_claim_on_a_reply_while_sending_longer_than_the_lease(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.SEND_LEASE_SECONDS = 0.6
    reply = _queued_reply()
    due_for_others: list[int] = []

    class SlowNetwork:
        CAPABILITIES = frozenset({Capability.SEND})

        def send(self, account: ChannelAccount, message: Message) -> Sent:
            for _ in range(4):  # 2 s: more than three leases
                time.sleep(0.5)
                due_for_others.append(
                    Message.objects.filter(sending._due(), direction=Direction.OUTBOUND).count()
                )
            return Sent(external_id="109")

    monkeypatch.setattr(sending, "sender", lambda network: SlowNetwork())
    assert sending.send_due() == 1
    assert due_for_others == [0, 0, 0, 0]  # nobody else could have sent it again
    reply.refresh_from_db()
    assert (reply.delivery, reply.external_id, reply.delivery_attempts) == (Delivery.SENT, "109", 0)


def test_a_reply_waiting_for_its_next_try_is_not_claimed_before_its_time(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers read the same due reply; the first one's attempt fails and sets the next
    try a minute on. The second one, still holding the id, must not send it at once."""
    reply = _queued_reply(
        delivery_attempts=1, delivery_next_at=timezone.now() + timedelta(minutes=1)
    )
    asked: list[str] = []

    class CountingNetwork:
        CAPABILITIES = frozenset({Capability.SEND})

        def send(self, account: ChannelAccount, message: Message) -> Sent:
            asked.append(message.text)
            return Sent(external_id="110")

    monkeypatch.setattr(sending, "sender", lambda network: CountingNetwork())
    assert sending.send_one(reply.pk) is False
    assert asked == []
    reply.refresh_from_db()
    assert (reply.delivery, reply.delivery_attempts) == (Delivery.QUEUED, 1)
