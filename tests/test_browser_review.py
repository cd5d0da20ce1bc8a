"""In headless Chromium: a post goes through Marketing (in the app) and Legal (by the e-mailed
link, without signing in) and is then scheduled."""

from __future__ import annotations

import io
import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, Role, User
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.publishing import review_services, services
from socialdesk.publishing.models import Approval, Post, PostMedia, PostStatus
from tests.test_browser import browser_page  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser]
PASSWORD = "a long passphrase 42"
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "screenshots"))


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _sign_in(page: Page, url: str, email: str) -> None:
    page.goto(url + "/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + "/")


def _person(email: str, name: str, role: str, *departments: Department) -> User:
    user = User.objects.create_user(email, PASSWORD, full_name=name, role=role)
    user.departments.set(departments)
    return user


def _world() -> Post:
    marketing = Department.objects.create(name="Marketing")
    legal = Department.objects.create(name="Legal")
    max_ = _person("max@example.com", "Max Manager", Role.MANAGER)
    _person("marta@example.com", "Marta Marketing", Role.MEMBER, marketing)
    _person("lena@example.com", "Lena Legal", Role.MEMBER, legal)
    mastodon = ChannelAccount.objects.create(network=Network.MASTODON, handle="bahn@mock.local")
    bluesky = ChannelAccount.objects.create(network=Network.BLUESKY, handle="bahn.bsky.social")
    by = Acting(user=max_)
    review_services.step_add(by=by, channel=mastodon, department=marketing)
    review_services.step_add(by=by, channel=bluesky, department=legal)
    post = services.post_create(
        by=by, text="Hinter den Kulissen: die Nachtschicht im Stellwerk", channels=[mastodon, bluesky],
        variants={bluesky.pk: ["Nachtschicht im Stellwerk (Bluesky)"]},
        content_warning="Lautes Video", scheduled_at=timezone.now() + timedelta(days=2),
    )  # fmt: skip
    picture = io.BytesIO()
    Image.new("RGB", (320, 200), "midnightblue").save(picture, "PNG")
    PostMedia.objects.create(
        post=post, content=picture.getvalue(), mime="image/png", width=320, height=200,
        alt_text="Ein Stellwerk bei Nacht, die Pulte leuchten",
    )  # fmt: skip
    return post


@pytest.mark.django_db(transaction=True)
def test_marketing_approves_in_the_app_and_legal_by_the_e_mail_link(
    live_server: Any,
    browser_page: Any,  # noqa: F811
) -> None:
    page, console_errors = browser_page
    post = _world()
    review = f"{live_server.url}/publishing/posts/{post.pk}/review/"
    mail.outbox.clear()

    # The author sends it for review; Marketing is told.
    _sign_in(page, live_server.url, "max@example.com")
    page.goto(review)
    page.get_by_role("button", name="Send for review").click()
    expect(page.locator(".message.success")).to_contain_text("sent for review")
    expect(page.locator(".review-steps li.current")).to_contain_text("Marketing")
    assert [m.to for m in mail.outbox] == [["marta@example.com"]]

    # Marketing approves in the app.
    page.context.clear_cookies()
    _sign_in(page, live_server.url, "marta@example.com")
    page.goto(review)
    _shot(page, "review-marketing-en")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".message.success")).to_contain_text("You approved")
    expect(page.locator(".review-steps li.current")).to_contain_text("Legal")
    expect(page.locator(".review-steps li.current")).to_contain_text("Lena Legal")

    # Legal opens the e-mailed link on the phone, without signing in, and approves.
    to_lena = [m for m in mail.outbox if m.to == ["lena@example.com"]]
    assert len(to_lena) == 1
    found = re.search(
        re.escape(settings.SITE_URL) + r"(/publishing/approve/\S+/)", str(to_lena[0].body)
    )
    assert found, to_lena[0].body
    browser = page.context.browser
    assert browser is not None
    phone = browser.new_context(locale="en-GB", viewport={"width": 420, "height": 900}).new_page()
    phone.goto(live_server.url + found.group(1))
    expect(phone.locator("h1")).to_have_text("Approve a post")
    expect(phone.locator(".preview-mastodon")).to_contain_text("Hinter den Kulissen")
    expect(phone.locator(".preview-bluesky")).to_contain_text("(Bluesky)")
    expect(phone.locator(".preview-mastodon")).to_contain_text("Lautes Video")
    expect(phone.locator(".preview-mastodon img")).to_have_attribute(
        "alt", "Ein Stellwerk bei Nacht, die Pulte leuchten"
    )
    _shot(phone, "review-link-en")
    phone.get_by_label("Comment").fill("Rechtlich in Ordnung")
    phone.get_by_role("button", name="Approve").click()
    expect(phone.locator(".message.success")).to_contain_text("You approved the post")
    phone.reload()  # the same link again changes nothing and says why
    expect(phone.locator(".message.error")).to_contain_text("used already")

    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED
    assert [(a.user.email, a.by_link) for a in Approval.objects.order_by("pk") if a.user] == [
        ("marta@example.com", False),
        ("lena@example.com", True),
    ]
    page.goto(review)
    expect(page.locator(".review-status")).to_contain_text("Scheduled")
    expect(page.locator(".review-history")).to_contain_text("Lena Legal approved by e-mail link")
    _shot(page, "review-done-en")
    assert console_errors == []


@pytest.mark.django_db(transaction=True)
def test_a_change_after_approval_shows_what_changed_in_german(
    live_server: Any,
    browser_page: Any,  # noqa: F811
) -> None:
    page, console_errors = browser_page
    post = _world()
    by = Acting(user=User.objects.get(email="max@example.com"))
    services.post_submit(by=by, post=post)
    services.post_approve(by=Acting(user=User.objects.get(email="marta@example.com")), post=post)
    services.post_update(
        by=by, post=post, text="Hinter den Kulissen: die Nachtschicht im Stellwerk Altona",
        scheduled_at=post.scheduled_at + timedelta(hours=3),  # type: ignore[operator]
    )  # fmt: skip
    User.objects.filter(email="max@example.com").update(language="de")
    _sign_in(page, live_server.url, "max@example.com")
    page.goto(f"{live_server.url}/publishing/posts/{post.pk}/review/")
    history = page.locator(".review-history")
    expect(history).to_contain_text("wieder in Prüfung")
    expect(history.locator("ins").first).to_have_text(" Altona")
    expect(history).to_contain_text("vorher:")
    expect(page.locator(".review-steps li.current")).to_contain_text("Marketing")
    _shot(page, "review-changed-de")
    page.goto(f"{live_server.url}/publishing/approval-steps/")
    expect(page.locator("h1")).to_have_text("Freigabeschritte")
    _shot(page, "approval-steps-de")
    assert console_errors == []
