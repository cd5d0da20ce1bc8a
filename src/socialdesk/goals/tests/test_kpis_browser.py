"""In headless Chromium: the KPI page in German and in English (screenshots for people)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from tests.test_browser import _shot, browser_page  # noqa: F401 - fixture

from socialdesk.accounts.models import Role, User
from socialdesk.goals.tests import kpi_history

pytestmark = [pytest.mark.browser]
PASSWORD = "a long passphrase 42"


@pytest.mark.django_db(transaction=True)
def test_the_kpi_page_reads_well_in_german_and_english(
    live_server: Any,
    browser_page: Any,  # noqa: F811
) -> None:
    page, console_errors = browser_page
    kpi_history.build()
    for language, heading, followers in (
        ("de", "Kennzahlen (KPIs)", "Follower"),
        ("en", "Key figures (KPIs)", "Followers"),
    ):
        email = f"max-{language}@example.com"
        User.objects.create_user(
            email, PASSWORD, full_name="Max", role=Role.MANAGER, language=language
        )
        page.context.clear_cookies()
        page.goto(live_server.url + "/login/")
        page.locator("input[name=username], input[type=email]").first.fill(email)
        page.locator("input[type=password]").first.fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        page.goto(live_server.url + "/goals/kpis/")
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        # Every KPI's source is built: the followers are counted from the daily snapshots.
        expect(page.locator("#kpi-followers")).to_contain_text(followers)
        expect(page.locator("#kpi-first_response_within .kpi-value")).not_to_have_text("–")
        _shot(page, f"kpis-{language}")
    assert console_errors == []
