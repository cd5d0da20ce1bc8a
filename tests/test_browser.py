"""In headless Chromium: sign in, switch the language, invite a person, who then joins."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from django.core import mail
from django.db import connections

from socialdesk.accounts.models import Department, Invitation, Role, User

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not shutil.which(CHROMIUM) and not os.environ.get("REQUIRE_BROWSER"),
        reason=f"{CHROMIUM} is not installed (CI sets REQUIRE_BROWSER and installs it)",
    ),
]
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "screenshots"))


@pytest.fixture
def browser_page(monkeypatch):
    # Playwright's sync API runs an event loop; the Django ORM in the test body is still sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-dev-shm-usage", "--no-sandbox"],
        )  # fmt: skip
        context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        yield page, errors
        browser.close()
    connections.close_all()


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_an_admin_signs_in_switches_to_german_and_invites_a_colleague(live_server, browser_page):
    page, console_errors = browser_page
    User.objects.create_user(
        "ada@example.com", "ada's long passphrase", full_name="Ada Admin", role=Role.ADMIN
    )
    Department.objects.create(name="Produktentwicklung", description="App und Website")

    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Sign in"
    page.get_by_label("E-mail address").fill("ada@example.com")
    page.get_by_label("Password").fill("ada's long passphrase")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    assert "Hello, Ada" in page.locator("h1").inner_text()

    page.get_by_label("Language").select_option("de")  # submits by itself
    page.wait_for_selector("html[lang=de]")
    assert "Hallo, Ada" in page.locator("h1").inner_text()
    assert User.objects.get(email="ada@example.com").language == "de"

    page.get_by_role("link", name="Personen").click()
    page.get_by_role("link", name="Jemanden einladen").first.click()
    page.get_by_label("E-Mail-Adresse").fill("lukas@example.com")
    page.get_by_label("Name:").fill("Lukas Brandt")
    page.get_by_label("Rolle:").select_option(Role.MEMBER)
    page.get_by_label("Produktentwicklung").check()
    page.get_by_role("button", name="Einladung senden").click()
    page.wait_for_selector(".message.success")
    assert "lukas@example.com" in page.locator(".message.success").inner_text()
    _shot(page, "people-de")

    invitation = Invitation.objects.get(email="lukas@example.com")
    assert invitation.role == Role.MEMBER
    assert [d.name for d in invitation.departments.all()] == ["Produktentwicklung"]
    found = re.search(r"https?://\S+/invitation/\S+/", str(mail.outbox[-1].body))
    assert found, mail.outbox[-1].body
    link = found.group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]

    # The invited colleague opens the link in a fresh browser and joins.
    newcomer = page.context.browser.new_context(locale="de-DE").new_page()
    newcomer.goto(live_server.url + path)
    newcomer.get_by_label("Ihr Name").fill("Lukas Brandt")
    newcomer.get_by_label("Passwort wählen").fill("lukas' long passphrase")
    newcomer.get_by_label("Passwort wiederholen").fill("lukas' long passphrase")
    newcomer.get_by_role("button").filter(has_text="Konto").click()
    newcomer.wait_for_url(live_server.url + "/")
    assert "Hallo, Lukas" in newcomer.locator("h1").inner_text()
    assert (
        User.objects.get(email="lukas@example.com").departments.get().name == "Produktentwicklung"
    )

    page.goto(live_server.url + "/departments/")
    _shot(page, "departments-de")
    page.goto(live_server.url + "/settings/audit-log/")
    _shot(page, "audit-log-de")
    assert page.locator("tr", has_text="Einladung angenommen").count() == 1  # one event
    assert console_errors == []
    # ORM calls made while Playwright runs use a connection of their own context (Django keeps
    # one per context); close it here so PostgreSQL can drop the test database afterwards.
    connections.close_all()
