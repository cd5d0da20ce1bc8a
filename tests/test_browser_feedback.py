"""In headless Chromium: the feedback loop from a customer's post to the right department
and back to the customer (listening, capture, forwarding, the digest link, the answers)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core import mail
from django.db import connections
from playwright.sync_api import Page, expect

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, Role, User
from socialdesk.channels import services as channels
from socialdesk.channels.webhook.receiver import accept, process_pending
from socialdesk.feedback.models import FeedbackItem, FeedbackStatus, ReplyDraft, Topic
from socialdesk.feedback.services import send_digests
from socialdesk.inbox.models import Direction, Message
from tests.test_browser import _shot, browser_page  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser]

POSTS = [
    ("p1", "kim", "de", "Der QR-Code wird am Gate nicht akzeptiert, die App zeigt ihn nur halb."),
    ("p2", "sam", "en", "The QR code in the app is not accepted at the gate, again!"),
    ("p3", "ole", "de", "Schönes Wetter heute in Kiel."),
]


def _deliver() -> None:
    hook, _secret = channels.webhook_add(by=Acting(user=None, label="test"), name="Reviews")
    items = [
        {"id": i, "author": a, "text": t, "created_at": "2026-11-26T08:00:00Z"}
        for i, a, _lang, t in POSTS
    ]
    accept(hook, json.dumps({"items": items}).encode())
    process_pending()


def _sign_in(page: Page, url: str, email: str) -> None:
    page.goto(url + "/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill("a long passphrase 42")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + "/")


@pytest.mark.django_db(transaction=True)
def test_from_a_customers_post_to_product_development_and_back(
    live_server: Any,
    browser_page: Any,  # noqa: F811
    settings: Any,
) -> None:
    page, console_errors = browser_page
    product = Department.objects.create(name="Product Development", feedback_answer_hours=48)
    User.objects.create_user("mia@example.com", "a long passphrase 42", full_name="Mia Manager",
                             role=Role.MANAGER, language="en")  # fmt: skip
    member = User.objects.create_user("pia@example.com", "a long passphrase 42",
                                      full_name="Pia Product", role=Role.MEMBER, language="en")  # fmt: skip
    member.departments.set([product])
    Topic.objects.create(name="App & website", keywords="app, website", department=product)
    _deliver()
    _sign_in(page, live_server.url, "mia@example.com")

    # A monitor: the bad query is explained at its position, the good one finds the posts.
    page.get_by_role("link", name="Feedback", exact=True).click()
    page.get_by_label("Name").fill("QR code")
    page.get_by_label("Query").fill('"qr code" OR qr-code AND')
    page.get_by_role("button", name="Create monitor").click()
    expect(page.locator(".errorlist")).to_contain_text("AND needs something on both sides")
    page.get_by_label("Query").fill('"qr code" OR qr-code')
    page.get_by_role("button", name="Create monitor").click()
    expect(page.locator(".message.success")).to_contain_text("found 2 matches")
    expect(page.locator(".match")).to_have_count(2)
    _shot(page, "listening-monitor-en")

    # Capture the feedback from the German post; the topic suggests Product Development.
    page.locator(".match", has_text="Gate nicht akzeptiert").get_by_role(
        "link", name="Feedback…"
    ).click()
    expect(page.get_by_label("Topic")).to_have_value(str(Topic.objects.get().pk))
    page.get_by_label("What is the feedback, in a few words?").fill(
        "QR code not accepted at the gate"
    )
    page.get_by_role("button", name="Capture").click()
    expect(page.locator("h1")).to_have_text("QR code not accepted at the gate")
    expect(page.locator(".breadcrumb")).to_contain_text("Product Development")
    # The English post says the same: it is suggested and linked.
    english = Message.objects.get(external_id="p2")
    page.goto(f"{live_server.url}/feedback/items/new/?message={english.pk}")
    page.get_by_role("button", name=re.compile("Link to")).click()
    expect(page.locator("dl.facts")).to_contain_text("2")
    item = FeedbackItem.objects.get()
    assert item.department == product and item.mention_count == 2

    # The department member gets the digest and marks it done from the e-mail.
    mail.outbox.clear()
    assert send_digests() == 1
    digest = mail.outbox[0]
    assert digest.to == ["pia@example.com"]
    link = next(line.split(": ", 1)[1].strip() for line in digest.body.splitlines()
                if line.strip().startswith("Done:"))  # fmt: skip
    other = browser_page_context(page)
    other.goto(link.replace(settings.SITE_URL, live_server.url))
    expect(other.locator("h1")).to_have_text("QR code not accepted at the gate")
    other.get_by_label("What was done, or why not").fill("the gate scanners were updated")
    other.get_by_role("button", name=re.compile("Set to")).click()
    expect(other.locator(".message.success")).to_contain_text("is now: Done")
    other.reload()  # the same link again changes nothing and says why
    expect(other.locator(".message.error")).to_contain_text("used already")
    item.refresh_from_db()
    assert item.status == FeedbackStatus.DONE

    # The community team reviews the drafts and sends them through the original channel.
    page.goto(f"{live_server.url}/feedback/items/{item.pk}/")
    drafts = page.locator(".draft")
    expect(drafts).to_have_count(2)
    expect(drafts.first.locator("textarea")).to_have_value(re.compile("^Hallo kim"))
    expect(drafts.nth(1).locator("textarea")).to_have_value(re.compile("^Hi sam"))
    _shot(page, "feedback-item-drafts-en")
    for _ in range(2):
        page.locator(".draft-draft").first.get_by_role("button", name="Send answer").click()
        expect(page.locator(".message.success")).to_contain_text("goes out")
    expect(page.locator("#answered")).to_have_text("2 / 2")
    sent = Message.objects.filter(direction=Direction.OUTBOUND).order_by("pk")
    assert [m.parent.external_id if m.parent else "" for m in sent] == ["p1", "p2"]
    assert "scanners were updated" in sent[1].text
    assert ReplyDraft.objects.filter(state=ReplyDraft.State.SENT).count() == 2
    assert console_errors == []
    connections.close_all()


def browser_page_context(page: Page) -> Page:
    """A second browser, signed in as nobody: the member opening the e-mail on the phone."""
    browser = page.context.browser
    assert browser is not None
    return browser.new_context(locale="en-GB").new_page()


@pytest.mark.django_db(transaction=True)
def test_a_topic_correction_improves_the_next_suggestion(
    live_server: Any,
    browser_page: Any,  # noqa: F811
) -> None:
    page, console_errors = browser_page
    User.objects.create_user("mia@example.com", "a long passphrase 42", full_name="Mia Manager",
                             role=Role.MANAGER, language="en")  # fmt: skip
    Topic.objects.create(name="Staff", keywords="personal, mitarbeiter")
    Topic.objects.create(name="Punctuality", keywords="verspätung")
    hook, _secret = channels.webhook_add(by=Acting(user=None, label="test"), name="Forum")
    posts = [
        ("s1", "Der Schaffner im RE7 war heute richtig unfreundlich"),
        ("s2", "Unfreundlicher Schaffner im RE7, schon wieder"),
    ]
    accept(hook, json.dumps({"items": [
        {"id": i, "author": "kim", "text": t, "created_at": "2026-11-26T08:00:00Z"}
        for i, t in posts]}).encode())  # fmt: skip
    process_pending()
    _sign_in(page, live_server.url, "mia@example.com")
    page.goto(live_server.url + "/feedback/")
    page.get_by_label("Name").fill("Conductors")
    page.get_by_label("Query").fill("schaffner")
    page.get_by_role("button", name="Create monitor").click()
    expect(page.locator(".match")).to_have_count(2)

    second = Message.objects.get(external_id="s2")
    page.goto(f"{live_server.url}/feedback/items/new/?message={second.pk}")
    expect(page.locator(".helptext", has_text="Suggested")).to_have_count(0)  # no keyword fits

    page.goto(live_server.url + "/feedback/")
    page.get_by_role("link", name="Conductors").click()
    first = page.locator(".match", has_text="richtig unfreundlich")
    first.locator("summary", has_text="Correct").click()
    first.get_by_label("Topic").select_option("Staff")
    first.get_by_role("button", name="Save topic").click()
    expect(page.locator(".message.success")).to_contain_text("learns from this correction")
    expect(page.locator(".match", has_text="richtig unfreundlich")).to_contain_text("corrected")

    page.goto(f"{live_server.url}/feedback/items/new/?message={second.pk}")
    expect(page.locator(".helptext", has_text="Suggested")).to_contain_text("Staff")
    expect(page.get_by_label("Topic")).to_have_value(str(Topic.objects.get(name="Staff").pk))
    _shot(page, "feedback-capture-suggestion-en")
    assert console_errors == []
    connections.close_all()
