"""In headless Chromium: a post's delivery panel shows each channel's state in plain words, the
link to the published post, and "Retry" after editing the part a network refused."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from socialdesk.accounts.models import Role, User
from socialdesk.channels.models import ChannelAccount
from socialdesk.publishing.models import PartState, Post, PostEvent, PostPart, PostTarget
from tests.test_browser import browser_page, pytestmark  # noqa: F401  (fixture, marks)

SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/shots-engine"))


def _post() -> Post:
    post = Post.objects.create(text="Nachtschicht im Stellwerk", status="partly_published")
    for network, state in (("mastodon", "published"), ("bluesky", "failed")):
        channel = ChannelAccount.objects.create(
            network=network, handle=f"nordlicht-{network}", name=f"Nordlicht {network.title()}"
        )
        target = PostTarget.objects.create(
            post=post, channel=channel, state=state, url="https://social.example/@nordlicht/1",
            error_code="refused" if state == "failed" else "", published_at=timezone.now(),
            error="Bluesky refused the request (Record/text must not be longer than 300 graphemes)"
            if state == "failed" else "",
        )  # fmt: skip
        for position in range(2):
            sent = state == "published" or position == 0
            PostPart.objects.create(
                target=target, position=position, text=f"Teil {position + 1} " + "lang " * 70,
                key=f"k{network}{position}", state=PartState.SENT if sent else PartState.FAILED,
                remote_id=f"r{network}{position}" if sent else "",
            )  # fmt: skip
    return post


@pytest.mark.django_db(transaction=True)
def test_a_manager_sees_why_a_channel_failed_and_retries_after_editing(
    live_server: Any,
    browser_page: Any,  # noqa: F811 - the fixture
) -> None:
    page, _console_errors = browser_page
    max_ = User.objects.create_user(
        "max@example.com", "max's long passphrase", full_name="Max Manager", role=Role.MANAGER
    )
    post = _post()
    page.goto(live_server.url + "/")
    page.get_by_label("E-mail address").fill("max@example.com")
    page.get_by_label("Password").fill("max's long passphrase")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")

    page.goto(f"{live_server.url}/publishing/posts/{post.pk}/delivery/")
    panel = page.locator(".delivery-panel")
    assert "Nordlicht Mastodon" in panel.inner_text()
    assert (
        page.get_by_role("link", name="View the post on the network").get_attribute("href")
        == "https://social.example/@nordlicht/1"
    )
    bluesky = page.locator("[data-state=failed]")
    assert "The Bluesky server refused the request." in bluesky.inner_text()
    assert "1 part is already on the network and stays there." in bluesky.inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "delivery-en.png"), full_page=True)

    max_.language = "de"
    max_.save()
    page.reload()
    failed = page.locator("[data-state=failed]").inner_text()
    assert "Der Bluesky-Server hat die Anfrage abgelehnt." in failed
    assert "1 Teil ist schon im Netzwerk und bleibt dort." in failed
    assert page.get_by_role("button", name="Erneut versuchen").is_visible()
    page.screenshot(path=str(SHOTS / "delivery-de.png"), full_page=True)

    page.get_by_label("Teil 2").fill("Teil 2, kürzer")
    page.get_by_role("button", name="Erneut versuchen").click()
    page.wait_for_load_state()
    retried = PostEvent.objects.get(post=post, kind="retried")
    assert retried.data["edited"] == [1] and retried.actor == max_
    assert PostPart.objects.get(target__channel__network="bluesky", position=1).text == (
        "Teil 2, kürzer"
    )
    # The part already on the network was not touched.
    first = PostPart.objects.get(target__channel__network="bluesky", position=0)
    assert first.state == PartState.SENT and first.remote_id == "rbluesky0"
    # (The panel is opened on its own here, without the page around it: no favicon.)
