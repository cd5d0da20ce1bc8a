"""`socialdesk posts add|list|publish-due` against a real Mastodon API (mastodon-mock)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from PIL import Image

from socialdesk.accounts.models import User
from socialdesk.channels.mastodon.testpeer import COMPANY, COMPANY_TOKEN, MastodonPeer
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.publishing.models import Campaign, Post, PostMedia, PostStatus

POLICY = "socialdesk.channels.mastodon.testpeer.loopback_only"


@pytest.fixture(scope="module")
def peer() -> Iterator[MastodonPeer]:
    server = MastodonPeer().start()
    yield server
    server.stop()


@pytest.fixture
def channel(peer: MastodonPeer, settings: Any, people: dict[str, User]) -> ChannelAccount:
    settings.FEED_ADDRESS_POLICY = POLICY
    peer.reset()
    call_command(
        "channels", "add", "mastodon", "--instance", peer.url, "--access-token", COMPANY_TOKEN,
        "--name", "Nordlicht Mastodon", stdout=StringIO(),
    )  # fmt: skip
    return ChannelAccount.objects.get(network=Network.MASTODON)


def posts(*args: str) -> str:
    out = StringIO()
    call_command("posts", *args, stdout=out)
    return out.getvalue()


def _photo(path: Path) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def test_add_approve_and_publish_due_puts_the_post_on_the_network_once(
    channel: ChannelAccount, peer: MastodonPeer, people: dict[str, User], tmp_path: Path
) -> None:
    Campaign.objects.create(name="Sommer 2026")
    at = (timezone.now() + timedelta(hours=2)).replace(microsecond=0)
    added = json.loads(
        posts(
            "add", "--channel", "Nordlicht Mastodon", "--text", "Sommerfahrplan ist da",
            "--at", at.isoformat(), "--image", str(_photo(tmp_path / "p.jpg")),
            "--alt", "Ein roter Zug", "--campaign", "sommer 2026", "--approve", "--json",
        )
    )  # fmt: skip
    post = Post.objects.get(pk=added["id"])
    assert added["status"] == "scheduled" and post.status == PostStatus.SCHEDULED
    assert post.scheduled_at == at and post.campaign is not None
    assert post.author == people["admin"]  # the first admin
    media = PostMedia.objects.get(post=post)
    assert media.alt_text == "Ein roter Zug" and media.mime == "image/jpeg"

    # Not yet due: nothing goes out.
    assert "0 part(s) published" in posts("publish-due")
    Post.objects.filter(pk=post.pk).update(scheduled_at=timezone.now())
    assert "1 part(s) published" in posts("publish-due")
    listed = json.loads(posts("list", "--status", "published", "--json"))
    assert [row["id"] for row in listed] == [post.pk]
    target = listed[0]["channels"][0]
    bob = peer.client(COMPANY)
    statuses = bob.account_statuses(bob.me().id)
    assert len(statuses) == 1
    assert target["state"] == "published" and target["remote_id"] == str(statuses[0].id)
    assert target["url"] == statuses[0].url
    text = posts("list")
    assert f"{post.pk}" in text and "published" in text and str(statuses[0].id) in text
    assert "0 part(s) published" in posts("publish-due")


def test_approve_without_a_time_publishes_at_the_next_look(
    channel: ChannelAccount, peer: MastodonPeer, people: dict[str, User]
) -> None:
    out = posts("add", "--channel", "@" + channel.handle, "--text", "Jetzt", "--approve",
                "--as", people["manager"].email)  # fmt: skip
    post = Post.objects.get()
    assert post.status == PostStatus.SCHEDULED and post.author == people["manager"]
    assert "Scheduled" in out
    posts("publish-due")
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--channel", "Twitter"], "unknown channel 'Twitter' (channels: Nordlicht Mastodon)"),
        (["--campaign", "Winter"], "unknown campaign 'Winter'"),
        (["--as", "nobody@example.com"], "nobody active with the e-mail address"),
        (["--at", "morgen früh"], "is not a time such as 2026-12-01T09:30"),
        (["--at", "2001-01-01T09:30"], "This time is in the past."),
        (["--image", "/nonexistent.jpg", "--alt", "x"], "cannot read /nonexistent.jpg"),
        (["--image", "IMAGE"], "--alt: describe the image"),
        (["--image", "BROKEN", "--alt", "x"], "This file is not an image that can be read."),
        (["--approve", "--as", "alex@example.com"], "may not approve posts"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_saved(
    channel: ChannelAccount, tmp_path: Path, extra: list[str], message: str
) -> None:
    image = _photo(tmp_path / "ok.jpg")
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"GIF89a\x00\x00 not really")
    extra = [str(image) if e == "IMAGE" else str(broken) if e == "BROKEN" else e for e in extra]
    args = ["add", "--channel", "Nordlicht Mastodon", "--text", "Hallo", *extra]
    if extra[0] == "--channel":
        args = ["add", "--text", "Hallo", *extra]
    with pytest.raises(CommandError) as caught:
        posts(*args)
    assert message in str(caught.value)
    assert not Post.objects.exists() and not PostMedia.objects.exists()


def test_list_says_when_there_is_nothing(channel: ChannelAccount) -> None:
    assert posts("list") == "no posts\n"
    assert json.loads(posts("list", "--json")) == []
