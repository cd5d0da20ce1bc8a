"""In headless Chromium: the report page and the shared report, in German and in English
(screenshots for people under /tmp/shots-reports/), and the share link signed out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from tests.test_browser import browser_page  # noqa: F401 - fixture

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Role, User
from socialdesk.goals.report_services import share_create
from socialdesk.goals.tests import kpi_history

pytestmark = [pytest.mark.browser]
PASSWORD = "a long passphrase 42"
SHOTS = Path("/tmp/shots-reports")
QUERY = "?preset=custom&since=2026-10-19&until=2026-11-29"


@pytest.mark.django_db(transaction=True)
def test_the_report_and_the_shared_report_read_well_in_german_and_english(
    live_server: Any,
    browser_page: Any,  # noqa: F811
) -> None:
    page, console_errors = browser_page
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    kpi_history.build()
    for language, heading, breaches in (
        ("de", "Bericht", "SLA-Verletzungen"),
        ("en", "Report", "SLA breaches"),
    ):
        email = f"max-{language}@example.com"
        manager = User.objects.create_user(
            email, PASSWORD, full_name="Max", role=Role.MANAGER, language=language
        )
        page.context.clear_cookies()
        page.goto(live_server.url + "/login/")
        page.locator("input[name=username], input[type=email]").first.fill(email)
        page.locator("input[type=password]").first.fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        page.goto(live_server.url + "/goals/reports/" + QUERY)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(page.get_by_role("heading", name=breaches)).to_be_visible()
        page.screenshot(path=str(SHOTS / f"report-{language}.png"), full_page=True)
        with page.expect_download() as download:
            page.get_by_role("link", name="PDF").first.click()
        assert download.value.suggested_filename.endswith(".pdf")

        new = share_create(
            by=Acting(user=manager), since=kpi_history.at("2026-10-19T00:00").date(),
            until=kpi_history.at("2026-11-29T00:00").date(), days=30,
        )  # fmt: skip
        page.context.clear_cookies()  # signed out
        page.goto(f"{live_server.url}/r/{new.token}/?lang={language}")
        expect(page.get_by_role("heading", name=breaches)).to_be_visible()
        assert page.locator("#main-nav").count() == 0
        page.screenshot(path=str(SHOTS / f"shared-{language}.png"), full_page=True)
    assert console_errors == []
