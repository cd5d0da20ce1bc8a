"""The audit log: append-only, secrets redacted, browsable and filterable by admins."""

from __future__ import annotations

import pytest
from django.urls import reverse

from socialdesk.accounts.audit import Acting, record, redact
from socialdesk.accounts.models import AuditEvent, Role


def test_it_refuses_to_change_or_delete_an_entry(people):
    event = record(
        Acting(user=people["admin"]), "settings.changed", people["admin"], after={"name": "x"}
    )
    event.action = "something else"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "settings.changed"


def test_it_redacts_secrets_at_any_depth():
    clean = redact(
        {
            "password": "hunter2",
            "name": "x",
            "smtp": {"EMAIL_HOST_PASSWORD": "p", "host": "h"},
            "api_token": "sd_1",
        }
    )
    assert clean == {
        "password": "[redacted]",
        "name": "x",
        "smtp": {"EMAIL_HOST_PASSWORD": "[redacted]", "host": "h"},
        "api_token": "[redacted]",
    }


def test_it_audits_a_settings_change_with_before_and_after(client_as, people):
    client_as("admin").post(
        reverse("accounts:organisation"),
        {
            "name": "Nordlicht",
            "time_zone": "Europe/Berlin",
            "default_language": "de",
            "two_factor_roles": [Role.ADMIN],
        },
    )
    event = AuditEvent.objects.get(action="settings.changed")
    assert ("name", "socialdesk", "Nordlicht") in event.changes()
    assert ("two_factor_roles", [], ["admin"]) in event.changes()


def test_it_rejects_an_unknown_time_zone_beside_the_field(client_as):
    response = client_as("admin").post(
        reverse("accounts:organisation"),
        {"name": "N", "time_zone": "Mars/Olympus", "default_language": "de"},
    )
    assert "Select a valid choice." in response.content.decode()
    assert not AuditEvent.objects.filter(action="settings.changed").exists()


def test_it_lets_admins_filter_the_log_by_kind_and_person(client_as, people):
    record(Acting(user=people["manager"]), "department.created", after={"name": "PR"})
    record(Acting(user=people["agent"]), "login.succeeded", people["agent"])
    client = client_as("admin")
    page = client.get(reverse("accounts:audit_log") + "?action=department").content.decode()
    assert ">Department created<" in page and ">Signed in<" not in page
    page = client.get(reverse("accounts:audit_log") + "?actor=alex").content.decode()
    assert ">Signed in<" in page and ">Department created<" not in page


def test_it_says_when_no_entry_matches(client_as):
    page = (
        client_as("admin")
        .get(reverse("accounts:audit_log") + "?actor=nobody-at-all")
        .content.decode()
    )
    assert "No entries match these filters." in page


def test_it_reports_a_reversed_date_range_beside_the_field(client_as):
    page = (
        client_as("admin")
        .get(reverse("accounts:audit_log") + "?since=2026-05-02&until=2026-05-01")
        .content.decode()
    )
    assert "The end lies before the start." in page


def test_it_escapes_what_people_typed_when_showing_the_log(client_as, people):
    record(
        Acting(user=None, label="<script>alert(1)</script>"),
        "login.failed",
        object_repr="<img src=x onerror=alert(1)>",
    )
    page = client_as("admin").get(reverse("accounts:audit_log")).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_it_pages_a_long_log_newest_first(client_as, people):
    for number in range(60):
        record(Acting(user=people["manager"]), "department.created", after={"name": f"D{number}"})
    page = client_as("admin").get(reverse("accounts:audit_log")).content.decode()
    assert "Page 1 of 2" in page and ">Older<" in page and ">Newer<" not in page
    second = client_as("admin").get(reverse("accounts:audit_log") + "?page=2").content.decode()
    assert ">Newer<" in second
