"""The REST API: tokens, departments and people, with the same rules as the pages."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from socialdesk.accounts import tokens as api_tokens
from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import AuditEvent, Department, Role


@pytest.fixture
def api_as(people):
    def make(role: str) -> Client:
        _token, key = api_tokens.api_token_create(
            by=Acting(user=people[role]), user=people[role], name="test"
        )
        return Client(headers={"Authorization": f"Bearer {key}"})

    return make


def test_it_creates_a_token_in_the_ui_shows_it_once_and_accepts_it(client_as, people):
    client = client_as("viewer")
    page = client.post(reverse("accounts:tokens"), {"name": "reporting script"}).content.decode()
    key = page.split('id="new-token">')[1].split("<")[0]
    assert key.startswith("sd_")
    assert key not in client.get(reverse("accounts:tokens")).content.decode()
    me = Client(headers={"Authorization": f"Bearer {key}"}).get("/api/v1/me")
    assert me.status_code == 200 and me.json()["email"] == people["viewer"].email


def test_it_refuses_a_revoked_token_at_once(client_as, people):
    client = client_as("agent")
    _token, key = api_tokens.api_token_create(
        by=Acting(user=people["agent"]), user=people["agent"], name="x"
    )
    api = Client(headers={"Authorization": f"Bearer {key}"})
    assert api.get("/api/v1/me").status_code == 200
    client.post(reverse("accounts:token_revoke", args=[_token.pk]))
    assert api.get("/api/v1/me").status_code == 401


def test_it_refuses_the_tokens_of_a_deactivated_person(client_as, people, api_as):
    api = api_as("agent")
    client_as("admin").post(reverse("accounts:person_deactivate", args=[people["agent"].pk]))
    assert api.get("/api/v1/me").status_code == 401


def test_it_does_not_let_one_person_revoke_anothers_token(client_as, people):
    token, _key = api_tokens.api_token_create(
        by=Acting(user=people["agent"]), user=people["agent"], name="mine"
    )
    assert (
        client_as("viewer").post(reverse("accounts:token_revoke", args=[token.pk])).status_code
        == 404
    )
    token.refresh_from_db()
    assert token.revoked_at is None


def test_it_lists_and_creates_departments(api_as, departments):
    manager = api_as("manager")
    listed = manager.get("/api/v1/departments").json()
    assert [d["name"] for d in listed] == ["Customer Service", "Legal", "Product Development"]
    created = manager.post(
        "/api/v1/departments",
        json.dumps({"name": "PR", "description": "Press"}),
        content_type="application/json",
    )
    assert created.status_code == 201
    assert created.json()["name"] == "PR"
    actor = AuditEvent.objects.get(action="department.created").actor
    assert actor is not None and actor.role == Role.MANAGER


def test_it_explains_bad_input_per_field_and_stores_nothing(api_as, departments):
    manager = api_as("manager")
    duplicate = manager.post(
        "/api/v1/departments", json.dumps({"name": "Legal"}), content_type="application/json"
    )
    assert duplicate.status_code == 422
    assert duplicate.json()["detail"][0]["loc"] == ["body", "name"]
    bad_email = manager.post(
        "/api/v1/departments",
        json.dumps({"name": "New", "email": "not-an-address"}),
        content_type="application/json",
    )
    assert bad_email.status_code == 422
    assert "email" in json.dumps(bad_email.json())
    missing = manager.post("/api/v1/departments", "{}", content_type="application/json")
    assert missing.status_code == 422
    assert Department.objects.count() == 3


def test_it_changes_a_persons_role_and_departments_in_one_call(api_as, people, departments):
    agent = people["agent"]
    response = api_as("admin").patch(
        f"/api/v1/people/{agent.pk}",
        json.dumps({"role": "manager", "department_ids": [departments["Legal"].pk]}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["role"] == "manager"
    assert response.json()["departments"] == [{"id": departments["Legal"].pk, "name": "Legal"}]


def test_it_changes_nothing_when_part_of_a_change_is_wrong(api_as, people, departments):
    agent = people["agent"]
    response = api_as("admin").patch(
        f"/api/v1/people/{agent.pk}",
        json.dumps({"role": "manager", "department_ids": [99999]}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "99999" in response.json()["detail"]
    agent.refresh_from_db()
    assert agent.role == Role.AGENT


def test_it_answers_404_for_an_unknown_department(api_as):
    assert api_as("viewer").get("/api/v1/departments/99999").status_code == 404


def test_it_publishes_an_openapi_schema_with_every_operation(client_as):
    schema = client_as("viewer").get("/api/v1/openapi.json").json()
    operations = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {
        "list_departments",
        "create_department",
        "list_people",
        "update_person",
        "me",
    } <= operations
    assert schema["components"]["securitySchemes"]


def test_the_docs_page_loads_its_swagger_ui_from_the_app_not_a_cdn(client_as):
    """Servers often reach no CDN, and the content security policy allows only our own
    scripts: the interactive docs must come with the app."""
    page = client_as("agent").get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn." not in page and "unpkg" not in page


def test_a_client_generator_fetches_the_schema_with_a_token(api_as):
    """Generators (openapi-generator, Postman) fetch the schema with the token they call with,
    not a browser session: it must not send them to the sign-in page."""
    response = api_as("viewer").get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/me" in response.json()["paths"]
    revoked = Client(headers={"Authorization": "Bearer sd_not-a-token"})
    assert revoked.get("/api/v1/openapi.json").status_code == 401
    assert Client().get("/api/v1/docs").status_code == 302  # the page: to sign in
