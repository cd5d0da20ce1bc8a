"""What a Mastodon instance allows in a post: read when the channel connects, and daily."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.channels import services, tasks
from socialdesk.channels.mastodon import limits
from socialdesk.channels.mastodon.testpeer import COMPANY_TOKEN, MastodonPeer
from socialdesk.channels.models import ChannelAccount, Network

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
    settings.CHANNEL_TIMEOUT_SECONDS = 5
    peer.reset()
    return peer


class OldInstance:
    """An instance that speaks only /api/v1/instance (as before Mastodon 4.0), in the real
    JSON shape, with figures of its own; it counts the requests it gets."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.seen: list[str] = []
        instance = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                instance.seen.append(self.path)
                if self.path.startswith("/api/v1/instance"):
                    body, status = json.dumps(document).encode(), 200
                else:
                    body, status = b'{"error": "Record not found"}', 404
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _channel(url: str, handle: str = "bob@old.example", **fields: Any) -> ChannelAccount:
    account = ChannelAccount(network=Network.MASTODON, handle=handle, **fields)
    account.set_url(url)
    account.set_credentials({"access_token": COMPANY_TOKEN, "account_id": "1"})
    account.save()
    return account


def test_connecting_a_channel_reads_the_instances_limits(mastodon: MastodonPeer) -> None:
    account, created = services.mastodon_connect(
        by=BY, instance_url=mastodon.url, access_token=COMPANY_TOKEN
    )
    account.refresh_from_db()
    assert created
    refreshed = account.limits.pop("refreshed_at")
    assert account.limits == {
        "max_characters": 500,
        "characters_reserved_per_url": 23,
        "max_media": 4,
        "image_size_limit": 10_485_760,
        "image_matrix_limit": 16_777_216,
    }
    assert timezone.now() - datetime.fromisoformat(refreshed) < timedelta(minutes=1)


def test_an_instance_without_v2_is_read_through_v1(settings: Any, db: None) -> None:
    settings.FEED_ADDRESS_POLICY = POLICY
    old = OldInstance(
        {
            "uri": "old.example",
            "version": "3.5.3",
            "configuration": {
                "statuses": {
                    "max_characters": 1000,
                    "max_media_attachments": 6,
                    "characters_reserved_per_url": 23,
                },
                "media_attachments": {"image_size_limit": "huge", "image_matrix_limit": 2**70},
            },
        }
    )
    try:
        account = _channel(old.url)
        found = limits.refresh(account)
    finally:
        old.stop()
    assert old.seen == ["/api/v2/instance", "/api/v1/instance"]
    found.pop("refreshed_at")
    # Values that are not sensible whole numbers are left out (the rules use defaults).
    assert found == {"max_characters": 1000, "characters_reserved_per_url": 23, "max_media": 6}
    assert ChannelAccount.objects.get(pk=account.pk).limits["max_characters"] == 1000


def test_the_daily_task_refreshes_only_limits_older_than_a_day(
    mastodon: MastodonPeer, settings: Any
) -> None:
    fresh = timezone.now().isoformat()
    stale = (timezone.now() - timedelta(days=1, minutes=5)).isoformat()
    old = _channel(mastodon.url, limits={"max_characters": 42, "refreshed_at": stale})
    new = ChannelAccount(
        network=Network.MASTODON,
        handle="new@mock.local",
        limits={"max_characters": 77, "refreshed_at": fresh},
    )
    new.set_url(mastodon.url)
    new.set_credentials({"access_token": COMPANY_TOKEN})
    new.save()
    gone = _channel(mastodon.url, "gone@mock.local", limits={}, disconnected_at=timezone.now())

    assert tasks.refresh_channel_limits.call() == 1
    old.refresh_from_db()
    new.refresh_from_db()
    gone.refresh_from_db()
    assert old.limits["max_characters"] == 500 and old.limits["refreshed_at"] > stale
    assert new.limits == {"max_characters": 77, "refreshed_at": fresh}
    assert gone.limits == {}
    assert tasks.refresh_channel_limits.call() == 0  # nothing is due a second time


def test_an_instance_that_cannot_be_reached_keeps_the_old_limits_and_is_asked_again_later(
    settings: Any, db: None
) -> None:
    settings.FEED_ADDRESS_POLICY = POLICY
    settings.CHANNEL_TIMEOUT_SECONDS = 1
    stale = (timezone.now() - timedelta(days=2)).isoformat()
    account = _channel("http://127.0.0.1:9", limits={"max_characters": 42, "refreshed_at": stale})
    assert limits.refresh_due() == 0
    account.refresh_from_db()
    assert account.limits["max_characters"] == 42 and "failed_at" in account.limits
    assert limits.due() == []  # not again within the hour
    assert limits.due(timezone.now() + timedelta(hours=2)) == [account]
