"""In headless Chromium, in German: bulk actions with undo, "all matching" with progress, the
split view moved with j/k, the compact density (at 1366×850)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connections
from django.utils import timezone
from playwright.sync_api import expect

from socialdesk.accounts.models import Role, User
from socialdesk.channels.models import ChannelAccount
from socialdesk.inbox import bulk
from socialdesk.inbox.importing.pipeline import refresh_conversations
from socialdesk.inbox.job_models import BulkJob
from socialdesk.inbox.models import Contact, Conversation, Direction, Message, Status
from socialdesk.inbox.tasks import run_bulk_job
from tests.test_browser import browser_page  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser]

SHOTS = Path("/tmp/shots-daily")
COUNT = 60  # more than one page of 50


def _queue() -> list[int]:
    account = ChannelAccount.objects.create(network="mastodon", handle="nordlicht")
    ids = []
    for i in range(COUNT):
        contact = Contact.objects.create(display_name=f"Kundin {i:02d}")
        conversation = Conversation.objects.create(channel_account=account, contact=contact)
        Message.objects.create(
            conversation=conversation,
            channel_account=account,
            external_id=f"q{i}",
            direction=Direction.INBOUND,
            contact=contact,
            text=f"Frage Nummer {i:02d}: Wo bleibt mein Zug?",
            needs_reply=True,
            created_at=timezone.now() - timedelta(hours=COUNT - i),
        )
        ids.append(conversation.pk)
    refresh_conversations(set(ids))
    return ids


def _shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _rows_in_view(page) -> int:
    return int(
        page.evaluate(
            "Array.from(document.querySelectorAll('.conversation-row'))"
            ".filter(r => r.getBoundingClientRect().bottom <= window.innerHeight).length"
        )
    )


@pytest.mark.django_db(transaction=True)
def test_an_agent_works_the_list_in_bulk_and_side_by_side(
    live_server,
    browser_page,  # noqa: F811
    monkeypatch,
    settings,
):
    settings.INBOX_REFRESH_SECONDS = 600  # the rows refresh after each bulk action, not by time
    page, console_errors = browser_page
    page.set_viewport_size({"width": 1366, "height": 850})
    monkeypatch.setattr(bulk, "BACKGROUND_FROM", 20)  # "all 60 matching" runs in the background
    monkeypatch.setattr(bulk, "_enqueue", lambda *, run, job_id: None)  # the test is the worker
    user = User.objects.create_user(
        "alex@example.com",
        "alex's long passphrase",
        full_name="Alex Agent",
        role=Role.AGENT,
        language="de",
    )
    ids = _queue()
    page.goto(live_server.url + "/login/")
    page.get_by_label("E-mail address").fill("alex@example.com")
    page.get_by_label("Password").fill("alex's long passphrase")
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_server.url + "/inbox/")
    expect(page.locator(".conversation-row")).to_have_count(50)
    comfortable = _rows_in_view(page)

    # Compact density: at least 10 conversations on a 1366×850 screen, remembered.
    page.get_by_role("button", name="Kompakt").click()
    compact = _rows_in_view(page)
    assert compact >= 10, (comfortable, compact)
    page.reload()
    assert page.locator("html.density-compact").count() == 1

    # Split view: j opens the first conversation on the right, j again the second; URL follows.
    page.locator("body").press("j")
    expect(page.locator("#pane .thread-items")).to_contain_text("Frage Nummer 00")
    page.locator("body").press("j")
    expect(page.locator("#pane .thread-items")).to_contain_text("Frage Nummer 01")
    expect(page).to_have_url(f"{live_server.url}/inbox/{ids[1]}/")
    page.locator("body").press("k")
    expect(page.locator("#pane .thread-items")).to_contain_text("Frage Nummer 00")
    _shot(page, "inbox-split-compact-de")
    # Working in the pane: "no reply needed" posts and shows the conversation with the result.
    page.locator("#pane").get_by_role("button", name="Keine Antwort nötig").click()
    expect(page.get_by_role("button", name="Antwort nötig", exact=True)).to_be_visible()
    assert not Conversation.objects.get(pk=ids[0]).needs_reply
    page.goto(live_server.url + "/inbox/")

    # The "?" help lists the shortcuts.
    page.locator("body").press("?")
    expect(page.locator("#shortcut-help")).to_contain_text("Tastenkürzel")
    page.get_by_role("button", name="Schließen").click()

    # A shift-click range of four, resolved in bulk, then undone.
    picks = page.locator("#inbox-rows input.pick")
    in_range = {int(picks.nth(i).get_attribute("value") or 0) for i in range(2, 6)}
    picks.nth(2).click()
    picks.nth(5).click(modifiers=["Shift"])
    expect(page.locator("[data-bulk-count]")).to_have_text("4 ausgewählt")
    page.get_by_label("Aktion", exact=True).select_option("resolve")
    page.get_by_role("button", name="Ausführen").click()
    expect(page.locator("#bulk-status")).to_contain_text("4 Unterhaltungen geändert")
    resolved = set(Conversation.objects.filter(status=Status.RESOLVED).values_list("pk", flat=True))
    assert resolved == in_range  # the four rows from the third to the sixth, as listed
    first = Conversation.objects.get(pk=min(in_range)).messages.first()
    assert first is not None
    expect(page.locator("#inbox-rows")).not_to_contain_text(first.text)
    _shot(page, "inbox-bulk-undo-de")
    page.get_by_role("button", name="Rückgängig").click()
    expect(page.locator("#bulk-status")).to_contain_text("4 Unterhaltungen sind wie vorher")
    assert not Conversation.objects.filter(status=Status.RESOLVED).exists()
    expect(page.locator("#inbox-rows")).to_contain_text(first.text)  # rows refreshed

    # Everything matching the filter (60, more than this page): queued, progress, result.
    page.get_by_label("Diese Seite auswählen").check()
    expect(page.locator("[data-select-matching]")).to_be_visible()
    page.locator("[data-matching-on]").click()
    expect(page.locator("[data-matching-shown]")).to_contain_text("Alle 60 Unterhaltungen")
    expect(page.locator("[data-bulk-count]")).to_have_text("Alle 60 passenden ausgewählt")
    page.get_by_role("button", name="Ausführen").click()
    expect(page.locator("#bulk-status progress")).to_be_visible()
    expect(page.locator("#bulk-status")).to_contain_text("60 Unterhaltungen")
    _shot(page, "inbox-bulk-progress-de")
    job = BulkJob.objects.get(state=BulkJob.State.QUEUED)
    run_bulk_job.call(job.pk)  # what `socialdesk worker` does
    expect(page.locator("#bulk-status")).to_contain_text("60 Unterhaltungen geändert")
    expect(page.locator(".empty-state")).to_be_visible()
    assert Conversation.objects.filter(status=Status.RESOLVED).count() == COUNT
    _shot(page, "inbox-bulk-done-de")

    # The same screen in English.
    Conversation.objects.update(status=Status.OPEN, resolved_at=None)
    User.objects.filter(pk=user.pk).update(language="en")
    page.goto(live_server.url + "/inbox/")
    top = int(page.locator("#inbox-rows input.pick").nth(0).get_attribute("value") or 0)
    page.locator("body").press("j")  # the longest-waiting conversation, first in the list
    expect(page).to_have_url(f"{live_server.url}/inbox/{top}/")
    top_text = Conversation.objects.get(pk=top).messages.first()
    assert top_text is not None
    expect(page.locator("#pane .thread-items")).to_contain_text(top_text.text)
    picks = page.locator("#inbox-rows input.pick")
    picks.nth(0).click()
    picks.nth(2).click(modifiers=["Shift"])
    expect(page.locator("[data-bulk-count]")).to_have_text("3 selected")
    _shot(page, "inbox-split-compact-en")
    assert console_errors == []
    connections.close_all()
