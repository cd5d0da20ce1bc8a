"""Mastodon through the real Mastodon.py client against a real Mastodon API (mastodon-mock)."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.channels import base
from socialdesk.channels.mastodon.testpeer import COMPANY_TOKEN, DroppingProxy, MastodonPeer
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.inbox.models import Conversation, Delivery, Direction, Message
from socialdesk.inbox.sending import send_due
from socialdesk.inbox.services import conversation_reply

POLICY = "socialdesk.channels.mastodon.testpeer.loopback_only"
BY = Acting(user=None, label="test")


@pytest.fixture(scope="module")
def peer() -> Iterator[MastodonPeer]:
    server = MastodonPeer().start()
    yield server
    server.stop()


@pytest.fixture
def mastodon(peer: MastodonPeer, settings: Any, db: None) -> MastodonPeer:
    settings.FEED_ADDRESS_POLICY = POLICY
    # Short enough for the timeout fault (8 s) to fail fast, long enough for a loaded machine
    # (the suite's parallel workers) to answer every other request in time.
    settings.CHANNEL_TIMEOUT_SECONDS = 5
    peer.reset()
    return peer


def _connect(url: str) -> ChannelAccount:
    out = StringIO()
    call_command(
        "channels", "add", "mastodon", "--instance", url, "--access-token", COMPANY_TOKEN,
        "--name", "Nordlicht on Mastodon", stdout=out,
    )  # fmt: skip
    assert "Added Nordlicht on Mastodon (@bob@mock.local" in out.getvalue()
    return ChannelAccount.objects.get(network=Network.MASTODON)


def _poll(account: ChannelAccount) -> int:
    account.refresh_from_db()
    return base.poll(account)


def test_connect_checks_the_token_and_stores_it_encrypted(mastodon: MastodonPeer) -> None:
    account = _connect(mastodon.url)
    assert account.handle == "bob@mock.local"
    assert COMPANY_TOKEN not in account.credentials_encrypted
    assert account.credentials["access_token"] == COMPANY_TOKEN
    with pytest.raises(CommandError, match="refused the access token"):
        call_command(
            "channels", "add", "mastodon", "--instance", mastodon.url,
            "--access-token", "wrong", stdout=StringIO(),
        )  # fmt: skip
    assert ChannelAccount.objects.filter(network=Network.MASTODON).count() == 1


def test_internal_addresses_are_refused_without_a_test_policy(
    mastodon: MastodonPeer, settings: Any
) -> None:
    settings.FEED_ADDRESS_POLICY = ""
    with pytest.raises(CommandError, match="public addresses"):
        _connect(mastodon.url)
    assert not ChannelAccount.objects.filter(network=Network.MASTODON).exists()


def test_mentions_and_direct_messages_arrive_once(mastodon: MastodonPeer) -> None:
    account = _connect(mastodon.url)
    alice = mastodon.client("alice")
    public = alice.status_post("@bob Does the app show delays for line S3?")
    direct = alice.status_post("@bob my booking number is 4711, where is my refund?",
                               visibility="direct")  # fmt: skip
    assert _poll(account) == 2
    assert _poll(account) == 0  # nothing twice
    stored = {m.external_id: m for m in Message.objects.all()}
    assert set(stored) == {str(public.id), str(direct.id)}
    dm = stored[str(direct.id)]
    assert dm.direction == Direction.INBOUND and dm.needs_reply
    assert dm.meta["visibility"] == "direct"
    assert dm.author_handle == "alice@mock.local"
    assert dm.text == "@bob my booking number is 4711, where is my refund?"
    assert Conversation.objects.count() == 2
    account.refresh_from_db()
    assert account.last_success_at is not None and account.last_error == ""


def test_the_first_poll_reads_recent_mentions_from_before_the_connection(
    mastodon: MastodonPeer,
) -> None:
    alice = mastodon.client("alice")
    earlier = [alice.status_post(f"@bob earlier question {n}?") for n in range(90)]
    account = _connect(mastodon.url)
    assert _poll(account) == 90
    assert {m.external_id for m in Message.objects.all()} == {str(s.id) for s in earlier}
    assert _poll(account) == 0


def test_paging_reads_every_new_mention_in_order(mastodon: MastodonPeer) -> None:
    account = _connect(mastodon.url)
    alice = mastodon.client("alice")
    alice.status_post("@bob first")
    _poll(account)
    for n in range(95):  # more than one page of 80
        alice.status_post(f"@bob question number {n}?")
    assert _poll(account) == 95
    assert Message.objects.count() == 96


def test_replies_to_the_companys_posts_arrive_without_a_mention(mastodon: MastodonPeer) -> None:
    account = _connect(mastodon.url)
    bob = mastodon.client("bob")
    news = bob.status_post("New timetable from Sunday.")
    _poll(account)
    carol = mastodon.client("carol")
    answer = carol.status_post("Will the night train still run?", in_reply_to_id=news.id)
    assert _poll(account) == 1
    message = Message.objects.get(external_id=str(answer.id))
    assert message.parent_external_id == str(news.id)
    assert message.author_handle == "carol@mock.local"


def test_reply_from_the_inbox_goes_out_threaded_with_the_visibility(
    mastodon: MastodonPeer, django_capture_on_commit_callbacks: Any
) -> None:
    account = _connect(mastodon.url)
    alice = mastodon.client("alice")
    direct = alice.status_post("@bob is my seat reservation still valid?", visibility="direct")
    _poll(account)
    conversation = Conversation.objects.get()
    assert conversation.first_response_at is None
    with django_capture_on_commit_callbacks(execute=True):
        reply = conversation_reply(by=BY, conversation=conversation, text="Yes, it is.")
    # The immediate task backend of the tests sent it at commit.
    reply.refresh_from_db()
    assert reply.delivery == Delivery.SENT, reply.delivery_error
    on_server = mastodon.company_replies(direct.id)
    assert len(on_server) == 1
    assert on_server[0].visibility == "direct"
    assert str(on_server[0].id) == reply.external_id
    assert "@alice" in on_server[0].content and "Yes, it is." in on_server[0].content
    assert reply.text == "@alice@mock.local Yes, it is."
    conversation.refresh_from_db()
    assert conversation.first_response_at == reply.created_at
    # The reply read back by the next poll is not stored a second time.
    alice.status_post("@bob thanks!", in_reply_to_id=on_server[0].id)
    assert _poll(account) == 1
    assert Message.objects.filter(direction=Direction.OUTBOUND).count() == 1


def test_rate_limit_makes_the_channel_wait_until_the_reset(mastodon: MastodonPeer) -> None:
    account = _connect(mastodon.url)
    reset = int(timezone.now().timestamp()) + 600
    headers = {"X-RateLimit-Reset": str(reset), "X-RateLimit-Remaining": "0",
               "X-RateLimit-Limit": "300"}  # fmt: skip
    with (
        mastodon.fault(path="/api/v1/notifications", type="ratelimit", headers=headers, count=1),
        pytest.raises(base.RateLimited),
    ):
        _poll(account)
    account.refresh_from_db()
    assert account.failures == 0  # waiting is not failing
    assert account.next_poll_at is not None
    assert abs(account.next_poll_at.timestamp() - reset) < 5
    assert "rate limit" in account.last_error


def test_server_errors_back_off_and_show_the_error(mastodon: MastodonPeer) -> None:
    account = _connect(mastodon.url)
    with mastodon.fault(path="/api/v1/notifications", type="status", status=502, count=5):
        with pytest.raises(base.ChannelError):
            _poll(account)
        first = account.next_poll_at
        with pytest.raises(base.ChannelError):
            _poll(account)
    account.refresh_from_db()
    assert account.failures == 2
    assert "server error" in account.last_error
    assert first is not None and account.next_poll_at is not None
    mastodon.client("alice").status_post("@bob back again?")
    assert _poll(account) == 1
    account.refresh_from_db()
    assert account.failures == 0 and account.last_error == ""


@pytest.mark.parametrize("fault", ["status", "timeout", "drop"])
def test_a_reply_is_sent_once_whatever_goes_wrong(
    mastodon: MastodonPeer, fault: str, django_capture_on_commit_callbacks: Any
) -> None:
    proxy = DroppingProxy(mastodon.url)
    try:
        account = _connect(mastodon.url)
        account.url = proxy.url
        account.save()
        alice = mastodon.client("alice")
        question = alice.status_post("@bob where is the lost property office?")
        _poll(account)
        conversation = Conversation.objects.get()
        if fault == "drop":
            proxy.drop("POST", "/api/v1/statuses", count=1)
            with django_capture_on_commit_callbacks(execute=True):
                reply = conversation_reply(by=BY, conversation=conversation, text="Track 1.")
        else:
            rule = (
                {"type": "status", "status": 503}
                if fault == "status"
                else {"type": "timeout", "delay_ms": 8000}
            )
            with (
                mastodon.fault(path="/api/v1/statuses", methods=["POST"], count=1, **rule),
                django_capture_on_commit_callbacks(execute=True),
            ):
                reply = conversation_reply(by=BY, conversation=conversation, text="Track 1.")
        reply.refresh_from_db()
        assert reply.delivery == Delivery.QUEUED
        assert reply.delivery_attempts == 1 and reply.delivery_error
        Message.objects.filter(pk=reply.pk).update(delivery_next_at=timezone.now())
        assert send_due() == 1
        reply.refresh_from_db()
        assert reply.delivery == Delivery.SENT
        on_server = mastodon.company_replies(question.id)
        assert len(on_server) == 1
        assert str(on_server[0].id) == reply.external_id
        assert send_due() == 0
    finally:
        proxy.stop()


def test_the_token_never_shows_in_pages_lists_audit_or_logs(
    mastodon: MastodonPeer, client_as: Any, caplog: Any
) -> None:
    import json
    import logging

    from socialdesk.accounts.models import AuditEvent

    caplog.set_level(logging.DEBUG)
    account = _connect(mastodon.url)
    mastodon.client("alice").status_post("@bob hello?")
    _poll(account)
    out = StringIO()
    call_command("channels", "list", "--json", stdout=out)
    page = client_as("admin").get("/settings/channels/").content.decode()
    audit = json.dumps(list(AuditEvent.objects.values("before", "after", "object_repr")))
    assert "@bob@mock.local" in page and "bob@mock.local" in out.getvalue()
    for place in (page, out.getvalue(), audit, caplog.text):
        assert COMPANY_TOKEN not in place


def test_an_unreadable_status_is_set_aside_and_the_rest_is_stored(db: None) -> None:
    from socialdesk.channels.items.readers import ImportRow
    from socialdesk.channels.mastodon.connector import _rows

    good = {"id": "7", "account": {"id": "2", "acct": "kim"}, "content": "<p>Hallo?</p>",
            "created_at": "2026-11-27T08:00:00.000Z", "visibility": "public"}  # fmt: skip
    broken = {"id": "8", "content": "no account", "created_at": "yesterday"}
    rows = _rows([good, broken], me="1", domain="example.social")
    assert isinstance(rows[0], ImportRow) and rows[0].text == "Hallo?"
    assert rows[0].created_at.isoformat() == "2026-11-27T08:00:00+00:00"
    assert isinstance(rows[1], tuple) and rows[1][0] == "8" and "unreadable" in rows[1][1]
    account = ChannelAccount.objects.create(network=Network.MASTODON, handle="co@example.social")
    assert base.store_batch(account, rows, {"notifications": "8"}) == 1
    assert account.set_aside.get().external_id == "8"
    account.refresh_from_db()
    assert account.cursor == {"notifications": "8"}


def test_hostile_mentions_are_cleaned_and_the_rest_is_stored(mastodon: MastodonPeer) -> None:
    account = _connect(mastodon.url)
    carol = mastodon.client("carol")
    carol.account_update_credentials(display_name="N" * 10_000)
    nul = mastodon.client("alice").status_post("@bob Wo\x00 bleibt der Zug?")
    named = carol.status_post("@bob Hallo?")
    assert _poll(account) == 2
    stored = {m.external_id: m for m in Message.objects.all()}
    assert "\x00" not in stored[str(nul.id)].text
    contact = stored[str(named.id)].contact
    assert contact is not None and len(contact.display_name) == 200
    assert not account.set_aside.exists()
