"""Bluesky through the real atproto SDK against a local server speaking the XRPC shapes."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.channels import base, services
from socialdesk.channels.bluesky.testpeer import FakeBluesky
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.inbox.models import Conversation, Delivery, Direction, Message
from socialdesk.inbox.sending import send_due
from socialdesk.inbox.services import conversation_reply

POLICY = "socialdesk.channels.mastodon.testpeer.loopback_only"
BY = Acting(user=None, label="test")
COMPANY, PASSWORD = "nordlicht.test", "app-pass-1234"


@pytest.fixture
def bsky(settings: Any, db: None) -> Iterator[FakeBluesky]:
    settings.FEED_ADDRESS_POLICY = POLICY
    settings.CHANNEL_TIMEOUT_SECONDS = 5
    with FakeBluesky() as server:
        server.create_account(COMPANY, PASSWORD, display_name="Nordlicht Bahn")
        server.create_account("kim.test", "kim-pass", display_name="Kim <b>K</b>")
        server.create_account("ole.test", "ole-pass")
        yield server


def _connect(server: FakeBluesky) -> ChannelAccount:
    out = StringIO()
    call_command(
        "channels", "add", "bluesky", "--handle", COMPANY, "--app-password", PASSWORD,
        "--service", server.url, stdout=out,
    )  # fmt: skip
    assert "Added @nordlicht.test" in out.getvalue()
    return ChannelAccount.objects.get(network=Network.BLUESKY)


def _poll(account: ChannelAccount) -> int:
    account.refresh_from_db()
    return base.poll(account)


def test_connect_logs_in_once_and_keeps_the_password_encrypted(bsky: FakeBluesky) -> None:
    account = _connect(bsky)
    assert account.handle == COMPANY
    assert PASSWORD not in account.credentials_encrypted
    assert account.credentials["did"] == bsky.did_for(COMPANY)
    with pytest.raises(CommandError, match="Invalid identifier or password"):
        call_command(
            "channels", "add", "bluesky", "--handle", "kim.test", "--app-password", "wrong",
            "--service", bsky.url, stdout=StringIO(),
        )  # fmt: skip
    assert ChannelAccount.objects.filter(network=Network.BLUESKY).count() == 1


def test_mentions_replies_and_quotes_arrive_once_and_the_session_is_reused(
    bsky: FakeBluesky,
) -> None:
    account = _connect(bsky)
    own = bsky.post_as(COMPANY, "Neuer Fahrplan ab Sonntag.")
    mention = bsky.post_as("kim.test", "Fährt der Nachtzug noch? 🚆", mention=COMPANY)
    reply = bsky.post_as("ole.test", "Und am Feiertag?", reply_to_uri=own)
    quote = bsky.post_as("kim.test", "Endlich!", quote_uri=own)
    bsky.like_as("ole.test", own)  # likes are not conversations
    assert _poll(account) == 3
    assert _poll(account) == 0
    stored = {m.external_id: m for m in Message.objects.all()}
    assert set(stored) == {mention, reply, quote}
    assert stored[mention].needs_reply and stored[mention].direction == Direction.INBOUND
    assert stored[mention].text == "@nordlicht.test Fährt der Nachtzug noch? 🚆"
    assert stored[reply].parent_external_id == own
    assert stored[reply].meta["root_uri"] == own
    assert "[quote of" in stored[quote].text
    assert stored[mention].author_handle == "kim.test"
    assert bsky.login_count == 1  # the polls reused the session of the connection


def test_an_expired_access_token_is_refreshed_not_logged_in_again(bsky: FakeBluesky) -> None:
    bsky.access_ttl_seconds = 60  # the SDK refreshes tokens with less than 15 minutes left
    account = _connect(bsky)
    first_session = account.credentials["session"]
    bsky.post_as("kim.test", "Hallo?", mention=COMPANY)
    assert _poll(account) == 1
    assert _poll(account) == 0
    assert bsky.login_count == 1
    assert bsky.refresh_count >= 1
    account.refresh_from_db()
    assert account.credentials["session"] != first_session  # the refreshed one is kept


def test_a_rejected_session_leads_to_one_new_login(bsky: FakeBluesky) -> None:
    account = _connect(bsky)
    bsky.advance_clock(3 * 3600)  # the stored access token is now expired for the server
    bsky.post_as("kim.test", "Hallo?", mention=COMPANY)
    assert _poll(account) == 1
    assert bsky.login_count == 2


def test_reply_goes_out_with_root_parent_and_facets(
    bsky: FakeBluesky, django_capture_on_commit_callbacks: Any
) -> None:
    account = _connect(bsky)
    own = bsky.post_as(COMPANY, "Neuer Fahrplan.")
    question = bsky.post_as("kim.test", "Gilt das auch für die S3?", reply_to_uri=own)
    _poll(account)
    conversation = Conversation.objects.get()
    text = "Ja, @kim.test – Details: https://example.org/fahrplan?s=3 ✔"
    with django_capture_on_commit_callbacks(execute=True):
        reply = conversation_reply(by=BY, conversation=conversation, text=text)
    reply.refresh_from_db()
    assert reply.delivery == Delivery.SENT, reply.delivery_error
    posts = [p for p in bsky.records(COMPANY) if p["value"].get("reply")]
    assert len(posts) == 1
    record = posts[0]["value"]
    assert posts[0]["uri"] == reply.external_id
    assert record["reply"]["root"]["uri"] == own
    assert record["reply"]["parent"]["uri"] == question
    encoded = text.encode()
    spans = {
        f["features"][0]["$type"].rsplit("#", 1)[1]: encoded[
            f["index"]["byteStart"] : f["index"]["byteEnd"]
        ].decode()
        for f in record["facets"]
    }
    assert spans == {"mention": "@kim.test", "link": "https://example.org/fahrplan?s=3"}
    mention = next(f for f in record["facets"] if "mention" in f["features"][0]["$type"])
    assert mention["features"][0]["did"] == bsky.did_for("kim.test")
    conversation.refresh_from_db()
    assert conversation.first_response_at == reply.created_at


@pytest.mark.parametrize("fault", ["status:502", "timeout", "drop_after_commit"])
def test_a_reply_exists_once_whatever_goes_wrong(
    bsky: FakeBluesky, fault: str, django_capture_on_commit_callbacks: Any
) -> None:
    account = _connect(bsky)
    bsky.post_as("kim.test", "Wo ist das Fundbüro?", mention=COMPANY)
    _poll(account)
    conversation = Conversation.objects.get()
    bsky.fault("com.atproto.repo.createRecord", fault, count=1, delay=8)
    with django_capture_on_commit_callbacks(execute=True):
        reply = conversation_reply(by=BY, conversation=conversation, text="Gleis 1.")
    reply.refresh_from_db()
    assert reply.delivery == Delivery.QUEUED and reply.delivery_attempts == 1
    Message.objects.filter(pk=reply.pk).update(delivery_next_at=timezone.now())
    assert send_due() == 1
    reply.refresh_from_db()
    assert reply.delivery == Delivery.SENT
    replies = [p for p in bsky.records(COMPANY) if p["value"].get("reply")]
    assert len(replies) == 1 and replies[0]["uri"] == reply.external_id
    assert send_due() == 0


def test_rate_limit_makes_the_channel_wait(bsky: FakeBluesky) -> None:
    account = _connect(bsky)
    bsky.fault("app.bsky.notification.listNotifications", "status:429", count=1)
    with pytest.raises(base.RateLimited):
        _poll(account)
    account.refresh_from_db()
    assert account.failures == 0 and account.next_poll_at is not None
    assert account.next_poll_at > timezone.now()


def test_a_too_long_reply_is_refused_before_it_is_queued(bsky: FakeBluesky) -> None:
    from django.core.exceptions import ValidationError

    account = _connect(bsky)
    bsky.post_as("kim.test", "Frage?", mention=COMPANY)
    _poll(account)
    with pytest.raises(ValidationError, match="300 characters"):
        conversation_reply(by=BY, conversation=Conversation.objects.get(), text="x" * 301)
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()


@pytest.mark.parametrize("service", ["ftp://bsky.example", "https://", "mailto:x@bsky.example"])
def test_it_says_bluesky_when_the_service_address_is_bad(db: None, service: str) -> None:
    with pytest.raises(CommandError) as refused:
        call_command(
            "channels", "add", "bluesky", "--handle", COMPANY, "--app-password", PASSWORD,
            "--service", service, stdout=StringIO(),
        )  # fmt: skip
    assert "Bluesky" in str(refused.value) and "Mastodon" not in str(refused.value)
    with pytest.raises(ValidationError) as invalid:
        services.bluesky_connect(by=BY, handle=COMPANY, app_password=PASSWORD, service=service)
    assert list(invalid.value.message_dict) == ["service"]  # shown at the form's field
    assert "Bluesky" in str(invalid.value) and "Mastodon" not in str(invalid.value)


def test_hostile_notifications_are_cleaned_and_the_rest_is_stored(bsky: FakeBluesky) -> None:
    account = _connect(bsky)
    # 600 characters: longer than the contact's name column (200), and still what the SDK
    # accepts (it refuses a page with a display name beyond 640).
    bsky.create_account("long.test", "long-pass", display_name="N" * 600)
    nul = bsky.post_as("kim.test", "Wo\x00 bleibt der Zug?", mention=COMPANY)
    named = bsky.post_as("long.test", "Hallo?", mention=COMPANY)
    plain = bsky.post_as("ole.test", "Und jetzt?", mention=COMPANY)
    assert _poll(account) == 3
    stored = {m.external_id: m for m in Message.objects.all()}
    assert set(stored) == {nul, named, plain}
    assert "\x00" not in stored[nul].text and "Wo bleibt der Zug?" in stored[nul].text
    contact = stored[named].contact
    assert contact is not None and contact.display_name == "N" * 200
    assert not account.set_aside.exists()


def test_an_invalid_notification_is_set_aside_alone_and_every_other_one_is_stored(
    bsky: FakeBluesky, client_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from socialdesk.channels.bluesky import notifications

    monkeypatch.setattr(notifications, "PAGE", 2)  # the bad ones and the good ones on three pages
    account = _connect(bsky)
    # 700 characters: beyond the 640 the lexicon allows, so the SDK refuses a page holding it
    bsky.create_account("huge.test", "huge-pass", display_name="N" * 700)
    first = bsky.post_as("kim.test", "Fährt die S1 heute?", mention=COMPANY)
    named = bsky.post_as("huge.test", "Hallo?", mention=COMPANY)
    undated = bsky.post_as("ole.test", "Wann?", mention=COMPANY, broken={"createdAt": None})
    wordless = bsky.post_as("ole.test", "Was?", mention=COMPANY, broken={"text": 42})
    dateless = bsky.post_as("ole.test", "Wo?", mention=COMPANY, broken={"createdAt": "gestern"})
    hologram = {"$type": "app.bsky.embed.hologram", "record": "kein Verweis"}
    embedded = bsky.post_as(
        "kim.test", "Seht ihr das?", mention=COMPANY, broken={"embed": hologram}
    )
    last = bsky.post_as("kim.test", "Und die S2?", mention=COMPANY)
    assert _poll(account) == 3
    stored = set(Message.objects.values_list("external_id", flat=True))
    assert stored == {first, embedded, last}
    reasons = dict(account.set_aside.values_list("external_id", "reason"))
    assert set(reasons) == {named, undated, wordless, dateless}
    assert "author.displayName" in reasons[named] and "640 characters" in reasons[named]
    assert "record.createdAt: Field required" in reasons[undated]
    assert "record.text: Input should be a valid string" in reasons[wordless]
    assert "record.createdAt is not a date: 'gestern'" in reasons[dateless]
    page = client_as("admin").get("/settings/channels/").content.decode()
    assert "4 items set aside" in page
    assert "author.displayName: String should have at most 640 characters" in page
    later = bsky.post_as("ole.test", "Und morgen?", mention=COMPANY)
    assert _poll(account) == 1
    assert Message.objects.filter(external_id=later).exists()
    assert account.set_aside.count() == 4  # read once, set aside once
    account.refresh_from_db()
    assert account.failures == 0 and account.last_error == ""
