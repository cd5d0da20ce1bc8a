"""REST API for listening: the monitors (a query in the listening language) and the customer
messages they matched, counted and shown as the caller may see them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from socialdesk.api.auth import acting, allow
from socialdesk.api.conversation_schemas import MessageOut, message
from socialdesk.api.inputs import Id, Text
from socialdesk.api.paging import Order, PageQuery, page
from socialdesk.api.post_schemas import ERRORS, Error
from socialdesk.core.http import ApiRequest
from socialdesk.listening import selectors, services
from socialdesk.listening.models import Monitor

router = Router(tags=["listening"])


class MonitorOut(Schema):
    id: int
    name: str
    query: str
    active: bool
    spike_minimum: int = Field(description="An hour with at least this many matches can alert.")
    matches_day: int = Field(description="Matches in the last 24 hours the caller may see.")
    matches_week: int
    created_at: datetime


class MonitorIn(Schema):
    name: Annotated[Text, Field(min_length=1, max_length=120)]
    query: Annotated[Text, Field(min_length=1, max_length=2_000)] = Field(
        description='The listening language: words, "phrases", prefix*, AND/OR/NOT, (groups).'
    )
    active: bool = True


class MatchOut(Schema):
    message: MessageOut
    conversation_id: int


class MatchPage(Schema):
    items: list[MatchOut]
    next: str | None


def _monitors(request: ApiRequest) -> Any:
    return selectors.monitors_with_volumes(request.auth, timezone.now()).order_by("name", "pk")


def _out(m: Monitor) -> MonitorOut:
    return MonitorOut(
        id=m.pk,
        name=m.name,
        query=m.query,
        active=m.is_active,
        spike_minimum=m.spike_minimum,
        matches_day=m.day,  # type: ignore[attr-defined]
        matches_week=m.week,  # type: ignore[attr-defined]
        created_at=m.created_at,
    )


@router.get(
    "/monitors",
    response={200: list[MonitorOut], **ERRORS},
    summary="List monitors",
    **allow("list_monitors"),
)
def list_monitors(request: ApiRequest) -> Any:
    return [_out(m) for m in _monitors(request)]


@router.get(
    "/monitors/{monitor_id}",
    response={200: MonitorOut, **ERRORS},
    summary="One monitor",
    **allow("get_monitor"),
)
def get_monitor(request: ApiRequest, monitor_id: Id) -> Any:
    return _out(get_object_or_404(_monitors(request), pk=monitor_id))


@router.post(
    "/monitors",
    response={201: MonitorOut, **ERRORS},
    summary="Add a monitor",
    **allow("create_monitor"),
)
def create_monitor(request: ApiRequest, payload: MonitorIn) -> Any:
    """A query it cannot read is a 422 naming the position."""
    made = services.monitor_create(by=acting(request), name=payload.name, query=payload.query)
    if not payload.active:
        services.monitor_update(
            by=acting(request), monitor=made, name=made.name, query=made.query, is_active=False
        )
    return Status(201, get_monitor(request, made.pk))


@router.put(
    "/monitors/{monitor_id}",
    response={200: MonitorOut, **ERRORS},
    summary="Change a monitor",
    **allow("update_monitor"),
)
def update_monitor(request: ApiRequest, monitor_id: Id, payload: MonitorIn) -> Any:
    """A new query matches anew from the recent messages on."""
    monitor = get_object_or_404(Monitor, pk=monitor_id)
    services.monitor_update(
        by=acting(request),
        monitor=monitor,
        name=payload.name,
        query=payload.query,
        is_active=payload.active,
    )
    return get_monitor(request, monitor_id)


@router.delete(
    "/monitors/{monitor_id}",
    response={204: None, **ERRORS},
    summary="Delete a monitor",
    **allow("delete_monitor"),
)
def delete_monitor(request: ApiRequest, monitor_id: Id) -> Any:
    services.monitor_delete(by=acting(request), monitor=get_object_or_404(Monitor, pk=monitor_id))
    return Status(204, None)


@router.get(
    "/monitors/{monitor_id}/matches",
    response={200: MatchPage, **ERRORS, 400: Error},
    summary="The messages a monitor matched",
    **allow("list_monitor_matches"),
)
def list_monitor_matches(request: ApiRequest, monitor_id: Id, filters: Query[PageQuery]) -> Any:
    """Newest first; only those in conversations the caller may open."""
    monitor = get_object_or_404(Monitor, pk=monitor_id)
    matches = selectors.matches_for_user(request.auth, monitor).select_related(
        "message__author_user"
    )
    found, following = page(
        matches, Order("created_at", descending=True), filters.cursor, filters.limit
    )
    items = [
        MatchOut(message=message(m.message), conversation_id=m.message.conversation_id)
        for m in found
    ]
    return MatchPage(items=items, next=following)
