"""Public figures read back at 1 h, 6 h, 24 h, 72 h and 7 days: each age once, a late worker
takes what it missed once, one failing network holds up no other, hostile numbers are
clamped, and a campaign's totals are the latest figure of each post on each network."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone, translation

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import User
from socialdesk.channels.bluesky.testpeer import FakeBluesky
from socialdesk.channels.bluesky.testpeer.views import _Views
from socialdesk.channels.mastodon.testpeer import MastodonPeer
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.channels.protocol import Capability
from socialdesk.publishing import metrics
from socialdesk.publishing.after_selectors import campaign_totals
from socialdesk.publishing.models import Campaign, PostEvent, PostMetric, PostTarget
from socialdesk.publishing.tests.published import (  # noqa: F401 (fixtures)
    bsky_fixture,
    connect_bluesky,
    connect_mastodon,
    fake_published,
    mastodon_fixture,
    mastodon_peer_fixture,
    publish,
)

H = timedelta(hours=1)


class FakeNetwork:
    """A connector that reads figures: counts its calls, answers what it is told."""

    def __init__(self, answer: dict[str, Any] | None = None) -> None:
        self.calls: list[str] = []
        self.answer = answer or {"likes": 3, "reposts": 1, "replies": 2, "quotes": 0}
        self.CAPABILITIES = frozenset({Capability.METRICS})

    def metrics(self, account: ChannelAccount, sent: dict[str, Any]) -> dict[str, Any]:
        self.calls.append(str(sent["external_id"]))
        return dict(self.answer)


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> FakeNetwork:
    fake = FakeNetwork()
    monkeypatch.setattr(metrics, "load", lambda kind: fake)
    return fake


@pytest.fixture
def by(people: dict[str, User]) -> Acting:
    return Acting(user=people["manager"])


@pytest.fixture
def channel(db: None) -> ChannelAccount:
    return ChannelAccount.objects.create(network=Network.MASTODON, handle="bob@mock.local")


def _ages(target: PostTarget) -> list[str]:
    return list(target.metrics.order_by("taken_at").values_list("age", flat=True))


def test_it_reads_each_age_once_at_its_time(
    network: FakeNetwork, by: Acting, channel: ChannelAccount
) -> None:
    t0 = timezone.now() - timedelta(days=30)
    target = fake_published(by, channel, "Nachtschicht im Stellwerk", at=t0)
    passes = [t0 + 30 * timedelta(minutes=1)]
    for offset in (H, 6 * H, 24 * H, 72 * H, 7 * 24 * H):
        passes += [t0 + offset, t0 + offset + timedelta(minutes=1), t0 + offset + 2 * H / 3]
    passes.append(t0 + 9 * 24 * H)
    stored = [metrics.read_due(now=moment) for moment in passes]
    assert sum(stored) == 5
    assert _ages(target) == ["1h", "6h", "24h", "72h", "7d"]
    assert len(network.calls) == 5  # the network is asked once per age, never again


def test_a_late_worker_takes_the_missed_age_once_never_twice(
    network: FakeNetwork, by: Acting, channel: ChannelAccount
) -> None:
    t0 = timezone.now() - timedelta(days=30)
    target = fake_published(by, channel, "Weichenheizung im Winter", at=t0)
    # The worker was down from 30 minutes to 30 hours: 1 h, 6 h and 24 h have passed.
    assert metrics.read_due(now=t0 + 30 * H) == 1
    assert metrics.read_due(now=t0 + 30 * H) == 0  # a second worker in the same minute
    assert metrics.read_due(now=t0 + 31 * H) == 0
    assert metrics.read_due(now=t0 + 73 * H) == 1
    assert _ages(target) == ["24h", "72h"]
    reading = target.metrics.get(age="24h")
    assert reading.taken_at == t0 + 30 * H  # when it was really read
    # Two workers storing the same age: the constraint keeps one.
    assert metrics._store(target, "24h", network.answer, t0 + 30 * H) is False
    assert PostMetric.objects.filter(target=target).count() == 2


def test_hostile_figures_are_clamped_and_set_aside(
    network: FakeNetwork, by: Acting, channel: ChannelAccount
) -> None:
    network.answer = {"likes": 2**63, "reposts": -5, "replies": None, "quotes": "12"}
    t0 = timezone.now() - 2 * H
    target = fake_published(by, channel, "Zahlen, die keine sind", at=t0)
    assert metrics.read_due() == 1
    reading = target.metrics.get()
    assert (reading.likes, reading.reposts, reading.replies, reading.quotes) == (
        2_147_483_647, 0, 0, 0,
    )  # fmt: skip
    noted = PostEvent.objects.get(post=target.post, kind="metrics_set_aside")
    assert noted.data["values"] == {
        "likes": repr(2**63), "reposts": "-5", "replies": "None", "quotes": "'12'",
    }  # fmt: skip


def _expected(targets: list[PostTarget]) -> dict[str, int]:
    """The campaign's figures computed here, independently: each target's newest reading."""
    sums = dict.fromkeys(metrics.FIGURES, 0)
    for target in targets:
        readings = list(PostMetric.objects.filter(target=target))
        if readings:
            newest = sorted(readings, key=lambda m: (m.taken_at, m.pk))[-1]
            for name in metrics.FIGURES:
                sums[name] += getattr(newest, name)
    return sums


def _reading(target: PostTarget, age: str, at: datetime, *figures: int) -> None:
    PostMetric.objects.create(
        target=target, age=age, taken_at=at, **dict(zip(metrics.FIGURES, figures, strict=True))
    )


def test_a_campaigns_totals_are_the_latest_figure_of_each_post_summed(
    by: Acting, channel: ChannelAccount, people: dict[str, User]
) -> None:
    other = ChannelAccount.objects.create(network=Network.BLUESKY, handle="nordlicht.test")
    campaign = Campaign.objects.create(name="Winterfahrplan")
    t0 = timezone.now() - timedelta(days=10)
    a = fake_published(by, channel, "Erster Schnee", at=t0, campaign=campaign)
    b = fake_published(by, other, "Streudienst", at=t0, campaign=campaign)
    c = fake_published(by, channel, "Heizung an", at=t0, campaign=campaign)
    outside = fake_published(by, channel, "Sommerfest", at=t0)
    _reading(a, "1h", t0 + H, 5, 1, 0, 0)
    _reading(a, "24h", t0 + 24 * H, 900, 120, 40, 0)
    _reading(a, "6h", t0 + 6 * H, 300, 30, 10, 0)
    _reading(b, "1h", t0 + H, 7, 2, 1, 1)
    _reading(b, "72h", t0 + 72 * H, 410, 95, 12, 3)
    _reading(outside, "1h", t0 + H, 10_000, 10_000, 10_000, 10_000)
    expected = _expected([a, b, c])
    assert expected == {"likes": 1310, "reposts": 215, "replies": 52, "quotes": 3}
    totals = campaign_totals(people["manager"], campaign)
    assert {k: totals[k] for k in metrics.FIGURES} == expected
    assert totals["posts"] == 3
    request = RequestFactory().get("/")
    request.user = people["manager"]
    with translation.override("de"):
        html = Template("{% load publishing_after %}{% campaign_engagement campaign %}").render(
            Context({"campaign": campaign, "request": request})
        )
    assert "1.310" in html and "Gefällt mir" in html


def test_one_failing_network_never_blocks_the_others(
    mastodon: MastodonPeer, bsky: FakeBluesky, by: Acting
) -> None:
    on_mastodon, on_bluesky = connect_mastodon(mastodon), connect_bluesky(bsky)
    t0 = timezone.now() - 2 * H
    posts = [
        publish(by, [on_mastodon, on_bluesky], f"Baustelle {n}: Umleitung ab Montag", at=t0)
        for n in range(2)
    ]
    bsky.fault("app.bsky.feed.getPosts", "status:502", count=5)
    bsky.clear_request_log()
    assert metrics.read_due() == 2  # the two Mastodon posts
    asked = [r for r in bsky.request_log if r.nsid == "app.bsky.feed.getPosts"]
    assert len(asked) == 1  # a failing network is left for this pass after its first error
    bsky.clear_faults()
    assert metrics.read_due() == 2  # the two Bluesky posts, on the next pass
    assert metrics.read_due() == 0
    for post in posts:
        assert sorted(PostMetric.objects.filter(target__post=post).values_list("age", flat=True)) == [
            "1h", "1h",
        ]  # fmt: skip


def test_mastodon_figures_match_after_a_favourite_and_a_reply(
    mastodon: MastodonPeer, by: Acting
) -> None:
    channel = connect_mastodon(mastodon)
    post = publish(by, [channel], "Hinter den Kulissen: die Werkstatt", at=timezone.now() - 2 * H)
    status_id = post.targets.get().remote_id
    alice = mastodon.client("alice")
    alice.status_favourite(status_id)
    alice.status_post("Tolle Einblicke!", in_reply_to_id=status_id)
    assert metrics.read_due() == 1
    reading = PostMetric.objects.get(target__post=post)
    on_server = mastodon.client("bob").status(status_id)
    assert (reading.likes, reading.reposts, reading.replies, reading.quotes) == (1, 0, 1, 0)
    assert (on_server.favourites_count, on_server.replies_count) == (1, 1)


def test_bluesky_figures_are_read_and_hostile_ones_stored_safely(
    bsky: FakeBluesky, by: Acting, monkeypatch: pytest.MonkeyPatch
) -> None:
    channel = connect_bluesky(bsky)
    t0 = timezone.now() - 2 * H
    calm = publish(by, [channel], "Neue Züge für die Küstenlinie", at=t0)
    uri = calm.targets.get().remote_id
    bsky.like_as("kim.test", uri)
    bsky.repost_as("kim.test", uri)
    bsky.post_as("kim.test", "Endlich!", reply_to_uri=uri)
    bsky.post_as("kim.test", "Schaut euch das an", quote_uri=uri)
    assert metrics.read_due() == 1
    reading = PostMetric.objects.get(target__post=calm)
    assert (reading.likes, reading.reposts, reading.replies, reading.quotes) == (1, 1, 1, 1)

    wild = publish(by, [channel], "Zahlen vom Rand der Welt", at=t0)
    original = _Views._post_view

    def hostile(self: Any, record: Any, viewer: Any) -> dict[str, Any]:
        view = original(self, record, viewer)
        view.update(likeCount=2**63, repostCount=-3, replyCount=None, quoteCount=1.5)
        return view

    monkeypatch.setattr(_Views, "_post_view", hostile)
    assert metrics.read_due() == 1
    reading = PostMetric.objects.get(target__post=wild)
    assert (reading.likes, reading.reposts, reading.replies, reading.quotes) == (
        2_147_483_647, 0, 0, 0,
    )  # fmt: skip
    assert PostEvent.objects.filter(post=wild, kind="metrics_set_aside").count() == 1
