"""Helpers for the after-publishing tests: real peers, channels connected to them, and posts
published part by part through the connectors (as the engine does in production)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.channels.base import Outgoing
from socialdesk.channels.bluesky.testpeer import FakeBluesky
from socialdesk.channels.mastodon.testpeer import COMPANY_TOKEN, MastodonPeer
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.channels.protocol import publisher
from socialdesk.publishing import services
from socialdesk.publishing.models import (
    Campaign,
    PartState,
    Post,
    PostStatus,
    PostTarget,
    TargetState,
)

POLICY = "socialdesk.channels.mastodon.testpeer.loopback_only"
COMPANY, PASSWORD = "nordlicht.test", "app-pass-1234"


@pytest.fixture(scope="module", name="mastodon_peer")
def mastodon_peer_fixture() -> Iterator[MastodonPeer]:
    server = MastodonPeer().start()
    yield server
    server.stop()


@pytest.fixture(name="mastodon")
def mastodon_fixture(mastodon_peer: MastodonPeer, settings: Any, db: None) -> MastodonPeer:
    settings.FEED_ADDRESS_POLICY = POLICY
    mastodon_peer.reset()
    return mastodon_peer


@pytest.fixture(name="bsky")
def bsky_fixture(settings: Any, db: None) -> Iterator[FakeBluesky]:
    settings.FEED_ADDRESS_POLICY = POLICY
    settings.CHANNEL_TIMEOUT_SECONDS = 5
    with FakeBluesky() as server:
        server.create_account(COMPANY, PASSWORD, display_name="Nordlicht Bahn")
        server.create_account("kim.test", "kim-pass", display_name="Kim")
        yield server


def connect_mastodon(peer: MastodonPeer) -> ChannelAccount:
    call_command(
        "channels", "add", "mastodon", "--instance", peer.url, "--access-token", COMPANY_TOKEN,
        "--name", "Nordlicht auf Mastodon", stdout=StringIO(),
    )  # fmt: skip
    return ChannelAccount.objects.get(network=Network.MASTODON)


def connect_bluesky(server: FakeBluesky) -> ChannelAccount:
    call_command(
        "channels", "add", "bluesky", "--handle", COMPANY, "--app-password", PASSWORD,
        "--service", server.url, stdout=StringIO(),
    )  # fmt: skip
    return ChannelAccount.objects.get(network=Network.BLUESKY)


def publish(
    by: Acting,
    channels: Sequence[ChannelAccount],
    text: str,
    *,
    thread: Sequence[str] = (),
    campaign: Campaign | None = None,
    at: datetime | None = None,
    language: str = "",
) -> Post:
    """A post created through the service and sent part by part with the real connectors;
    its targets and parts are marked as the engine marks them (remote ids from the network)."""
    post = services.post_create(by=by, text=text, channels=channels, thread=thread,
                                campaign=campaign, language=language)  # fmt: skip
    at = at or timezone.now()
    for target in post.targets.select_related("channel"):
        connector = publisher(target.channel.network)
        assert connector is not None
        first: dict[str, Any] | None = None
        previous: dict[str, Any] | None = None
        for part in target.parts.order_by("position"):
            outgoing = Outgoing(
                key=part.key, text=part.text, created_at=timezone.now(),
                reply_to=previous, root=first, language=language,
            )  # fmt: skip
            sent = connector.publish(target.channel, outgoing)
            previous = {"external_id": sent.external_id, **(sent.meta or {})}
            first = first or previous
            part.state, part.remote_id, part.url = PartState.SENT, sent.external_id, sent.url
            part.meta, part.sent_at = sent.meta or {}, at
            part.save()
        first_part = target.parts.get(position=0)
        PostTarget.objects.filter(pk=target.pk).update(
            state=TargetState.PUBLISHED, published_at=at, url=first_part.url,
            remote_id=first_part.remote_id,
        )  # fmt: skip
    Post.objects.filter(pk=post.pk).update(status=PostStatus.PUBLISHED, published_at=at)
    post.refresh_from_db()
    return post


def fake_published(
    by: Acting, channel: ChannelAccount, text: str, *, at: datetime,
    campaign: Campaign | None = None,
) -> PostTarget:  # fmt: skip
    """A post marked as published without a network (for the arithmetic of ages and totals)."""
    post = services.post_create(by=by, text=text, channels=[channel], campaign=campaign)
    target = post.targets.get()
    target.parts.update(state=PartState.SENT, remote_id=f"r-{post.pk}", sent_at=at)
    PostTarget.objects.filter(pk=target.pk).update(
        state=TargetState.PUBLISHED, published_at=at, remote_id=f"r-{post.pk}"
    )
    Post.objects.filter(pk=post.pk).update(status=PostStatus.PUBLISHED, published_at=at)
    target.refresh_from_db()
    return target
