"""Fixtures of the API tests: a token client per role, and channels of several networks."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from socialdesk.accounts import tokens as api_tokens
from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import User
from socialdesk.channels.models import ChannelAccount, Network

Api = Callable[..., Client]


@pytest.fixture
def api_as(people: dict[str, User]) -> Api:
    def make(role: str, **headers: str) -> Client:
        _token, key = api_tokens.api_token_create(
            by=Acting(user=people[role]), user=people[role], name="test"
        )
        return Client(
            headers={"Authorization": f"Bearer {key}", **headers}, raise_request_exception=False
        )

    return make


@pytest.fixture
def channels(db: None) -> dict[str, ChannelAccount]:
    return {
        "mastodon": ChannelAccount.objects.create(
            network=Network.MASTODON, handle="nordlicht@mock.local", name="Mastodon"
        ),
        "bluesky": ChannelAccount.objects.create(
            network=Network.BLUESKY, handle="nordlicht.bsky.social", name="Bluesky"
        ),
        "rss": ChannelAccount.objects.create(
            network=Network.RSS, handle="blog", name="Blog feed", url="https://example.com/f"
        ),
    }
