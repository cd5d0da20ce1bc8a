"""In headless Chromium, in German: the home page counts follow the work; a saved reply is edited."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, Organisation, Role, User
from socialdesk.channels.models import ChannelAccount
from socialdesk.feedback.models import FeedbackItem
from socialdesk.inbox import services as inbox_services
from socialdesk.inbox.importing.pipeline import refresh_conversations
from socialdesk.inbox.models import Contact, Conversation, Direction, Message, SavedReply
from tests.test_browser import browser_page  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser]
SHOTS = Path("/tmp/shots-home")


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _data() -> tuple[User, User]:
    organisation = Organisation.current()
    organisation.name = "Nordlicht Bahn"
    organisation.save()
    product = Department.objects.create(name="Produktentwicklung")
    max_ = User.objects.create_user(
        "max@example.com", "max's long passphrase", full_name="Max Manager",
        role=Role.MANAGER, language="de",
    )  # fmt: skip
    mia = User.objects.create_user(
        "mia@example.com", "mia's long passphrase", full_name="Mia Member",
        role=Role.MEMBER, language="de",
    )  # fmt: skip
    mia.departments.set([product])
    account = ChannelAccount.objects.create(network="mastodon", handle="nordlicht")
    questions = [
        ("Kim Kundin", "Wo finde ich meine Rechnung?", None, 50),
        ("Lars Leser", "Eure App stürzt beim Bezahlen ab, seit dem letzten Update", product, 40),
        ("Olga Oft", "Fährt der RE7 morgen?", None, 30),
    ]
    for i, (name, text, department, minutes) in enumerate(questions):
        contact = Contact.objects.create(display_name=name)
        conversation = Conversation.objects.create(
            channel_account=account, contact=contact, department=department
        )
        Message.objects.create(
            conversation=conversation, channel_account=account, external_id=f"q{i}",
            direction=Direction.INBOUND, contact=contact, author_handle=f"h{i}", text=text,
            needs_reply=True, created_at=timezone.now() - timedelta(minutes=minutes),
        )  # fmt: skip
        refresh_conversations({conversation.pk})
    FeedbackItem.objects.create(title="Absturz beim Bezahlen", department=product)
    inbox_services.conversation_add_note(
        by=Acting(user=max_, label="Max"),
        conversation=Conversation.objects.get(contact__display_name="Lars Leser"),
        text="@mia kannst du dir den Absturz ansehen?",
    )
    SavedReply.objects.create(title="Danke", body="Danke, {name}!")
    return max_, mia


def _sign_in(page: Page, url: str, email: str, password: str) -> None:
    page.context.clear_cookies()
    page.goto(url + "/login/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(url + "/")


def _count(page: Page, figure: str) -> str:
    return page.locator(f"[data-figure={figure}] .figure-count").inner_text()


@pytest.mark.django_db(transaction=True)
def test_the_home_page_follows_the_work_in_german(live_server, browser_page):  # noqa: F811
    page, console_errors = browser_page
    _data()
    _sign_in(page, live_server.url, "max@example.com", "max's long passphrase")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    assert _count(page, "waiting") == "3"
    assert "Unterhaltungen warten auf uns" in page.locator("[data-figure=waiting]").inner_text()
    assert "Warten am längsten" in page.content()
    _shot(page, "home-manager-de")

    # The figure opens the same list; answering the oldest question takes one off the count.
    page.locator("[data-figure=waiting]").click()
    expect(page.locator(".conversation-row")).to_have_count(3)
    page.locator(".conversation-row a").first.click()
    page.locator("textarea[name=reply-text]").fill("Ihre Rechnung finden Sie im Kundenkonto.")
    page.locator("button[name=reply-then][value='']").click()
    page.wait_for_selector(".msg.out")
    page.goto(live_server.url + "/")
    assert _count(page, "waiting") == "2"
    assert "Kim Kundin" not in page.locator("#oldest-heading + ul").inner_text()

    # Edit a saved reply: the preview fills the placeholders while typing.
    page.goto(live_server.url + "/inbox/saved-replies/")
    page.get_by_role("link", name="Bearbeiten").first.click()
    expect(page.locator("h1")).to_have_text("„Danke“ bearbeiten")
    body = page.locator("textarea[name=body]")
    body.fill("Hallo {name}, hier ist {agent} von {company}.")
    expect(page.locator("[data-preview]")).to_have_text(
        re.compile(r"Hallo (Kim Kundin|Lars Leser|Olga Oft), hier ist Max von Nordlicht Bahn\.")
    )
    _shot(page, "saved-reply-edit-de")
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator(".message.success")).to_contain_text(
        "Die gespeicherte Antwort „Danke“ wurde gespeichert."
    )
    assert SavedReply.objects.get(title="Danke").body.startswith("Hallo {name}, hier ist")

    page.get_by_label("Sprache").select_option("en")
    page.wait_for_selector("html[lang=en]")
    page.goto(live_server.url + "/")
    assert "conversations waiting for us" in page.locator("[data-figure=waiting]").inner_text()
    _shot(page, "home-manager-en")

    # A department member: only her department's conversation, her board, her mention.
    _sign_in(page, live_server.url, "mia@example.com", "mia's long passphrase")
    assert _count(page, "waiting") == "1"
    text = page.locator("main").inner_text()
    assert "Lars Leser" in text and "Olga Oft" not in text and "Kim Kundin" not in text
    assert "Max Manager hat Sie erwähnt: „@mia kannst du dir den Absturz ansehen?“" in text
    assert "Produktentwicklung: 1 offener Eintrag" in text
    _shot(page, "home-member-de")
    page.get_by_role("link", name="Ihre Benachrichtigungen öffnen").click()
    expect(page.locator(".conversation-row").first).to_contain_text(
        "Max Manager hat Sie erwähnt: „@mia kannst du dir den Absturz ansehen?“"
    )
    _shot(page, "notifications-member-de")
    page.goto(live_server.url + "/")
    page.get_by_label("Sprache").select_option("en")
    page.wait_for_selector("html[lang=en]")
    _shot(page, "home-member-en")
    assert console_errors == []
