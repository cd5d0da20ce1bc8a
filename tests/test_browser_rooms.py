"""In headless Chromium: hostile room names, purposes, posts and mentions show as text on the
room pages and never run (no dialog, no marker, no CSP report); and a German journey through a
room: write, reply with a mention, the "Neu" divider."""

from __future__ import annotations

from typing import Any

import pytest

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Role, User
from socialdesk.spaces import post_services, room_services
from tests.test_browser import browser_page  # noqa: F401 - fixture
from tests.xss_corpus import MARKDOWN, PAYLOADS

pytestmark = pytest.mark.django_db(transaction=True)


def _sign_in(page: Any, url: str, email: str, password: str) -> None:
    page.goto(url + "/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + "/")


def test_no_payload_runs_on_the_room_pages(live_server, browser_page):  # noqa: F811
    page, console_errors = browser_page
    ada = User.objects.create_user(
        "ada@example.com", "ada's long passphrase", full_name=PAYLOADS[2], role=Role.ADMIN,
        language="en",
    )  # fmt: skip
    by = Acting(user=ada)
    room = room_services.room_create(by=by, name=PAYLOADS[3][:120], purpose=PAYLOADS[1])
    root = post_services.post_create(by=by, room=room, body=PAYLOADS[0]).post
    for payload in [*PAYLOADS, *MARKDOWN, "@[<svg onload=window.__xss=1>]"]:
        post_services.post_create(by=by, room=room, body=payload, parent=root)
    _sign_in(page, live_server.url, "ada@example.com", "ada's long passphrase")
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    for url in ("/spaces/rooms/", f"/spaces/rooms/{room.pk}/", f"/spaces/posts/{root.pk}/thread/"):
        page.goto(live_server.url + url)
        page.wait_for_load_state("load")
        assert page.evaluate("() => window.__xss") is None, url
    assert dialogs == []
    assert [e for e in console_errors if "Content Security Policy" in e] == []


def test_a_colleague_writes_replies_and_sees_what_is_new_in_german(live_server, browser_page):  # noqa: F811
    page, _errors = browser_page
    anna = User.objects.create_user(
        "anna.schmidt@example.com", "annas long passphrase", full_name="Anna Schmidt",
        role=Role.AGENT, language="de",
    )  # fmt: skip
    ben = User.objects.create_user(
        "ben@example.com", "x", full_name="Ben Berg", role=Role.MEMBER, language="de"
    )
    room = room_services.room_create(by=Acting(user=ben), name="Relaunch Website", members=[anna])
    post_services.post_create(by=Acting(user=ben), room=room, body="Was fehlt noch?")
    _sign_in(page, live_server.url, "anna.schmidt@example.com", "annas long passphrase")
    page.goto(live_server.url + f"/spaces/rooms/{room.pk}/")
    assert page.locator(".new-divider").count() == 1
    box = page.get_by_label("Text")
    box.press_sequentially("Der **Ticketkauf** braucht Tests, @Be")
    page.locator(".mention-suggest [data-mention]", has_text="Ben Berg").click()
    assert box.input_value() == "Der **Ticketkauf** braucht Tests, @[Ben Berg] "
    box.press_sequentially("übernimmst du?")
    page.get_by_role("button", name="Im Raum teilen").click()
    page.wait_for_load_state("load")
    assert page.locator("a.mention", has_text="@Ben Berg").count() == 1
    assert page.locator("strong", has_text="Ticketkauf").count() == 1
    reply = page.locator("details.reply").first
    reply.locator("summary").click()
    reply.locator("textarea").fill("Ich frage den Kundenservice.")
    reply.get_by_role("button", name="Antworten").click()
    page.wait_for_load_state("load")
    assert page.get_by_text("Ich frage den Kundenservice.").count() == 1
