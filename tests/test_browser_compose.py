"""In headless Chromium: a manager writes one post for Mastodon and Bluesky. The live counter
counts a tricky text exactly as the server does, the server refuses a part too long for
Bluesky, and an own Bluesky text with an image and alt text is saved and previewed."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.db import connections
from PIL import Image
from playwright.sync_api import Page

from socialdesk.accounts.models import Role, User
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.publishing import rules
from socialdesk.publishing.models import Post, PostMedia
from tests.test_browser import _shot, browser_page  # noqa: F401 - fixture

pytestmark = pytest.mark.browser
TRICKY = "Grüße 👍🏽 an @anna@social.example.org – mehr: https://example.org/a/very/long/path?x=1."


def _count(page: Page, textarea: str, channel: ChannelAccount) -> tuple[int, int, bool]:
    counter = (
        page.locator(textarea).locator("xpath=..").locator(f'[data-count-channel="{channel.pk}"]')
    )
    text = counter.inner_text()
    found = re.search(r"([\d.,]+)/([\d.,]+)", text)
    assert found, text
    number = [int(re.sub(r"[.,]", "", g)) for g in found.groups()]
    return number[0], number[1], "over" in (counter.get_attribute("class") or "")


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 60, 90)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_the_live_counter_agrees_with_the_server_and_a_post_goes_to_two_networks(
    live_server: Any,
    browser_page: Any,  # noqa: F811
) -> None:
    page, console_errors = browser_page
    User.objects.create_user("max@example.com", "max's long passphrase", full_name="Max Manager",
                             role=Role.MANAGER)  # fmt: skip
    mastodon = ChannelAccount.objects.create(
        network=Network.MASTODON, handle="bob@mock.local", name="Nordlicht Mastodon",
        limits={"max_characters": 60, "characters_reserved_per_url": 23},
    )  # fmt: skip
    bluesky = ChannelAccount.objects.create(network=Network.BLUESKY, handle="nordlicht.bsky.social")

    page.goto(live_server.url + "/publishing/posts/new/")
    page.get_by_label("E-mail address").fill("max@example.com")
    page.get_by_label("Password").fill("max's long passphrase")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/publishing/posts/new/")
    page.locator(f'[data-channel-choice="{mastodon.pk}"]').check()
    page.locator(f'[data-channel-choice="{bluesky.pk}"]').check()
    page.locator("#id_text").fill(TRICKY)

    # The browser counts as the server does: graphemes, links as 23, @user@domain as @user.
    server_mastodon = rules.graphemes(rules.mastodon_countable(TRICKY, 23))
    assert _count(page, "#id_text", mastodon) == (server_mastodon, 60, False) == (49, 60, False)
    assert _count(page, "#id_text", bluesky) == (rules.graphemes(TRICKY), 300, False)
    page.locator("#id_content_warning").fill("Laute Geräusche!")  # 16 more on Mastodon
    assert _count(page, "#id_text", mastodon) == (65, 60, True)
    page.locator("#id_content_warning").fill("")

    # A second part too long for Bluesky: shown live, and refused by the server.
    page.get_by_role("button", name="Add a part (thread)").click()
    second = page.locator('textarea[name="thread"]').first
    second.fill("ä" * 312)
    second_id = "#" + (second.get_attribute("id") or "")
    assert _count(page, second_id, bluesky) == (312, 300, True)
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_selector("#compose-errors")
    assert "Bluesky, part 2: 312 of 300 characters" in page.locator("#compose-errors").inner_text()
    assert Post.objects.count() == 0
    _shot(page, "compose-error-en")

    # Bluesky gets its own text; the image gets alt text; the post is saved.
    area = page.locator(f'textarea[name="variant_{bluesky.pk}"]')
    assert area.count() == 2 and area.nth(1).input_value() == "ä" * 312  # it followed the main
    area.nth(1).fill("Mehr dazu im Thread 👍🏽")
    assert page.locator(f'[data-variant="{bluesky.pk}"] [data-customise]').is_checked()
    page.locator('textarea[name="thread"]').first.fill("Teil zwei für Mastodon")
    own = _count(page, f"#{area.nth(1).get_attribute('id')}", bluesky)
    assert own == (rules.graphemes("Mehr dazu im Thread 👍🏽"), 300, False) == (21, 300, False)
    page.set_input_files("#id_image_new_0", files=[
        {"name": "stellwerk.png", "mimeType": "image/png", "buffer": _png()}
    ])  # fmt: skip
    page.locator("#id_alt_new_0").fill("Ein Stellwerk bei Nacht")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(r".*/publishing/posts/\d+/$"))
    post = Post.objects.get()
    parts = {t.channel_id: [p.text for p in t.parts.all()] for t in post.targets.all()}
    assert parts[bluesky.pk] == [TRICKY, "Mehr dazu im Thread 👍🏽"]
    assert parts[mastodon.pk] == [TRICKY, "Teil zwei für Mastodon"]
    assert PostMedia.objects.get().alt_text == "Ein Stellwerk bei Nacht"
    assert page.locator(".post-preview").count() == 2
    _shot(page, "compose-post-en")

    page.get_by_label("Language").select_option("de")
    page.wait_for_selector("html[lang=de]")
    assert "Vorschau in jedem Netzwerk" in page.content()
    _shot(page, "compose-post-de")
    page.goto(live_server.url + f"/publishing/posts/{post.pk}/edit/")
    assert "Eigener Text für diesen Kanal" in page.content()
    _shot(page, "compose-edit-de")
    assert console_errors == []
    connections.close_all()
