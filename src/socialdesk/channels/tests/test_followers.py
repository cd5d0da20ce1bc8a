"""The daily follower snapshot against the real local peers: Mastodon (mastodon-mock, through
Mastodon.py) and Bluesky (FakeBluesky, through the atproto SDK). Counts checked against what
the peers were told (follows written, a count set), on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from socialdesk.accounts.models import Organisation
from socialdesk.channels import followers, protocol, tasks
from socialdesk.channels.bluesky.testpeer import FakeBluesky
from socialdesk.channels.follower_models import FollowerSnapshot
from socialdesk.channels.mastodon.testpeer import COMPANY, COMPANY_TOKEN, MastodonPeer
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.goals import kpis
from socialdesk.goals.kpis import Period

POLICY = "socialdesk.channels.mastodon.testpeer.loopback_only"
BSKY, BSKY_PASSWORD = "nordlicht.test", "app-pass-1234"
HUGE = 2**53
VERIFY = "/api/v1/accounts/verify_credentials"


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


@pytest.fixture
def bsky(settings: Any, db: None) -> Iterator[FakeBluesky]:
    settings.FEED_ADDRESS_POLICY = POLICY
    settings.CHANNEL_TIMEOUT_SECONDS = 5
    with FakeBluesky() as server:
        server.create_account(BSKY, BSKY_PASSWORD, display_name="Nordlicht Bahn")
        for fan in ("kim.test", "ole.test", "ute.test"):
            server.create_account(fan, "pass")
        yield server


def _mastodon_account(peer: MastodonPeer) -> ChannelAccount:
    call_command(
        "channels", "add", "mastodon", "--instance", peer.url, "--access-token", COMPANY_TOKEN,
        "--name", "Nordlicht on Mastodon", stdout=StringIO(),
    )  # fmt: skip
    return ChannelAccount.objects.get(network=Network.MASTODON)


def _bluesky_account(server: FakeBluesky) -> ChannelAccount:
    call_command(
        "channels", "add", "bluesky", "--handle", BSKY, "--app-password", BSKY_PASSWORD,
        "--service", server.url, stdout=StringIO(),
    )  # fmt: skip
    return ChannelAccount.objects.get(network=Network.BLUESKY)


def _followed_on_mastodon(peer: MastodonPeer, *fans: str) -> int:
    """Fans follow the company; return how many follow it by the server's own list."""
    company = peer.client(COMPANY)
    me = company.me()
    for fan in fans:
        peer.client(fan).account_follow(me.id)
    return len(company.account_followers(me.id))


def _snapshots() -> list[tuple[str, int | None, str]]:
    return [
        (s.channel_account.network, s.followers, s.error_code)
        for s in FollowerSnapshot.objects.select_related("channel_account").order_by("pk")
    ]


def test_only_mastodon_and_bluesky_count_followers() -> None:
    assert protocol.supports(Network.MASTODON, protocol.Capability.FOLLOWERS)
    assert protocol.supports(Network.BLUESKY, protocol.Capability.FOLLOWERS)
    assert not protocol.supports(Network.RSS, protocol.Capability.FOLLOWERS)
    assert not protocol.supports(Network.WEBHOOK, protocol.Capability.FOLLOWERS)
    assert sorted(followers.networks()) == ["bluesky", "mastodon"]


def test_one_snapshot_a_day_from_both_networks(mastodon: MastodonPeer, bsky: FakeBluesky) -> None:
    toot = _mastodon_account(mastodon)
    sky = _bluesky_account(bsky)
    feed = ChannelAccount.objects.create(
        network=Network.RSS, handle="blog", name="Blog", url="https://example.com/feed"
    )
    on_mastodon = _followed_on_mastodon(mastodon, "alice", "carol")
    assert on_mastodon == 2
    bsky.follow_as("kim.test", BSKY)
    bsky.follow_as("ole.test", BSKY)
    assert feed not in followers.due()
    assert tasks.take_follower_snapshots.call() == 2
    assert sorted(_snapshots()) == [("bluesky", 2, ""), ("mastodon", 2, "")]
    # Asked again the same day: nothing is read twice, nothing changes.
    bsky.follow_as("ute.test", BSKY)
    assert tasks.take_follower_snapshots.call() == 0
    assert sorted(_snapshots()) == [("bluesky", 2, ""), ("mastodon", 2, "")]
    # The next day, the new count.
    tomorrow = timezone.now() + timedelta(days=1)
    assert followers.snapshot_due(now=tomorrow) == 2
    days = {(s.channel_account_id, s.day): s.followers for s in FollowerSnapshot.objects.all()}
    assert len(days) == 4 and days[(sky.pk, followers.today(tomorrow))] == 3
    assert days[(toot.pk, followers.today(tomorrow))] == 2
    # The KPI adds each account's latest count up to the period's last day.
    day = followers.today(tomorrow)
    kpi = kpis.get("followers")
    assert kpi.value(Period.of_days(day, day)) == 3 + 2
    assert kpi.value(Period.of_days(day - timedelta(days=1), day - timedelta(days=1))) == 2 + 2
    assert kpi.value(Period.of_days(day, day), scope=kpis.Scope(accounts=(BSKY,))) == 3


def test_a_huge_follower_count_stays_whole(mastodon: MastodonPeer, bsky: FakeBluesky) -> None:
    _mastodon_account(mastodon)
    _bluesky_account(bsky)
    request = urllib.request.Request(
        mastodon.url + VERIFY, headers={"Authorization": f"Bearer {COMPANY_TOKEN}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        me = json.loads(response.read())
    me["followers_count"] = HUGE
    mastodon.fault(path=VERIFY, methods=["GET"], status=200, body=me)
    bsky.set_followers_count(BSKY, HUGE + 2)
    assert followers.snapshot_due() == 2
    counts = sorted(s.followers or 0 for s in FollowerSnapshot.objects.all())
    assert counts == [HUGE, HUGE + 2]  # exactly, not rounded through a float
    day = followers.today()
    assert kpis.get("followers").value(Period.of_days(day, day)) == float(2 * HUGE + 2)


def test_a_server_error_is_kept_and_never_blocks_the_other_account(
    mastodon: MastodonPeer, bsky: FakeBluesky
) -> None:
    toot = _mastodon_account(mastodon)
    sky = _bluesky_account(bsky)
    bsky.follow_as("kim.test", BSKY)
    mastodon.fault(path=VERIFY, methods=["GET"], status=500)
    # A fixed morning in the organisation's zone: "within the hour" must not cross midnight.
    morning = _morning()
    assert followers.snapshot_due(now=morning) == 1
    failed = FollowerSnapshot.objects.get(channel_account=toot)
    assert failed.followers is None and failed.error_code == "server"
    assert "server error" in failed.error and failed.failed_at is not None
    assert FollowerSnapshot.objects.get(channel_account=sky).followers == 1
    # Not asked again within the hour; after it, and the instance well again, counted.
    assert followers.snapshot_due(now=morning + timedelta(minutes=59)) == 0
    mastodon.clear_faults()
    assert followers.snapshot_due(now=morning + timedelta(minutes=61)) == 1
    failed = FollowerSnapshot.objects.get(pk=failed.pk)
    expected = _followed_on_mastodon(mastodon)  # the server's own list of followers
    assert (failed.followers, failed.error, failed.error_code) == (expected, "", "")
    assert FollowerSnapshot.objects.count() == 2
    # Bluesky answering 500: kept the same way.
    bsky.fault("app.bsky.actor.getProfile", "status:500", count=5)
    next_day = morning + timedelta(days=1)
    assert followers.snapshot_due(now=next_day) == 1  # Mastodon
    [broken] = FollowerSnapshot.objects.filter(channel_account=sky, followers__isnull=True)
    assert broken.error_code == "server"
    # The KPI keeps the last count of an account whose count failed.
    day = followers.today(next_day)
    assert kpis.get("followers").value(Period.of_days(day, day)) == expected + 1


def _morning() -> datetime:
    """Nine o'clock today in the organisation's time zone."""
    zone = ZoneInfo(Organisation.current().time_zone)
    return datetime.combine(followers.today(), time(9), tzinfo=zone)


def test_a_count_that_is_not_a_whole_number_is_refused(mastodon: MastodonPeer) -> None:
    account = _mastodon_account(mastodon)
    request = urllib.request.Request(
        mastodon.url + VERIFY, headers={"Authorization": f"Bearer {COMPANY_TOKEN}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        me = json.loads(response.read())
    for wrong in (-1, 2**64, None, "viele"):  # (Mastodon.py itself makes 1.5 a 1)
        FollowerSnapshot.objects.all().delete()
        mastodon.clear_faults()
        mastodon.fault(
            path=VERIFY, methods=["GET"], status=200, body={**me, "followers_count": wrong}
        )
        assert followers.snapshot_due() == 0, wrong
        row = FollowerSnapshot.objects.get(channel_account=account)
        assert row.followers is None and row.error_code == "refused", wrong
