"""Audit entries read as sentences in the reader's language, with readable values."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import translation

from socialdesk.accounts.audit import Acting, record
from socialdesk.accounts.models import AuditEvent, Department


def _page(client_as: Any, people: Any, language: str) -> str:
    people["admin"].language = language
    people["admin"].save()
    page: str = client_as("admin").get(reverse("accounts:audit_log")).content.decode()
    return page


def test_it_writes_a_status_change_as_a_sentence_in_german_and_english(client_as, people):
    people["manager"].full_name = "Anna Berger"
    people["manager"].save()
    department = Department.objects.create(name="Produkt")
    event = AuditEvent(
        actor=people["manager"], actor_label="anna@example.com", action="feedback.status_changed",
        object_type="feedbackitem", object_id="12", object_repr="App stürzt ab",
        before={"status": "new"}, after={"status": "planned"},
    )  # fmt: skip
    event.save()
    record(Acting(user=people["manager"]), "department.created", department, after={"name": "x"})
    german = _page(client_as, people, "de")
    assert "Anna Berger hat den Status von Feedback #12 von „Neu“ auf „Geplant“ gesetzt." in german
    assert "Anna Berger hat die Abteilung „Produkt“ angelegt." in german
    assert "feedback.status_changed" not in german
    english = _page(client_as, people, "en")
    assert "Anna Berger set the status of feedback #12 from “New” to “Planned”." in english


def test_it_shows_opening_hours_as_a_week_not_as_a_python_value(client_as, people):
    record(
        Acting(user=people["manager"]),
        "settings.business_hours_saved",
        after={
            "hours": {str(d): [["08:00", "18:00"]] for d in range(5)} | {"5": [["09:00", "13:00"]]},
            "state": "BB",
            "closed": [],
        },
        object_repr="Service",
    )
    german = _page(client_as, people, "de")
    assert "Mo–Fr 08:00–18:00; Sa 09:00–13:00" in german
    assert "Brandenburg" in german and "[[" not in german and "{&#x27;" not in german
    assert "Öffnungszeiten" in german and "Bundesland für die gesetzlichen Feiertage" in german


def test_it_names_roles_values_and_minutes_in_the_readers_words(people):
    event = record(
        Acting(user=people["admin"]),
        "person.role_changed",
        people["agent"],
        before={"role": "agent"},
        after={"role": "manager"},
    )
    policy = record(
        Acting(user=people["admin"]),
        "settings.sla_policy_saved",
        after={"first_response_minutes": 134, "active": True},
        object_repr="24 h",
    )
    with translation.override("de"):
        assert event.sentence.endswith("von „Agent/in“ auf „Social-Media-Manager/in“ geändert.")
        assert ("Erste Antwort", None, "2\u00a0Std. 14\u00a0Min.") in policy.readable_changes()
        assert ("Aktiv", None, "ja") in policy.readable_changes()
