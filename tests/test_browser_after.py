"""In headless Chromium, after publishing: a post's figures (chart and table) read back from
mastodon-mock and the local Bluesky peer, its replies linked both ways with the inbox, an
edit on Mastodon refused when too long and then saved, and a deletion from one network after
the confirmation page. Screenshots in German and English (SCREENSHOT_DIR)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Role, User
from socialdesk.channels import base
from socialdesk.channels.bluesky.testpeer import FakeBluesky
from socialdesk.channels.mastodon.testpeer import MastodonPeer
from socialdesk.inbox.models import Conversation
from socialdesk.publishing import metrics
from socialdesk.publishing.models import PostTarget, TargetState
from socialdesk.publishing.tests.published import (
    COMPANY,
    PASSWORD,
    POLICY,
    connect_bluesky,
    connect_mastodon,
    publish,
)

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not shutil.which(CHROMIUM) and not os.environ.get("REQUIRE_BROWSER"),
        reason=f"{CHROMIUM} is not installed (CI sets REQUIRE_BROWSER and installs it)",
    ),
]
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "screenshots"))
SECRET = "a long enough passphrase"


@pytest.fixture
def browser_page(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-dev-shm-usage", "--no-sandbox"],
        )  # fmt: skip
        context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        yield page, errors, context
        browser.close()
    connections.close_all()


def _shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _sign_in(page: Any, url: str, email: str) -> None:
    page.goto(url + "/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(SECRET)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + "/")


@pytest.mark.django_db(transaction=True)
def test_a_manager_follows_a_post_after_publishing(
    live_server: Any, browser_page: Any, settings: Any
) -> None:
    settings.FEED_ADDRESS_POLICY = POLICY
    settings.CHANNEL_TIMEOUT_SECONDS = 3
    page, console_errors, context = browser_page
    greta = User.objects.create_user("greta@example.com", SECRET, full_name="Greta Gerber",
                                     role=Role.MANAGER, language="de")  # fmt: skip
    User.objects.create_user("max@example.com", SECRET, full_name="Max Manager",
                             role=Role.MANAGER, language="en")  # fmt: skip
    peer = MastodonPeer().start()
    try:
        with FakeBluesky() as bsky:
            bsky.create_account(COMPANY, PASSWORD, display_name="Nordlicht Bahn")
            bsky.create_account("kim.test", "kim-pass", display_name="Kim")
            _run(live_server.url, page, context, peer, bsky, greta)
    finally:
        peer.stop()
    assert console_errors == []


def _run(url: str, page: Any, context: Any, peer: MastodonPeer, bsky: FakeBluesky,
         greta: User) -> None:  # fmt: skip
    on_mastodon, on_bluesky = connect_mastodon(peer), connect_bluesky(bsky)
    t0 = timezone.now() - timedelta(days=4)
    post = publish(Acting(user=greta), [on_mastodon, on_bluesky],
                   "Hinter den Kulissen: eine Nacht in der Werkstatt", at=t0)  # fmt: skip
    remote = dict(post.targets.values_list("channel_id", "remote_id"))
    alice, bob = peer.client("alice"), peer.client("bob")
    moments = (t0 + timedelta(hours=1), t0 + timedelta(hours=6), t0 + timedelta(hours=24),
               t0 + timedelta(hours=72))  # fmt: skip
    for step, moment in enumerate(moments):
        if step == 1:
            alice.status_favourite(remote[on_mastodon.pk])
            bsky.like_as("kim.test", remote[on_bluesky.pk])
        if step == 2:
            alice.status_reblog(remote[on_mastodon.pk])
            alice.status_post("Tolle Einblicke!", in_reply_to_id=remote[on_mastodon.pk])
            bsky.post_as("kim.test", "Gibt es eine Führung?", reply_to_uri=remote[on_bluesky.pk])
        if step == 3:
            bob.status_favourite(remote[on_mastodon.pk])
        assert metrics.read_due(now=moment) == 2
    for account in (on_mastodon, on_bluesky):
        account.refresh_from_db()
        base.poll(account)

    _sign_in(page, url, "greta@example.com")
    page.goto(f"{url}/publishing/posts/{post.pk}/after/")
    page.wait_for_selector("figure.metrics-chart svg[role=img]")
    body = page.locator("main, body").first.inner_text()
    assert "Nach der Veröffentlichung" in body and "2 Antworten im Posteingang" in body
    assert "24 Std." in page.locator("figure.metrics-chart svg[role=img]").inner_html()
    _shot(page, "after-post-de")

    page.get_by_role("link", name="Alice").first.click()
    page.wait_for_load_state()
    assert "Antwort auf unseren Beitrag „Hinter den Kulissen" in page.content()
    _shot(page, "after-conversation-de")
    page.get_by_role("link", name="Antwort auf unseren Beitrag", exact=False).click()
    page.wait_for_url(f"**/publishing/posts/{post.pk}/")

    page.get_by_role("link", name="Auf Mastodon bearbeiten …").click()
    page.get_by_label("Text").fill("Hinter den Kulissen: " + "eine lange Nacht " * 30)
    page.get_by_role("button", name="Im Netzwerk speichern").click()
    page.get_by_text("Zu lang für Nordlicht auf Mastodon", exact=False).wait_for()
    _shot(page, "after-edit-too-long-de")
    page.get_by_label("Text").fill("Hinter den Kulissen: zwei Nächte in der Werkstatt")
    page.get_by_label("Inhaltswarnung").fill("Lärm")
    page.get_by_role("button", name="Im Netzwerk speichern").click()
    page.wait_for_url(f"**/publishing/posts/{post.pk}/")
    status = bob.status(remote[on_mastodon.pk])
    assert "zwei Nächte" in status.content and status.spoiler_text == "Lärm"

    page.get_by_role("link", name="Aus den Netzwerken löschen …").click()
    _shot(page, "after-delete-confirm-de")
    page.get_by_label("Nordlicht auf Mastodon", exact=False).uncheck()
    page.get_by_role("button", name="Aus diesen Netzwerken löschen").click()
    page.wait_for_url(f"**/publishing/posts/{post.pk}/")
    page.wait_for_load_state()
    assert bsky.records(COMPANY) == []
    states = dict(PostTarget.objects.filter(post=post).values_list("channel_id", "state"))
    assert states == {on_mastodon.pk: TargetState.PUBLISHED, on_bluesky.pk: TargetState.DELETED}
    assert "Greta hat den Beitrag auf @nordlicht.test gelöscht." in page.content()
    _shot(page, "after-post-deleted-de")

    context.clear_cookies()
    _sign_in(page, url, "max@example.com")
    page.goto(f"{url}/publishing/posts/{post.pk}/after/")
    assert "2 replies in the inbox" in page.content()
    _shot(page, "after-post-en")
    conversation = Conversation.objects.filter(channel_account=on_mastodon).first()
    assert conversation is not None
