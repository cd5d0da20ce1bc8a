"""REST API for the outgoing webhooks (admins): subscriptions, their delivery log, redelivery.

The same selectors and services as Settings → Webhooks; the address is checked as in the form
(a public address or one of the operator's networks), the secret is in the answer once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from socialdesk.api.auth import acting, allow
from socialdesk.api.inputs import Id, Text
from socialdesk.api.paging import Order, PageQuery, page
from socialdesk.api.post_schemas import ERRORS, Error
from socialdesk.core import events
from socialdesk.core.http import ApiRequest
from socialdesk.webhooks import selectors, services
from socialdesk.webhooks.forms import check_address
from socialdesk.webhooks.models import Delivery, Subscription

router = Router(tags=["webhooks"])

Url = Annotated[Text, Field(min_length=1, max_length=2_000)]


class EventKindOut(Schema):
    name: str
    label: str
    group: str


class WebhookOut(Schema):
    id: int
    name: str
    url: str = Field(description="The address, secrets in it replaced by •••.")
    events: list[str]
    state: Literal["active", "paused", "failing"] = Field(
        description="failing: paused by socialdesk after repeated failures."
    )
    paused_at: datetime | None
    failures: int = Field(description="Failed attempts in a row.")
    last_success_at: datetime | None
    waiting: int = Field(description="Deliveries waiting to be sent (or retried).")
    given_up: int
    created_at: datetime


class WebhookCreated(WebhookOut):
    secret: str = Field(description="Signs every delivery; shown only in this answer.")


class WebhookIn(Schema):
    name: Annotated[Text, Field(min_length=1, max_length=200)]
    url: Url
    events: list[str] = Field(min_length=1, description="Names from GET /webhooks/events.")


class WebhookChange(Schema):
    name: Annotated[Text, Field(min_length=1, max_length=200)] | None = None
    url: Url | None = None
    events: list[str] | None = Field(default=None, min_length=1)


class SecretOut(Schema):
    secret: str


class CountOut(Schema):
    count: int


class DeliveryOut(Schema):
    id: int
    event_id: str
    type: str
    subject: str
    state: Literal["pending", "delivered", "failed"]
    attempts: int
    response_code: int | None
    error: str
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None = Field(description="None while the webhook is paused.")
    delivered_at: datetime | None


class DeliveryPage(Schema):
    items: list[DeliveryOut]
    next: str | None


class DeliveryQuery(PageQuery):
    state: Literal["", "pending", "delivered", "failed"] = ""


def _out(s: Subscription) -> WebhookOut:
    return WebhookOut(
        id=s.pk,
        name=s.name,
        url=s.url,
        events=list(s.events),
        state=s.state,  # type: ignore[arg-type]
        paused_at=s.paused_at,
        failures=s.failures,
        last_success_at=s.last_success_at,
        waiting=getattr(s, "waiting", 0),
        given_up=getattr(s, "given_up", 0),
        created_at=s.created_at,
    )


def _delivery(d: Delivery) -> DeliveryOut:
    return DeliveryOut(
        id=d.pk,
        event_id=str(d.event.uid),
        type=d.event.kind,
        subject=d.subject,
        state=d.state,  # type: ignore[arg-type]
        attempts=d.attempts,
        response_code=d.response_code,
        error=d.error,
        created_at=d.created_at,
        last_attempt_at=d.last_attempt_at,
        next_attempt_at=d.next_attempt_at,
        delivered_at=d.delivered_at,
    )


def _checked(url: str | None, names: list[str] | None) -> tuple[str | None, list[str] | None]:
    """The address and events checked together: every wrong field named in one 422."""
    errors: dict[str, list[str]] = {}
    if url is not None:
        try:
            url = check_address(url)
        except ValidationError as error:
            errors["url"] = error.messages
    unknown = [n for n in names or [] if n not in events.KINDS]
    if unknown:
        errors["events"] = [_("Unknown event: %(names)s.") % {"names": ", ".join(unknown)}]
    if errors:
        raise ValidationError(errors)
    return url, names


def _one(request: ApiRequest, webhook_id: int) -> Subscription:
    return selectors.subscription_for(request.auth, webhook_id)


@router.get(
    "/webhooks/events",
    response={200: list[EventKindOut], **ERRORS},
    summary="The events a webhook can hear",
    **allow("list_webhook_events"),
)
def list_webhook_events(request: ApiRequest) -> Any:
    return [
        EventKindOut(name=k.name, label=str(k.label), group=str(k.group))
        for k in events.KINDS.values()
    ]


@router.get(
    "/webhooks",
    response={200: list[WebhookOut], **ERRORS},
    summary="List webhooks",
    **allow("list_webhooks"),
)
def list_webhooks(request: ApiRequest) -> Any:
    return [_out(s) for s in selectors.subscriptions_for(request.auth)]


@router.get(
    "/webhooks/{webhook_id}",
    response={200: WebhookOut, **ERRORS},
    summary="One webhook",
    **allow("get_webhook"),
)
def get_webhook(request: ApiRequest, webhook_id: Id) -> Any:
    return _out(_one(request, webhook_id))


@router.post(
    "/webhooks",
    response={201: WebhookCreated, **ERRORS},
    summary="Add a webhook",
    **allow("create_webhook"),
)
def create_webhook(request: ApiRequest, payload: WebhookIn) -> Any:
    """The answer carries the signing secret, once. An address inside a network (unless the
    operator named it) or one that does not resolve is a 422 at `url`."""
    url, kinds = _checked(payload.url, payload.events)
    assert url is not None and kinds is not None
    made, secret = services.subscription_create(
        by=acting(request), name=payload.name, url=url, kinds=kinds
    )
    out = _out(_one(request, made.pk))
    return Status(201, WebhookCreated(**out.dict(), secret=secret))


@router.patch(
    "/webhooks/{webhook_id}",
    response={200: WebhookOut, **ERRORS},
    summary="Change a webhook",
    **allow("update_webhook"),
)
def update_webhook(request: ApiRequest, webhook_id: Id, payload: WebhookChange) -> Any:
    subscription = _one(request, webhook_id)
    url, kinds = _checked(payload.url, payload.events)
    services.subscription_update(
        by=acting(request),
        subscription=subscription,
        name=payload.name if payload.name is not None else subscription.name,
        url=url,
        kinds=kinds if kinds is not None else list(subscription.events),
    )
    return get_webhook(request, webhook_id)


@router.delete(
    "/webhooks/{webhook_id}",
    response={204: None, **ERRORS},
    summary="Delete a webhook and its log",
    **allow("delete_webhook"),
)
def delete_webhook(request: ApiRequest, webhook_id: Id) -> Any:
    services.subscription_delete(by=acting(request), subscription=_one(request, webhook_id))
    return Status(204, None)


@router.post(
    "/webhooks/{webhook_id}/pause",
    response={200: WebhookOut, **ERRORS},
    summary="Pause a webhook (its events wait)",
    **allow("pause_webhook"),
)
def pause_webhook(request: ApiRequest, webhook_id: Id) -> Any:
    services.subscription_pause(by=acting(request), subscription=_one(request, webhook_id))
    return get_webhook(request, webhook_id)


@router.post(
    "/webhooks/{webhook_id}/resume",
    response={200: WebhookOut, **ERRORS},
    summary="Resume a webhook",
    **allow("resume_webhook"),
)
def resume_webhook(request: ApiRequest, webhook_id: Id) -> Any:
    """What waited is sent now; what waited longer than a day is given up (see `given_up`)."""
    services.subscription_resume(by=acting(request), subscription=_one(request, webhook_id))
    return get_webhook(request, webhook_id)


@router.post(
    "/webhooks/{webhook_id}/secret",
    response={200: SecretOut, **ERRORS},
    summary="A new signing secret",
    **allow("rotate_webhook_secret"),
)
def rotate_webhook_secret(request: ApiRequest, webhook_id: Id) -> Any:
    secret = services.secret_rotate(by=acting(request), subscription=_one(request, webhook_id))
    return SecretOut(secret=secret)


@router.post(
    "/webhooks/{webhook_id}/test",
    response={202: DeliveryOut, **ERRORS},
    summary="Send a test event (ping)",
    **allow("test_webhook"),
)
def test_webhook(request: ApiRequest, webhook_id: Id) -> Any:
    made = services.send_test(by=acting(request), subscription=_one(request, webhook_id))
    return Status(202, _delivery(made))


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response={200: DeliveryPage, **ERRORS, 400: Error},
    summary="A webhook's delivery log",
    **allow("list_webhook_deliveries"),
)
def list_webhook_deliveries(
    request: ApiRequest, webhook_id: Id, filters: Query[DeliveryQuery]
) -> Any:
    """Newest first."""
    subscription = _one(request, webhook_id)
    rows = selectors.deliveries_for(request.auth, subscription, filters.state)
    found, following = page(
        rows, Order("created_at", descending=True), filters.cursor, filters.limit
    )
    return DeliveryPage(items=[_delivery(d) for d in found], next=following)


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
    response={202: DeliveryOut, **ERRORS},
    summary="Send one event again",
    **allow("redeliver_webhook_delivery"),
)
def redeliver_webhook_delivery(request: ApiRequest, webhook_id: Id, delivery_id: Id) -> Any:
    """The same event id: a receiver that saw it can tell."""
    subscription = _one(request, webhook_id)
    found = selectors.delivery_for(request.auth, subscription, delivery_id)
    return Status(202, _delivery(services.redeliver(by=acting(request), delivery=found)))


@router.post(
    "/webhooks/{webhook_id}/redeliver",
    response={202: CountOut, **ERRORS},
    summary="Send every given-up event again",
    **allow("redeliver_webhook_failed"),
)
def redeliver_webhook_failed(request: ApiRequest, webhook_id: Id) -> Any:
    subscription = _one(request, webhook_id)
    count = services.redeliver_failed(by=acting(request), subscription=subscription)
    return Status(202, CountOut(count=count))
