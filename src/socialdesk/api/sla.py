"""REST API for the response-time targets: SLA policies and the business hours their clocks
run in. Everyone reads; managers change them through the SLA page's own forms and services, so
a value the page refuses is refused here too (422, at the API's field names)."""

from __future__ import annotations

from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from socialdesk.api.auth import acting, allow
from socialdesk.api.inputs import Id, Text
from socialdesk.api.post_schemas import ERRORS, Ref
from socialdesk.core.http import ApiRequest
from socialdesk.sla import services
from socialdesk.sla.forms import BusinessHoursForm, SlaPolicyForm, format_hours
from socialdesk.sla.models import BusinessHours, SlaPolicy

router = Router(tags=["sla"])


class BusinessHoursOut(Schema):
    id: int
    name: str
    time_zone: str
    german_state: str = Field(description="Its public holidays ('' for the nationwide ones).")
    weekly_hours: dict[str, list[list[str]]] = Field(
        description='Per weekday ("0" is Monday) the open spans, e.g. [["09:00", "17:00"]].'
    )
    closed_days: list[str] = Field(description="Other closed days (YYYY-MM-DD).")


class SlaPolicyOut(Schema):
    id: int
    name: str
    active: bool
    priority: int = Field(description="Lower comes first: the first active match applies.")
    first_response_minutes: int
    next_response_minutes: int | None
    resolution_minutes: int | None
    warn_before_minutes: int
    business_hours: Ref | None = Field(description="null: the clock runs around the clock.")
    channel_ids: list[int] = Field(description="Covers only these channels ([]: all).")
    department_ids: list[int]
    tags: list[str]


@router.get(
    "/sla-policies",
    response={200: list[SlaPolicyOut], **ERRORS},
    summary="SLA policies",
    **allow("list_sla_policies"),
)
def list_sla_policies(request: ApiRequest) -> Any:
    """Every policy in the order they are tried, with what it covers."""
    return [_policy_out(p) for p in _policies()]


def _policies() -> Any:
    return (
        SlaPolicy.objects.select_related("business_hours")
        .prefetch_related("channel_accounts", "departments", "tags")
        .order_by("priority", "name")
    )


def _policy_out(p: SlaPolicy) -> SlaPolicyOut:
    return SlaPolicyOut(
        id=p.pk,
        name=p.name,
        active=p.is_active,
        priority=p.priority,
        first_response_minutes=p.first_response_minutes,
        next_response_minutes=p.next_response_minutes,
        resolution_minutes=p.resolution_minutes,
        warn_before_minutes=p.warn_before_minutes,
        business_hours=(
            Ref(id=p.business_hours.pk, name=p.business_hours.name) if p.business_hours else None
        ),
        channel_ids=sorted(c.pk for c in p.channel_accounts.all()),
        department_ids=sorted(d.pk for d in p.departments.all()),
        tags=sorted(t.name for t in p.tags.all()),
    )


@router.get(
    "/business-hours",
    response={200: list[BusinessHoursOut], **ERRORS},
    summary="Business hours",
    **allow("list_business_hours"),
)
def list_business_hours(request: ApiRequest) -> Any:
    return [_hours_out(h) for h in BusinessHours.objects.order_by("name")]


def _hours_out(h: BusinessHours) -> BusinessHoursOut:
    return BusinessHoursOut(
        id=h.pk,
        name=h.name,
        time_zone=h.time_zone,
        german_state=h.german_state,
        weekly_hours=h.weekly_hours or {},
        closed_days=list(h.closed_days or []),
    )


Minutes = Annotated[int, Field(ge=1, le=10_000_000)]


class SlaPolicyIn(Schema):
    name: Annotated[Text, Field(min_length=1, max_length=200)]
    active: bool = True
    priority: Annotated[int, Field(ge=0, le=1_000_000)] = 100
    first_response_minutes: Minutes
    next_response_minutes: Minutes | None = None
    resolution_minutes: Minutes | None = None
    warn_before_minutes: Annotated[int, Field(ge=0, le=10_000_000)] = 30
    business_hours_id: Id | None = Field(default=None, description="null: around the clock.")
    channel_ids: list[Id] = Field(default=[], description="[]: every channel.")
    department_ids: list[Id] = Field(default=[], description="[]: every department, and none.")
    tag_ids: list[Id] = Field(default=[], description="[]: with or without tags.")


class BusinessHoursIn(Schema):
    name: Annotated[Text, Field(min_length=1, max_length=200)]
    time_zone: Annotated[Text, Field(max_length=64)] = "Europe/Berlin"
    german_state: Annotated[Text, Field(max_length=2)] = ""
    weekly_hours: dict[str, list[list[Annotated[Text, Field(max_length=5)]]]] = Field(
        description='Per weekday ("0" is Monday) the open spans, e.g. {"0": [["09:00", "17:00"]]}.'
    )
    closed_days: list[Annotated[Text, Field(max_length=10)]] = []


# The page's form fields, as the API names them in its 422 answers.
_POLICY_FIELDS = {"is_active": "active", "business_hours": "business_hours_id",
                  "channel_accounts": "channel_ids", "departments": "department_ids",
                  "tags": "tag_ids"}  # fmt: skip
_HOURS_FIELDS = {"hours_text": "weekly_hours", "closed_text": "closed_days"}


def _valid(form: BaseForm, names: dict[str, str]) -> None:
    if not form.is_valid():
        raise ValidationError(
            {names.get(field, field): list(errors) for field, errors in form.errors.items()}
        )


def _policy_form(payload: SlaPolicyIn, instance: SlaPolicy | None) -> SlaPolicyForm:
    data: dict[str, Any] = {
        "name": payload.name,
        "is_active": payload.active,
        "priority": payload.priority,
        "first_response_minutes": payload.first_response_minutes,
        "next_response_minutes": payload.next_response_minutes or "",
        "resolution_minutes": payload.resolution_minutes or "",
        "warn_before_minutes": payload.warn_before_minutes,
        "business_hours": payload.business_hours_id or "",
        "channel_accounts": payload.channel_ids,
        "departments": payload.department_ids,
        "tags": payload.tag_ids,
    }
    form = SlaPolicyForm(data, instance=instance)
    _valid(form, _POLICY_FIELDS)
    return form


def _hours_form(payload: BusinessHoursIn, instance: BusinessHours | None) -> BusinessHoursForm:
    days = payload.weekly_hours
    try:
        if not set(days) <= {str(day) for day in range(7)}:
            raise ValueError(days)
        text = format_hours(days)
    except (KeyError, ValueError, IndexError, TypeError):
        raise ValidationError(
            {
                "weekly_hours": [
                    _('Name each day "0" (Monday) to "6" with spans like ["09:00", "17:00"].')
                ]
            }
        ) from None
    data = {
        "name": payload.name,
        "time_zone": payload.time_zone,
        "german_state": payload.german_state,
        "hours_text": text,
        "closed_text": "\n".join(payload.closed_days),
    }
    form = BusinessHoursForm(data, instance=instance)
    _valid(form, _HOURS_FIELDS)
    return form


@router.post(
    "/sla-policies",
    response={201: SlaPolicyOut, **ERRORS},
    summary="Add an SLA policy",
    **allow("create_sla_policy"),
)
def create_sla_policy(request: ApiRequest, payload: SlaPolicyIn) -> Any:
    """Open conversations are measured against it at once (as on the page)."""
    policy = services.policy_save(by=acting(request), form=_policy_form(payload, None))
    return Status(201, _policy_out(_policies().get(pk=policy.pk)))


@router.put(
    "/sla-policies/{policy_id}",
    response={200: SlaPolicyOut, **ERRORS},
    summary="Change an SLA policy",
    **allow("update_sla_policy"),
)
def update_sla_policy(request: ApiRequest, policy_id: Id, payload: SlaPolicyIn) -> Any:
    """A clock already stopped keeps its outcome; running clocks follow the new targets."""
    policy = get_object_or_404(SlaPolicy, pk=policy_id)
    services.policy_save(by=acting(request), form=_policy_form(payload, policy))
    return _policy_out(_policies().get(pk=policy_id))


@router.delete(
    "/sla-policies/{policy_id}",
    response={204: None, **ERRORS},
    summary="Delete an SLA policy",
    **allow("delete_sla_policy"),
)
def delete_sla_policy(request: ApiRequest, policy_id: Id) -> Any:
    policy = get_object_or_404(SlaPolicy, pk=policy_id)
    services.policy_delete(by=acting(request), policy=policy)
    return Status(204, None)


@router.post(
    "/business-hours",
    response={201: BusinessHoursOut, **ERRORS},
    summary="Add business hours",
    **allow("create_business_hours"),
)
def create_business_hours(request: ApiRequest, payload: BusinessHoursIn) -> Any:
    hours = services.business_hours_save(by=acting(request), form=_hours_form(payload, None))
    return Status(201, _hours_out(hours))


@router.put(
    "/business-hours/{hours_id}",
    response={200: BusinessHoursOut, **ERRORS},
    summary="Change business hours",
    **allow("update_business_hours"),
)
def update_business_hours(request: ApiRequest, hours_id: Id, payload: BusinessHoursIn) -> Any:
    hours = get_object_or_404(BusinessHours, pk=hours_id)
    saved = services.business_hours_save(by=acting(request), form=_hours_form(payload, hours))
    return _hours_out(saved)
