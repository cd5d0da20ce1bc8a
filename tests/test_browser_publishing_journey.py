"""In headless Chromium, the whole way of a story: a Product Development member submits an idea
with a photo; the manager accepts it and writes a Mastodon + Bluesky post with a text per
network and alt text; the post is moved in the calendar by dragging; Marketing approves in the
app and Legal by the e-mailed link; the worker's pass publishes it to mastodon-mock and the
local Bluesky peer; a favourite and a reply on mastodon-mock come back as figures on the post
and as a conversation in the inbox linked to it."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from PIL import Image
from playwright.sync_api import FilePayload, Page, expect

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, Role, User
from socialdesk.channels import base
from socialdesk.channels.bluesky.testpeer import FakeBluesky
from socialdesk.channels.mastodon.testpeer import COMPANY_TOKEN, MastodonPeer
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.inbox.models import Conversation
from socialdesk.publishing import campaign_services, metrics, review_services
from socialdesk.publishing.models import Idea, IdeaStatus, Post, PostStatus, PostTarget
from tests.test_browser import _shot, browser_page  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser]
PASSWORD = "a long passphrase 42"
BERLIN = ZoneInfo("Europe/Berlin")
POLICY = "socialdesk.channels.mastodon.testpeer.loopback_only"
COMPANY, APP_PASSWORD = "nordlicht.test", "app-pass-1234"


@pytest.fixture(scope="module")
def mastodon_peer() -> Iterator[MastodonPeer]:
    server = MastodonPeer().start()
    yield server
    server.stop()


def _picture() -> bytes:
    image = Image.new("RGB", (480, 320), (20, 40, 90))
    for x in range(80, 400):
        for y in range(140, 220):
            image.putpixel((x, y), (220, 50, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def _person(email: str, name: str, role: str, *departments: Department) -> User:
    user = User.objects.create_user(email, PASSWORD, full_name=name, role=role, language="en")
    user.departments.set(departments)
    return user


def _sign_in(page: Page, url: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(url + "/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + "/")


def _connect(mastodon: MastodonPeer, bluesky: FakeBluesky) -> tuple[ChannelAccount, ...]:
    out = StringIO()
    call_command(
        "channels", "add", "mastodon", "--instance", mastodon.url,
        "--access-token", COMPANY_TOKEN, "--name", "Nordlicht auf Mastodon", stdout=out,
    )  # fmt: skip
    call_command(
        "channels", "add", "bluesky", "--handle", COMPANY, "--app-password", APP_PASSWORD,
        "--service", bluesky.url, stdout=out,
    )  # fmt: skip
    return (
        ChannelAccount.objects.get(network=Network.MASTODON),
        ChannelAccount.objects.get(network=Network.BLUESKY),
    )


@pytest.mark.django_db(transaction=True)
def test_a_story_goes_from_idea_to_both_networks_and_its_echo_comes_back(
    live_server: Any,
    browser_page: Any,  # noqa: F811
    mastodon_peer: MastodonPeer,
    settings: Any,
) -> None:
    page, console_errors = browser_page
    settings.FEED_ADDRESS_POLICY = POLICY
    settings.CHANNEL_TIMEOUT_SECONDS = 5
    mastodon_peer.reset()
    with FakeBluesky() as bluesky:
        bluesky.create_account(COMPANY, APP_PASSWORD, display_name="Nordlicht Bahn")
        _journey(page, live_server.url, mastodon_peer, bluesky)
    assert console_errors == []


def _journey(page: Page, url: str, mastodon_peer: MastodonPeer, bluesky: FakeBluesky) -> None:
    product = Department.objects.create(name="Produktentwicklung")
    marketing = Department.objects.create(name="Marketing")
    legal = Department.objects.create(name="Recht")
    max_ = _person("max@example.com", "Max Manager", Role.MANAGER)
    _person("pia@example.com", "Pia Produkt", Role.MEMBER, product)
    _person("marta@example.com", "Marta Marketing", Role.MEMBER, marketing)
    _person("lena@example.com", "Lena Legal", Role.MEMBER, legal)
    mastodon, bsky = _connect(mastodon_peer, bluesky)
    by = Acting(user=max_)
    summer = campaign_services.campaign_create(by=by, name="Sommer an der Küste")
    review_services.step_add(by=by, campaign=summer, department=marketing)  # first Marketing,
    review_services.step_add(by=by, campaign=summer, department=legal)  # then Legal
    page.set_viewport_size({"width": 1280, "height": 1800})  # a whole week without scrolling

    # 1. Pia (Product Development) tells her story with a photo, through the bookmark.
    page.goto(url + "/story/")
    page.get_by_label("E-mail address").fill("pia@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + "/story/")
    page.get_by_label("Title").fill("Azubis bauen das Fahrgastdisplay")
    page.get_by_label("What happened?").fill("Vier Azubis haben das neue Display gebaut.")
    page.locator("#id_photo_1").set_input_files(
        {"name": "display.jpg", "mimeType": "image/jpeg", "buffer": _picture()}
    )
    page.get_by_label("Alt text of photo 1").fill("Das neue Display im Zug, rot auf blau")
    page.get_by_role("button", name="Send story idea").click()
    expect(page.locator(".message.success")).to_contain_text("Your story idea is in")
    idea = Idea.objects.get()

    # 2. Max accepts it and writes the post: Mastodon and Bluesky, Bluesky with its own text,
    #    an image with alt text, a time three days ahead; then sends it for review.
    _sign_in(page, url, "max@example.com")
    page.goto(f"{url}/publishing/ideas/{idea.pk}/")
    page.get_by_role("button", name="Accept").click()
    expect(page.locator("#idea-status")).to_have_text("Accepted")
    page.locator("#write-post").click()
    page.wait_for_url(re.compile(r".*/publishing/posts/new/\?idea=\d+$"))
    page.locator(f'[data-channel-choice="{mastodon.pk}"]').check()
    page.locator(f'[data-channel-choice="{bsky.pk}"]').check()
    page.locator("#id_text").fill(
        "Hinter den Kulissen: Vier Azubis haben unser neues Fahrgastdisplay gebaut. #Azubis"
    )
    variant = page.locator(f'textarea[name="variant_{bsky.pk}"]').first
    variant.fill("Vier Azubis, ein neues Display: Hinter den Kulissen bei Nordlicht 🚆")
    assert page.locator(f'[data-variant="{bsky.pk}"] [data-customise]').is_checked()
    image: FilePayload = {"name": "display.jpg", "mimeType": "image/jpeg", "buffer": _picture()}
    page.set_input_files("#id_image_new_0", files=image)
    page.locator("#id_alt_new_0").fill("Das neue Fahrgastdisplay im Zug")
    page.get_by_label("Campaign").select_option(label="Sommer an der Küste")
    day = timezone.localdate() + timedelta(days=3)
    page.locator("#id_scheduled_at").fill(f"{day.isoformat()}T10:15")
    page.get_by_role("button", name="Save and send for review").click()
    page.wait_for_url(re.compile(r".*/publishing/posts/\d+/$"))
    post = Post.objects.get()
    assert post.idea_id == idea.pk and post.status == PostStatus.IN_REVIEW
    parts = {t.channel_id: [p.text for p in t.parts.all()] for t in post.targets.all()}
    assert parts[bsky.pk] == [
        "Vier Azubis, ein neues Display: Hinter den Kulissen bei Nordlicht 🚆"
    ]
    assert post.media.get().alt_text == "Das neue Fahrgastdisplay im Zug"
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.PLANNED

    # 3. In the calendar Max drags it one day later, to 14:00.
    monday = day - timedelta(days=day.weekday())
    page.goto(f"{url}/publishing/calendar/?view=week&date={monday.isoformat()}")
    later = day + timedelta(days=1) if day.weekday() < 6 else day - timedelta(days=1)
    target = page.locator(f'td.cal-hour[data-date="{later.isoformat()}"][data-hour="14:00"]')
    page.locator(f"#post-{post.pk}").drag_to(target)
    expect(page.locator(".message.success")).to_contain_text("now goes out on")
    post.refresh_from_db()
    assert post.scheduled_at is not None
    assert post.scheduled_at.astimezone(BERLIN) == datetime.combine(
        later, time(14, 15), tzinfo=BERLIN
    )

    # 4. Marketing approves in the app.
    mail.outbox.clear()
    _sign_in(page, url, "marta@example.com")
    page.goto(f"{url}/publishing/posts/{post.pk}/")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".message.success")).to_contain_text("You approved")

    # 5. Legal approves by the e-mailed link, without signing in.
    to_lena = [m for m in mail.outbox if m.to == ["lena@example.com"]]
    assert len(to_lena) == 1
    found = re.search(
        re.escape(settings.SITE_URL) + r"(/publishing/approve/\S+/)", str(to_lena[0].body)
    )
    assert found, to_lena[0].body
    page.context.clear_cookies()
    page.goto(url + found.group(1))
    expect(page.locator(".preview-bluesky")).to_contain_text("Vier Azubis, ein neues Display")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".message.success")).to_contain_text("You approved the post")
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED

    # 6. Max publishes it now; the worker's pass sends it to both peers.
    _sign_in(page, url, "max@example.com")
    page.goto(f"{url}/publishing/posts/{post.pk}/")
    page.get_by_role("button", name="Publish now").click()
    expect(page.locator(".message.success")).to_contain_text("The post goes out now.")
    call_command("posts", "publish-due", stdout=StringIO())
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    on_mastodon = PostTarget.objects.get(post=post, channel=mastodon)
    on_bluesky = PostTarget.objects.get(post=post, channel=bsky)
    bob = mastodon_peer.client("bob")
    statuses = bob.account_statuses(bob.me().id, limit=40)
    assert [str(s.id) for s in statuses] == [on_mastodon.remote_id]  # exactly once
    assert statuses[0].media_attachments[0].description == "Das neue Fahrgastdisplay im Zug"
    assert on_bluesky.remote_id.startswith("at://") and on_bluesky.url
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.PUBLISHED
    page.reload()
    expect(page.locator(f'a[href="{on_mastodon.url}"]').first).to_be_visible()

    # 7. On Mastodon, Alice favourites the post and replies; the figures and the reply come
    #    back: the reply as a conversation linked to the post.
    alice = mastodon_peer.client("alice")
    alice.status_favourite(on_mastodon.remote_id)
    alice.status_post("@bob Toll, wann fährt der erste Zug damit?",
                      in_reply_to_id=on_mastodon.remote_id)  # fmt: skip
    mastodon.refresh_from_db()
    base.poll(mastodon)
    PostTarget.objects.filter(post=post).update(
        published_at=timezone.now() - timedelta(hours=1, minutes=5)
    )
    metrics.read_due()
    figures = on_mastodon.metrics.get(age="1h")
    assert (figures.likes, figures.replies) == (1, 1)
    conversation = Conversation.objects.get(messages__text__contains="wann fährt der erste Zug")
    page.reload()
    expect(page.locator(".post-after")).to_contain_text("1 reply in the inbox")
    expect(page.locator(".metrics-table")).to_be_visible()
    expect(page.locator(f'.post-replies a[href="/inbox/{conversation.pk}/"]')).to_be_visible()
    _shot(page, "journey-post-published-en")
    page.goto(f"{url}/inbox/{conversation.pk}/")
    link = page.locator(".conversation-links a")
    expect(link).to_contain_text("Reply to our post")
    link.click()
    page.wait_for_url(f"{url}/publishing/posts/{post.pk}/")
