"""In headless Chromium: hostile posts from every channel show as text and never run.

Payloads arrive through a signed webhook (author, display name, text), an RSS feed, Mastodon
(display name, posts) and Bluesky (display name, posts)
(title, HTML description, author); the inbox list, its search and every conversation are
opened, and nothing may open a dialog, set a marker on the page, or trip the CSP.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape

import pytest
from django.db import connections
from django.test import Client

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Role, User
from socialdesk.channels import base, services
from socialdesk.channels.bluesky.testpeer import FakeBluesky
from socialdesk.channels.mastodon.testpeer import COMPANY_TOKEN, MastodonPeer
from socialdesk.channels.rss.connector import poll
from socialdesk.channels.webhook.receiver import process_pending, signature
from socialdesk.inbox.models import Conversation
from tests.test_browser import browser_page  # noqa: F401 - fixture
from tests.xss_corpus import PAYLOADS

pytestmark = [pytest.mark.browser]


class _Feed(BaseHTTPRequestHandler):
    body = b""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()
        self.wfile.write(type(self).body)


@pytest.fixture
def feed_server(settings) -> Iterator[str]:
    settings.FEED_ADDRESS_POLICY = "socialdesk.channels.tests.test_rss.loopback_only"
    settings.CHANNEL_TIMEOUT_SECONDS = 5
    items = "".join(
        f"<item><guid>p{i}</guid><title>{escape(p)}</title><description>{escape(p)}</description>"
        f"<author>x@example.org ({escape(p)})</author></item>"
        for i, p in enumerate(PAYLOADS)
    )
    _Feed.body = f"<?xml version='1.0'?><rss version='2.0'><channel><title>{escape(PAYLOADS[0])}</title>{items}</channel></rss>".encode()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Feed)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/feed"
    httpd.shutdown()


def _through_mastodon(by: Acting, settings: Any) -> int:
    """Payloads as a customer's display name and posts on Mastodon (one thread)."""
    peer = MastodonPeer().start()
    try:
        alice = peer.client("alice")
        alice.account_update_credentials(display_name=PAYLOADS[3])
        first = alice.status_post("@bob " + PAYLOADS[0])
        for payload in PAYLOADS:
            alice.status_post(f"@bob {payload}", in_reply_to_id=first.id)
        account, _created = services.mastodon_connect(
            by=by, instance_url=peer.url, access_token=COMPANY_TOKEN, name=PAYLOADS[4]
        )
        return base.poll(account) + base.poll(account)
    finally:
        peer.stop()


def _through_bluesky(by: Acting) -> int:
    """Payloads as display names and posts on Bluesky (one thread)."""
    with FakeBluesky() as bsky:
        bsky.create_account("brand.test", "pass-1234")
        bsky.create_account("eve.test", "pass-5678", display_name=PAYLOADS[5][:64])
        first = bsky.post_as("eve.test", "Hallo", mention="brand.test")
        for payload in PAYLOADS:
            bsky.post_as("eve.test", payload[:250], mention="brand.test", reply_to_uri=first)
        account, _created = services.bluesky_connect(
            by=by, handle="brand.test", app_password="pass-1234", service=bsky.url
        )
        return base.poll(account)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_no_payload_runs_anywhere(live_server, browser_page, feed_server, settings):  # noqa: F811
    page, console_errors = browser_page
    assert len(PAYLOADS) >= 50
    by = Acting(user=None, label="test")
    hook, secret = services.webhook_add(by=by, name="Hostile hook", secret="s3cret")
    delivery = json.dumps(
        {
            "items": [
                {
                    "id": f"w{i}",
                    "author": p[:60],
                    "author_name": p,
                    "text": p,
                    "created_at": "2026-03-02T08:00:00Z",
                }
                for i, p in enumerate(PAYLOADS)
            ]
        }
    ).encode()
    response = Client().post(
        f"/hooks/{hook.pk}/",
        delivery,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signature(secret, delivery)},
    )
    assert response.status_code == 202 and response.json()["accepted"] == len(PAYLOADS)
    process_pending()
    assert poll(services.rss_add(by=by, url=feed_server, name=PAYLOADS[1])) == len(PAYLOADS)
    assert _through_mastodon(by, settings) == len(PAYLOADS) + 1
    assert _through_bluesky(by) == len(PAYLOADS) + 1

    User.objects.create_user(
        "ada@example.com",
        "ada's long passphrase",
        full_name=PAYLOADS[2],
        role=Role.ADMIN,
        language="en",
    )
    page.goto(live_server.url + "/login/")
    page.get_by_label("E-mail address").fill("ada@example.com")
    page.get_by_label("Password").fill("ada's long passphrase")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")

    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    urls = [
        "/",
        "/inbox/?status=all",
        "/inbox/?status=all&q=script",
        "/inbox/?status=all&q=onerror",
        "/settings/channels/",
    ]
    urls += [f"/inbox/{pk}/" for pk in Conversation.objects.values_list("pk", flat=True)]
    for url in urls:
        page.goto(live_server.url + url)
        page.wait_for_load_state("load")
        assert page.evaluate("() => window.__xss") is None, url
    assert dialogs == []
    assert [e for e in console_errors if "Content Security Policy" in e] == []
    # The payloads are on the pages as text, not as markup.
    hooked = Conversation.objects.filter(channel_account=hook).first()
    assert hooked is not None
    page.goto(live_server.url + f"/inbox/{hooked.pk}/")
    assert (
        "<img src=x onerror=" in page.locator(".thread-items").inner_text()
        or "<script>" in page.locator(".thread-items").inner_text()
    )
    connections.close_all()
