"""The publishing engine against a real Mastodon API (mastodon-mock) and the local Bluesky peer:
each part once and in order, retries with backoff, permanent failures told to people, partly
published posts, retry after editing, and finding what a crashed attempt posted."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import AuditEvent, User
from socialdesk.channels.base import PermanentError
from socialdesk.channels.bluesky.testpeer import FakeBluesky
from socialdesk.channels.mastodon.testpeer import COMPANY, COMPANY_TOKEN, MastodonPeer
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.channels.protocol import publisher
from socialdesk.inbox.models import Notification
from socialdesk.publishing import delivery, engine, services
from socialdesk.publishing.models import (
    PartState,
    Post,
    PostEvent,
    PostPart,
    PostStatus,
    PostTarget,
    TargetState,
)

POLICY = "socialdesk.channels.mastodon.testpeer.loopback_only"
BSKY, BSKY_PASSWORD = "nordlicht.test", "app-pass-1234"


@pytest.fixture(scope="module")
def peer() -> Iterator[MastodonPeer]:
    server = MastodonPeer().start()
    yield server
    server.stop()


@pytest.fixture
def mastodon(peer: MastodonPeer, settings: Any, db: None) -> ChannelAccount:
    settings.FEED_ADDRESS_POLICY = POLICY
    settings.CHANNEL_TIMEOUT_SECONDS = 5
    peer.reset()
    call_command(
        "channels", "add", "mastodon", "--instance", peer.url, "--access-token", COMPANY_TOKEN,
        "--name", "Mastodon", stdout=StringIO(),
    )  # fmt: skip
    return ChannelAccount.objects.get(network=Network.MASTODON)


@pytest.fixture
def bsky(settings: Any, db: None) -> Iterator[FakeBluesky]:
    settings.FEED_ADDRESS_POLICY = POLICY
    settings.CHANNEL_TIMEOUT_SECONDS = 5
    with FakeBluesky() as server:
        server.create_account(BSKY, BSKY_PASSWORD, display_name="Nordlicht Bahn")
        yield server


@pytest.fixture
def bluesky(bsky: FakeBluesky) -> ChannelAccount:
    call_command(
        "channels", "add", "bluesky", "--handle", BSKY, "--app-password", BSKY_PASSWORD,
        "--service", bsky.url, "--name", "Bluesky", stdout=StringIO(),
    )  # fmt: skip
    return ChannelAccount.objects.get(network=Network.BLUESKY)


def _due_post(
    people: dict[str, User], channels: list[ChannelAccount], text: str, thread: Sequence[str] = ()
) -> Post:
    """A post approved and scheduled a moment ago (as the worker finds it)."""
    by = Acting(user=people["agent"])
    post = services.post_create(
        by=by, text=text, thread=thread, channels=channels,
        scheduled_at=timezone.now() + timedelta(minutes=5),
    )  # fmt: skip
    services.post_submit(by=by, post=post)
    services.post_approve(by=Acting(user=people["manager"]), post=post)
    Post.objects.filter(pk=post.pk).update(scheduled_at=timezone.now() - timedelta(seconds=1))
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED
    return post


def _company_statuses(peer: MastodonPeer) -> list[Any]:
    bob = peer.client(COMPANY)
    statuses: list[Any] = []
    page = bob.account_statuses(bob.me().id, limit=40)
    while page:
        statuses.extend(page)
        page = bob.fetch_next(page)
    return sorted(statuses, key=lambda s: int(s.id))


def _make_due(post: Post) -> None:
    """Backoff over: the parts waiting for their next attempt are due now."""
    PostPart.objects.filter(target__post=post, state=PartState.PENDING).update(
        next_at=timezone.now() - timedelta(seconds=1)
    )


def _publish_until_settled(post: Post, passes: int = 10) -> engine.Pass:
    """The worker's passes until the post has left "publishing", their counts added up.

    A pass sends a thread's parts one right after the other, but an answer slower than the
    channel timeout (a loaded machine is enough) leaves that part's outcome unknown: it waits
    for its backoff (cut short here) and is looked for on the network before it is sent again,
    so the thread ends in a later pass. Only that may hold a due thread up: a pass that leaves
    it unfinished must have had a part to try again."""
    total = engine.Pass()
    for _ in range(passes):
        done = engine.publish_due()
        total.started += done.started
        total.sent += done.sent
        total.failed += done.failed
        total.retrying += done.retrying
        post.refresh_from_db()
        if post.status not in (PostStatus.SCHEDULED, PostStatus.PUBLISHING):
            return total
        assert done.retrying or done.waiting, f"a pass stopped a due thread for no reason: {done}"
        _make_due(post)
    pytest.fail(f"post {post.pk} still {post.status} after {passes} passes: {total}")


def test_it_publishes_a_due_thread_once_and_in_order_on_mastodon_and_bluesky(
    people: dict[str, User], mastodon: ChannelAccount, bluesky: ChannelAccount,
    peer: MastodonPeer, bsky: FakeBluesky,
) -> None:  # fmt: skip
    post = _due_post(
        people, [mastodon, bluesky], "Nachtschicht im Stellwerk (1/3)",
        thread=["Die Weichenheizung (2/3)", "Und der Kaffee (3/3)"],
    )  # fmt: skip
    assert engine.anything_due()
    # Usually one pass; a part whose answer came too late goes out in a later one (each part
    # is sent and counted once all the same, and the network below has each part once).
    done = _publish_until_settled(post)
    assert (done.started, done.sent, done.failed) == (1, 6, 0)
    assert post.status == PostStatus.PUBLISHED and post.published_at is not None

    statuses = _company_statuses(peer)
    assert [s.content for s in statuses] == [
        "<p>Nachtschicht im Stellwerk (1/3)</p>",
        "<p>Die Weichenheizung (2/3)</p>",
        "<p>Und der Kaffee (3/3)</p>",
    ]
    assert statuses[0].in_reply_to_id is None
    assert statuses[1].in_reply_to_id == statuses[0].id
    assert statuses[2].in_reply_to_id == statuses[1].id

    records = sorted(bsky.records(BSKY), key=lambda r: r["value"]["createdAt"])
    assert [r["value"]["text"] for r in records] == [
        "Nachtschicht im Stellwerk (1/3)", "Die Weichenheizung (2/3)", "Und der Kaffee (3/3)",
    ]  # fmt: skip
    assert records[1]["value"]["reply"]["parent"]["uri"] == records[0]["uri"]
    assert records[2]["value"]["reply"]["parent"]["uri"] == records[1]["uri"]
    assert records[2]["value"]["reply"]["root"]["uri"] == records[0]["uri"]
    # The record keys are the parts' keys, fixed before the first attempt.
    keys = list(
        PostPart.objects.filter(target__channel=bluesky)
        .order_by("position")
        .values_list("key", flat=True)
    )
    assert [r["uri"].rsplit("/", 1)[1] for r in records] == keys

    on_mastodon = PostTarget.objects.get(post=post, channel=mastodon)
    assert on_mastodon.state == TargetState.PUBLISHED
    assert on_mastodon.remote_id == str(statuses[0].id) and on_mastodon.url == statuses[0].url
    on_bluesky = PostTarget.objects.get(post=post, channel=bluesky)
    assert on_bluesky.remote_id == records[0]["uri"]
    assert on_bluesky.url.startswith("https://bsky.app/profile/nordlicht.test/post/")
    kinds = list(PostEvent.objects.filter(post=post).values_list("kind", flat=True))
    assert kinds.count("published") == 2 and "status_published" in kinds
    assert AuditEvent.objects.filter(action="post.channel_published").count() == 2

    # Nothing is due any more: a second pass sends nothing.
    assert not engine.anything_due()
    assert engine.publish_due().sent == 0
    assert len(_company_statuses(peer)) == 3 and len(bsky.records(BSKY)) == 3


def test_an_answer_slower_than_the_timeout_leaves_the_thread_to_a_later_pass_each_part_once(
    people: dict[str, User], mastodon: ChannelAccount, peer: MastodonPeer, settings: Any
) -> None:
    """What a loaded machine can do to the test above, here on purpose: the instance answers
    the first part later than the timeout, so whether it arrived is unknown."""
    settings.CHANNEL_TIMEOUT_SECONDS = 4
    post = _due_post(people, [mastodon], "Eins (1/3)", thread=["Zwei (2/3)", "Drei (3/3)"])
    slow = {"type": "latency", "delay_ms": 8000, "count": 1}
    with peer.fault(path="/api/v1/statuses", methods=["POST"], **slow):
        done = engine.publish_due()
    assert (done.started, done.sent, done.failed, done.retrying) == (1, 0, 0, 1)
    parts = PostPart.objects.filter(target__post=post).order_by("position")
    assert [(p.state, p.attempts) for p in parts] == [
        (PartState.PENDING, 1), (PartState.PENDING, 0), (PartState.PENDING, 0),
    ]  # fmt: skip
    assert "timed out" in parts[0].error
    # After the backoff the first part is looked for, then the thread goes out, once, in order.
    _make_due(post)
    done = _publish_until_settled(post)
    assert (done.sent, done.failed) == (3, 0)
    assert post.status == PostStatus.PUBLISHED
    statuses = _company_statuses(peer)
    assert [s.content for s in statuses] == [
        "<p>Eins (1/3)</p>", "<p>Zwei (2/3)</p>", "<p>Drei (3/3)</p>",
    ]  # fmt: skip
    assert statuses[0].in_reply_to_id is None
    assert statuses[1].in_reply_to_id == statuses[0].id
    assert statuses[2].in_reply_to_id == statuses[1].id


def test_a_server_error_is_retried_with_backoff_and_the_part_goes_out_once(
    people: dict[str, User], mastodon: ChannelAccount, peer: MastodonPeer
) -> None:
    post = _due_post(people, [mastodon], "Heute: Tag der offenen Tür", thread=["Ab 10 Uhr"])
    with peer.fault(path="/api/v1/statuses", methods=["POST"], status=500, count=2):
        before = timezone.now()
        assert engine.publish_due().sent == 0
        part = PostPart.objects.get(target__post=post, position=0)
        assert part.state == PartState.PENDING and part.attempts == 1
        assert part.next_at is not None
        assert before + timedelta(seconds=1.5) < part.next_at < timezone.now() + timedelta(3)
        assert "server error" in part.error
        # Not yet due: the next pass leaves it alone.
        assert engine.publish_due().sent == 0
        _make_due(post)
        assert engine.publish_due().sent == 0
        part.refresh_from_db()
        assert part.attempts == 2
        assert part.next_at is not None and part.next_at > timezone.now() + timedelta(seconds=3)
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHING
    _make_due(post)
    assert engine.publish_due().sent == 2
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    assert [s.content for s in _company_statuses(peer)] == [
        "<p>Heute: Tag der offenen Tür</p>", "<p>Ab 10 Uhr</p>",
    ]  # fmt: skip


def test_a_rate_limit_makes_the_whole_channel_wait_until_the_reset(
    people: dict[str, User], mastodon: ChannelAccount, peer: MastodonPeer
) -> None:
    posts = [_due_post(people, [mastodon], f"Beitrag {n}") for n in range(3)]
    reset = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=90)
    headers = {"X-RateLimit-Reset": reset.isoformat(), "X-RateLimit-Remaining": "0"}
    with peer.fault(
        path="/api/v1/statuses", methods=["POST"], type="ratelimit", headers=headers, count=1
    ):
        done = engine.publish_due()
    assert done.sent == 0 and done.failed == 0
    waiting = PostPart.objects.filter(target__post__in=posts)
    assert {p.state for p in waiting} == {PartState.PENDING}
    # Every part of the channel waits for the reset, not only the one that met the limit.
    waits = {p.next_at for p in waiting}
    assert len(waits) == 1
    until = waits.pop()
    assert until is not None and abs((until - reset).total_seconds()) < 5
    assert _company_statuses(peer) == []
    PostPart.objects.filter(pk__in=[p.pk for p in waiting]).update(next_at=timezone.now())
    assert engine.publish_due().sent == 3
    assert len(_company_statuses(peer)) == 3


def test_a_permanent_failure_tells_the_author_and_the_team_and_the_post_is_partly_published(
    people: dict[str, User], mastodon: ChannelAccount, bluesky: ChannelAccount,
    peer: MastodonPeer, bsky: FakeBluesky,
) -> None:  # fmt: skip
    people["manager"].language = "de"
    people["manager"].save()
    people["agent"].language = "en"
    people["agent"].save()
    text = "Ein sehr langer Text. " * 30  # 660 characters: too long for Mastodon (500)
    post = _due_post(people, [mastodon, bluesky], text[:290])
    PostPart.objects.filter(target__channel=mastodon).update(text=text)
    engine.publish_due()
    post.refresh_from_db()
    assert post.status == PostStatus.PARTLY_PUBLISHED
    failed = PostTarget.objects.get(post=post, channel=mastodon)
    assert failed.state == TargetState.FAILED and failed.error_code == "refused"
    assert "too long" in failed.error
    assert PostTarget.objects.get(post=post, channel=bluesky).state == TargetState.PUBLISHED
    assert _company_statuses(peer) == []
    event = PostEvent.objects.get(post=post, kind="failed")
    assert event.data["channel"] == "Mastodon" and event.data["code"] == "refused"

    # Oldest first, so each person's entry below is their latest notification: the author
    # also heard of the approval before, which must not hide the failure.
    told = Notification.objects.filter(kind=Notification.Kind.POST).order_by("created_at", "pk")
    # The author (an agent), the manager and the admin; each in their own language.
    assert {n.user.email for n in told} == {
        people["agent"].email, people["manager"].email, people["admin"].email,
    }  # fmt: skip
    by_person = {n.user.email: n.title for n in told}
    assert by_person[people["agent"].email].startswith("Not published on Mastodon: ")
    assert by_person[people["manager"].email].startswith("Nicht veröffentlicht auf Mastodon: ")
    assert delivery.error_sentence(failed) == "The Mastodon instance refused the request."


def test_the_failure_e_mail_says_what_happened_in_plain_words(
    people: dict[str, User], mastodon: ChannelAccount, peer: MastodonPeer,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    people["agent"].language = "en"
    people["agent"].save()
    post = _due_post(people, [mastodon], "Kurz genug")
    # The instance's limit fell after approval: the network refuses what we checked.
    PostPart.objects.filter(target__post=post).update(text="x" * 600)
    with django_capture_on_commit_callbacks(execute=True):
        engine.publish_due()
    post.refresh_from_db()
    assert post.status == PostStatus.FAILED
    to_author = [m for m in mail.outbox if m.to == [people["agent"].email]]
    assert len(to_author) == 1
    body = to_author[0].body
    assert "could not be published on Mastodon" in body
    assert "The Mastodon instance refused the request." in body
    assert "Text is too long" in body  # the network's own words, under "Details"


def test_retry_after_editing_keeps_the_parts_already_published(
    people: dict[str, User], mastodon: ChannelAccount, peer: MastodonPeer
) -> None:
    post = _due_post(people, [mastodon], "Teil eins", thread=["Teil zwei"])
    PostPart.objects.filter(target__post=post, position=1).update(text="y" * 600)
    engine.publish_due()
    post.refresh_from_db()
    target = PostTarget.objects.get(post=post)
    assert post.status == PostStatus.FAILED and target.state == TargetState.FAILED
    first = PostPart.objects.get(target=target, position=0)
    assert first.state == PartState.SENT  # part one is on the network; part two was refused

    by = Acting(user=people["manager"])
    with pytest.raises(ValidationError):  # one text per part not yet published
        delivery.target_retry(by=by, target=target, texts=["a", "b"])
    delivery.target_retry(by=by, target=target, texts=["Teil zwei, kürzer"])
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHING
    assert engine.publish_due().sent == 1
    post.refresh_from_db()
    target.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED and target.state == TargetState.PUBLISHED
    statuses = _company_statuses(peer)
    assert [s.content for s in statuses] == ["<p>Teil eins</p>", "<p>Teil zwei, kürzer</p>"]
    assert statuses[1].in_reply_to_id == statuses[0].id
    assert target.remote_id == str(statuses[0].id)
    assert PostEvent.objects.get(post=post, kind="retried").data["edited"] == [1]
    # Only a failed channel can be tried again.
    with pytest.raises(ValidationError):
        delivery.target_retry(by=by, target=target)


def test_after_a_crash_the_part_is_found_on_the_network_not_posted_again(
    people: dict[str, User], mastodon: ChannelAccount, bluesky: ChannelAccount,
    peer: MastodonPeer, bsky: FakeBluesky, settings: Any,
) -> None:  # fmt: skip
    post = _due_post(people, [mastodon, bluesky], "Der Zug ist da")
    engine._start(post.pk)
    # A worker claimed both parts, posted them, and died before it could record it.
    for part in PostPart.objects.filter(target__post=post).select_related("target__channel"):
        connector = publisher(part.target.channel.network)
        assert connector is not None
        connector.publish(part.target.channel, engine.outgoing(part))
    PostPart.objects.filter(target__post=post).update(
        state=PartState.SENDING, claimed_at=timezone.now() - timedelta(minutes=5)
    )
    assert engine.anything_due()
    assert engine.publish_due().sent == 2
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    assert len(_company_statuses(peer)) == 1 and len(bsky.records(BSKY)) == 1
    parts = PostPart.objects.filter(target__post=post)
    assert {p.attempts for p in parts} == {1}
    # A claim still inside its lease belongs to a live worker: nobody takes it.
    post2 = _due_post(people, [mastodon], "Noch einer")
    engine._start(post2.pk)
    PostPart.objects.filter(target__post=post2).update(
        state=PartState.SENDING, claimed_at=timezone.now()
    )
    assert engine.publish_due().sent == 0
    assert len(_company_statuses(peer)) == 1


def test_a_channel_that_cannot_be_reached_fails_after_its_attempts_and_nothing_else(
    people: dict[str, User], mastodon: ChannelAccount, peer: MastodonPeer
) -> None:
    post = _due_post(people, [mastodon], "Bald")
    engine._start(post.pk)
    PostPart.objects.filter(target__post=post).update(attempts=engine.MAX_ATTEMPTS - 1)
    with (
        peer.fault(path="/api/v1/statuses", methods=["POST"], status=503, count=1),
        peer.fault(path="/api/v1/accounts/*", methods=["GET"], status=503, count=1),
    ):
        engine.publish_due()
    post.refresh_from_db()
    target = PostTarget.objects.get(post=post)
    assert post.status == PostStatus.FAILED and target.error_code == "server"
    assert "gave up after 16 attempts" in target.error


def test_publish_now_goes_out_at_once(
    people: dict[str, User], mastodon: ChannelAccount, peer: MastodonPeer,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    by = Acting(user=people["manager"])
    post = services.post_create(by=by, text="Jetzt sofort", channels=[mastodon])
    services.post_approve(by=by, post=post)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_publish_now(by=by, post=post)
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    assert [s.content for s in _company_statuses(peer)] == ["<p>Jetzt sofort</p>"]


def test_a_post_not_yet_due_or_not_approved_is_left_alone(
    people: dict[str, User], mastodon: ChannelAccount, peer: MastodonPeer
) -> None:
    by = Acting(user=people["manager"])
    services.post_create(by=by, text="Entwurf", channels=[mastodon])
    later = _due_post(people, [mastodon], "Morgen")
    Post.objects.filter(pk=later.pk).update(scheduled_at=timezone.now() + timedelta(hours=1))
    assert not engine.anything_due()
    assert engine.publish_due().sent == 0
    assert _company_statuses(peer) == []


def test_hostile_answers_of_a_network_are_stored_cleaned_and_cut(
    people: dict[str, User], mastodon: ChannelAccount, monkeypatch: Any
) -> None:
    """A network answering NUL bytes, lone surrogates, huge ids and a `javascript:` link."""
    from socialdesk.channels.base import Sent
    from socialdesk.channels.mastodon import publish as mastodon_publish

    answer = Sent(
        external_id="1\x00" + "9" * 5000,
        url="javascript:alert(1)\x00",
        meta={"uri\x00": "at://x\ud800", "n": 10**30},
    )
    monkeypatch.setattr(mastodon_publish, "publish", lambda account, outgoing: answer)
    post = _due_post(people, [mastodon], "Hallo")
    assert engine.publish_due().sent == 1
    part = PostPart.objects.get(target__post=post)
    assert part.remote_id == ("1" + "9" * 5000)[:500] and part.url == ""
    assert part.meta == {"uri": "at://x\ufffd", "n": 10**30}
    target = PostTarget.objects.get(post=post)
    assert target.state == TargetState.PUBLISHED and target.remote_id == part.remote_id

    # An error text with NUL bytes is kept without them.
    def refuse(account: Any, outgoing: Any) -> Any:
        raise PermanentError("refused \x00" + "x" * 5000)

    monkeypatch.setattr(mastodon_publish, "publish", refuse)
    other = _due_post(people, [mastodon], "Noch einmal")
    engine.publish_due()
    failed = PostTarget.objects.get(post=other)
    assert failed.state == TargetState.FAILED and "\x00" not in failed.error
    assert len(failed.error) == 2000
