"""In headless Chromium, in German: a manager pauses and resumes a channel, creates a webhook
channel and sees its secret once, and sees a connector error in words at the form field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Role, User
from socialdesk.channels import base, services
from socialdesk.channels.fetch import FetchError
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.channels.tasks import poll_due
from socialdesk.inbox.models import Conversation, Direction, Message
from tests.test_browser import browser_page  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser]
SHOTS = Path("/tmp/shots-channels")
BY = Acting(user=None, label="test")


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _sign_in(page: Page, live_server: Any, user: User) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value,
          "url": live_server.url}]
    )  # fmt: skip


def _channels(settings: Any) -> None:
    settings.FEED_ADDRESS_POLICY = ""
    feed = services.rss_add(by=BY, url="https://bahnblog.example/feed.xml", name="Bahnblog")
    broken = services.rss_add(by=BY, url="https://forum.example/gone.xml", name="Forum")
    base.record_failure(
        broken, FetchError("https://forum.example/gone.xml: the server answered HTTP 404")
    )
    imported = ChannelAccount.objects.create(network=Network.TWITTER, handle="nordlichtbahn")
    conversation = Conversation.objects.create(channel_account=imported)
    for n in range(3):
        Message.objects.create(
            conversation=conversation, channel_account=imported, external_id=str(n),
            direction=Direction.INBOUND, text="Zug?", created_at=timezone.now(),
        )  # fmt: skip
    assert feed.pk


@pytest.mark.django_db(transaction=True)
def test_a_manager_runs_channels_in_german(
    live_server: Any,
    browser_page: Any,  # noqa: F811
    settings: Any,
) -> None:
    page, console_errors = browser_page
    _channels(settings)
    manager = User.objects.create_user(
        "max@example.com", "max's long passphrase", full_name="Max Manager",
        role=Role.MANAGER, language="de",
    )  # fmt: skip
    _sign_in(page, live_server, manager)
    page.goto(live_server.url + "/settings/channels/")
    expect(page.locator("h1")).to_have_text("Kanäle")
    broken_row = page.locator("tr", has_text="Forum")
    expect(broken_row).to_contain_text(
        "Der Feed antwortet „nicht gefunden“. Prüfen Sie die Adresse."
    )
    expect(broken_row.locator("details code")).not_to_be_visible()
    broken_row.get_by_text("Details").click()
    expect(broken_row.locator("details code")).to_contain_text("HTTP 404")
    imported = page.locator("section", has=page.get_by_role("heading", name="Importierte Konten"))
    expect(imported).to_contain_text("@nordlichtbahn")
    _shot(page, "channels-de")

    # Pause and resume
    row = page.locator("tr", has_text="Bahnblog")
    row.get_by_role("button", name="Pausieren").click()
    expect(page.locator(".message.success")).to_contain_text("ist pausiert")
    row = page.locator("tr", has_text="Bahnblog")
    expect(row).to_contain_text("Pausiert: wird nicht abgefragt")
    feed = ChannelAccount.objects.get(name="Bahnblog")
    assert feed.paused_at is not None
    settings.FEED_ADDRESS_POLICY = "socialdesk.channels.mastodon.testpeer.loopback_only"
    poll_due()  # the worker's round: the paused feed is not asked
    feed.refresh_from_db()
    assert feed.last_polled_at is None
    row.get_by_role("button", name="Fortsetzen").click()
    expect(page.locator(".message.success")).to_contain_text("wird wieder abgefragt")
    expect(page.locator("tr", has_text="Bahnblog")).not_to_contain_text("Pausiert")

    # A webhook channel: the secret once
    form = page.locator("form", has=page.get_by_role("button", name="Webhook anlegen"))
    form.get_by_label("Name").fill("Shop-Bewertungen")
    form.get_by_role("button", name="Webhook anlegen").click()
    expect(page.locator("h1")).to_have_text("Webhook „Shop-Bewertungen“ angelegt")
    secret = page.locator("#webhook-secret").inner_text()
    hook = ChannelAccount.objects.get(network=Network.WEBHOOK)
    assert secret == hook.credentials["secret"]
    expect(page.locator("#webhook-url")).to_contain_text(f"/hooks/{hook.pk}/")
    _shot(page, "webhook-secret-de")
    page.get_by_role("link", name="Zur Seite des Kanals").click()
    expect(page.locator("h1")).to_have_text("Shop-Bewertungen")
    assert secret not in page.content()
    _shot(page, "channel-webhook-de")
    page.goto(live_server.url + "/settings/channels/")
    assert secret not in page.content()

    # A translated error at the field
    form = page.locator("form", has=page.get_by_role("button", name="Mastodon verbinden"))
    form.get_by_label("Mastodon-Instanz").fill("http://10.1.2.3")
    form.get_by_role("button", name="Mastodon verbinden").click()
    field = page.locator(".field", has=page.get_by_label("Mastodon-Instanz"))
    expect(field.locator(".errorlist")).to_contain_text(
        "Die Mastodon-Instanz liegt in einem internen Netz."
    )
    field.get_by_text("Details").click()
    expect(field.locator("details code")).to_contain_text("10.1.2.3")
    _shot(page, "channels-error-at-field-de")
    page.goto(live_server.url + "/settings/channels/mastodon/")  # opened again: no blank 405
    expect(page.locator("h1")).to_have_text("Kanäle")
    expect(page.get_by_label("Mastodon-Instanz")).to_be_visible()

    manager.language = "en"
    manager.save(update_fields=["language"])
    page.goto(live_server.url + "/settings/channels/")
    expect(page.locator("h1")).to_have_text("Channels")
    expect(page.locator("tr", has_text="Forum")).to_contain_text(
        "The feed answered “not found”. Check the address."
    )
    _shot(page, "channels-en")
    page.goto(live_server.url + f"/settings/channels/{hook.pk}/")
    _shot(page, "channel-webhook-en")
    assert console_errors == []
