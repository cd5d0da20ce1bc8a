"""API errors are JSON with a message naming the field, never an HTML page or a crash."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from django.test import Client

from socialdesk.accounts import selectors
from socialdesk.accounts import tokens as api_tokens
from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, Role
from socialdesk.api.endpoints import api

HUGE = "9" * 23


@pytest.fixture
def admin_api(people: Any) -> Client:
    _token, key = api_tokens.api_token_create(
        by=Acting(user=people["admin"]), user=people["admin"], name="test"
    )
    return Client(headers={"Authorization": f"Bearer {key}"}, raise_request_exception=False)


def _field_error(response: Any) -> str:
    """Return the field named in a 422 answer, after checking its shape."""
    assert response.status_code == 422, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    detail = response.json()["detail"]
    assert detail and all(entry["msg"] for entry in detail)
    return str(detail[0]["loc"][-1])


def test_it_answers_422_for_an_id_beyond_any_database(admin_api, people):
    assert _field_error(admin_api.get(f"/api/v1/people?department_id={HUGE}")) == "department_id"
    assert _field_error(admin_api.get(f"/api/v1/departments/{HUGE}")) == "department_id"
    assert _field_error(admin_api.get(f"/api/v1/people/{HUGE}")) == "person_id"
    patch = admin_api.patch(
        f"/api/v1/people/{people['agent'].pk}",
        f'{{"department_ids": [{HUGE}]}}',
        content_type="application/json",
    )
    assert _field_error(patch) == "0"  # the first entry of department_ids
    assert people["agent"].departments.count() == 1


def test_it_answers_422_for_a_nul_character(admin_api, people):
    assert _field_error(admin_api.get("/api/v1/people?q=%00")) == "q"
    created = admin_api.post(
        "/api/v1/departments",
        json.dumps({"name": "PR\x00", "description": "Press"}),
        content_type="application/json",
    )
    assert _field_error(created) == "name"
    assert "NUL" in json.dumps(created.json())
    assert Department.objects.count() == 3


def test_it_answers_json_500_and_logs_an_unexpected_error(admin_api, monkeypatch, caplog):
    def broken() -> Any:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(selectors, "department_list", broken)
    with caplog.at_level(logging.ERROR):
        response = admin_api.get("/api/v1/departments")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Something went wrong on our side. It has been logged."}
    assert "the database went away" in caplog.text


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    schema = api.get_openapi_schema()
    return [
        (method.upper(), path, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]


BAD_VALUES = ["\x00", "a\x00b", HUGE, "-" + HUGE, "x" * 5000, "1e400", "²"]


def _body_fields(schema: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any]:
    body = operation.get("requestBody")
    if not body or "application/json" not in body["content"]:
        return {}  # an upload (multipart): test_api_imports sends it bad files
    schema_of_body = body["content"]["application/json"]["schema"]
    # An optional body is `anyOf: [{$ref}, {type: null}]`.
    refs = [s["$ref"] for s in schema_of_body.get("anyOf", [schema_of_body]) if "$ref" in s]
    ref = refs[0].rsplit("/", 1)[1]
    fields: dict[str, Any] = schema["components"]["schemas"][ref]["properties"]
    return fields


def test_no_operation_answers_500_or_html_to_bad_values(admin_api, people, departments):
    """For every operation and every parameter: NUL, 10^23, very long text, non-ASCII digits."""
    schema = api.get_openapi_schema()
    department = departments["Legal"].pk
    person = people["viewer"].pk
    wrong = []
    for method, path, operation in _operations():
        parameters = [p["name"] for p in operation.get("parameters", [])]
        fields = _body_fields(schema, operation)
        for target in [*parameters, *fields]:
            for bad in BAD_VALUES:
                url = path.replace("{department_id}", str(department)).replace(
                    "{person_id}", str(person)
                )
                query: dict[str, str] = {}
                body: dict[str, Any] = {"name": "Sweep", "role": Role.VIEWER.value}
                if f"{{{target}}}" in path:
                    url = path.replace(f"{{{target}}}", quote(bad))
                    url = url.replace("{department_id}", str(department))
                    url = url.replace("{person_id}", str(person))
                elif target in parameters:
                    query[target] = bad
                elif fields[target].get("type") == "array":
                    body[target] = [int(bad)] if bad.lstrip("-").isdecimal() else [bad]
                elif bad.lstrip("-").isdecimal() and fields[target].get("type") == "integer":
                    body[target] = int(bad)
                else:
                    body[target] = bad
                if query:
                    url += "?" + urlencode(query)
                response = admin_api.generic(
                    method, url, json.dumps(body), content_type="application/json"
                )
                is_json = response.get("Content-Type", "").startswith("application/json")
                if response.status_code >= 500 or (response.status_code != 204 and not is_json):
                    wrong.append(f"{method} {path} {target}={bad[:12]!r}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_it_answers_json_for_an_api_address_that_does_not_exist(admin_api):
    response = admin_api.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


def test_it_answers_json_for_a_method_the_address_does_not_take(admin_api):
    response = admin_api.delete("/api/v1/people")
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "DELETE is not allowed at this address."}
    assert "GET" in response["Allow"]


def test_its_errors_speak_the_callers_language(admin_api, settings):
    german = Client(headers={"Accept-Language": "de"}, raise_request_exception=False)
    no_token = german.get("/api/v1/people")
    assert no_token.status_code == 401
    assert no_token.json() == {
        "detail": "Senden Sie einen gültigen API-Token als „Authorization: Bearer …“."
    }
    wrong = german.get("/api/v1/people", headers={"Authorization": "Bearer sd_wrong"})
    assert wrong.status_code == 401 and wrong.json() == no_token.json()
    assert german.get("/api/v1/openapi.json").json() == no_token.json()
    asked = {"Accept-Language": "de"}
    assert admin_api.get("/api/v1/no-such-thing", headers=asked).json() == {
        "detail": "Diese Adresse gibt es in der API nicht."
    }
    assert admin_api.delete("/api/v1/people", headers=asked).json() == {
        "detail": "DELETE ist an dieser Adresse nicht erlaubt."
    }
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"name": "a" * 5000})
    large = admin_api.post(
        "/api/v1/departments", body, content_type="application/json", headers=asked
    )
    assert large.json() == {"detail": "Die Anfrage ist zu groß."}


def test_it_answers_json_413_for_a_body_too_large(admin_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"name": "a" * 5000, "description": "", "email": ""})
    response = admin_api.post("/api/v1/departments", body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


@pytest.mark.django_db
def test_an_offset_postgresql_cannot_store_is_the_same_moment_in_utc(api_as: Any) -> None:
    """Python reads offsets up to ±23:59, PostgreSQL stores only ±15:59: the moment is
    converted, the list answers, and the next request of the same client still works."""
    viewer = api_as("viewer")
    for moment in ("2026-12-01T10:00:00+18:09", "2026-12-01T10:00:00-23:59"):
        answer = viewer.get("/api/v1/posts", {"from": moment})
        assert answer.status_code == 200, answer.content
        assert viewer.get("/api/v1/search", {"q": "zug", "from": moment}).status_code == 200
    assert viewer.get("/api/v1/posts").status_code == 200
