"""Channel-poll claims: a dead worker's channel is taken over within a minute, a live one's never."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from socialdesk.channels import tasks
from socialdesk.channels.models import ChannelAccount, Network


def _feed() -> ChannelAccount:
    return ChannelAccount.objects.create(
        network=Network.RSS, handle="feeds.example/news", url="https://feeds.example/news"
    )


def test_it_takes_over_a_dead_workers_channel_within_a_minute_by_default(
    settings: Any, db: None
) -> None:
    del settings.CHANNEL_CLAIM_SECONDS  # the product's default, not a test's
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
    tasks.poll_due()
    assert seen_by_others == [[], [], [], []]  # nobody else could have started it
    account.refresh_from_db()
    assert account.next_poll_at is not None and account.next_poll_at > timezone.now()
