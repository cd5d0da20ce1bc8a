"""In headless Chromium, in German: the manager sets the seed's goal ("Answer every question
within 24 hours within three months") from its template in three clicks, reads the goal page
with its chart and method, types a wrong target (the error at the field, the input kept),
archives the goal and brings it back; a member of a department sees the goal without the
buttons to change it. Screenshots in German and English under /tmp/shots-goalpages/."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, Role, User
from socialdesk.channels.models import ChannelAccount
from socialdesk.goals.goal_models import Goal
from socialdesk.goals.goal_services import goal_create
from socialdesk.goals.goal_templates import add_months
from socialdesk.inbox.models import Conversation, Direction, Message
from tests.test_browser import browser_page  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser]

PASSWORD = "a long passphrase 42"
SHOTS = Path("/tmp/shots-goalpages")


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


def _history() -> None:
    """Questions over the last 60 days, answered faster and faster (for the screenshots)."""
    account = ChannelAccount.objects.create(network="mastodon", handle="nord", name="Nord")
    today = timezone.localdate()
    for back in range(60, 2, -1):
        day = today - timedelta(days=back)
        noon = timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=12)
        for k in range(4):
            slow = k >= (2 if back > 30 else 3)
            after = timedelta(hours=40 if slow else 2)
            conversation = Conversation.objects.create(
                channel_account=account,
                first_message_at=noon,
                first_message_inbound=True,
                needs_reply=True,
                first_response_at=noon + after,
                first_response_seconds=int(after.total_seconds()),
                last_message_at=noon + after,
            )
            Message.objects.create(
                conversation=conversation,
                channel_account=account,
                external_id=f"q{back}-{k}",
                direction=Direction.INBOUND,
                text="Frage?",
                created_at=noon,
                needs_reply=True,
            )


@pytest.mark.django_db(transaction=True)
def test_the_manager_sets_the_seed_goal_in_three_clicks_and_a_member_only_reads_it(
    live_server: Any,
    browser_page: Any,  # noqa: F811
) -> None:
    page, console_errors = browser_page
    url = live_server.url
    service = Department.objects.create(name="Kundenservice")
    manager = User.objects.create_user(
        "max@example.com", PASSWORD, full_name="Max Manager", role=Role.MANAGER, language="de"
    )
    member = User.objects.create_user(
        "mia@example.com", PASSWORD, full_name="Mia Mitglied", role=Role.MEMBER, language="de"
    )
    member.departments.set([service])
    today = timezone.localdate()

    _sign_in(page, url, "max@example.com")
    page.goto(url + "/goals/goals/")
    expect(page.get_by_role("heading", name="Ziele", exact=True)).to_be_visible()
    _shot(page, "de-1-list-empty")
    clicks = 0
    page.get_by_role("link", name="Neues Ziel").click()
    clicks += 1
    _shot(page, "de-2-new")
    page.get_by_role(
        "link", name="„Jede Frage innerhalb von 24 Stunden beantworten“ verwenden"
    ).click()
    clicks += 1
    expect(page.get_by_label("Zielwert")).to_have_value("100")
    expect(page.get_by_label("Beantwortet innerhalb von")).to_have_value("24h")
    _shot(page, "de-3-form-from-template")
    page.get_by_role("button", name="Ziel anlegen").click()
    clicks += 1
    expect(
        page.get_by_text("Das Ziel ist angelegt; sein Ausgangswert ist berechnet.")
    ).to_be_visible()
    assert clicks == 3
    goal = Goal.objects.get()
    assert (goal.kpi, goal.params, goal.target) == ("first_response_within", {"within": "24h"}, 1.0)
    assert (goal.start, goal.deadline) == (today, add_months(today, 3))
    assert goal.owner == manager

    # The goal page: the chart with German ticks, the figures, the method.
    heading = page.get_by_role("heading", name="Jede Frage innerhalb von 24 Stunden beantworten")
    expect(heading).to_be_visible()
    chart = page.locator("svg[role=img]").first
    expect(chart.locator("text", has_text="100,0\u00a0%").first).to_be_attached()
    expect(chart.locator("text", has_text=f"{today:%d.%m.%Y}").first).to_be_attached()
    expect(page.get_by_text("Theil–Sen").first).to_be_visible()
    expect(page.get_by_role("heading", name="Wie gemessen und vorhergesagt wird")).to_be_visible()
    _shot(page, "de-4-goal")

    # A wrong target: the error at the field, in German; what was typed stays.
    page.get_by_role("link", name="Bearbeiten").click()
    target = page.get_by_label("Zielwert")
    target.fill("150")
    page.get_by_role("button", name="Speichern").click()
    field = page.locator(".field", has=page.get_by_label("Zielwert"))
    expect(field.get_by_text("Ein Anteil liegt zwischen 0 % und 100 %.")).to_be_visible()
    expect(page.get_by_label("Zielwert")).to_have_value("150")
    _shot(page, "de-5-form-error")
    page.get_by_label("Zielwert").fill("95")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("≥ 95,0\u00a0%").first).to_be_visible()
    goal.refresh_from_db()
    assert goal.target == pytest.approx(0.95)

    # Archive, find it in the archive, bring it back.
    page.get_by_role("button", name="Archivieren").click()
    expect(page.get_by_text("ist archiviert")).to_be_visible()
    page.goto(url + "/goals/goals/?archived=1")
    page.get_by_role("button", name="Zurückholen").click()
    expect(page.get_by_text("ist zurück")).to_be_visible()
    goal.refresh_from_db()
    assert goal.archived_at is None

    # A member of a department sees the goal, without the buttons to change it.
    _sign_in(page, url, "mia@example.com")
    page.goto(url + "/goals/goals/")
    page.get_by_role("link", name="Jede Frage innerhalb von 24 Stunden beantworten").click()
    expect(page.get_by_text("Theil–Sen").first).to_be_visible()
    expect(page.get_by_role("link", name="Bearbeiten")).to_have_count(0)
    expect(page.get_by_role("button", name="Archivieren")).to_have_count(0)
    expect(page.get_by_role("button", name="Jetzt auswerten")).to_have_count(0)
    assert not console_errors

    # Screenshots with history, in German and in English.
    _history()
    started = goal_create(
        by=Acting(user=manager),
        name="Antworten binnen 24 Stunden (seit einem Monat)",
        kpi="first_response_within",
        params={"within": "24h"},
        target=0.9,
        start=today - timedelta(days=30),
        deadline=today + timedelta(days=60),
    )
    goal_create(by=Acting(user=manager), name="Drei Beiträge pro Woche", kpi="posts_published",
                target=39, deadline=add_months(today, 3))  # fmt: skip
    for language in ("de", "en"):
        manager.language = language
        manager.save()
        _sign_in(page, url, "max@example.com")
        page.goto(url + "/goals/goals/")
        _shot(page, f"{language}-6-list")
        page.goto(url + f"/goals/goals/{started.pk}/")
        _shot(page, f"{language}-7-goal-with-history")
        page.goto(url + f"/goals/goals/{started.pk}/edit/")
        _shot(page, f"{language}-8-form")
