"""In headless Chromium, in German: the manager publishes guidelines v2 to Kundenservice, a
member of Kundenservice confirms it, and the manager sees the share per department change."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, Role, User
from socialdesk.goals import guideline_services
from socialdesk.goals.guideline_models import Confirmation, Publication
from tests.test_browser import _shot, browser_page  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser]
PASSWORD = "a long passphrase 42"


def _sign_in(page: Page, url: str, email: str) -> None:
    page.goto(url)
    # The sign-in page speaks the organisation's language; after it, each person's own.
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url)


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Abmelden").click()


@pytest.mark.django_db(transaction=True)
def test_the_manager_publishes_v2_to_kundenservice_and_sees_the_share_change(
    live_server: Any,
    browser_page: Any,  # noqa: F811
) -> None:
    page, console_errors = browser_page
    service = Department.objects.create(name="Kundenservice")
    legal = Department.objects.create(name="Rechtsabteilung")
    manager = User.objects.create_user("max@example.com", PASSWORD, full_name="Max Manager",
                                       role=Role.MANAGER, language="de")  # fmt: skip
    for email, name, department in [
        ("kim@example.com", "Kim Kundenservice", service),
        ("lea@example.com", "Lea Kundenservice", service),
        ("rob@example.com", "Rob Recht", legal),
    ]:
        person = User.objects.create_user(email, PASSWORD, full_name=name, role=Role.MEMBER,
                                          language="de")  # fmt: skip
        person.departments.set([department])
    v1 = guideline_services.publish(
        by=Acting(user=manager), title="Leitlinien für soziale Medien",
        text="# Ton\n\nWir duzen.\n\n- freundlich\n- schnell",
    )  # fmt: skip

    # The manager publishes version 2 to Kundenservice only.
    _sign_in(page, f"{live_server.url}/goals/guidelines/{v1.pk}/", "max@example.com")
    page.get_by_role("link", name="Neue Fassung veröffentlichen").click()
    expect(page.get_by_label("Titel")).to_have_value("Leitlinien für soziale Medien")
    page.get_by_label("Text (Markdown)").fill(
        "# Ton\n\nWir duzen.\n\n- freundlich\n- schnell\n- **ehrlich**, auch bei Fehlern\n\n"
        "[Krisenplan](https://intranet.example/krise) <script>alert(1)</script>"
    )
    page.get_by_label("Ausgewählte Abteilungen").check()
    page.get_by_label("Kundenservice").check()
    page.get_by_role("button", name="Veröffentlichen").click()
    expect(page.locator(".message.success")).to_contain_text("Fassung 2 veröffentlicht")
    expect(page.locator("article.markdown strong")).to_have_text("ehrlich")
    expect(page.locator("article.markdown")).to_contain_text("<script>alert(1)</script>")
    cell = page.locator('td[data-department="Kundenservice"]')
    expect(cell).to_have_text("0 von 2 (0 %)")
    expect(page.locator('td[data-department="Rechtsabteilung"]')).to_have_count(0)
    v2 = Publication.objects.get(version=2)
    _sign_out(page)

    # Kim, in Kundenservice, reads and confirms it.
    _sign_in(page, f"{live_server.url}/goals/guidelines/", "kim@example.com")
    expect(page.locator("table.publications")).to_contain_text("zu lesen")
    page.get_by_role("link", name="Leitlinien für soziale Medien").first.click()
    page.get_by_role("button", name="Ich habe es gelesen").click()
    expect(page.locator(".confirm-box")).to_contain_text("gelesen und bestätigt")
    assert Confirmation.objects.filter(publication=v2, person__email="kim@example.com").exists()
    _shot(page, "guidelines-member-confirmed-de")
    page.goto(f"{live_server.url}/goals/onboarding/")
    _shot(page, "guidelines-onboarding-de")
    _sign_out(page)

    # The manager sees the share in Kundenservice change.
    _sign_in(page, f"{live_server.url}/goals/guidelines/{v2.pk}/", "max@example.com")
    expect(page.locator('td[data-department="Kundenservice"]')).to_have_text("1 von 2 (50 %)")
    _shot(page, "guidelines-detail-de")
    page.goto(f"{live_server.url}/goals/adoption/")
    row = page.locator('tr[data-department="Kundenservice"]')
    expect(row.locator('td[data-figure="confirmed"]')).to_have_text("1 von 2 (50 %)")
    _shot(page, "guidelines-adoption-de")
    for name in ("guidelines/", "guidelines/new/", "onboarding/people/"):
        page.goto(f"{live_server.url}/goals/{name}")
        _shot(page, "guidelines-" + (name.strip("/").replace("/", "-") or "list") + "-de")

    # The same pages in English, for a manager who reads English.
    User.objects.filter(pk=manager.pk).update(language="en")
    for name in (f"guidelines/{v2.pk}/", "guidelines/", "guidelines/new/", "adoption/",
                 "onboarding/", "onboarding/people/"):  # fmt: skip
        page.goto(f"{live_server.url}/goals/{name}")
        _shot(page, "guidelines-" + name.strip("/").replace("/", "-") + "-en")
    expect(page.locator("h1")).to_have_text("Onboarding progress")
    assert console_errors == []
