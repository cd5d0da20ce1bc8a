"""Inviting people by e-mail and accepting the link."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from socialdesk.accounts.models import AuditEvent, Invitation, Role, User


@pytest.fixture(autouse=True)
def _run_on_commit(monkeypatch):
    """Run on-commit callbacks (the e-mail) at once: tests run inside one transaction."""
    monkeypatch.setattr(
        "django.db.transaction.on_commit", lambda func, using=None, robust=False: func()
    )


def _link_from_last_mail() -> str:
    match = re.search(r"https?://\S+/invitation/\S+/", str(mail.outbox[-1].body))
    assert match, mail.outbox[-1].body
    return "/" + match.group(0).split("://", 1)[1].split("/", 1)[1]


def test_it_sends_an_invitation_email_with_a_working_link(client_as, departments):
    admin = client_as("admin")
    response = admin.post(
        reverse("accounts:invite"),
        {
            "email": "Nina@Example.com",
            "full_name": "Nina Neu",
            "role": Role.AGENT,
            "departments": [departments["Legal"].pk],
        },
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nina@example.com"]
    link = _link_from_last_mail()

    newcomer = Client()
    page = newcomer.get(link)
    assert page.status_code == 200
    assert "nina@example.com" in page.content.decode()
    response = newcomer.post(
        link,
        {
            "full_name": "Nina Neu",
            "password1": "a long new passphrase",
            "password2": "a long new passphrase",
        },
    )
    assert response.status_code == 302

    nina = User.objects.get(email="nina@example.com")
    assert nina.role == Role.AGENT
    assert list(nina.departments.values_list("name", flat=True)) == ["Legal"]
    assert newcomer.get(reverse("shell:home")).status_code == 200  # signed in right away
    assert AuditEvent.objects.filter(action="invitation.accepted", object_id=str(nina.pk)).exists()


def test_it_refuses_a_used_link_and_says_why(client_as):
    client_as("admin").post(
        reverse("accounts:invite"), {"email": "olaf@example.com", "role": Role.VIEWER}
    )
    link = _link_from_last_mail()
    Client().post(
        link,
        {
            "full_name": "Olaf",
            "password1": "a long new passphrase",
            "password2": "a long new passphrase",
        },
    )
    again = Client().post(
        link,
        {
            "full_name": "Mallory",
            "password1": "another long phrase",
            "password2": "another long phrase",
        },
    )
    assert again.status_code == 410
    assert "used already" in again.content.decode()
    assert User.objects.get(email="olaf@example.com").full_name == "Olaf"


def test_it_refuses_an_expired_link(client_as):
    client_as("admin").post(
        reverse("accounts:invite"), {"email": "late@example.com", "role": Role.AGENT}
    )
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = Client().get(_link_from_last_mail())
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_it_refuses_a_withdrawn_link(client_as):
    admin = client_as("admin")
    admin.post(reverse("accounts:invite"), {"email": "gone@example.com", "role": Role.AGENT})
    link = _link_from_last_mail()
    admin.post(reverse("accounts:invitation_revoke", args=[Invitation.objects.get().pk]))
    response = Client().post(
        link,
        {
            "full_name": "X",
            "password1": "a long new passphrase",
            "password2": "a long new passphrase",
        },
    )
    assert response.status_code == 410
    assert not User.objects.filter(email="gone@example.com").exists()


def test_it_makes_an_old_link_useless_when_sending_again(client_as):
    admin = client_as("admin")
    admin.post(reverse("accounts:invite"), {"email": "twice@example.com", "role": Role.AGENT})
    first_link = _link_from_last_mail()
    admin.post(reverse("accounts:invitation_resend", args=[Invitation.objects.get().pk]))
    second_link = _link_from_last_mail()
    assert first_link != second_link
    assert Client().get(first_link).status_code == 410
    assert Client().get(second_link).status_code == 200


def test_it_answers_404_for_an_unknown_link(db):
    response = Client().get(reverse("accounts:invitation_accept", args=["not-a-token"]))
    assert response.status_code == 404
    assert "incomplete or wrong" in response.content.decode()


def test_it_shows_field_errors_and_keeps_input(client_as, people):
    response = client_as("admin").post(
        reverse("accounts:invite"),
        {"email": people["agent"].email, "full_name": "Kept Name", "role": Role.AGENT},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "A person with this e-mail address exists already." in page
    assert 'value="Kept Name"' in page
    assert Invitation.objects.count() == 0


def test_it_rejects_weak_passwords_beside_the_field(client_as):
    client_as("admin").post(
        reverse("accounts:invite"), {"email": "weak@example.com", "role": Role.AGENT}
    )
    response = Client().post(
        _link_from_last_mail(), {"full_name": "Weak", "password1": "123", "password2": "123"}
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    assert not User.objects.filter(email="weak@example.com").exists()


def test_it_writes_the_invitation_email_in_the_organisation_language(client_as, organisation):
    organisation.default_language = "de"
    organisation.save()
    client_as("admin").post(
        reverse("accounts:invite"), {"email": "de@example.com", "role": Role.AGENT}
    )
    assert "Guten Tag" in mail.outbox[-1].body
    assert mail.outbox[-1].subject.startswith("Einladung")
