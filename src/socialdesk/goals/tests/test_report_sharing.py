"""Reports shared and sent: the read-only share link (signed out, expired, revoked, tampered)
and the e-mail schedules (once per period, in each recipient's language, hostile input)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import AuditEvent, Organisation, User
from socialdesk.goals import report_services
from socialdesk.goals.report_models import ReportDelivery, ReportSchedule, ReportShare
from socialdesk.goals.report_services import Recipient, schedule_save, send_due, share_create
from socialdesk.goals.tests import kpi_history


@pytest.fixture
def history(db: None, departments: Any) -> dict[str, Any]:
    return kpi_history.build()


def _share(people: dict[str, User], days: int = 30) -> report_services.NewShare:
    return share_create(
        by=Acting(user=people["manager"]),
        since=date(2026, 10, 19),
        until=date(2026, 11, 1),
        days=days,
    )


# ---------------------------------------------------------------------------- share links
def test_a_share_link_opens_signed_out_without_the_app_around_it(
    history: dict[str, Any], people: dict[str, User]
) -> None:
    new = _share(people)
    stored = ReportShare.objects.get()
    assert new.token not in stored.token_hash
    assert stored.token_hash == hashlib.sha256(new.token.encode()).hexdigest()
    url = reverse("shared_reports:report", args=[new.token])
    page = Client().get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    assert 'id="report-breaches"' in html
    assert "main-nav" not in html and reverse("inbox:list") not in html  # no way into the app
    assert "Bericht" in html  # the organisation's default language (German)
    english = Client().get(url, {"lang": "en"}).content.decode()
    assert "SLA breaches" in english
    pdf = Client().get(url, {"format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="report.shared").count() == 1


def test_an_expired_or_revoked_link_is_gone_and_a_tampered_one_unknown(
    history: dict[str, Any], people: dict[str, User]
) -> None:
    expired = _share(people)
    ReportShare.objects.filter(pk=expired.share.pk).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    page = Client().get(reverse("shared_reports:report", args=[expired.token]))
    assert page.status_code == 410
    assert "Der Link ist abgelaufen." in page.content.decode()
    assert 'id="report-' not in page.content.decode()

    revoked = _share(people)
    report_services.share_revoke(by=Acting(user=people["manager"]), share=revoked.share)
    page = Client().get(reverse("shared_reports:report", args=[revoked.token]), {"lang": "en"})
    assert page.status_code == 410
    assert "withdrawn the link" in page.content.decode()

    good = _share(people)
    value, signature = good.token.rsplit(":", 1)
    tampered = value[:-1] + ("A" if value[-1] != "A" else "B") + ":" + signature
    assert Client().get(reverse("shared_reports:report", args=[tampered])).status_code == 404
    assert Client().get("/r/nothing-at-all/").status_code == 404


def test_a_link_works_at_most_a_year(history: dict[str, Any], people: dict[str, User]) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        _share(people, days=367)
    assert ReportShare.objects.count() == 0


def test_managers_create_list_and_revoke_links_on_the_page(
    history: dict[str, Any], client_as: Callable[[str], Client]
) -> None:
    client = client_as("manager")
    url = reverse("goals:report_shares")
    page = client.post(url, {"since": "2026-10-19", "until": "2026-11-01", "days": "30"})
    html = page.content.decode()
    assert 'id="share-created"' in html
    share = ReportShare.objects.get()
    client.post(reverse("goals:report_share_revoke", args=[share.pk]))
    share.refresh_from_db()
    assert share.revoked_at is not None
    assert client_as("agent").get(url).status_code == 403


# ---------------------------------------------------------------------------- schedules
@pytest.fixture
def weekly(history: dict[str, Any], people: dict[str, User]) -> ReportSchedule:
    people["member"].language = "en"
    people["member"].save()
    people["manager"].language = "de"
    people["manager"].save()
    schedule = schedule_save(
        by=Acting(user=people["manager"]),
        schedule=None,
        name="Wochenbericht",
        frequency="weekly",
        send_at=time(8, 0),
        attach_pdf=True,
        attach_xlsx=True,
        recipients=[
            Recipient(user=people["manager"]),
            Recipient(user=people["member"]),
            Recipient(email="vorstand@example.com", language="de"),
            Recipient(email="board@example.com", language="en"),
        ],
    )
    ReportSchedule.objects.filter(pk=schedule.pk).update(
        created_at=datetime(2026, 11, 1, tzinfo=UTC)
    )
    return schedule


MONDAY_9 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # 09:00 in Berlin, Monday


def test_a_schedule_sends_once_per_period_in_each_language(weekly: ReportSchedule) -> None:
    assert Organisation.current().time_zone == "Europe/Berlin"
    assert send_due(MONDAY_9 - timedelta(hours=2)) == 0  # 07:00 Berlin: not yet
    assert send_due(MONDAY_9) == 4
    assert send_due(MONDAY_9 + timedelta(minutes=5)) == 0  # the second run sends nothing
    assert len(mail.outbox) == 4
    by_address = {m.to[0]: m for m in mail.outbox}
    assert by_address["max@example.com"].subject.startswith("Bericht „Wochenbericht“, 23.11.2026")
    assert by_address["vorstand@example.com"].subject.startswith("Bericht „Wochenbericht“")
    assert by_address["board@example.com"].subject.startswith("Report “Wochenbericht”")
    assert by_address["mia@example.com"].subject.startswith("Report “Wochenbericht”")
    assert "whole organisation" in by_address["board@example.com"].body
    assert "what you may see" in by_address["mia@example.com"].body
    names = [a[0] for a in by_address["max@example.com"].attachments]
    assert names == ["bericht-2026-11-23-2026-11-29.pdf", "bericht-2026-11-23-2026-11-29.xlsx"]
    assert by_address["max@example.com"].attachments[0][1][:4] == b"%PDF"
    delivery = ReportDelivery.objects.get()
    assert (delivery.period_start, delivery.recipients) == (date(2026, 11, 23), 4)


def test_two_workers_send_a_period_once(weekly: ReportSchedule) -> None:
    period = report_services.scheduled_period("weekly", date(2026, 11, 30))
    assert report_services.send_schedule(weekly, period, MONDAY_9) == 4
    assert report_services.send_schedule(weekly, period, MONDAY_9) == 0  # found the row
    assert len(mail.outbox) == 4


def test_a_paused_schedule_sends_nothing(weekly: ReportSchedule, people: dict[str, User]) -> None:
    report_services.schedule_pause(by=Acting(user=people["manager"]), schedule=weekly, paused=True)
    assert send_due(MONDAY_9) == 0 and mail.outbox == []


def _form(**changes: str) -> dict[str, str]:
    data = {
        "name": "Monatsbericht",
        "frequency": "monthly",
        "send_at": "07:30",
        "attach_pdf": "on",
        "addresses": "vorstand@example.com de",
    }
    data.update(changes)
    return data


def test_managers_create_a_schedule_on_the_page(
    history: dict[str, Any], client_as: Callable[[str], Client]
) -> None:
    client = client_as("manager")
    page = client.post(reverse("goals:report_schedule_new"), _form())
    assert page.status_code == 302
    schedule = ReportSchedule.objects.get()
    assert (schedule.frequency, schedule.send_at) == ("monthly", time(7, 30))
    assert [(r.email, r.language) for r in schedule.recipients.all()] == [
        ("vorstand@example.com", "de")
    ]
    assert AuditEvent.objects.filter(action="report.scheduled").count() == 1
    client.post(reverse("goals:report_schedule_delete", args=[schedule.pk]))
    assert ReportSchedule.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"addresses": "vorstand@example.com"}, "addresses", "Give the language"),
        (
            {"addresses": "\n".join(f"p{i}@example.com de" for i in range(10_000))},
            "addresses",
            "Ensure this value has at most",
        ),
        (
            {"addresses": "\n".join(f"p{i}@example.com de" for i in range(51))},
            "addresses",
            "At most 50 recipients",
        ),
        ({"name": "x" * 201}, "name", "at most 200 characters"),
        (
            {"addresses": "a" * 64 + "@" + ".".join(["b" * 63] * 3) + ".de de"},
            "addresses",
            "is not an e-mail address",
        ),
        ({"addresses": ""}, "recipients", "Name at least one person"),
        ({"send_at": "25:99"}, "send_at", "Enter a valid time"),
    ],
)
def test_hostile_schedules_are_refused_at_the_field(
    history: dict[str, Any],
    client_as: Callable[[str], Client],
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    page = client_as("manager").post(reverse("goals:report_schedule_new"), _form(**changes))
    assert page.status_code == 200
    errors = page.context["form"].errors
    text = " ".join(str(e) for e in errors.get(field, errors.get("__all__", [])))
    assert message in text, errors
    assert ReportSchedule.objects.count() == 0


def test_nul_bytes_never_reach_a_stored_schedule(
    history: dict[str, Any], client_as: Callable[[str], Client], people: dict[str, User]
) -> None:
    from django.core.exceptions import ValidationError

    from socialdesk.goals.report_forms import ScheduleForm

    form = ScheduleForm(_form(name="Bericht\x00", addresses="vor\x00stand@example.com de"))
    assert not form.is_valid()
    assert "Null characters are not allowed." in str(form.errors["name"])
    assert "Null characters are not allowed." in str(form.errors["addresses"])
    with pytest.raises(ValidationError):
        schedule_save(
            by=Acting(user=people["manager"]), schedule=None, name="x", frequency="weekly",
            send_at=time(8), attach_pdf=True, attach_xlsx=False,
            recipients=[Recipient(email="a\x00@example.com", language="de")],
        )  # fmt: skip
    # Through the page the house's middleware takes NUL out before the form sees it.
    client_as("manager").post(
        reverse("goals:report_schedule_new"), _form(name="Be\x00richt", addresses="a@b.de\x00 de")
    )
    schedule = ReportSchedule.objects.get()
    assert schedule.name == "Bericht"
    assert [r.email for r in schedule.recipients.all()] == ["a@b.de"]


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_the_same_moment_send_a_period_once(
    departments: Any, people: dict[str, User]
) -> None:
    """Two threads, each with its own database connection, send the same period at once: the
    unique delivery row lets one through (on PostgreSQL the second waits for the first's
    commit, then finds the row; SQLite writes one at a time)."""
    import threading

    from django.db import connection, connections

    if connection.vendor == "sqlite" and "memory" in str(connection.settings_dict["NAME"]):
        pytest.skip("threads share no in-memory SQLite database; the PostgreSQL pass runs it")
    Organisation.objects.update(time_zone="Europe/Berlin")
    schedule = schedule_save(
        by=Acting(user=people["manager"]), schedule=None, name="Woche", frequency="weekly",
        send_at=time(8), attach_pdf=True, attach_xlsx=False,
        recipients=[Recipient(email="vorstand@example.com", language="de")],
    )  # fmt: skip
    period = report_services.scheduled_period("weekly", date(2026, 11, 30))
    start = threading.Barrier(2)
    sent: list[int] = []

    def worker() -> None:
        try:
            start.wait()
            sent.append(report_services.send_schedule(schedule, period, MONDAY_9))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(sent) == [0, 1]
    assert len(mail.outbox) == 1
    assert ReportDelivery.objects.count() == 1
