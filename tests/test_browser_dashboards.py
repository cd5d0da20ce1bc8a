"""In headless Chromium, in German: the manager opens the overview, changes the period to last
month, follows a number to the conversations behind it; screenshots of the overview, a
department and a channel dashboard in German and English (/tmp/shots-dash)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Role, User
from socialdesk.goals.goal_services import goal_create
from socialdesk.goals.kpis import Period
from socialdesk.goals.tests import kpi_history
from socialdesk.goals.tests.kpi_history import NOW
from socialdesk.goals.tests.test_kpis_honest import bounds, inbound
from tests.test_browser import browser_page  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser]

PASSWORD = "a long passphrase 42"
SHOTS = Path("/tmp/shots-dash")


def _sign_in(page: Page, url: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(url + "/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + "/")


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _conversations_listed(page: Page) -> set[int]:
    hrefs = page.locator("#inbox-rows a[href^='/inbox/']").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    return {int(m.group(1)) for h in hrefs if (m := re.fullmatch(r"/inbox/(\d+)/", h))}


@pytest.mark.django_db(transaction=True)
def test_the_manager_follows_last_months_inbound_messages_to_the_conversations(
    live_server: Any,
    browser_page: Any,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(timezone, "now", lambda: NOW)  # the history's "now", also the server's
    page, console_errors = browser_page
    url = live_server.url
    history = kpi_history.build()
    manager = User.objects.create_user(
        "max@example.com", PASSWORD, full_name="Max Manager", role=Role.MANAGER, language="de"
    )
    by = Acting(user=manager)
    start, deadline = date(2026, 10, 1), date(2026, 12, 31)
    goal_create(by=by, name="Alle Fragen binnen 24 Stunden", kpi="first_response_within",
                params={"within": "24h"}, target=0.9, start=start, deadline=deadline, now=NOW,
                accounts=["nord"])  # fmt: skip
    goal_create(by=by, name="Feedback aufnehmen", kpi="feedback_opened", params={}, target=5,
                start=start, deadline=deadline, now=NOW,
                departments=[history["departments"]["Product Development"]])  # fmt: skip
    _sign_in(page, url, "max@example.com")

    page.goto(url + "/goals/")
    expect(page.get_by_role("heading", name="Übersicht", exact=True)).to_be_visible()
    expect(page.locator(".sub-nav a").first).to_have_text("Übersicht")
    _shot(page, "de-1-overview")

    page.get_by_label("Zeitraum").select_option(label="Letzter Monat")
    page.get_by_role("button", name="Anzeigen").click()
    page.wait_for_url(re.compile(r".*range=last_month.*"))
    expect(page.locator("#period-words")).to_have_text(
        "1.–31.10.2026, verglichen mit 31.8.–30.9.2026"
    )
    _shot(page, "de-2-overview-last-month")

    october = inbound(*bounds(Period.of_days(date(2026, 10, 1), date(2026, 10, 31))), None)
    figure = page.locator("#figure-inbound_volume a[data-drill]")
    expect(figure).to_have_text(str(len(october)))
    figure.click()
    page.wait_for_url(re.compile(r".*/inbox/\?.*since=2026-10-01.*"))
    expect(page.locator("[data-drill-days]")).to_contain_text("01.10.2026")
    assert _conversations_listed(page) == {m.conversation_id for m in october}
    _shot(page, "de-3-inbox-behind-the-number")

    department = history["departments"]["Product Development"]
    page.goto(url + f"/goals/overview/departments/{department.pk}/?range=last_4_weeks")
    expect(page.locator("#series-inbound_volume-title")).to_have_count(1)
    _shot(page, "de-4-department")
    account = history["accounts"]["nord"]
    page.goto(url + f"/goals/overview/channels/{account.pk}/?range=last_4_weeks")
    expect(page.locator("#series-first_response_within-title")).to_have_count(1)
    _shot(page, "de-5-channel")

    User.objects.filter(email="max@example.com").update(language="en")
    page.goto(url + "/goals/overview/?range=last_month")
    expect(page.locator("#period-words")).to_have_text(
        "1–31 Oct 2026, compared with 31 Aug – 30 Sep 2026"
    )
    _shot(page, "en-1-overview")
    page.goto(url + f"/goals/overview/departments/{department.pk}/?range=last_4_weeks")
    _shot(page, "en-4-department")
    page.goto(url + f"/goals/overview/channels/{account.pk}/?range=last_4_weeks")
    _shot(page, "en-5-channel")
    page.goto(url + "/goals/overview/?range=custom&since=2026-11-20&until=2026-11-10")
    expect(page.locator("#id_until-errors")).to_have_text("The end lies before the start.")
    _shot(page, "en-6-period-error")
    assert console_errors == []
