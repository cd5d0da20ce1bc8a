"""Feedback topics and routing rules through the API, as the Topics page lists and changes
them: managers only, the page's forms and services, audited with the token."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import AuditEvent, Department, User
from socialdesk.api.tests.conftest import Api
from socialdesk.feedback import services as feedback_services
from socialdesk.feedback.models import RoutingRule, Topic

pytestmark = pytest.mark.django_db
TOPICS = "/api/v1/feedback/topics"
RULES = "/api/v1/feedback/routing-rules"


def _send(client: Client, method: str, path: str, body: dict[str, Any]) -> Any:
    return client.generic(method, path, data=_encoded(body), content_type="application/json")


def _encoded(body: dict[str, Any]) -> str:
    import json

    return json.dumps(body)


def test_a_manager_adds_and_changes_topics_as_the_page_does(
    api_as: Api, people: dict[str, User], departments: dict[str, Department]
) -> None:
    manager = api_as("manager")
    legal, product = departments["Legal"], departments["Product Development"]
    made = _send(manager, "POST", TOPICS, {"name": "Datenschutz", "keywords": ["DSGVO", "daten"],
                                           "department_id": legal.pk})  # fmt: skip
    assert made.status_code == 201, made.content
    topic = made.json()
    assert topic["keywords"] == ["DSGVO", "daten"]
    assert topic["department"] == {"id": legal.pk, "name": "Legal"}
    event = AuditEvent.objects.get(action="feedback.topic_created")
    assert event.token_name == "test" and event.actor == people["manager"]

    # The same name again changes that topic (the page's "Add or change a topic").
    again = _send(manager, "POST", TOPICS, {"name": "Datenschutz", "keywords": ["privacy"]})
    assert again.status_code == 200 and again.json()["id"] == topic["id"]
    assert again.json()["department"] is None and again.json()["keywords"] == ["privacy"]
    changed = _send(manager, "PUT", f"{TOPICS}/{topic['id']}",
                    {"keywords": ["DSGVO"], "department_id": product.pk})  # fmt: skip
    assert changed.status_code == 200, changed.content
    assert changed.json()["name"] == "Datenschutz"
    stored = Topic.objects.get()
    assert stored.department == product and stored.keyword_list() == ["DSGVO"]
    assert AuditEvent.objects.filter(action="feedback.topic_saved", token_name="test").count() == 2

    _send(manager, "POST", TOPICS, {"name": "App"})
    listed = manager.get(TOPICS).json()
    assert [t["name"] for t in listed] == ["App", "Datenschutz"]
    assert listed[1] == changed.json()


def test_new_feedback_on_a_topic_goes_to_the_department_the_api_gave_it(
    api_as: Api, people: dict[str, User], departments: dict[str, Department]
) -> None:
    manager = api_as("manager")
    topic = _send(manager, "POST", TOPICS, {"name": "Pünktlichkeit"}).json()
    _send(manager, "PUT", f"{TOPICS}/{topic['id']}",
          {"department_id": departments["Customer Service"].pk})  # fmt: skip
    item = feedback_services.item_create(
        by=Acting(user=people["agent"]), title="Zug zu spät", topic=Topic.objects.get()
    )
    assert item.department == departments["Customer Service"]


def test_a_manager_adds_and_removes_routing_rules(
    api_as: Api, departments: dict[str, Department]
) -> None:
    manager = api_as("manager")
    legal = departments["Legal"]
    late = _send(manager, "POST", RULES, {"query": "app", "department_id": legal.pk})
    first = _send(manager, "POST", RULES, {"query": 'datenschutz OR "personal data"',
                                           "department_id": legal.pk, "priority": 5})  # fmt: skip
    assert first.status_code == 201, first.content
    assert first.json()["department"] == {"id": legal.pk, "name": "Legal"}
    assert late.json()["priority"] == 100
    listed = manager.get(RULES).json()
    assert [r["id"] for r in listed] == [first.json()["id"], late.json()["id"]]  # by priority
    assert AuditEvent.objects.get(action="feedback.rule_created", object_id=str(
        first.json()["id"])).token_name == "test"  # fmt: skip

    assert manager.delete(f"{RULES}/{late.json()['id']}").status_code == 204
    assert list(RoutingRule.objects.values_list("query", flat=True)) == [
        'datenschutz OR "personal data"'
    ]
    assert AuditEvent.objects.get(action="feedback.rule_deleted").token_name == "test"
    assert manager.delete(f"{RULES}/{late.json()['id']}").status_code == 404


def test_roles_the_page_forbids_get_403(api_as: Api, departments: dict[str, Department]) -> None:
    topic = Topic.objects.create(name="App")
    rule = RoutingRule.objects.create(query="app", department=departments["Legal"])
    for role in ("agent", "member", "viewer"):
        client = api_as(role)
        assert client.get(TOPICS).status_code == 403, role
        assert client.get(RULES).status_code == 403
        assert _send(client, "POST", TOPICS, {"name": "Neu"}).status_code == 403
        assert _send(client, "PUT", f"{TOPICS}/{topic.pk}", {}).status_code == 403
        body = {"query": "x", "department_id": departments["Legal"].pk}
        assert _send(client, "POST", RULES, body).status_code == 403
        assert client.delete(f"{RULES}/{rule.pk}").status_code == 403
    assert Topic.objects.count() == 1 and RoutingRule.objects.count() == 1
    assert api_as("admin").get(TOPICS).status_code == 200


def test_a_wrong_value_is_a_422_naming_the_field_in_the_callers_language(
    api_as: Api, departments: dict[str, Department]
) -> None:
    manager = api_as("manager", **{"Accept-Language": "de"})
    blank = _send(manager, "POST", TOPICS, {"name": "   "})
    assert blank.status_code == 422
    assert blank.json()["errors"] == {"name": ["Geben Sie dem Thema einen Namen."]}
    unknown = _send(manager, "POST", TOPICS, {"name": "App", "department_id": 99999})
    assert unknown.json()["errors"] == {
        "department_id": ["Es gibt keine Abteilung mit dieser Nummer."]
    }
    comma = _send(manager, "POST", TOPICS, {"name": "App", "keywords": ["a, b"]})
    assert comma.status_code == 422
    assert comma.json()["errors"]["keywords.0"] == [
        "Ein Schlüsselwort darf kein Komma und keinen Zeilenumbruch enthalten."
    ]
    unreadable = _send(manager, "POST", RULES,
                       {"query": "app AND", "department_id": departments["Legal"].pk})  # fmt: skip
    assert unreadable.status_code == 422 and list(unreadable.json()["errors"]) == ["query"]
    assert "Position" in unreadable.json()["errors"]["query"][0]
    nowhere = _send(manager, "POST", RULES, {"query": "app", "department_id": 99999})
    assert nowhere.json()["errors"] == {
        "department_id": ["Es gibt keine Abteilung mit dieser Nummer."]
    }
    missing = _send(manager, "POST", RULES, {"query": "app"})
    assert missing.json()["errors"] == {"department_id": ["Dieses Feld ist erforderlich."]}
    assert _send(manager, "PUT", f"{TOPICS}/99999", {}).status_code == 404
    assert not Topic.objects.exists() and not RoutingRule.objects.exists()


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", TOPICS, {"name": "App\x00"}, "name"),
        ("POST", TOPICS, {"name": "x" * 81}, "name"),
        ("POST", TOPICS, {"name": "App", "keywords": ["x" * 101]}, "keywords.0"),
        ("POST", TOPICS, {"name": "App", "keywords": ["k\x00"]}, "keywords.0"),
        ("POST", TOPICS, {"name": "App", "department_id": 2**64}, "department_id"),
        ("POST", RULES, {"query": "a\x00", "department_id": 1}, "query"),
        ("POST", RULES, {"query": "a" * 2001, "department_id": 1}, "query"),
        ("POST", RULES, {"query": "a", "department_id": 2**64}, "department_id"),
        ("POST", RULES, {"query": "a", "department_id": 1, "priority": 2**31}, "priority"),
        ("PUT", f"{TOPICS}/{2**64}", {}, "topic_id"),
        ("DELETE", f"{RULES}/{2**64}", {}, "rule_id"),
    ],
)
def test_a_hostile_value_is_a_422_not_a_500(
    api_as: Api, method: str, path: str, body: dict[str, Any], field: str
) -> None:
    answer = _send(api_as("manager"), method, path, body)
    assert answer.status_code == 422, answer.content
    assert field in answer.json()["errors"]
    assert not Topic.objects.exists() and not RoutingRule.objects.exists()
