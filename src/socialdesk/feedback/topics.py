"""Writes for the feedback settings: topics and the routing rules checked before them."""

from __future__ import annotations

from django.db import transaction

from socialdesk.accounts.audit import Acting, record
from socialdesk.accounts.models import Department
from socialdesk.feedback.models import RoutingRule, Topic
from socialdesk.insights.query import check_query


def _department_name(department: Department | None) -> str:
    return department.name if department is not None else ""


def topic_save(
    *, by: Acting, name: str, keywords: str = "", department: Department | None = None
) -> Topic:
    """Create a topic or change the one of that name (names are cut to 80 characters)."""
    with transaction.atomic():
        topic, created = Topic.objects.update_or_create(
            name=name.strip()[:80], defaults={"keywords": keywords, "department": department}
        )
        record(
            by,
            "feedback.topic_created" if created else "feedback.topic_saved",
            topic,
            after={
                "name": topic.name,
                "keywords": topic.keywords,
                "department": _department_name(department),
            },
        )
    return topic


def rule_create(
    *, by: Acting, query: str, department: Department, priority: int = 100
) -> RoutingRule:
    """Add a routing rule (query → department); the query must be readable."""
    check_query(query)
    with transaction.atomic():
        rule = RoutingRule.objects.create(query=query, department=department, priority=priority)
        record(
            by,
            "feedback.rule_created",
            rule,
            after={"query": query, "department": department.name, "priority": priority},
        )
    return rule


def rule_delete(*, by: Acting, rule: RoutingRule) -> None:
    """Remove a routing rule."""
    with transaction.atomic():
        record(
            by,
            "feedback.rule_deleted",
            rule,
            before={
                "query": rule.query,
                "department": _department_name(rule.department),
                "priority": rule.priority,
            },
        )
        rule.delete()
