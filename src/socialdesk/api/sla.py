"""REST API for the response-time targets: SLA policies and the business hours their clocks
run in (read; changed on the SLA page by managers)."""

from __future__ import annotations

from typing import Any

from ninja import Router, Schema
from pydantic import Field

from socialdesk.api.auth import allow
from socialdesk.api.post_schemas import ERRORS, Ref
from socialdesk.core.http import ApiRequest
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
    policies = (
        SlaPolicy.objects.select_related("business_hours")
        .prefetch_related("channel_accounts", "departments", "tags")
        .order_by("priority", "name")
    )
    return [
        SlaPolicyOut(
            id=p.pk,
            name=p.name,
            active=p.is_active,
            priority=p.priority,
            first_response_minutes=p.first_response_minutes,
            next_response_minutes=p.next_response_minutes,
            resolution_minutes=p.resolution_minutes,
            warn_before_minutes=p.warn_before_minutes,
            business_hours=(
                Ref(id=p.business_hours.pk, name=p.business_hours.name)
                if p.business_hours
                else None
            ),
            channel_ids=sorted(c.pk for c in p.channel_accounts.all()),
            department_ids=sorted(d.pk for d in p.departments.all()),
            tags=sorted(t.name for t in p.tags.all()),
        )
        for p in policies
    ]


@router.get(
    "/business-hours",
    response={200: list[BusinessHoursOut], **ERRORS},
    summary="Business hours",
    **allow("list_business_hours"),
)
def list_business_hours(request: ApiRequest) -> Any:
    return [
        BusinessHoursOut(
            id=h.pk,
            name=h.name,
            time_zone=h.time_zone,
            german_state=h.german_state,
            weekly_hours=h.weekly_hours or {},
            closed_days=list(h.closed_days or []),
        )
        for h in BusinessHours.objects.order_by("name")
    ]
