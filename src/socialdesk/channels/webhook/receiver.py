"""Inbound webhooks: networks that push deliver JSON here, signed like Meta's webhooks.

The body must carry `X-Hub-Signature-256: sha256=<HMAC-SHA256 of the raw body with the
channel's secret>`; a missing or wrong signature gets 401 and writes nothing. A delivery
holds one item or a list of them (under `items` unless the mapping says otherwise); where
each field sits is a dotted path in the channel's mapping. Replayed deliveries create
nothing new: items are unique per channel and id.

The endpoint only checks and keeps a delivery (answering 202 with the items it accepted
and the ones it could not read); the worker stores the items in batches. That keeps the
endpoint fast under bursts and the database's write lock short.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from socialdesk.channels.models import ChannelAccount, Network, SetAsideItem, WebhookDelivery
from socialdesk.inbox.importing.pipeline import Importer
from socialdesk.inbox.importing.readers import ImportRow, RowError, row_from_fields
from socialdesk.inbox.models import Message

DEFAULT_MAPPING = {
    "items": "items",
    "id": "id",
    "author": "author",
    "text": "text",
    "created_at": "created_at",
    "parent_id": "parent_id",
    "inbound": "inbound",
    "author_name": "author_name",
}


logger = logging.getLogger(__name__)


class SignatureError(Exception):
    """The delivery is not signed with the channel's secret."""


@dataclass
class Delivery:
    stored: int = 0  # items accepted (stored by the worker; replays are recognised there)
    rejected: list[dict[str, Any]] = field(default_factory=list)


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(account: ChannelAccount, body: bytes, header: str | None) -> None:
    secret = str(account.credentials.get("secret", ""))
    if not secret or not header or not hmac.compare_digest(signature(secret, body), header.strip()):
        raise SignatureError("missing or wrong X-Hub-Signature-256")


def _path(document: Any, dotted: str) -> Any:
    value = document
    for part in dotted.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def _items(document: Any, mapping: dict[str, str]) -> list[Any]:
    if isinstance(document, list):
        return document
    listed = _path(document, mapping["items"]) if mapping.get("items") else None
    if isinstance(listed, list):
        return listed
    return [document]


def read(account: ChannelAccount, body: bytes) -> tuple[list[ImportRow], list[dict[str, Any]]]:
    """Map a delivery's items to rows; return them and the items that could not be read."""
    try:
        document = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"the body is not JSON: {error}") from None
    mapping = {**DEFAULT_MAPPING, **(account.mapping or {})}
    rows: list[ImportRow] = []
    rejected: list[dict[str, Any]] = []
    for index, item in enumerate(_items(document, mapping)):
        if not isinstance(item, dict):
            rejected.append({"item": index, "reason": "an item is not a JSON object"})
            continue
        fields = {}
        for name in ("id", "author", "text", "created_at", "parent_id", "inbound", "author_name"):
            value = _path(item, mapping[name])
            if isinstance(value, bool):
                fields[name] = "true" if value else "false"
            elif value is not None:
                fields[name] = str(value)
        row = row_from_fields(fields, default_account=account.handle)
        if isinstance(row, RowError):
            rejected.append({"item": index, "reason": row.reason})
        else:
            rows.append(row)
    return rows, rejected


def accept(account: ChannelAccount, body: bytes) -> Delivery:
    """Check a verified delivery item by item and keep it for the worker (one INSERT).

    The answer names every item that cannot be read; the others are stored by the worker
    within seconds (`process_pending`). Nothing is kept when no item can be read.
    """
    rows, rejected = read(account, body)
    delivery = Delivery(stored=len(rows), rejected=rejected)
    if rows:
        WebhookDelivery.objects.create(channel_account=account, body=body)
        _process_soon()
    return delivery


_last_queued = 0.0


def _process_soon() -> None:
    """Ask the worker to store the items: at most once a second per web process."""
    import time

    global _last_queued
    now = time.monotonic()
    if now - _last_queued < 1.0:
        return
    _last_queued = now
    from socialdesk.channels.tasks import process_webhooks

    try:
        transaction.on_commit(process_webhooks.enqueue)
    except Exception:  # the worker's schedule picks the delivery up anyway
        logger.exception("could not queue webhook processing")


def process_pending(limit: int = 500) -> int:
    """Store the items of waiting deliveries; return how many messages were new.

    Items and the "processed" mark are written in one transaction, so a crash repeats a
    batch instead of losing or doubling it; workers skip deliveries another one holds.
    """
    stored = 0
    while True:
        with transaction.atomic():
            pending = list(
                WebhookDelivery.objects.select_for_update(skip_locked=True)
                .filter(processed_at__isnull=True)
                .select_related("channel_account")
                .order_by("received_at", "pk")[:limit]
            )
            if not pending:
                return stored
            stored += _store(pending)
        if len(pending) < limit:
            return stored


def _store(pending: list[WebhookDelivery]) -> int:
    """Store the items of a batch of deliveries: one import per channel, in big chunks."""
    now = timezone.now()
    stored = 0
    by_account: dict[int, list[WebhookDelivery]] = {}
    for delivery in pending:
        by_account.setdefault(delivery.channel_account_id, []).append(delivery)
    for deliveries in by_account.values():
        account = deliveries[0].channel_account
        rows_of: dict[int, list[ImportRow]] = {}
        for delivery in deliveries:
            try:
                rows_of[delivery.pk], _rejected = read(account, bytes(delivery.body))
            except ValueError as error:  # checked when it arrived; kept in sight if not
                SetAsideItem.objects.create(channel_account=account, reason=str(error))
                rows_of[delivery.pk] = []
        ids = [row.external_id for rows in rows_of.values() for row in rows]
        seen = set(
            Message.objects.filter(channel_account=account, external_id__in=ids).values_list(
                "external_id", flat=True
            )
        )
        for delivery in deliveries:
            delivery_ids = [row.external_id for row in rows_of[delivery.pk]]
            delivery.duplicates = sum(1 for i in delivery_ids if i in seen)
            delivery.stored = len(delivery_ids) - delivery.duplicates
            delivery.processed_at = now
            seen.update(delivery_ids)
        importer = Importer(
            network=Network.WEBHOOK, company_handles={account.handle}, fixed_account=account
        )
        importer.feed(
            account.name, list(enumerate(row for rows in rows_of.values() for row in rows))
        )
        WebhookDelivery.objects.bulk_update(deliveries, ["stored", "duplicates", "processed_at"])
        ChannelAccount.objects.filter(pk=account.pk).update(last_success_at=now)
        stored += importer.stats.created
    return stored
