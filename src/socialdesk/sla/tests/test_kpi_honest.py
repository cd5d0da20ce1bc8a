"""The first-response KPI neither flatters nor slanders: pending questions are not misses.

The fixture holds answered-in-time, answered-late, pending (no answer yet, still inside the
target) and overdue-unanswered conversations, some in departments, some answered by people
in socialdesk. Every figure is recomputed here from the fixture's own description, without
calling the code under test; the same tests run on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import csv
import json
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from socialdesk.accounts.models import Department, User
from socialdesk.inbox.models import Conversation, Message
from socialdesk.inbox.tests.test_import import _import, _write

WITHIN = timedelta(hours=24)
OUTSIDE = "outside"  # a first response written on the network, not by a person in socialdesk


@dataclass(frozen=True)
class Thread:
    key: str
    asked_ago: timedelta
    answered_after: timedelta | None
    department: str | None
    person: str | None  # role of the person who wrote the first response


THREADS = [
    Thread("a", timedelta(days=10), timedelta(hours=2), "Customer Service", "agent"),
    Thread("b", timedelta(days=9), timedelta(hours=30), "Customer Service", "agent"),
    Thread("c", timedelta(days=8), timedelta(minutes=20), "Product Development", "manager"),
    Thread("d", timedelta(hours=3), None, "Product Development", None),
    Thread("e", timedelta(days=2), None, "Product Development", None),
    Thread("f", timedelta(hours=5), timedelta(hours=1), None, OUTSIDE),
    Thread("g", timedelta(hours=20), None, None, None),
]


def _twcs_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%a %b %d %H:%M:%S +0000 %Y")


@pytest.fixture
def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def history(db: None, tmp_path: Path, people: dict[str, User], now: datetime) -> dict[str, int]:
    """Import the threads, then hand them to departments and to the people who answered."""
    rows = []
    for index, thread in enumerate(THREADS):
        question, answer = str(1000 + 2 * index), str(1001 + 2 * index)
        asked = now - thread.asked_ago
        reply = answer if thread.answered_after else ""
        rows.append(
            (question, f"9{index}", "True", _twcs_time(asked), "@Nordlicht Hilfe?", reply, "")
        )
        if thread.answered_after:
            rows.append((answer, "Nordlicht", "False", _twcs_time(asked + thread.answered_after),
                         "Gern!", "", question))  # fmt: skip
    code, _out, err = _import("--format", "twcs", str(_write(tmp_path / "t.csv", rows)))
    assert code == 0, err
    ids = {}
    for index, thread in enumerate(THREADS):
        conversation = Message.objects.get(external_id=str(1000 + 2 * index)).conversation
        ids[thread.key] = conversation.pk
        if thread.department:
            department = Department.objects.get(name=thread.department)
            Conversation.objects.filter(pk=conversation.pk).update(department=department)
        if thread.person and thread.person != OUTSIDE:
            Message.objects.filter(external_id=str(1001 + 2 * index)).update(
                author_user=people[thread.person]
            )
    return ids


def _rate(within: int, decided: int) -> float | None:
    return within / decided if decided else None


def _expected(threads: list[Thread], people: dict[str, User]) -> dict[str, Any]:
    """The KPI computed from the fixture's description alone."""
    answered = [t for t in threads if t.answered_after is not None]
    seconds = sorted(t.answered_after.total_seconds() for t in answered if t.answered_after)
    within = [t for t in answered if t.answered_after and t.answered_after <= WITHIN]
    pending = [t for t in threads if t.answered_after is None and t.asked_ago < WITHIN]
    missed = [t for t in threads if t not in within and t not in pending]
    departments: dict[str | None, list[Thread]] = {}
    persons: dict[str | None, list[Thread]] = {}
    for t in threads:
        departments.setdefault(t.department, []).append(t)
        if t.person:
            persons.setdefault(None if t.person == OUTSIDE else t.person, []).append(t)

    def group(members: list[Thread]) -> dict[str, Any]:
        done = [t.answered_after.total_seconds() for t in members if t.answered_after]
        ok = sum(1 for t in members if t.answered_after and t.answered_after <= WITHIN)
        waiting = sum(1 for t in members if t.answered_after is None and t.asked_ago < WITHIN)
        return {
            "conversations": len(members),
            "first_responses": len(done),
            "answered_within": ok,
            "pending": waiting,
            "missed": len(members) - ok - waiting,
            "rate_within": _rate(ok, len(members) - waiting),
            "median_seconds": statistics.median(done) if done else None,
        }

    return {
        "conversations": len(threads),
        "answered": len(answered),
        "answered_within": len(within),
        "pending": len(pending),
        "missed": len(missed),
        "rate_within": _rate(len(within), len(threads) - len(pending)),
        "median_seconds": statistics.median(seconds) if seconds else None,
        "p90_seconds": (
            statistics.quantiles(seconds, n=10, method="inclusive")[-1]
            if len(seconds) > 1
            else (seconds[0] if seconds else None)
        ),
        "by_department": {name: group(ts) for name, ts in departments.items()},
        "by_person": {
            (str(people[role]) if role else None): group(ts) for role, ts in persons.items()
        },
    }


def _kpi_json(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command("kpi", "first-response", "--within", "24h", *args, "--json", stdout=out)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


FIGURES = ["conversations", "answered", "answered_within", "pending", "missed", "rate_within"]
GROUP_FIGURES = ["first_responses", "answered_within", "rate_within", "median_seconds"]


def test_it_counts_a_question_inside_its_target_as_pending_not_as_missed(history, people):
    result, expected = _kpi_json(), _expected(THREADS, people)
    assert {k: result[k] for k in FIGURES} == {k: expected[k] for k in FIGURES}
    assert result["rate_within"] == pytest.approx(3 / 5)  # not 3 of 7: two are still pending
    assert result["median_seconds"] == pytest.approx(expected["median_seconds"])
    assert result["p90_seconds"] == pytest.approx(expected["p90_seconds"])


def test_it_breaks_the_figures_down_by_department_and_by_person(history, people):
    result, expected = _kpi_json(), _expected(THREADS, people)
    departments = {row["name"]: row for row in result["by_department"]}
    assert set(departments) == set(expected["by_department"])
    for name, figures in expected["by_department"].items():
        assert {k: departments[name][k] for k in figures} == figures, name
    persons = {row["name"]: row for row in result["by_person"]}
    assert set(persons) == set(expected["by_person"])
    for name, figures in expected["by_person"].items():
        assert {k: persons[name][k] for k in GROUP_FIGURES} == {
            k: figures[k] for k in GROUP_FIGURES
        }, name


def test_a_department_member_sees_only_their_departments_figures(history, people, client_as):
    mine = [t for t in THREADS if t.department == "Product Development"]
    expected = _expected(mine, people)
    context = client_as("member").get("/inbox/kpi/first-response/").context
    result = context["result"].as_dict()
    assert {k: result[k] for k in FIGURES} == {k: expected[k] for k in FIGURES}
    assert [row["name"] for row in result["by_department"]] == ["Product Development"]
    assert {row["name"] for row in result["by_person"]} == set(expected["by_person"])
    assert context["page"].paginator.count == expected["missed"]


def test_the_page_says_the_rate_and_how_many_are_pending(history, client_as):
    html = client_as("viewer").get("/inbox/kpi/first-response/").content.decode()
    assert "60 %" in html
    assert "3 of 5 conversations" in html
    assert "2 more are still inside the target" in html
    assert html.count('class="missed-row"') == 2  # the late answer and the overdue question
    assert "878 s" not in html and " s<" not in html
    assert "1\xa0h 30\xa0min" in html  # the median of 20 min, 1 h, 2 h and 30 h
    assert 'href="/inbox/"' in html.split("<h1")[0]  # the breadcrumb leads to the inbox


def test_the_german_page_reads_in_german(history, people, client_as):
    people["viewer"].language = "de"
    people["viewer"].save()
    client = Client()
    client.force_login(people["viewer"])
    html = client.get("/inbox/kpi/first-response/").content.decode()
    assert "Posteingang" in html.split("<h1")[0]
    assert "1\xa0Std. 30\xa0Min." in html
    assert "KW " in html
    assert "noch innerhalb des Ziels" in html


def test_the_chart_has_axes_week_labels_and_a_table(history, client_as):
    html = client_as("viewer").get("/inbox/kpi/first-response/").content.decode()
    chart = html.split('<figure class="chart"')[1].split("</figure>")[0]
    for tick in ("0 %", "50 %", "100 %"):
        assert f">{tick}</text>" in chart
    assert chart.count('class="grid"') == 5
    assert 'class="week-label"' in chart and ">W" in chart
    assert "<details" in html and "<summary>" in html


def test_the_csv_keeps_seconds_and_says_each_outcome(history, client_as):
    response = client_as("manager").get("/inbox/kpi/first-response.csv")
    rows = list(csv.DictReader(StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == len(THREADS)
    assert sorted(r["outcome"] for r in rows) == sorted(
        ["met"] * 3 + ["missed"] * 2 + ["pending"] * 2
    )
    assert {r["target_seconds"] for r in rows} == {"86400"}
    assert "7200" in {r["first_response_seconds"] for r in rows}


def test_the_command_prints_pending_missed_and_the_tables(history, people):
    out = StringIO()
    call_command("kpi", "first-response", "--within", "24h", stdout=out)
    text = out.getvalue()
    assert "answered within the target:      3 (60.0%)" in text
    assert "still inside the target:         2" in text
    assert "missed (late or overdue):        2" in text
    assert "median first response:           1 h 30 min (5,400 s)" in text
    assert "Customer Service" in text and str(people["agent"]) in text


@pytest.mark.parametrize(
    ("rate", "shown"),
    [(2 / 3, 66.7), (0.9996, 99.9), (1.0, 100.0), (0.0004, 0.1), (0.0, 0.0), (None, None)],
)
def test_a_rate_never_reads_as_all_or_none_when_it_is_not(rate, shown):
    from socialdesk.sla.kpi_views import percent

    assert percent(rate) == shown


def test_a_week_with_nothing_decided_shows_no_bar_and_says_so(db):
    from django.template.loader import render_to_string

    from socialdesk.sla.kpi_views import _chart

    week = {"week": datetime(2026, 11, 23, tzinfo=UTC), "label": "W48", "total": 2,
            "within": 0, "pending": 2, "missed": 0, "rate": None, "percent": None}  # fmt: skip
    html = render_to_string("sla/_kpi_chart.html", {"chart": _chart([week]), "weeks": [week]})
    assert "<rect" not in html  # no bar of 0 % for a week that can still go either way
    assert "nothing decided yet" in html and "2 conversations still inside the target" in html


def test_with_business_hours_a_question_is_pending_while_the_open_hours_last(db, tmp_path):
    """Asked Friday 16:00, target 8 open hours, now Monday 10:00: 2 open hours have passed."""
    from datetime import time
    from zoneinfo import ZoneInfo

    from socialdesk.sla.calendar import BusinessCalendar, opening_hours
    from socialdesk.sla.kpi import first_response

    berlin = ZoneInfo("Europe/Berlin")
    calendar = BusinessCalendar("Europe/Berlin", opening_hours(range(5), (time(9), time(17))))
    friday = datetime(2026, 11, 20, 16, 0, tzinfo=berlin)
    rows = [
        ("1", "91", "True", _twcs_time(friday), "@Nordlicht Hilfe?", "", ""),
        ("3", "92", "True", _twcs_time(friday - timedelta(days=7)), "@Nordlicht Hallo?", "", ""),
    ]
    code, _out, err = _import("--format", "twcs", str(_write(tmp_path / "b.csv", rows)))
    assert code == 0, err
    now = datetime(2026, 11, 23, 10, 0, tzinfo=berlin)
    result = first_response(within=timedelta(hours=8), calendar=calendar, now=now)
    assert (result.conversations, result.pending, result.missed) == (2, 1, 1)
    assert result.rate_within == 0.0  # the week-old question is decided: missed
    calendar_time = first_response(within=timedelta(hours=8), now=now)
    assert (calendar_time.pending, calendar_time.missed) == (0, 2)  # 66 hours have passed
