"""Channels a manager can run in the browser: pause, resume, edit, reconnect, disconnect,
webhooks made on the page (secret shown once), errors in words, imported accounts apart."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import AuditEvent, User
from socialdesk.channels import base, running, services
from socialdesk.channels.fetch import FetchError
from socialdesk.channels.mastodon.testpeer import COMPANY_TOKEN, MastodonPeer
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.channels.tasks import poll_due
from socialdesk.channels.tests.test_rss import _Handler, feeds  # noqa: F401 - fixture
from socialdesk.inbox.models import Conversation, Direction, Message

BY = Acting(user=None, label="test")
MASTODON_POLICY = "socialdesk.channels.mastodon.testpeer.loopback_only"

ClientAs = Callable[[str], Client]


@pytest.fixture(scope="module")
def peer() -> Iterator[MastodonPeer]:
    server = MastodonPeer().start()
    yield server
    server.stop()


@pytest.fixture
def mastodon(peer: MastodonPeer, settings: Any, db: None) -> MastodonPeer:
    settings.FEED_ADDRESS_POLICY = MASTODON_POLICY
    settings.CHANNEL_TIMEOUT_SECONDS = 5
    peer.reset()
    return peer


def _german(client: Client, people: dict[str, User], role: str = "manager") -> Client:
    people[role].language = "de"
    people[role].save(update_fields=["language"])
    return client


def _feed(url: str) -> ChannelAccount:
    return services.rss_add(by=BY, url=url, name="Bahnblog")


def test_it_does_not_poll_a_paused_channel_and_says_so(
    feeds: str,  # noqa: F811
    client_as: ClientAs,
) -> None:
    account = _feed(feeds + "/rss")
    manager = client_as("manager")
    response = manager.post(reverse("channels:pause", args=[account.pk]), {"next": "list"})
    assert response.status_code == 302
    assert poll_due() == 0
    assert _Handler.hits == []  # nothing asked the feed
    page = manager.get(reverse("channels:health")).content.decode()
    assert "Paused: not polled" in page and ">Resume<" in page.replace(
        '<span class="visually-hidden"> Bahnblog</span>', ""
    )
    manager.post(reverse("channels:resume", args=[account.pk]))
    assert poll_due() == 2  # polled again at once, both entries stored
    assert len(_Handler.hits) == 1
    actions = list(AuditEvent.objects.values_list("action", flat=True).order_by("pk"))
    assert actions[-2:] == ["channel.paused", "channel.resumed"]


def test_it_saves_name_and_poll_rhythm_and_refuses_an_over_long_name(
    feeds: str,  # noqa: F811
    client_as: ClientAs,
) -> None:
    account = _feed(feeds + "/rss")
    manager = client_as("manager")
    url = reverse("channels:channel", args=[account.pk])
    page = manager.get(url).content.decode()
    assert "every 5\xa0min" in page  # the rhythm in words, never seconds
    response = manager.post(url, {"name": "Blog Nord", "poll_interval_seconds": "3600"})
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.name, account.poll_interval_seconds) == ("Blog Nord", 3600)
    for hostile in (
        {"name": "x" * 5000, "poll_interval_seconds": "10"},
        {"name": "Blog", "poll_interval_seconds": "9" * 40},  # a huge number
        {"name": "Blog", "poll_interval_seconds": "30"},  # not one of the rhythms
    ):
        assert manager.post(url, hostile).status_code == 400
    account.refresh_from_db()
    assert (account.name, account.poll_interval_seconds) == ("Blog Nord", 3600)
    assert (
        manager.post(url, {"name": "Blog\x00Süd", "poll_interval_seconds": "900"}).status_code
        == 302
    )
    account.refresh_from_db()
    assert account.name == "BlogSüd"  # NUL never reaches the database
    event = AuditEvent.objects.filter(action="channel.changed").earliest("pk")
    assert event.before["poll_interval_seconds"] == 300


def test_it_disconnects_removes_credentials_keeps_conversations_and_stops_polling(
    mastodon: MastodonPeer, client_as: ClientAs
) -> None:
    account, _created = services.mastodon_connect(
        by=BY, instance_url=mastodon.url, access_token=COMPANY_TOKEN
    )
    conversation = Conversation.objects.create(channel_account=account)
    Message.objects.create(
        conversation=conversation, channel_account=account, external_id="9",
        direction=Direction.INBOUND, text="Fährt der Zug?", created_at=timezone.now(),
    )  # fmt: skip
    manager = client_as("manager")
    url = reverse("channels:disconnect", args=[account.pk])
    ask = manager.get(url).content.decode()
    assert "Its 1 stored message and every conversation are kept" in ask
    assert "The stored credentials (token, app password, secret) are deleted." in ask
    assert manager.post(url).status_code == 302
    account.refresh_from_db()
    assert account.credentials_encrypted == "" and account.disconnected_at is not None
    assert Message.objects.filter(channel_account=account).count() == 1
    assert Conversation.objects.filter(pk=conversation.pk).exists()
    assert poll_due() == 0 and account.last_polled_at is None
    page = manager.get(reverse("channels:health")).content.decode()
    assert "Disconnected" in page
    assert "Importierte" not in page and "@bob@mock.local</td>" not in page  # not "imported"


def test_it_reconnects_with_a_new_token_of_the_same_account_only(
    mastodon: MastodonPeer, client_as: ClientAs
) -> None:
    account, _created = services.mastodon_connect(
        by=BY, instance_url=mastodon.url, access_token=COMPANY_TOKEN
    )
    running.channel_disconnect(by=BY, account=account)
    manager = client_as("manager")
    url = reverse("channels:reconnect", args=[account.pk])
    other = manager.post(url, {"secret": "alice_token"})
    assert other.status_code == 400
    assert "These credentials belong to @alice@mock.local, not to @bob@mock.local." in (
        other.content.decode()
    )
    bad = manager.post(url, {"secret": "revoked-token"}).content.decode()
    assert "The Mastodon instance refused the credentials." in bad
    assert "<summary>Details</summary>" in bad  # the instance's own words, behind a disclosure
    account.refresh_from_db()
    assert account.credentials_encrypted == ""
    assert manager.post(url, {"secret": COMPANY_TOKEN}).status_code == 302
    account.refresh_from_db()
    assert account.credentials["access_token"] == COMPANY_TOKEN
    assert account.disconnected_at is None
    assert ChannelAccount.objects.filter(network=Network.MASTODON).count() == 1


def test_it_creates_a_webhook_and_shows_its_secret_once(client_as: ClientAs, settings: Any) -> None:
    manager = client_as("manager")
    response = manager.post(reverse("channels:webhook_add"), {"name": "Shop reviews"})
    page = response.content.decode()
    account = ChannelAccount.objects.get(network=Network.WEBHOOK)
    secret = account.credentials["secret"]
    assert secret in page and f"/hooks/{account.pk}/" in page
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    for url in (reverse("channels:health"), reverse("channels:channel", args=[account.pk])):
        assert secret not in manager.get(url).content.decode()
    assert secret not in str(list(AuditEvent.objects.values_list("after", flat=True)))

    renewed = manager.post(reverse("channels:webhook_secret", args=[account.pk]))
    new_secret = ChannelAccount.objects.get(pk=account.pk).credentials["secret"]
    assert new_secret != secret and new_secret in renewed.content.decode()
    body = b'{"id": "1", "text": "Lieferung kam nicht", "author": "kim", "created_at": "2026-11-30T08:00:00Z"}'

    def deliver(key: str) -> int:
        signature = "sha256=" + hmac.new(key.encode(), body, hashlib.sha256).hexdigest()
        return Client().post(
            reverse("channels:webhook", args=[account.pk]), body,
            content_type="application/json", headers={"x-hub-signature-256": signature},
        ).status_code  # fmt: skip

    assert deliver(secret) == 401  # the old secret stopped working
    assert deliver(new_secret) in (200, 202)


def test_a_reload_of_the_mastodon_form_address_shows_the_channel_page(
    client_as: ClientAs,
) -> None:
    response = client_as("manager").get(reverse("channels:mastodon_start"), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[0][0].endswith("/settings/channels/#connect-mastodon")
    assert "Connect a Mastodon account" in response.content.decode()


def test_it_shows_a_mastodon_instance_on_an_internal_address_in_instance_words_at_the_field(
    client_as: ClientAs, people: dict[str, User], db: None
) -> None:
    manager = _german(client_as("manager"), people)
    response = manager.post(
        reverse("channels:mastodon_start"),
        {"instance": "http://10.1.2.3", "access_token": "token", "name": ""},
    )
    page = response.content.decode()
    start = page.index('id="connect-mastodon"')
    field = page[start : page.index('id="mastodon_access_token"', start)]
    assert "Die Mastodon-Instanz liegt in einem internen Netz." in field  # at the field
    assert "feeds are only read" not in page and "Der Feed" not in field
    assert "<summary>Details</summary>" in page and "10.1.2.3" in page
    assert not ChannelAccount.objects.exists()


def test_it_stores_the_error_as_a_code_and_shows_it_translated_on_the_row(
    feeds: str,  # noqa: F811
    client_as: ClientAs,
    people: dict[str, User],
) -> None:
    account = _feed(feeds + "/missing")
    with pytest.raises((base.ChannelError, FetchError)):
        base.poll(account)
    account.refresh_from_db()
    assert account.last_error_code == "not_found"
    assert "HTTP 404" in account.last_error  # the raw detail, machine-readable code apart
    page = _german(client_as("manager"), people).get(reverse("channels:health")).content.decode()
    assert "Der Feed antwortet „nicht gefunden“. Prüfen Sie die Adresse." in page
    assert "<summary>Details</summary>" in page and "HTTP 404" in page


def test_it_lists_imported_handles_apart_with_their_message_counts(
    client_as: ClientAs, people: dict[str, User], db: None
) -> None:
    imported = ChannelAccount.objects.create(network="twitter", handle="nordlichtbahn")
    conversation = Conversation.objects.create(channel_account=imported)
    for n in range(3):
        Message.objects.create(
            conversation=conversation, channel_account=imported, external_id=str(n),
            direction=Direction.INBOUND, text="?", created_at=timezone.now(),
        )  # fmt: skip
    services.webhook_add(by=BY, name="Shop")
    page = _german(client_as("manager"), people).get(reverse("channels:health")).content.decode()
    channels_table = page[: page.index("Importierte Konten")]
    imported_part = page[page.index("Importierte Konten") :]
    assert "nordlichtbahn" not in channels_table and "Shop" in channels_table
    assert '@nordlichtbahn</td><td>X/Twitter</td><td class="num">3</td>' in imported_part


def test_it_reconnects_a_bluesky_channel_with_a_new_app_password(
    client_as: ClientAs, settings: Any, db: None
) -> None:
    from socialdesk.channels.bluesky.testpeer import FakeBluesky

    settings.FEED_ADDRESS_POLICY = MASTODON_POLICY
    with FakeBluesky() as bsky:
        bsky.create_account("nordlicht.test", "app-pass-1234", display_name="Nordlicht")
        account, _created = services.bluesky_connect(
            by=BY, handle="nordlicht.test", app_password="app-pass-1234", service=bsky.url
        )
        running.channel_disconnect(by=BY, account=account)
        manager = client_as("manager")
        url = reverse("channels:reconnect", args=[account.pk])
        wrong = manager.post(url, {"secret": "not-the-password"}).content.decode()
        assert "The Bluesky server refused the credentials." in wrong
        assert manager.post(url, {"secret": "app-pass-1234"}).status_code == 302
    account.refresh_from_db()
    assert account.credentials["app_password"] == "app-pass-1234"
    assert account.disconnected_at is None


def test_a_reply_queued_before_the_channel_was_disconnected_is_not_sent(
    mastodon: MastodonPeer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from socialdesk.inbox import sending
    from socialdesk.inbox.models import Delivery

    account, _created = services.mastodon_connect(
        by=BY, instance_url=mastodon.url, access_token=COMPANY_TOKEN
    )
    conversation = Conversation.objects.create(channel_account=account)
    reply = Message.objects.create(
        conversation=conversation, channel_account=account, external_id="out-1",
        direction=Direction.OUTBOUND, text="Ja, er fährt.", created_at=timezone.now(),
        delivery=Delivery.QUEUED,
    )  # fmt: skip
    running.channel_disconnect(by=BY, account=account)
    asked: list[str] = []

    def sender(network: str) -> None:
        asked.append(network)

    monkeypatch.setattr(sending, "sender", sender)
    assert sending.send_due() == 0
    reply.refresh_from_db()
    assert reply.delivery == Delivery.FAILED
    assert "disconnected" in reply.delivery_error
    assert reply.delivery_attempts == 0 and asked == []  # the network was never asked
