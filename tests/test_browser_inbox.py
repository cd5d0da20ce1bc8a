"""In headless Chromium: an agent works a day's queue (filter, open, reply, note, assign, resolve)."""

from __future__ import annotations

import csv
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connections
from playwright.sync_api import expect

from socialdesk.accounts.models import Department, Role, User
from socialdesk.inbox.models import Conversation, Direction, Message, Note, SavedReply, Status
from tests.test_browser import CHROMIUM, _shot, browser_page  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser]

QUEUE = [
    (
        "100",
        "701",
        "True",
        "Mon Mar 02 07:00:00 +0000 2026",
        "@NordlichtBahn Mein Zug nach Kiel fällt aus, was nun?",
        "",
        "",
    ),
    (
        "101",
        "702",
        "True",
        "Mon Mar 02 07:30:00 +0000 2026",
        "@NordlichtBahn Wo finde ich meine Rechnung?",
        "",
        "",
    ),
    (
        "102",
        "703",
        "True",
        "Mon Mar 02 08:00:00 +0000 2026",
        "@NordlichtBahn danke für die schnelle Hilfe gestern",
        "",
        "",
    ),
]


@pytest.mark.django_db(transaction=True)
def test_an_agent_works_the_queue(live_server, browser_page, tmp_path, settings):  # noqa: F811
    settings.INBOX_REFRESH_SECONDS = 1
    page, console_errors = browser_page
    User.objects.create_user(
        "alex@example.com",
        "alex's long passphrase",
        full_name="Alex Agent",
        role=Role.AGENT,
        language="en",
    )
    Department.objects.create(name="Customer Service")
    SavedReply.objects.create(
        title="Ausfall",
        body="Hallo {name}, es tut uns leid! Ihr Ticket gilt im nächsten Zug. {agent}",
    )
    path = tmp_path / "queue.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "tweet_id",
                "author_id",
                "inbound",
                "created_at",
                "text",
                "response_tweet_id",
                "in_response_to_tweet_id",
            ]
        )
        writer.writerows(QUEUE)
    call_command("import", "--format", "twcs", str(path), stdout=StringIO())

    page.goto(live_server.url + "/login/")
    page.get_by_label("E-mail address").fill("alex@example.com")
    page.get_by_label("Password").fill("alex's long passphrase")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Inbox", exact=True).click()

    # Filter to the unanswered questions: twcs counts every thread start as one.
    page.get_by_label("Needs reply").select_option("yes")
    expect(page.locator(".conversation-row")).to_have_count(3)
    # The thank-you post needs no answer: one click says so, and it leaves the queue.
    page.locator(".conversation-row", has_text="schnelle Hilfe").locator("a").click()
    page.get_by_role("button", name="No reply needed").click()
    page.get_by_role("link", name="Inbox", exact=True).first.click()
    page.get_by_label("Needs reply").select_option("yes")
    expect(page.locator(".conversation-row")).to_have_count(2)
    _shot(page, "inbox-queue-en")

    # Keyboard: j focuses the first (longest waiting) conversation, Enter opens it.
    page.locator("body").press("j")
    page.keyboard.press("Enter")
    page.wait_for_selector(".thread-items")
    assert "fällt aus" in page.locator(".thread-items").inner_text()

    page.get_by_label("Saved reply").select_option(label="Ausfall")
    assert (
        page.get_by_label("Reply to the customer")
        .input_value()
        .startswith("Hallo 701, es tut uns leid!")
    )
    page.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_selector(".msg.out")

    page.get_by_label("Internal note (never sent; @name tells a colleague)").fill(
        "Kunde hat Anspruch auf Erstattung."
    )
    page.get_by_role("button", name="Add note").click()
    _shot(page, "after-note")
    page.wait_for_selector(".note")

    page.get_by_label("Department").select_option(label="Customer Service")
    page.get_by_role("button", name="Assign", exact=True).click()
    page.wait_for_selector(".message.success")

    page.locator("body").press("e")  # resolve
    page.wait_for_selector("text=Reopen")
    _shot(page, "conversation-resolved-en")

    first = Message.objects.get(external_id="100").conversation
    assert first.status == Status.RESOLVED
    assert first.department is not None and first.department.name == "Customer Service"
    assert first.first_response_at is not None
    assert first.messages.get(direction=Direction.OUTBOUND).text.startswith("Hallo 701")
    assert Note.objects.get(conversation=first).text == "Kunde hat Anspruch auf Erstattung."

    # Back in the inbox, only the other question is still open and unanswered.
    page.goto(live_server.url + "/inbox/?needs_reply=yes")
    assert page.locator(".conversation-row").count() == 1
    assert "Rechnung" in page.locator(".conversation-row").inner_text()

    # A new question arrives: the list shows it without a reload.
    more = tmp_path / "more.csv"
    more.write_text(
        path.read_text().splitlines()[0]
        + "\n104,704,True,Mon Mar 02 09:00:00 +0000 2026,@NordlichtBahn Gibt es heute WLAN im ICE?,,\n"
    )
    call_command("import", "--format", "twcs", str(more), stdout=StringIO())
    expect(page.locator(".conversation-row")).to_have_count(2, timeout=10_000)
    assert Conversation.objects.filter(status=Status.OPEN).count() == 3
    assert console_errors == []
    connections.close_all()
