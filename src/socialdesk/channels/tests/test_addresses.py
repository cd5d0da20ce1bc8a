"""Credentials in feed addresses: kept encrypted, shown redacted everywhere, used in full."""

from __future__ import annotations

import base64
import json
import logging
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import AuditEvent
from socialdesk.channels import services, tasks
from socialdesk.channels.addresses import redact
from socialdesk.channels.models import ChannelAccount, Network

BY = Acting(user=None, label="test")
SECRETS = ["s3cret-pass", "feeduser", "K3Y-4711", "T0K-0815", "s3cret-pass".lower()]
FEED = "http://feeduser:s3cret-pass@feeds.example/news/feed?api_key=K3Y-4711&token=T0K-0815&lang=de"
SHOWN = "http://feeds.example/news/feed?api_key=•••&token=•••&lang=de"
ROLES = ["admin", "manager", "agent", "member", "viewer"]


def _no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} is shown"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (FEED, SHOWN),
        ("https://u:p@host.example:8443/f", "https://host.example:8443/f"),
        (
            "https://host.example/rss?q=nordlicht&hl=de",
            "https://host.example/rss?q=nordlicht&hl=de",
        ),
        ("https://host.example/rss?secret", "https://host.example/rss?secret=•••"),
    ],
)
def test_it_redacts_user_password_and_query_values(url: str, shown: str) -> None:
    assert redact(url) == shown


def test_it_keeps_a_feed_address_with_credentials_encrypted_and_shows_it_redacted(
    client_as: Callable[[str], Client], people: Any
) -> None:
    manager = client_as("manager")
    response = manager.post(reverse("channels:health"), {"url": FEED, "name": ""})
    assert response.status_code == 302
    with connection.cursor() as cursor:
        cursor.execute("SELECT url, url_encrypted, handle, name FROM channels_channelaccount")
        stored = cursor.fetchall()
    assert len(stored) == 1
    url, url_encrypted, handle, name = stored[0]
    assert (url, handle, name) == (SHOWN, "feeds.example/news/feed", "feeds.example")
    _no_secret(" ".join(map(str, stored[0])))
    account = ChannelAccount.objects.get()
    assert account.address == FEED and url_encrypted
    # The channel page, the audit log (page and rows), the CLI's list.
    _no_secret(manager.get(reverse("channels:health")).content.decode())
    _no_secret(json.dumps(list(AuditEvent.objects.values("after", "before", "object_repr"))))
    audit_page = client_as("admin").get(reverse("accounts:audit_log")).content.decode()
    assert "feeds.example" in audit_page
    _no_secret(audit_page)
    out = StringIO()
    call_command("channels", "list", "--json", stdout=out)
    listed = json.loads(out.getvalue())
    assert listed[0]["url"] == SHOWN and listed[0]["handle"] == "feeds.example/news/feed"
    # The KPI page's account list, for every role.
    for role in ROLES:
        page = client_as(role).get(reverse("kpi:first_response"))
        assert page.status_code == 200
        assert "feeds.example/news/feed" in page.content.decode()
        _no_secret(page.content.decode())
    # The same feed again is refused; the message shows the address redacted (the form
    # field keeps what the person typed, as any form does).
    again = manager.post(reverse("channels:health"), {"url": FEED, "name": ""})
    assert f"The feed {SHOWN} is connected already" in again.content.decode().replace("&amp;", "&")


def test_feeds_that_differ_only_in_their_query_get_their_own_handles(db: None) -> None:
    first = services.rss_add(by=BY, url="https://news.example/rss?q=nordlicht")
    second = services.rss_add(by=BY, url="https://news.example/rss?q=bahn")
    assert (first.handle, second.handle) == ("news.example/rss", "news.example/rss (2)")


class _Feed(BaseHTTPRequestHandler):
    seen: list[tuple[str, str]] = []

    def log_message(self, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        type(self).seen.append((self.path, self.headers.get("Authorization", "")))
        self.send_response(500)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def feed_server(settings: Any) -> Iterator[int]:
    settings.FEED_ADDRESS_POLICY = "socialdesk.channels.mastodon.testpeer.loopback_only"
    _Feed.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Feed)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield int(httpd.server_address[1])
    httpd.shutdown()


def test_the_full_address_is_used_and_errors_and_logs_show_it_redacted(
    feed_server: int, db: None, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"http://feeduser:s3cret-pass@127.0.0.1:{feed_server}/feed?api_key=K3Y-4711"
    account = services.rss_add(by=BY, url=url)
    with caplog.at_level(logging.INFO):
        tasks.poll_due()
    expected_auth = "Basic " + base64.b64encode(b"feeduser:s3cret-pass").decode()
    assert _Feed.seen == [("/feed?api_key=K3Y-4711", expected_auth)]
    account.refresh_from_db()
    assert "HTTP 500" in account.last_error
    assert f"127.0.0.1:{feed_server}/feed?api_key=•••" in account.last_error
    _no_secret(account.last_error)
    _no_secret(caplog.text)


def test_rotate_keys_re_encrypts_the_address(db: None, settings: Any, tmp_path: Any) -> None:
    settings.DATA_DIR = tmp_path
    account = services.rss_add(by=BY, url=FEED)
    before = account.url_encrypted
    call_command("rotate-keys", stdout=StringIO())
    account.refresh_from_db()
    assert account.url_encrypted != before and account.address == FEED
    assert account.url == SHOWN


def test_the_migration_encrypts_addresses_stored_in_clear(db: None) -> None:
    from importlib import import_module

    migration = import_module(
        "socialdesk.channels.migrations.0007_encrypt_addresses_with_credentials"
    )
    account = ChannelAccount.objects.create(
        network=Network.RSS, handle="feeds.example/news/feed?api_key=k3y-4711", url=FEED
    )
    AuditEvent.objects.create(
        action="channel.added", object_type="channelaccount", object_id=str(account.pk),
        after={"network": "rss", "url": FEED, "name": "feeds.example"},
    )  # fmt: skip
    migration.encrypt_addresses(apps, None)
    account.refresh_from_db()
    assert account.url == SHOWN and account.address == FEED
    assert account.handle == "feeds.example/news/feed"
    assert AuditEvent.objects.get().after["url"] == SHOWN
