"""Issue 15, outgoing webhooks: their pages in the page-wide checks (see `__init__.py`).

The sample is a subscription with one delivered and one waiting delivery, so the log shows
both states (read in German by `test_german_pages.py`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _sample(data: dict[str, Any]) -> dict[str, Any]:
    from django.db import transaction

    from socialdesk.core import events
    from socialdesk.webhooks.models import Delivery, DeliveryState, Subscription

    if "webhook" not in data:
        subscription = Subscription.objects.filter(name="Issue tracker").first()
        if subscription is None:
            subscription = Subscription(name="Issue tracker", events=["conversation.resolved"])
            subscription.set_credentials(url="https://tracker.example/hooks", secret="whsec_x")
            subscription.save()
            with transaction.atomic():
                events.emit(
                    "conversation.resolved", [("conversation:1", {}), ("conversation:2", {})]
                )
            first = Delivery.objects.filter(subscription=subscription).order_by("pk").first()
            assert first is not None
            Delivery.objects.filter(pk=first.pk).update(
                state=DeliveryState.DELIVERED, response_code=200, attempts=1
            )
        data["webhook"] = subscription.pk
        data["webhook_delivery"] = (
            Delivery.objects.filter(subscription=subscription).order_by("pk").first().pk  # type: ignore[union-attr]
        )
    return {"pk": data["webhook"]}


def _delivery(data: dict[str, Any]) -> dict[str, Any]:
    _sample(data)
    return {"pk": data["webhook"], "delivery_pk": data["webhook_delivery"]}


_ONE = ("detail", "edit", "delete", "pause", "resume", "rotate", "test", "redeliver_failed")
ARGS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    **{f"webhooks:{name}": _sample for name in _ONE},
    "webhooks:delivery": _delivery,
    "webhooks:redeliver": _delivery,
}
