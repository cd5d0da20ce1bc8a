"""Topics and routing rules are saved through the feedback services and kept in the audit log."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from socialdesk.accounts.models import AuditEvent, Department, User
from socialdesk.feedback.models import RoutingRule, Topic

pytestmark = pytest.mark.django_db


def _actions(person: User) -> list[str]:
    return list(
        AuditEvent.objects.filter(actor=person, action__startswith="feedback.")
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_it_saves_topics_and_rules_and_records_who_did_it(
    client_as: Callable[[str], Client],
    people: dict[str, User],
    departments: dict[str, Department],
) -> None:
    manager, product = client_as("manager"), departments["Product Development"]
    url = reverse("feedback:topics")
    manager.post(url, {"name": " Akku ", "keywords": "akku, battery", "department": product.pk})
    manager.post(url, {"name": "Akku", "keywords": "akku", "department": product.pk})
    assert list(Topic.objects.values_list("name", "keywords", "department")) == [
        ("Akku", "akku", product.pk)
    ]
    manager.post(url, {"kind": "rule", "query": "akku AND", "department": product.pk})
    manager.post(url, {"kind": "rule", "query": "akku", "priority": "5"})
    assert not RoutingRule.objects.exists()  # an unreadable query, then no department
    manager.post(url, {"kind": "rule", "query": "akku", "department": product.pk, "priority": "5"})
    rule = RoutingRule.objects.get()
    assert (rule.query, rule.department, rule.priority) == ("akku", product, 5)
    manager.post(url, {"kind": "rule", "remove": rule.pk})
    assert not RoutingRule.objects.exists()
    assert _actions(people["manager"]) == [
        "feedback.topic_created",
        "feedback.topic_saved",
        "feedback.rule_created",
        "feedback.rule_deleted",
    ]
    deleted = AuditEvent.objects.get(action="feedback.rule_deleted")
    assert deleted.before == {"query": "akku", "department": product.name, "priority": 5}
