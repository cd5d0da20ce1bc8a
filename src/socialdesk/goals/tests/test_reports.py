"""Reports: the content of a period against a recomputation from the raw rows of the small
history in `kpi_history`, and the same figures in the PDF, the XLSX and the CSV (German and
English), the report page and its period picker."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from socialdesk.accounts.models import Organisation, User
from socialdesk.goals import report_formats
from socialdesk.goals.goal_models import Goal
from socialdesk.goals.kpis import Period
from socialdesk.goals.report_data import as_json, build_report
from socialdesk.goals.tests import kpi_history
from socialdesk.goals.tests.kpi_history import NOW
from socialdesk.inbox.models import Direction, Message
from socialdesk.publishing.models import PostTarget
from socialdesk.sla.models import SlaOutcome

# Monday 19 October to Sunday 1 November 2026 (Berlin): the DST night inside.
PERIOD = Period.of_days(date(2026, 10, 19), date(2026, 11, 1))


@pytest.fixture
def history(db: None, departments: Any) -> dict[str, Any]:
    data = kpi_history.build()
    data["goal"] = Goal.objects.create(
        organisation=Organisation.current(),
        name="Fragen binnen 24 Std. beantworten – Kundenservice Überblick",
        kpi="first_response_within",
        params={"within": "24h"},
        target=0.95,
        start=date(2026, 10, 1),
        deadline=date(2026, 12, 31),
        baseline=0.5,
        current=0.875,
        forecast=0.9,
        status="at_risk",
    )
    return data


def _recount(now: Any = NOW) -> dict[str, Any]:
    """The figures by hand from the raw rows (not through the report's code)."""
    start, end = PERIOD.bounds()
    breached: dict[str, set[int]] = {"first_response": set(), "next_response": set()}
    breached["resolution"] = set()
    for o in SlaOutcome.objects.all():
        if start <= o.started_at < end and (
            o.state == "breached" or (o.state == "pending" and o.due_at and o.due_at < now)
        ):
            breached[o.kind].add(o.conversation_id)
    engagement = []
    for target in PostTarget.objects.order_by("published_at", "pk"):
        if target.published_at and start <= target.published_at < end:
            metrics = list(target.metrics.order_by("taken_at", "pk"))
            last = metrics[-1] if metrics else None
            engagement.append(
                None if last is None else last.likes + last.reposts + last.replies + last.quotes
            )
    inbound = sum(
        1
        for m in Message.objects.filter(direction=Direction.INBOUND)
        if start <= m.created_at < end
    )
    return {"breached": breached, "engagement": engagement, "inbound": inbound}


def test_it_computes_the_report_against_the_raw_rows(history: dict[str, Any]) -> None:
    expected = _recount()
    data = as_json(build_report(PERIOD, now=NOW))
    sections = data["sections"]
    assert data["since"] == "2026-10-19" and data["until"] == "2026-11-01"
    assert data["previous_since"] == "2026-10-05"
    summary = sections["breaches"]["summary"]
    assert summary == {k: len(v) for k, v in expected["breached"].items()}
    assert summary == {"first_response": 2, "next_response": 1, "resolution": 0}
    listed = {(r["conversation"], r["url"].split("/")[-2]) for r in sections["breaches"]["rows"]}
    conversations = history["conversations"]
    assert {c for c, _ in listed} == {conversations[1].pk, conversations[3].pk}
    posts = sections["posts"]["rows"]
    assert [p["engagement"] for p in posts] == expected["engagement"] == [12, 1]
    kpis = {row["name"]: row for row in sections["kpis"]["rows"]}
    assert kpis["inbound_volume"]["value"] == expected["inbound"] == 6
    assert isinstance(kpis["inbound_volume"]["value"], float)
    deadlines = {r["department"]: r for r in sections["deadlines"]["rows"]}
    assert (deadlines["Customer Service"]["kept"], deadlines["Customer Service"]["missed"]) == (
        1,
        0,
    )
    assert (
        deadlines["Product Development"]["kept"],
        deadlines["Product Development"]["missed"],
    ) == (
        0,
        1,
    )
    goal = sections["goals"]["rows"][0]
    assert (goal["current"], goal["deadline"]) == (0.875, "2026-12-31")


def test_a_member_s_report_covers_only_their_departments(
    history: dict[str, Any], people: dict[str, User]
) -> None:
    member = people["member"]  # Product Development
    data = as_json(build_report(PERIOD, user=member, now=NOW))
    rows = data["sections"]["breaches"]["rows"]
    assert data["whole_organisation"] is False
    assert all(r["department"] == "Product Development" for r in rows)
    assert data["sections"]["breaches"]["summary"]["first_response"] == 0  # CS and none
    deadlines = data["sections"]["deadlines"]["rows"]
    assert [r["department"] for r in deadlines] == ["Product Development"]


def _pdf_text(document: Any) -> str:
    words: list[str] = []

    def walk(box: Any) -> None:
        text = getattr(box, "text", None)
        if isinstance(text, str):
            words.append(text)
        for child in getattr(box, "children", []) or []:
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return " ".join(words)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("de", ["Bericht", "Ziele", "Zielwert", "87,5", "Seite"]),
        ("en", ["Report", "Goals", "Target", "87.5", "Page"]),
    ],
)
def test_the_pdf_holds_the_figures_in_each_language(
    history: dict[str, Any], language: str, words: list[str]
) -> None:
    with translation.override(language):
        report = build_report(PERIOD, now=NOW)
        document = report_formats.pdf_document(report)
        content = report_formats.pdf(report)
        html = report_formats.print_html(report)
    text = _pdf_text(document)
    assert content.startswith(b"%PDF")
    assert len(document.pages) >= 1
    for word in words[:-1]:
        assert word in text, word
    assert words[-1] in html  # the page numbers are drawn by @page, not in the boxes' text
    assert "@bottom-right" in html and "counter(pages)" in html and "size: A4" in html
    # the engagement and the breach counts as laid out on the page
    assert "12" in text.split()


def test_the_xlsx_holds_real_numbers_and_dates(history: dict[str, Any]) -> None:
    with translation.override("de"):
        content = report_formats.xlsx(build_report(PERIOD, now=NOW))
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames[:3] == ["Ziele", "Kennzahlen", "SLA-Verletzungen"]
    goals = book["Ziele"]
    header = [c.value for c in goals[1]]
    assert header[:4] == ["Ziel", "Kennzahl", "Zielwert", "Ausgangswert"]
    assert goals.freeze_panes == "A2"
    target, current, deadline = goals["C2"], goals["E2"], goals["H2"]
    assert target.data_type == "n" and target.value == 0.95 and "%" in target.number_format
    assert current.value == 0.875
    assert deadline.is_date and deadline.value.date() == date(2026, 12, 31)
    breaches = book["SLA-Verletzungen"]
    started = breaches["E2"]
    assert started.is_date
    late = breaches["G2"]  # 30 h − 4 h = 26 h late, as an Excel time (a number, 26/24 days)
    assert late.number_format == "[h]:mm" and late.is_date  # openpyxl reads it back as a span
    assert late.value == timedelta(hours=26)
    posts = book["Veröffentlichte Beiträge"]
    assert [posts.cell(row=r, column=8).value for r in (2, 3)] == [12, 1]
    assert goals.column_dimensions["A"].width > 20


def test_the_csv_is_one_file_with_a_bom_and_semicolons(history: dict[str, Any]) -> None:
    with translation.override("de"):
        content = report_formats.csv_bytes(build_report(PERIOD, now=NOW))
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("Abschnitt;Ziel;Kennzahl;Zielwert")
    assert "goals;Fragen binnen 24 Std. beantworten – Kundenservice Überblick;" in text
    assert any(line.startswith("posts;") and ";12;" in line for line in lines)


@pytest.fixture
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2026, 11, 2))


def test_the_page_shows_the_report_with_downloads(
    history: dict[str, Any], client_as: Callable[[str], Client]
) -> None:
    client = client_as("manager")
    url = reverse("goals:reports")
    page = client.get(url, {"preset": "custom", "since": "2026-10-19", "until": "2026-11-01"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="report-breaches"' in html and "Fragen binnen 24" in html
    assert 'data-kind="first_response">First response: <strong>2</strong>' in html
    pdf = client.get(url, {"preset": "custom", "since": "2026-10-19", "until": "2026-11-01",
                           "format": "pdf"})  # fmt: skip
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = client.get(url, {"preset": "custom", "since": "2026-10-19", "until": "2026-11-01",
                            "format": "xlsx"})  # fmt: skip
    assert xlsx.content.startswith(b"PK")


def test_the_picker_refuses_a_backward_or_too_long_period(
    history: dict[str, Any], client_as: Callable[[str], Client]
) -> None:
    client = client_as("manager")
    url = reverse("goals:reports")
    back = client.get(url, {"preset": "custom", "since": "2026-11-01", "until": "2026-10-01"})
    assert "The end lies before the start." in back.content.decode()
    long = client.get(url, {"preset": "custom", "since": "2020-01-01", "until": "2026-10-01"})
    assert "at most 366 days" in long.content.decode()
    assert 'id="report-goals"' not in long.content.decode()


def test_the_presets_are_the_last_whole_week_and_calendar_month() -> None:
    from socialdesk.goals.report_forms import PeriodForm
    from socialdesk.goals.report_services import scheduled_period

    today = date(2026, 11, 30)
    assert PeriodForm({"preset": "week"}).period(today) == Period(date(2026, 11, 23), today)
    october = Period(date(2026, 10, 1), date(2026, 11, 1))
    assert PeriodForm({"preset": "month"}).period(today) == october
    assert PeriodForm({"preset": "month"}).period(date(2026, 11, 1)) == october
    assert scheduled_period("weekly", today) == Period(date(2026, 11, 23), today)
    assert scheduled_period("monthly", today) == Period(date(2026, 10, 1), date(2026, 11, 1))
    assert scheduled_period("weekly", today + timedelta(days=2)).start == date(2026, 11, 23)


def test_the_top_feedback_items_are_those_with_most_messages_linked_in_the_period(
    history: dict[str, Any], people: dict[str, User]
) -> None:
    from socialdesk.feedback.models import FeedbackItem, FeedbackLink
    from socialdesk.inbox.models import Contact

    conversations = history["conversations"]
    anna, ben = Contact.objects.create(display_name="Anna"), Contact.objects.create()
    for index, contact in ((0, anna), (1, anna), (2, ben), (6, ben)):
        conversations[index].contact = contact
        conversations[index].save()
    item0, item1, item2 = FeedbackItem.objects.order_by("pk")[:3]  # CS, PD, PD
    inbound = {i: conversations[i].messages.get(direction=Direction.INBOUND) for i in range(8)}
    # item 1 (PD): three messages of two customers in the period; item 0 (CS): two of one;
    # item 2 (PD): one in the period and one in November (outside, not counted).
    for item, indexes in ((item1, [0, 1, 2]), (item0, [3, 4]), (item2, [5, 6])):
        for index in indexes:
            FeedbackLink.objects.create(item=item, message=inbound[index])
    start, end = PERIOD.bounds()
    expected: dict[str, list[Any]] = {}
    for link in FeedbackLink.objects.select_related("message__conversation"):
        if start <= link.message.created_at < end:
            row = expected.setdefault(link.item.title, [0, set()])
            row[0] += 1
            if link.message.conversation.contact_id:
                row[1].add(link.message.conversation.contact_id)
    rows = as_json(build_report(PERIOD, now=NOW))["sections"]["feedback"]["rows"]
    assert [(r["title"], r["messages"], r["customers"]) for r in rows] == [
        (title, n, len(who))
        for title, (n, who) in sorted(expected.items(), key=lambda kv: (-kv[1][0], kv[0]))
    ]
    assert [(r["title"], r["messages"], r["customers"]) for r in rows] == [
        ("Item 1", 3, 2), ("Item 0", 2, 0), ("Item 2", 1, 0),
    ]  # fmt: skip
    mine = as_json(build_report(PERIOD, user=people["member"], now=NOW))  # Product Development
    assert [r["title"] for r in mine["sections"]["feedback"]["rows"]] == ["Item 1", "Item 2"]
