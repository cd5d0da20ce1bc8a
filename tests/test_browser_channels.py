"""In headless Chromium: a new manager connects Mastodon (OAuth) and Bluesky, a mention
arrives with the next poll, the reply from the inbox appears on the network and the SLA clock
stops."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections
from playwright.sync_api import Page, expect

from socialdesk.accounts.models import Role, User
from socialdesk.channels.bluesky.testpeer import FakeBluesky
from socialdesk.channels.mastodon.testpeer import MastodonPeer
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.channels.tasks import poll_due
from socialdesk.inbox.models import Conversation, Delivery, Direction, SlaState
from socialdesk.sla.models import SlaPolicy
from tests.test_browser import _shot, browser_page  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser]
POLICY = "socialdesk.channels.mastodon.testpeer.loopback_only"


@pytest.fixture
def peer() -> Iterator[MastodonPeer]:
    server = MastodonPeer().start()
    yield server
    server.stop()


def _sign_in_as_new_manager(page: Page, live_server: Any) -> None:
    User.objects.create_user(
        "mia@example.com", "mia's long passphrase", full_name="Mia Manager",
        role=Role.MANAGER, language="en",
    )  # fmt: skip
    SlaPolicy.objects.create(name="Within an hour", first_response_minutes=60)
    page.goto(live_server.url + "/login/")
    page.get_by_label("E-mail address").fill("mia@example.com")
    page.get_by_label("Password").fill("mia's long passphrase")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Settings", exact=True).first.click()
    page.get_by_role("link", name="Channels").click()
    expect(page.locator("h1")).to_have_text("Channels")


def _errors_of(page: Page, origin: str) -> list[str]:
    errors: list[str] = []
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and m.location.get("url", "").startswith(origin)
            else None
        ),
    )
    return errors


def _answer_in_the_inbox(page: Page, live_server: Any, question: str, answer: str) -> None:
    page.get_by_role("link", name="Inbox", exact=True).first.click()
    row = page.locator(".conversation-row", has_text=question)
    expect(row).to_have_count(0)
    assert poll_due() == 1  # the worker's next round of polls
    expect(row).to_have_count(1, timeout=10_000)  # the list refreshes itself
    row.locator("a").first.click()
    page.get_by_label("Reply to the customer").fill(answer)
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator(".msg.out .badge.sent")).to_be_visible(timeout=10_000)


@pytest.mark.django_db(transaction=True)
def test_connect_mastodon_answer_a_mention_and_the_clock_stops(
    live_server: Any,
    browser_page: Any,  # noqa: F811
    peer: MastodonPeer,
    settings: Any,
) -> None:
    settings.FEED_ADDRESS_POLICY = POLICY
    settings.INBOX_REFRESH_SECONDS = 1
    page, _all_errors = browser_page
    console_errors = _errors_of(page, live_server.url)  # not of mastodon-mock's own page
    _sign_in_as_new_manager(page, live_server)

    page.get_by_label("Mastodon instance").fill(peer.url)
    page.get_by_role("button", name="Connect Mastodon").click()
    page.get_by_role("link", name="Sign in at").click()
    # mastodon-mock's authorisation page: choose the company's account.
    page.get_by_role("button", name="Bob (@bob)").click()
    expect(page.locator(".message.success")).to_contain_text("is connected")
    expect(page.locator("table")).to_contain_text("@bob@mock.local")
    _shot(page, "channels-mastodon-connected-en")
    account = ChannelAccount.objects.get(network=Network.MASTODON)
    assert account.credentials["client_id"]  # registered as an app through OAuth

    question = peer.client("alice").status_post(
        "@bob Is the 8:15 to Hamburg running today?", visibility="direct"
    )
    _answer_in_the_inbox(page, live_server, "8:15 to Hamburg", "Yes, on time.")
    _shot(page, "conversation-mastodon-sent-en")

    replies = peer.company_replies(question.id)
    assert len(replies) == 1
    assert "Yes, on time." in replies[0].content and replies[0].visibility == "direct"
    conversation = Conversation.objects.get()
    reply = conversation.messages.get(direction=Direction.OUTBOUND)
    assert reply.delivery == Delivery.SENT and reply.external_id == str(replies[0].id)
    assert conversation.first_response_at is not None
    assert conversation.sla_state == SlaState.MET
    expect(page.locator(".sla-facts")).to_contain_text("Met")
    assert console_errors == []
    connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_connect_bluesky_answer_a_mention_and_the_clock_stops(
    live_server: Any,
    browser_page: Any,  # noqa: F811
    settings: Any,
) -> None:
    settings.FEED_ADDRESS_POLICY = POLICY
    settings.INBOX_REFRESH_SECONDS = 1
    page, console_errors = browser_page
    with FakeBluesky() as bsky:
        bsky.create_account("nordlicht.test", "app-pass-1234", display_name="Nordlicht")
        bsky.create_account("kim.test", "kim-pass", display_name="Kim")
        _sign_in_as_new_manager(page, live_server)

        form = page.locator("form", has=page.get_by_role("button", name="Connect Bluesky"))
        form.get_by_label("Handle").fill("@nordlicht.test")
        form.get_by_label("App password").fill("wrong-password")
        form.get_by_label("Server").fill(bsky.url)
        form.get_by_role("button", name="Connect Bluesky").click()
        expect(page.locator(".errorlist")).to_contain_text(
            "The Bluesky server refused the credentials."
        )
        page.get_by_text("Details").click()  # the server's own words behind the disclosure
        expect(page.locator("details code")).to_contain_text("Invalid identifier or password")
        assert not ChannelAccount.objects.filter(network=Network.BLUESKY).exists()

        form = page.locator("form", has=page.get_by_role("button", name="Connect Bluesky"))
        form.get_by_label("App password").fill("app-pass-1234")
        form.get_by_role("button", name="Connect Bluesky").click()
        expect(page.locator(".message.success")).to_contain_text("is connected")

        question = bsky.post_as("kim.test", "Is the bike carriage open today?",
                                mention="nordlicht.test")  # fmt: skip
        _answer_in_the_inbox(page, live_server, "bike carriage", "Yes, in coach 5.")
        posts = [p for p in bsky.records("nordlicht.test") if p["value"].get("reply")]
        assert len(posts) == 1
        assert posts[0]["value"]["reply"]["parent"]["uri"] == question
        assert posts[0]["value"]["text"] == "Yes, in coach 5."
        conversation = Conversation.objects.get()
        assert conversation.sla_state == SlaState.MET
        assert bsky.login_count == 1
    assert console_errors == []
    connections.close_all()
