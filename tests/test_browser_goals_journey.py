"""In headless Chromium, in German, the way of issue 13: the manager writes the strategy's
objective, sets the seed's goal from its template (starting five weeks ago), imports the
history, watches the progress chart and forecast and gets the "at risk" e-mail; publishes
guidelines v2 to Kundenservice, which a member confirms; downloads the monthly report as PDF
and XLSX and opens its share link signed out."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, Role, User
from socialdesk.goals import guideline_services
from socialdesk.goals.goal_models import Goal, GoalStatus
from socialdesk.goals.guideline_models import Confirmation, Publication
from socialdesk.goals.models import Objective
from socialdesk.inbox.import_tasks import run_import_job
from socialdesk.inbox.job_models import ImportJob
from tests.test_browser import _shot, browser_page  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser]
PASSWORD = "a long passphrase 42"
HEADER = ["tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id",
          "in_response_to_tweet_id"]  # fmt: skip
DAYS = 35  # the goal starts five weeks ago: whole weeks give the trend its points
PER_DAY = 10


def _history(today: Any, days: int) -> tuple[str, int, int]:
    """Ten questions a day for five weeks, each answered after two hours, except one a day on
    every second day, answered after 30 hours (late). Return the CSV and the counts."""
    rows, number, late = [], 0, 0
    for back in range(days, 0, -1):
        day = today - timedelta(days=back)
        for k in range(PER_DAY):
            asked = datetime.combine(day, time(8, 0), tzinfo=UTC) + timedelta(minutes=5 * k)
            slow = k == 0 and back % 2 == 0
            late += slow
            answered = asked + timedelta(hours=30 if slow else 2)
            question, answer = number + 1, number + 2
            number += 2
            stamp = "%a %b %d %H:%M:%S +0000 %Y"
            rows.append([question, f"kunde{question}", "True", asked.strftime(stamp),
                         "@Nordlicht Fährt der Zug heute?", answer, ""])  # fmt: skip
            rows.append([answer, "Nordlicht", "False", answered.strftime(stamp),
                         f"@kunde{question} Ja, pünktlich.", "", question])  # fmt: skip
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue(), days * PER_DAY, late


def _sign_in(page: Page, url: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(url + "/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + "/")


@pytest.mark.django_db(transaction=True)
def test_the_manager_turns_the_strategy_into_a_goal_and_reports_on_it(
    live_server: Any, browser_page: Any, tmp_path: Path, settings: Any, monkeypatch: Any,  # noqa: F811
) -> None:  # fmt: skip
    settings.DATA_DIR = tmp_path
    monkeypatch.setattr("socialdesk.inbox.import_services._queue", lambda job_id: None)
    page, console_errors = browser_page
    url = live_server.url
    service = Department.objects.create(name="Kundenservice")
    manager = User.objects.create_user(
        "max@example.com", PASSWORD, full_name="Max Manager", role=Role.MANAGER, language="de"
    )
    member = User.objects.create_user(
        "kim@example.com", PASSWORD, full_name="Kim Kunde", role=Role.MEMBER, language="de"
    )
    member.departments.set([service])
    guideline_services.publish(
        by=Acting(user=manager), title="Leitlinien für soziale Medien", text="# Ton\n\nfreundlich"
    )
    today = timezone.localdate()
    # from the Monday five weeks back: the trend's weekly points are whole calendar weeks on
    # every day of the week (from a Sunday, its first point was that one day, all on time,
    # and the line fell)
    days = DAYS + today.weekday()

    # 1. The strategy's objective.
    _sign_in(page, url, "max@example.com")
    page.goto(url + "/goals/objectives/")
    page.get_by_role("link", name="Neues strategisches Ziel").click()
    page.get_by_label("Titel").fill("Schnell antworten")
    page.get_by_label("Beschreibung").fill("Niemand wartet länger als einen Tag.")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Schnell antworten").first).to_be_visible()
    objective = Objective.objects.get(title="Schnell antworten")

    # 2. The seed's goal from its template, starting five weeks ago, measuring the objective.
    page.goto(url + "/goals/goals/")
    page.get_by_role("link", name="Neues Ziel").click()
    page.get_by_role(
        "link", name="„Jede Frage innerhalb von 24 Stunden beantworten“ verwenden"
    ).click()
    start = today - timedelta(days=days)
    page.get_by_label("Beginn").fill(start.isoformat())
    page.get_by_label("Zielsetzung").select_option(label="Schnell antworten")
    page.get_by_role("button", name="Ziel anlegen").click()
    expect(page.get_by_text("Das Ziel ist angelegt")).to_be_visible()
    goal = Goal.objects.get()
    assert (goal.start, goal.objective, goal.target) == (start, objective, 1.0)
    assert goal.status == GoalStatus.NOT_STARTED  # nothing to measure yet
    _shot(page, "journey-goal-empty-de")

    # 3. The history, imported under Settings.
    text, questions, late = _history(today, days)
    upload = tmp_path / "verlauf.csv"
    upload.write_text(text, encoding="utf-8")
    page.goto(url + "/settings/")
    page.get_by_role("link", name="Verlauf importieren").click()
    page.get_by_label("Datei").set_input_files(str(upload))
    page.get_by_role("button", name="Hochladen und importieren").click()
    run_import_job.call(ImportJob.objects.get().pk)  # what `socialdesk worker` does
    expect(page.locator(".import-state")).to_have_text("Abgeschlossen", timeout=15_000)

    # 4. The progress chart and forecast; the status turns "at risk" and the e-mail comes.
    mail.outbox.clear()
    page.goto(url + f"/goals/goals/{goal.pk}/")
    page.get_by_role("button", name="Jetzt auswerten").click()
    goal.refresh_from_db()
    # By hand: the last 28 days (today included, which is empty) hold 27 days of questions,
    # 270, and 13 of them (every second day) were answered late.
    assert goal.current == pytest.approx(1 - 13 / 270)
    assert goal.status == GoalStatus.AT_RISK, (goal.current, goal.forecast)
    assert 0.9 <= (goal.forecast or 0) < 1.0
    expect(page.locator(".badge").filter(has_text="gefährdet").first).to_be_visible()
    chart = page.locator("svg[role=img]").first
    expect(chart.locator("polyline.forecast")).to_have_count(1)
    expect(chart.locator("text", has_text="Frist")).to_have_count(1)
    expect(page.get_by_text("95,2\u00a0%").first).to_be_visible()
    _shot(page, "journey-goal-at-risk-de")
    told = [m for m in mail.outbox if m.to == ["max@example.com"]]
    assert [m.subject for m in told] == [
        "Ziel „Jede Frage innerhalb von 24 Stunden beantworten“ ist jetzt gefährdet"
    ]
    assert "95,2" in told[0].body and f"/goals/goals/{goal.pk}/" in told[0].body
    assert questions == days * PER_DAY and late == days // 2  # one late every second day

    # 5. Guidelines v2 to Kundenservice, confirmed by a member there.
    v1 = Publication.objects.get(version=1)
    page.goto(url + f"/goals/guidelines/{v1.pk}/")
    page.get_by_role("link", name="Neue Fassung veröffentlichen").click()
    expect(page.get_by_label("Titel")).to_have_value("Leitlinien für soziale Medien")
    page.get_by_label("Text (Markdown)").fill("# Ton\n\nfreundlich und **ehrlich**")
    page.get_by_label("Ausgewählte Abteilungen").check()
    page.get_by_label("Kundenservice").check()
    page.get_by_role("button", name="Veröffentlichen").click()
    expect(page.locator(".message.success")).to_contain_text("Fassung 2 veröffentlicht")
    v2 = Publication.objects.get(version=2)
    _sign_in(page, url + "", "kim@example.com")
    page.goto(url + f"/goals/guidelines/{v2.pk}/")
    page.get_by_role("button", name="Ich habe es gelesen").click()
    expect(page.locator(".confirm-box")).to_contain_text("gelesen und bestätigt")
    assert Confirmation.objects.filter(publication=v2, person=member).exists()

    # 6. Last month's report as PDF and XLSX, and its share link opened signed out.
    _sign_in(page, url, "max@example.com")
    page.goto(url + "/goals/reports/")
    page.get_by_label("Monatlich (letzter Kalendermonat)").check()
    page.get_by_role("button", name="Anzeigen").click()
    with page.expect_download() as pdf:
        page.get_by_role("link", name="PDF").first.click()
    assert Path(pdf.value.path()).read_bytes().startswith(b"%PDF")
    with page.expect_download() as xlsx:
        page.get_by_role("link", name="XLSX").first.click()
    book = load_workbook(io.BytesIO(Path(xlsx.value.path()).read_bytes()))
    assert book.sheetnames[:2] == ["Ziele", "Kennzahlen"]
    row = book["Ziele"][2]
    assert row[0].value == "Jede Frage innerhalb von 24 Stunden beantworten"
    assert row[2].data_type == "n" and row[2].value == 1.0  # the target, a number
    assert row[4].value == pytest.approx(goal.current)  # the current value, a number
    _shot(page, "journey-report-de")
    page.get_by_role("link", name="Diesen Bericht per Link teilen …").click()
    page.get_by_role("button", name="Link erstellen").click()
    link = page.locator("#share-created code").inner_text()
    page.context.clear_cookies()
    page.goto(url + urlsplit(link).path)
    expect(page.get_by_text("Ein Bericht, der mit Ihnen geteilt wurde").first).to_be_visible()
    expect(
        page.get_by_text("Jede Frage innerhalb von 24 Stunden beantworten").first
    ).to_be_visible()
    expect(page.get_by_role("navigation", name="Hauptnavigation")).to_have_count(0)
    _shot(page, "journey-shared-report-de")

    assert console_errors == []
