"""Every network's connector against its local peer: the same promises, checked the same way.

Parametrised over every kind in `protocol.CONNECTORS`: the connector keeps the protocol for
what it declares; polling stores each item once; a reply goes out once; a rate limit makes
the channel wait until the time the network named (not a failure); a worker that dies after
its post reached the network does not make the retry post again; a published thread goes out
as a reply chain, each part is found again, and publishing a part again with its key does not
make a second post (counted on the peer). A kind that does not
declare a capability is skipped for that check with the reason it does not have it.

The peers are the ones the channel tests use: mastodon-mock (`mastodon/testpeer.py`), the
fake Bluesky server (`bluesky/testpeer.py`) and the small feed server of `test_rss.py`
(which also serves the webhook's backfill listing).
"""

from __future__ import annotations

import ast
import json
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import pytest
from django.utils import timezone

from socialdesk.channels import base, services
from socialdesk.channels.bluesky import connector as bluesky_connector
from socialdesk.channels.bluesky.testpeer import FakeBluesky
from socialdesk.channels.fetch import FetchError
from socialdesk.channels.mastodon import connector as mastodon_connector
from socialdesk.channels.mastodon.testpeer import MastodonPeer
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.channels.protocol import (
    CONNECTORS,
    FUNCTIONS,
    Capability,
    Checker,
    Connector,
    Publisher,
    Sender,
    SentFinder,
    checks,
    counts_followers,
    load,
    missing,
    publishes,
)
from socialdesk.channels.rss import connector as rss_connector
from socialdesk.channels.tests import test_mastodon
from socialdesk.channels.tests.test_mastodon import mastodon, peer  # noqa: F401 - fixtures
from socialdesk.channels.tests.test_rss import _Handler, feeds  # noqa: F401 - fixture
from socialdesk.channels.webhook import connector as webhook_connector
from socialdesk.inbox import sending
from socialdesk.inbox.models import Conversation, Delivery, Direction, Message
from socialdesk.inbox.sending import send_due
from socialdesk.inbox.services import conversation_reply
from socialdesk.publishing.services import new_key
from tests import test_bluesky
from tests.test_bluesky import bsky  # noqa: F401 - fixture

# Checked by mypy: each connector module satisfies the protocols of what it declares.
SENDERS: list[Sender] = [mastodon_connector, bluesky_connector]
FINDERS: list[SentFinder] = [mastodon_connector, bluesky_connector]
CHECKERS: list[Checker] = [mastodon_connector, bluesky_connector, rss_connector]
PUBLISHERS: list[Publisher] = [mastodon_connector, bluesky_connector]
ALL: list[Connector] = [*SENDERS, rss_connector, webhook_connector]

BY = test_mastodon.BY
WHY_NOT: dict[tuple[str, Capability], str] = {
    (Network.RSS, Capability.SEND): "a feed is read, never written to",
    (Network.RSS, Capability.FIND_SENT): "a feed is read, never written to",
    (Network.WEBHOOK, Capability.SEND): "replies go out through the network that pushes",
    (Network.WEBHOOK, Capability.FIND_SENT): "replies go out through the network that pushes",
    (Network.WEBHOOK, Capability.CHECK): (
        "there are no credentials at a network to check: each delivery is signed"
    ),
    (Network.RSS, Capability.PUBLISH): "a feed is read, never written to",
    (Network.WEBHOOK, Capability.PUBLISH): "a webhook only receives: there is nowhere to post",
    (Network.RSS, Capability.FOLLOWERS): "a feed has readers nobody counts, not followers",
    (Network.WEBHOOK, Capability.FOLLOWERS): "a webhook has no account that people follow",
}


class Channel(Protocol):
    """A kind's local peer, driven the same way for every kind."""

    network: str

    def connect(self) -> ChannelAccount: ...

    def customer_writes(self, text: str) -> None: ...

    def rate_limited(self, until: datetime) -> AbstractContextManager[Any]: ...

    def replies_on_network(self) -> list[str]: ...

    def posts_on_network(self) -> dict[str, str]:
        """The company's own posts on the network: id -> the id of the post it answers."""
        ...


@dataclass
class MastodonChannel:
    peer: MastodonPeer
    network: str = Network.MASTODON
    questions: list[Any] = field(default_factory=list)

    def connect(self) -> ChannelAccount:
        return test_mastodon._connect(self.peer.url)

    def customer_writes(self, text: str) -> None:
        self.questions.append(self.peer.client("alice").status_post(f"@bob {text}"))

    def rate_limited(self, until: datetime) -> AbstractContextManager[Any]:
        headers = {"X-RateLimit-Reset": str(int(until.timestamp())),
                   "X-RateLimit-Remaining": "0", "X-RateLimit-Limit": "300"}  # fmt: skip
        fault: AbstractContextManager[Any] = self.peer.fault(
            path="/api/v1/notifications", type="ratelimit", headers=headers, count=1
        )
        return fault

    def replies_on_network(self) -> list[str]:
        return [str(s.id) for q in self.questions for s in self.peer.company_replies(q.id)]

    def posts_on_network(self) -> dict[str, str]:
        bob = self.peer.client("bob")
        statuses = bob.account_statuses(bob.me().id, limit=40)
        return {str(s.id): str(s.in_reply_to_id or "") for s in statuses}


@dataclass
class BlueskyChannel:
    server: FakeBluesky
    network: str = Network.BLUESKY

    def connect(self) -> ChannelAccount:
        return test_bluesky._connect(self.server)

    def customer_writes(self, text: str) -> None:
        self.server.post_as("kim.test", text, mention=test_bluesky.COMPANY)

    def rate_limited(self, until: datetime) -> AbstractContextManager[Any]:
        seconds = (until - timezone.now()).total_seconds()
        self.server.fault(
            "app.bsky.notification.listNotifications", "status:429", count=1, delay=seconds
        )
        return nullcontext()

    def replies_on_network(self) -> list[str]:
        records = self.server.records(test_bluesky.COMPANY)
        return [str(p["uri"]) for p in records if p["value"].get("reply")]

    def posts_on_network(self) -> dict[str, str]:
        records = self.server.records(test_bluesky.COMPANY)
        return {str(p["uri"]): str((p["value"].get("reply") or {}).get("parent", {}).get("uri", ""))
                for p in records}  # fmt: skip


@dataclass
class FeedChannel:
    """An RSS feed, or a webhook's backfill listing: both served by test_rss's feed server."""

    url: str
    network: str
    items: list[str] = field(default_factory=list)

    @property
    def path(self) -> str:
        return "/conformance.xml" if self.network == Network.RSS else "/recent.json"

    def connect(self) -> ChannelAccount:
        self._publish()
        if self.network == Network.RSS:
            return services.rss_add(by=BY, url=self.url + self.path, name="Bahnblog")
        account, _secret = services.webhook_add(
            by=BY, name="Shop", secret="s3cret", backfill_url=self.url + self.path
        )
        return account

    def customer_writes(self, text: str) -> None:
        self.items.append(text)
        self._publish()

    def _publish(self) -> None:
        if self.network == Network.RSS:
            entries = "".join(
                f"<item><guid>urn:entry:{n}</guid><title>{text}</title></item>"
                for n, text in enumerate(self.items)
            )
            body = f'<rss version="2.0"><channel><title>Bahnblog</title>{entries}</channel></rss>'
            _Handler.feeds[self.path] = body.encode()
        else:
            items = [
                {"id": f"w{n}", "author": "kim", "text": text, "created_at": "2026-03-02T08:00Z"}
                for n, text in enumerate(self.items)
            ]
            _Handler.feeds[self.path] = json.dumps({"items": items}).encode()

    def rate_limited(self, until: datetime) -> AbstractContextManager[Any]:
        seconds = int((until - timezone.now()).total_seconds())
        _Handler.answers[self.path] = (429, {"Retry-After": str(seconds)})
        return nullcontext()

    def replies_on_network(self) -> list[str]:
        return []

    def posts_on_network(self) -> dict[str, str]:
        return {}


@pytest.fixture(params=sorted(CONNECTORS))
def channel(request: pytest.FixtureRequest, db: None) -> Channel:
    network = str(request.param)
    if network == Network.MASTODON:
        return MastodonChannel(request.getfixturevalue("mastodon"))
    if network == Network.BLUESKY:
        return BlueskyChannel(request.getfixturevalue("bsky"))
    return FeedChannel(request.getfixturevalue("feeds"), network)


def _connector(channel: Channel, capability: Capability | None = None) -> Connector:
    found = load(channel.network)
    assert found is not None
    if capability is not None and capability not in found.CAPABILITIES:
        reason = WHY_NOT.get((channel.network, capability), "no reason given")
        pytest.skip(f"{channel.network} does not declare {capability}: {reason}")
    return found


def _poll(account: ChannelAccount) -> int:
    account.refresh_from_db()
    return base.poll(account)


def test_it_keeps_the_protocol_for_what_it_declares(channel: Channel) -> None:
    connector = _connector(channel)
    assert isinstance(connector, Connector)
    assert missing(connector) == []
    undeclared = [
        name
        for capability in set(Capability) - connector.CAPABILITIES
        for name in FUNCTIONS[capability]
        if hasattr(connector, name)
    ]
    assert undeclared == []  # a function no caller would ever ask for
    if WHY_NOT.keys() & {(channel.network, c) for c in connector.CAPABILITIES}:
        pytest.fail(f"{channel.network} declares a capability it explains it lacks")


def test_polling_stores_each_item_once(channel: Channel) -> None:
    account = channel.connect()
    channel.customer_writes("Fährt der Nachtzug noch?")
    channel.customer_writes("Und am Feiertag?")
    assert _poll(account) == 2
    assert _poll(account) == 0
    channel.customer_writes("Gilt das auch für die S3?")
    assert _poll(account) == 1
    assert _poll(account) == 0
    assert Message.objects.filter(channel_account=account).count() == 3


def test_a_reply_goes_out_once(channel: Channel, django_capture_on_commit_callbacks: Any) -> None:
    _connector(channel, Capability.SEND)
    account = channel.connect()
    channel.customer_writes("Wo ist das Fundbüro?")
    _poll(account)
    conversation = Conversation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        reply = conversation_reply(by=BY, conversation=conversation, text="Gleis 1.")
    reply.refresh_from_db()
    assert reply.delivery == Delivery.SENT, reply.delivery_error
    assert channel.replies_on_network() == [reply.external_id]
    assert send_due() == 0
    _poll(account)
    assert Message.objects.filter(direction=Direction.OUTBOUND).count() == 1


def test_a_rate_limit_makes_the_channel_wait_without_counting_a_failure(
    channel: Channel,
) -> None:
    account = channel.connect()
    until = timezone.now() + timedelta(minutes=10)
    with channel.rate_limited(until), pytest.raises((base.ChannelError, FetchError)):
        _poll(account)
    account.refresh_from_db()
    assert account.failures == 0  # waiting is not failing
    assert account.next_poll_at is not None
    assert abs((account.next_poll_at - until).total_seconds()) < 5


class WorkerDied(BaseException):
    """The worker process ends between the network's answer and recording it."""


def test_a_worker_dying_after_the_post_reached_the_network_does_not_post_twice(
    channel: Channel, monkeypatch: pytest.MonkeyPatch
) -> None:
    connector = _connector(channel, Capability.FIND_SENT)
    account = channel.connect()
    channel.customer_writes("Wo ist das Fundbüro?")
    _poll(account)
    conversation = Conversation.objects.get()
    reply = conversation_reply(by=BY, conversation=conversation, text="Gleis 1.")  # queued

    def died(message: Message, result: base.Sent) -> None:
        raise WorkerDied

    with monkeypatch.context() as patch:
        patch.setattr(sending, "_mark_sent", died)
        with pytest.raises(WorkerDied):
            send_due()
    assert len(channel.replies_on_network()) == 1  # it reached the network
    reply.refresh_from_db()
    assert reply.delivery == Delivery.SENDING  # and nobody recorded it
    long_ago = timezone.now() - timedelta(hours=1)  # the dead worker's claim runs out
    Message.objects.filter(pk=reply.pk).update(delivery_claimed_at=long_ago)
    posted_again: list[int] = []
    monkeypatch.setattr(connector, "send", lambda *args: posted_again.append(1))
    assert send_due() == 1
    reply.refresh_from_db()
    assert (reply.delivery, reply.delivery_attempts) == (Delivery.SENT, 1)
    assert posted_again == []  # the retry found the post instead of posting again
    assert channel.replies_on_network() == [reply.external_id]


def test_check_reaches_the_network_and_names_the_account(channel: Channel) -> None:
    connector = _connector(channel, Capability.CHECK)
    account = channel.connect()
    assert checks(connector)
    assert connector.check(account) == account.handle


def test_followers_are_counted_as_a_whole_number(channel: Channel) -> None:
    connector = _connector(channel, Capability.FOLLOWERS)
    account = channel.connect()
    assert counts_followers(connector)
    count = connector.followers(account)
    assert isinstance(count, int) and count >= 0


def test_no_production_module_imports_a_test_peer() -> None:
    root = Path(base.__file__).resolve().parents[1]  # src/socialdesk
    importing = []
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).parts
        if "tests" in parts or path.stem == "testpeer" or "testpeer" in parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any("testpeer" in name or name.startswith("tests") for name in names):
                importing.append(str(path.relative_to(root)))
    assert importing == []


def _reference(sent: base.Sent) -> dict[str, Any]:
    return {"external_id": sent.external_id, **(sent.meta or {})}


def test_a_published_thread_goes_out_once_in_order_and_each_part_is_found(
    channel: Channel,
) -> None:
    connector = _connector(channel, Capability.PUBLISH)
    assert publishes(connector)
    account = channel.connect()
    now = timezone.now()
    first = base.Outgoing(key=new_key(), text="Teil 1: Nachtschicht im Stellwerk", created_at=now)
    assert connector.find_published(account, first) is None  # nothing went out yet
    sent_first = connector.publish(account, first)
    second = base.Outgoing(
        key=new_key(), text="Teil 2: die Weichenheizung", created_at=now,
        reply_to=_reference(sent_first), root=_reference(sent_first),
    )  # fmt: skip
    sent_second = connector.publish(account, second)
    assert channel.posts_on_network() == {
        sent_first.external_id: "", sent_second.external_id: sent_first.external_id,
    }  # fmt: skip
    for outgoing, sent in ((first, sent_first), (second, sent_second)):
        found = connector.find_published(account, outgoing)
        assert found is not None and found.external_id == sent.external_id
    # A worker that lost the answer publishes the part again with the same key.
    again = connector.publish(account, second)
    assert again.external_id == sent_second.external_id
    assert len(channel.posts_on_network()) == 2
