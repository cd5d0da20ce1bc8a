"""A post's states and versions, and one thread published part by part to a real Mastodon API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import User
from socialdesk.channels.base import Outgoing
from socialdesk.channels.mastodon.testpeer import COMPANY_TOKEN, MastodonPeer
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.channels.protocol import publisher
from socialdesk.publishing import services
from socialdesk.publishing.models import PostEvent, PostPart, PostStatus


@pytest.fixture
def channel(db: None) -> ChannelAccount:
    return ChannelAccount.objects.create(network=Network.MASTODON, handle="bob@mock.local")


def test_a_change_after_approval_sends_the_post_back_to_review_and_names_what_changed(
    people: dict[str, User], channel: ChannelAccount
) -> None:
    by = Acting(user=people["manager"])
    at = timezone.now() + timedelta(days=1)
    post = services.post_create(
        by=by, text="Hinter den Kulissen: Nachtschicht im Stellwerk", channels=[channel],
        thread=["Teil 2: die Weichenheizung"], scheduled_at=at,
    )  # fmt: skip
    parts = list(PostPart.objects.filter(target__post=post).values_list("text", flat=True))
    assert parts == ["Hinter den Kulissen: Nachtschicht im Stellwerk", "Teil 2: die Weichenheizung"]
    services.post_submit(by=by, post=post)
    services.post_approve(by=Acting(user=people["admin"]), post=post)
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED and post.version == 1

    services.post_update(by=by, post=post, text="Nachtschicht im Stellwerk Altona")
    post.refresh_from_db()
    assert post.status == PostStatus.IN_REVIEW and post.version == 2
    back = PostEvent.objects.get(post=post, kind="back_to_review")
    assert back.data["changed"] == ["text"]
    first = PostPart.objects.get(target__post=post, position=0)
    assert first.text == "Nachtschicht im Stellwerk Altona"
    # The approval of version 1 does not count for version 2.
    assert not services.approved_fully(post)


def test_a_time_in_the_past_is_refused_and_nothing_is_saved(
    people: dict[str, User], channel: ChannelAccount
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.post_create(
            by=Acting(user=people["manager"]), text="Zu spät", channels=[channel],
            scheduled_at=timezone.now() - timedelta(hours=2),
        )  # fmt: skip
    assert "scheduled_at" in caught.value.message_dict
    assert not PostPart.objects.exists()


@pytest.fixture(scope="module")
def peer() -> Iterator[MastodonPeer]:
    server = MastodonPeer().start()
    yield server
    server.stop()


def test_a_thread_goes_out_as_a_reply_chain_and_a_retry_finds_each_part(
    peer: MastodonPeer, settings: Any, db: None
) -> None:
    settings.FEED_ADDRESS_POLICY = "socialdesk.channels.mastodon.testpeer.loopback_only"
    peer.reset()
    call_command(
        "channels", "add", "mastodon", "--instance", peer.url, "--access-token", COMPANY_TOKEN,
        stdout=StringIO(),
    )  # fmt: skip
    account = ChannelAccount.objects.get(network=Network.MASTODON)
    connector = publisher(account.network)
    assert connector is not None
    first = Outgoing(key=services.new_key(), text="Teil 1", created_at=timezone.now())
    sent = connector.publish(account, first)
    second = Outgoing(
        key=services.new_key(), text="Teil 2", created_at=timezone.now(),
        reply_to={"external_id": sent.external_id, **(sent.meta or {})},
    )  # fmt: skip
    answer = connector.publish(account, second)
    on_server = peer.company_replies(sent.external_id)
    assert [str(s.id) for s in on_server] == [answer.external_id]
    found = connector.find_published(account, second)
    assert found is not None and found.external_id == answer.external_id
    later = Outgoing(key=services.new_key(), text="Teil 3", created_at=timezone.now())
    assert connector.find_published(account, later) is None


def test_a_post_written_for_an_idea_plans_the_idea(
    people: dict[str, User], channel: ChannelAccount
) -> None:
    from socialdesk.publishing import idea_services
    from socialdesk.publishing.models import IdeaStatus

    idea = idea_services.idea_submit(
        by=Acting(user=people["member"]), title="Azubis im Stellwerk", what_happened="Ein Tag"
    )
    assert idea.status == IdeaStatus.NEW
    services.post_create(
        by=Acting(user=people["manager"]), text="Ein Tag im Stellwerk", channels=[channel],
        idea=idea,
    )  # fmt: skip
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.PLANNED
