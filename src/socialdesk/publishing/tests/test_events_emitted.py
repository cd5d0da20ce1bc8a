"""Publishing tells other tools (`core.events`) when a post is on a channel (every part of its
thread on the network) and when a channel refused it for good: one event per channel, subject
`post:<id>`, with the post's own status, inside the engine's transaction."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import User
from socialdesk.channels.base import Outgoing, PermanentError, Sent
from socialdesk.channels.errors import Code
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.channels.protocol import Capability
from socialdesk.inbox.tests.heard import Recorder, nobody_listening, recording
from socialdesk.publishing import engine, event_data, services
from socialdesk.publishing.models import Post, PostStatus, PostTarget, TargetState

PUBLISHED, FAILED = "post.published", "post.failed"


class Boom(Exception):
    pass


class _Network:
    """Publishes everything, except on the channel whose handle it refuses."""

    CAPABILITIES = frozenset({Capability.PUBLISH})

    def __init__(self, refuse: str = "") -> None:
        self.refuse = refuse

    def publish(self, account: ChannelAccount, message: Outgoing) -> Sent:
        if account.handle == self.refuse:
            raise PermanentError("the text is too long", code=Code.REFUSED)
        return Sent(external_id=message.key, url=f"https://{account.handle}/{message.key}")

    def find_published(self, account: ChannelAccount, message: Outgoing) -> Sent | None:
        return None


@pytest.fixture
def heard(db: None) -> Iterator[Recorder]:
    with recording() as recorder:
        yield recorder


@pytest.fixture
def channels(db: None) -> list[ChannelAccount]:
    return [
        ChannelAccount.objects.create(network=Network.MASTODON, name="Mastodon", handle=handle)
        for handle in ("masto.example", "other.example")
    ]


def _due_post(people: dict[str, User], channels: list[ChannelAccount], thread: Sequence[str]) -> Post:  # fmt: skip
    by = Acting(user=people["agent"])
    post = services.post_create(
        by=by, text="Nachtschicht im Stellwerk (1/2)", thread=thread, channels=channels,
        scheduled_at=timezone.now() + timedelta(minutes=5),
    )  # fmt: skip
    services.post_submit(by=by, post=post)
    services.post_approve(by=Acting(user=people["manager"]), post=post)
    Post.objects.filter(pk=post.pk).update(scheduled_at=timezone.now() - timedelta(seconds=1))
    return post


def _target(post: Post, channel: ChannelAccount) -> PostTarget:
    return PostTarget.objects.get(post=post, channel=channel)


def test_a_post_is_announced_on_each_channel_once_its_whole_thread_is_there(
    heard: Recorder, people: dict[str, User], channels: list[ChannelAccount], monkeypatch: Any
) -> None:
    monkeypatch.setattr(engine, "publisher", lambda network: _Network())
    post = _due_post(people, channels, ["Und dann kam der Zug. (2/2)"])
    heard.clear()  # creating and approving is no news for these events
    engine.publish_due()
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    subject = f"post:{post.pk}"
    assert [(h.kind, h.subject) for h in heard.all()] == [(PUBLISHED, subject)] * 2
    first, last = (h.data for h in heard.all())
    assert {first["channel"]["id"], last["channel"]["id"]} == {c.pk for c in channels}
    assert first["post"]["status"] == PostStatus.PUBLISHING  # the other channel is underway
    assert last["post"]["status"] == PostStatus.PUBLISHED
    assert last["post"]["id"] == post.pk and last["post"]["thread"] == [
        "Und dann kam der Zug. (2/2)"
    ]
    assert last["post"]["url"].startswith("http") and f"/{post.pk}/" in last["post"]["url"]
    target = _target(post, channels[0])
    mastodon = next(h.data for h in heard.all() if h.data["channel"]["id"] == channels[0].pk)
    assert mastodon["link"] == target.url and target.url.startswith("https://masto.example/")
    assert mastodon["remote_id"] == target.remote_id
    assert heard.inside_the_services_transaction()


def test_a_channel_that_refuses_the_post_is_announced_as_failed(
    heard: Recorder, people: dict[str, User], channels: list[ChannelAccount], monkeypatch: Any
) -> None:
    monkeypatch.setattr(engine, "publisher", lambda network: _Network(refuse="other.example"))
    post = _due_post(people, channels, [])
    heard.clear()
    engine.publish_due()
    post.refresh_from_db()
    assert post.status == PostStatus.PARTLY_PUBLISHED
    assert sorted(heard.kinds()) == [FAILED, PUBLISHED]
    failed = heard.of(FAILED)[0].data
    assert heard.of(FAILED)[0].subject == f"post:{post.pk}"
    assert failed["channel"]["id"] == channels[1].pk and failed["part"] == 0
    assert failed["error"] == {"code": "refused", "reason": "the text is too long"}
    assert heard.all()[-1].data["post"]["status"] == PostStatus.PARTLY_PUBLISHED
    assert _target(post, channels[1]).state == TargetState.FAILED
    assert heard.inside_the_services_transaction()


def test_publishing_whose_transaction_rolls_back_is_never_announced(
    heard: Recorder, people: dict[str, User], channels: list[ChannelAccount], monkeypatch: Any
) -> None:
    monkeypatch.setattr(engine, "publisher", lambda network: _Network(refuse="other.example"))
    _due_post(people, channels, [])
    heard.clear()
    with pytest.raises(Boom), transaction.atomic():
        engine.publish_due()
        raise Boom
    assert heard.delivered == 2 and heard.all() == []


def test_nothing_is_built_when_nobody_wants_it(
    people: dict[str, User], channels: list[ChannelAccount], monkeypatch: Any
) -> None:
    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("data built for nobody")

    monkeypatch.setattr(event_data, "post_data", never)
    monkeypatch.setattr(event_data, "_target", never)
    monkeypatch.setattr(engine, "publisher", lambda network: _Network(refuse="other.example"))
    post = _due_post(people, channels, [])
    with nobody_listening() as asked:
        engine.publish_due()
    post.refresh_from_db()
    assert post.status == PostStatus.PARTLY_PUBLISHED
    assert {PUBLISHED, FAILED} <= set(asked)
