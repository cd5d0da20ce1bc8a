"""In headless Chromium, in German: the manager writes the objectives of the strategy, a member
reads them marked as new, the manager changes a word, the member sees the changed words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from socialdesk.accounts.models import Role, User
from tests.test_browser import browser_page  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser]

PASSWORD = "a long passphrase 42"
SHOTS = Path("/tmp/shots-strategy")


def _sign_in(page: Page, url: str, email: str) -> None:
    """The sign-in page speaks the browser's language (en-GB); the pages after it the person's."""
    page.context.clear_cookies()
    page.goto(url + "/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + "/")


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _write(page: Page, url: str, text: str) -> None:
    page.goto(url + "/goals/strategy/objectives/edit/")
    page.get_by_label("Text (Markdown)").fill(text)
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Der Abschnitt ist gespeichert.")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_a_member_reads_the_new_objectives_and_then_the_changed_words(
    live_server: Any,
    browser_page: Any,  # noqa: F811
) -> None:
    page, console_errors = browser_page
    url = live_server.url
    for email, name, role in (
        ("max@example.com", "Max Manager", Role.MANAGER),
        ("mia@example.com", "Mia Mitglied", Role.MEMBER),
    ):
        User.objects.create_user(email, PASSWORD, full_name=name, role=role, language="de")

    _sign_in(page, url, "max@example.com")
    page.get_by_role("link", name="Ziele", exact=True).first.click()  # opens the overview
    page.locator(".sub-nav").get_by_role("link", name="Strategie", exact=True).click()
    expect(page.get_by_role("heading", name="Strategie", exact=True)).to_be_visible()
    _shot(page, "de-1-strategy-empty-manager")
    _write(page, url, "# Unsere Ziele\n\n- Alle Fragen in **24 Stunden** beantworten")
    _shot(page, "de-2-strategy-written")

    _sign_in(page, url, "mia@example.com")
    page.goto(url + "/goals/strategy/")
    section = page.locator("#section-objectives")
    expect(
        section.get_by_text("Neu, seit Sie die Strategie zuletzt gelesen haben.")
    ).to_be_visible()
    expect(section.get_by_role("heading", name="Unsere Ziele")).to_be_visible()
    _shot(page, "de-3-member-sees-new")
    page.reload()  # read now: no longer marked
    expect(section.get_by_text("Neu, seit Sie")).to_have_count(0)

    _sign_in(page, url, "max@example.com")
    _write(page, url, "# Unsere Ziele\n\n- Alle Fragen in **12 Stunden** beantworten")

    _sign_in(page, url, "mia@example.com")
    page.goto(url + "/goals/strategy/")
    expect(section.get_by_text("Geändert, seit Sie ihn zuletzt gelesen haben.")).to_be_visible()
    expect(section.locator("del", has_text="24")).to_be_visible()
    expect(section.locator("ins", has_text="12")).to_be_visible()
    _shot(page, "de-4-member-sees-diff")
    page.goto(url + "/goals/strategy/objectives/history/")
    expect(page.get_by_text("Fassung 2 im Vergleich mit Fassung 1")).to_be_visible()
    _shot(page, "de-5-history")

    User.objects.filter(email="mia@example.com").update(language="en")
    User.objects.filter(email="max@example.com").update(language="en")
    page.goto(url + "/goals/strategy/objectives/history/")
    expect(page.get_by_text("Version 2 compared with version 1")).to_be_visible()
    _shot(page, "en-5-history")
    page.goto(url + "/goals/strategy/")
    _shot(page, "en-3-strategy-member")
    _sign_in(page, url, "max@example.com")
    page.goto(url + "/goals/strategy/objectives/edit/")
    _shot(page, "en-2-edit")
    page.goto(url + "/goals/objectives/")
    _shot(page, "en-6-objectives")
    assert console_errors == []
