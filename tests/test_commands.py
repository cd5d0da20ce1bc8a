"""The product's own commands: first admin, demo organisation, worker."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from socialdesk.accounts.models import AuditEvent, Department, Organisation, Role, User


def test_it_creates_a_first_admin_with_the_password_from_the_environment(db, settings, capsys):
    settings.SOCIALDESK_ADMIN_PASSWORD = "chosen admin passphrase"
    call_command("ensure_admin")
    admin = User.objects.get(role=Role.ADMIN)
    assert admin.check_password("chosen admin passphrase")
    assert "chosen admin passphrase" not in capsys.readouterr().out


def test_it_prints_a_generated_password_once_and_does_nothing_the_second_time(db, settings, capsys):
    settings.SOCIALDESK_ADMIN_PASSWORD = ""
    call_command("ensure_admin")
    out = capsys.readouterr().out
    password = out.split("Password (shown only this once): ")[1].split()[0]
    assert User.objects.get(role=Role.ADMIN).check_password(password)
    call_command("ensure_admin")
    assert "exists already" in capsys.readouterr().out
    assert User.objects.count() == 1


def test_the_demo_fills_an_empty_database_with_a_believable_organisation(db, capsys):
    call_command("demo", password="demo passphrase 1")
    assert Organisation.current().name == "Nordlicht Bahn GmbH"
    assert Department.objects.count() == 6
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    jana = User.objects.get(email="jana.petersen@nordlicht-bahn.example")
    assert sorted(jana.departments.values_list("name", flat=True)) == ["Kundenservice", "Marketing"]
    assert jana.check_password("demo passphrase 1")
    assert AuditEvent.objects.filter(action="department.created").count() == 6
    # A lived-in inbox: threads, an answered question, unanswered ones, SLA states.
    from socialdesk.inbox.models import Conversation

    assert Conversation.objects.count() == 6
    states = set(Conversation.objects.values_list("sla_state", flat=True))
    assert {"met", "on_track", "breached"} <= states
    # Goals to look at: the seed's goal from its template, linked to an objective.
    from socialdesk.goals.models import Goal, Publication

    seed = Goal.objects.get(kpi="first_response_within")
    assert seed.objective is not None and seed.objective.title == "Schnell antworten"
    assert (seed.params, seed.target) == ({"within": "24h"}, 1.0)
    assert seed.name == "Jede Frage innerhalb von 24 Stunden beantworten"  # the team's language
    assert seed.evaluated_at is not None and Goal.objects.count() == 3
    assert Publication.objects.get().version == 1


def test_the_demo_refuses_a_database_that_is_in_use(departments):
    with pytest.raises(CommandError, match="not empty"):
        call_command("demo")
    assert Department.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_queued_email(monkeypatch):
    """Tests run tasks at once; here the real database queue and worker are used."""
    from django.tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend

    from socialdesk.core.tasks import send_email

    backend = DatabaseBackend("default", {"QUEUES": ["default"], "OPTIONS": {}})
    monkeypatch.setattr(task_backends._connections, "default", backend, raising=False)  # type: ignore[attr-defined]
    result = send_email.enqueue("Hello", "Body", ["someone@example.com"])
    assert mail.outbox == []
    call_command("worker", "--batch")
    assert [m.subject for m in mail.outbox] == ["Hello"]
    result.refresh()
    assert result.status == "SUCCESSFUL"
