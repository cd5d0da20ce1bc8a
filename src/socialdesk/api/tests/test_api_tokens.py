"""Tokens made on the command line or the settings page: shown once, limited to reading or to
a last day, revoked by name; every write through the API names its token in the audit log."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from socialdesk.accounts.audit_text import sentence
from socialdesk.accounts.models import ApiToken, AuditEvent, User

pytestmark = pytest.mark.django_db


def _create(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("tokens", "create", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def _api(key: str, language: str = "en") -> Client:
    return Client(
        headers={"Authorization": f"Bearer {key}", "Accept-Language": language},
        raise_request_exception=False,
    )


def _new_department(api: Client, name: str) -> int:
    answer = api.post(
        "/api/v1/departments", json.dumps({"name": name}), content_type="application/json"
    )
    return answer.status_code


def test_the_command_prints_the_token_once_and_its_writes_name_it_in_the_audit(
    people: dict[str, User],
) -> None:
    key, told = _create("--email", people["manager"].email.upper(), "--name", "CRM sync")
    assert key.startswith("sd_") and "shown only this once" in told and key not in told
    token = ApiToken.objects.get(name="CRM sync")
    assert token.user == people["manager"] and not token.read_only and token.expires_at is None
    assert key not in token.key_hash  # only the hash is kept
    api = _api(key)
    assert api.get("/api/v1/me").json()["email"] == people["manager"].email
    assert _new_department(api, "Presse") == 201
    event = AuditEvent.objects.get(action="department.created")
    assert event.actor == people["manager"] and event.token_name == "CRM sync"
    assert "(API token “CRM sync”)" in sentence(event)
    created = AuditEvent.objects.get(action="api_token.created")
    assert created.actor is None and created.actor_label == "socialdesk tokens"


def test_a_read_only_token_reads_but_changes_nothing(people: dict[str, User]) -> None:
    key, told = _create("--email", people["admin"].email, "--name", "BI", "--read-only")
    assert "read only" in told
    api = _api(key, "de")
    assert api.get("/api/v1/departments").status_code == 200
    answer = api.post(
        "/api/v1/departments", json.dumps({"name": "Presse"}), content_type="application/json"
    )
    assert answer.status_code == 403
    assert answer.json() == {"detail": "Dieser Token darf nur lesen."}
    assert not AuditEvent.objects.filter(action="department.created").exists()
    assert (
        _new_department(_api(_create("--email", people["admin"].email, "--name", "rw")[0]), "PR")
        == 201
    )


def test_a_token_stops_working_after_its_last_day(people: dict[str, User]) -> None:
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    key, told = _create("--email", people["agent"].email, "--name", "Bot", "--expires", tomorrow)
    token = ApiToken.objects.get(name="Bot")
    assert token.expires_at is not None
    assert timezone.localtime(token.expires_at).date() == date.fromisoformat(tomorrow) + timedelta(
        1
    )
    assert f"works until the end of {tomorrow}" in told
    api = _api(key)
    assert api.get("/api/v1/me").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api.get("/api/v1/me").status_code == 401
    listed = StringIO()
    call_command("tokens", "list", "--email", people["agent"].email, stdout=listed)
    assert "Bot" in listed.getvalue() and "expired" in listed.getvalue()


def test_the_command_refuses_what_it_cannot_do_and_says_why(people: dict[str, User]) -> None:
    with pytest.raises(CommandError, match="No active person has the e-mail address nobody@x"):
        _create("--email", "nobody@x", "--name", "x")
    with pytest.raises(CommandError, match="not a date like"):
        _create("--email", people["agent"].email, "--name", "x", "--expires", "31.12.2027")
    yesterday = (timezone.localdate() - timedelta(days=2)).isoformat()
    with pytest.raises(CommandError, match="must lie in the future"):
        _create("--email", people["agent"].email, "--name", "x", "--expires", yesterday)
    with pytest.raises(CommandError, match="Give the token a name"):
        _create("--email", people["agent"].email, "--name", "  ")
    assert not ApiToken.objects.exists()


def test_a_token_is_revoked_by_its_start_and_stops_at_once(people: dict[str, User]) -> None:
    key, _told = _create("--email", people["agent"].email, "--name", "Old script")
    api = _api(key)
    assert api.get("/api/v1/me").status_code == 200
    token = ApiToken.objects.get(name="Old script")
    out = StringIO()
    call_command("tokens", "revoke", f"{token.prefix}…", stdout=out)
    assert "Revoked token" in out.getvalue()
    assert api.get("/api/v1/me").status_code == 401
    assert AuditEvent.objects.filter(action="api_token.revoked").count() == 1
    again = StringIO()
    call_command("tokens", "revoke", str(token.pk), stdout=again)
    assert "revoked already" in again.getvalue()
    with pytest.raises(CommandError, match="No token 999"):
        call_command("tokens", "revoke", "999")


def test_the_settings_page_makes_read_only_tokens_with_a_last_day(client_as, people) -> None:
    client = client_as("agent")
    last_day = timezone.localdate() + timedelta(days=30)
    page = client.post(
        reverse("accounts:tokens"),
        {"name": "Dashboard", "expires_at": last_day.isoformat(), "read_only": "on"},
        HTTP_ACCEPT_LANGUAGE="de",
    ).content.decode()
    key = page.split('id="new-token">')[1].split("<")[0]
    token = ApiToken.objects.get(name="Dashboard")
    assert token.read_only and token.expires_at is not None
    assert timezone.localtime(token.expires_at).date() == last_day + timedelta(days=1)
    assert "nur lesen" in page
    assert token.last_day == last_day
    assert last_day.strftime("%d.%m.%Y") in page  # the last day as given, not the next midnight
    assert (
        _api(key).post("/api/v1/departments", "{}", content_type="application/json").status_code
        == 403
    )
    past = client.post(
        reverse("accounts:tokens"),
        {"name": "Late", "expires_at": "2020-01-01"},
        HTTP_ACCEPT_LANGUAGE="de",
    ).content.decode()
    assert "muss in der Zukunft liegen" in past
    assert not ApiToken.objects.filter(name="Late").exists()
