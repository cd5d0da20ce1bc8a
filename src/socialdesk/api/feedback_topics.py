"""REST API for the feedback settings (the Topics page, managers): the organisation's topics
(feedback on a topic goes to its department) and the routing rules checked before them (text
matching a query goes to a department). Through the page's own forms (`TopicForm`, `RuleForm`)
and services (`feedback.topics`), so a value the page refuses is refused here too (422 at the
API's field names) and every change is audited with the token.

What the page offers is what the API offers: a topic is added or changed, not renamed or
deleted (its name is what people's labels and the trained models know it by)."""

from __future__ import annotations

from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import AfterValidator, Field

from socialdesk.api.auth import acting, allow
from socialdesk.api.inputs import Id, Text
from socialdesk.api.post_schemas import ERRORS, Ref
from socialdesk.core.http import ApiRequest
from socialdesk.core.params import MAX_INT
from socialdesk.feedback import forms
from socialdesk.feedback import topics as services
from socialdesk.feedback.models import RoutingRule, Topic

router = Router(tags=["feedback"])

MAX_KEYWORDS = 200


def _one_keyword(value: str) -> str:
    if "," in value or "\n" in value or "\r" in value:
        raise ValueError(_("A keyword may not contain a comma or a line break."))
    return value.strip()


Keyword = Annotated[Text, Field(min_length=1, max_length=100), AfterValidator(_one_keyword)]


class TopicOut(Schema):
    id: int
    name: str
    keywords: list[str] = Field(description="They suggest the topic until a model has learnt it.")
    department: Ref | None = Field(description="Feedback on the topic goes there.")


class TopicIn(Schema):
    name: Annotated[Text, Field(min_length=1, max_length=80)]
    keywords: list[Keyword] = Field(default_factory=list, max_length=MAX_KEYWORDS)
    department_id: Id | None = Field(default=None, description="null: no department.")


class TopicChange(Schema):
    keywords: list[Keyword] = Field(default_factory=list, max_length=MAX_KEYWORDS)
    department_id: Id | None = Field(default=None, description="null: no department.")


class RuleOut(Schema):
    id: int
    query: str
    department: Ref
    priority: int = Field(description="Lower is checked first.")


class RuleIn(Schema):
    query: Annotated[Text, Field(min_length=1, max_length=2_000)] = Field(
        description='The listening language: words, "phrases", prefix*, AND/OR/NOT, (groups).'
    )
    department_id: Id
    priority: Annotated[int, Field(ge=0, le=MAX_INT)] = 100


def _topic_out(topic: Topic) -> TopicOut:
    department = topic.department
    return TopicOut(
        id=topic.pk,
        name=topic.name,
        keywords=topic.keyword_list(),
        department=Ref(id=department.pk, name=department.name) if department else None,
    )


def _rule_out(rule: RoutingRule) -> RuleOut:
    department = Ref(id=rule.department.pk, name=rule.department.name)
    return RuleOut(id=rule.pk, query=rule.query, department=department, priority=rule.priority)


def _valid(form: BaseForm, names: dict[str, str], department_id: int | None) -> dict[str, Any]:
    """The form's cleaned data, or its errors at the API's field names. The page's department
    field takes an unknown id as none; the API says so instead."""
    valid = form.is_valid()
    errors = {names.get(field, field): list(messages) for field, messages in form.errors.items()}
    if department_id is not None and form.cleaned_data.get("department") is None:
        errors["department_id"] = [_("There is no department with this id.")]
    if errors or not valid:
        raise ValidationError(errors)
    return form.cleaned_data


def _save(request: ApiRequest, name: str, payload: TopicIn | TopicChange) -> Topic:
    form = forms.TopicForm(
        {
            "name": name,
            "keywords": "\n".join(payload.keywords),
            "department": payload.department_id or "",
        }
    )
    cleaned = _valid(form, {"department": "department_id"}, payload.department_id)
    return services.topic_save(
        by=acting(request),
        name=cleaned["name"],
        keywords=cleaned["keywords"],
        department=cleaned["department"],
    )


@router.get(
    "/topics",
    response={200: list[TopicOut], **ERRORS},
    summary="The feedback topics",
    **allow("list_feedback_topics"),
)
def list_feedback_topics(request: ApiRequest) -> Any:
    """By name, each with its keywords and department."""
    return [_topic_out(t) for t in Topic.objects.select_related("department").order_by("name")]


@router.post(
    "/topics",
    response={200: TopicOut, 201: TopicOut, **ERRORS},
    summary="Add or change a topic",
    **allow("save_feedback_topic"),
)
def save_feedback_topic(request: ApiRequest, payload: TopicIn) -> Any:
    """As the page: a new name adds a topic (201); the name of an existing one changes its
    keywords and department (200)."""
    existed = Topic.objects.filter(name=payload.name.strip()).exists()
    topic = _save(request, payload.name, payload)
    return Status(200 if existed else 201, _topic_out(topic))


@router.put(
    "/topics/{topic_id}",
    response={200: TopicOut, **ERRORS},
    summary="Change a topic's keywords and department",
    **allow("update_feedback_topic"),
)
def update_feedback_topic(request: ApiRequest, topic_id: Id, payload: TopicChange) -> Any:
    """Feedback already captured keeps where it went; new feedback on the topic goes to the
    new department."""
    topic = get_object_or_404(Topic, pk=topic_id)
    return _topic_out(_save(request, topic.name, payload))


@router.get(
    "/routing-rules",
    response={200: list[RuleOut], **ERRORS},
    summary="The routing rules",
    **allow("list_routing_rules"),
)
def list_routing_rules(request: ApiRequest) -> Any:
    """In the order they are checked (by priority, lower first), before the topics decide."""
    rules = RoutingRule.objects.select_related("department").order_by("priority", "pk")
    return [_rule_out(r) for r in rules]


@router.post(
    "/routing-rules",
    response={201: RuleOut, **ERRORS},
    summary="Add a routing rule",
    **allow("create_routing_rule"),
)
def create_routing_rule(request: ApiRequest, payload: RuleIn) -> Any:
    """Feedback whose text matches the query goes to the department. A query it cannot read
    is a 422 naming the position."""
    form = forms.RuleForm(
        {
            "query": payload.query,
            "department": payload.department_id,
            "priority": payload.priority,
        }
    )
    cleaned = _valid(form, {"__all__": "department_id"}, payload.department_id)
    rule = services.rule_create(
        by=acting(request),
        query=cleaned["query"],
        department=cleaned["department"],
        priority=cleaned["priority"],
    )
    return Status(201, _rule_out(rule))


@router.delete(
    "/routing-rules/{rule_id}",
    response={204: None, **ERRORS},
    summary="Remove a routing rule",
    **allow("delete_routing_rule"),
)
def delete_routing_rule(request: ApiRequest, rule_id: Id) -> Any:
    rule = get_object_or_404(RoutingRule.objects.select_related("department"), pk=rule_id)
    services.rule_delete(by=acting(request), rule=rule)
    return Status(204, None)
