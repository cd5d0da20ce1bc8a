"""Inbound webhooks: networks that push deliver JSON here, signed like Meta's webhooks.

The body must carry `X-Hub-Signature-256: sha256=<HMAC-SHA256 of the raw body with the
channel's secret>`; a missing or wrong signature gets 401 and writes nothing. A delivery
holds one item or a list of them (under `items` unless the mapping says otherwise); where
each field sits is a dotted path in the channel's mapping. Replayed deliveries create
nothing new: items are unique per channel and id.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.inbox.importing.pipeline import Importer
from socialdesk.inbox.importing.readers import ImportRow, RowError, row_from_fields

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


class SignatureError(Exception):
    """The delivery is not signed with the channel's secret."""


@dataclass
class Delivery:
    stored: int = 0
    duplicates: int = 0
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


def receive(account: ChannelAccount, body: bytes) -> Delivery:
    """Store the items of a verified delivery; report the ones that could not be read."""
    try:
        document = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"the body is not JSON: {error}") from None
    mapping = {**DEFAULT_MAPPING, **(account.mapping or {})}
    delivery = Delivery()
    rows: list[tuple[int, ImportRow | RowError]] = []
    for index, item in enumerate(_items(document, mapping)):
        if not isinstance(item, dict):
            rows.append((index, RowError("an item is not a JSON object")))
            continue
        fields = {}
        for name in ("id", "author", "text", "created_at", "parent_id", "inbound", "author_name"):
            value = _path(item, mapping[name])
            if isinstance(value, bool):
                fields[name] = "true" if value else "false"
            elif value is not None:
                fields[name] = str(value)
        rows.append((index, row_from_fields(fields, default_account=account.handle)))

    def rejected(rejection: Any) -> None:
        delivery.rejected.append({"item": rejection.line, "reason": rejection.reason})

    with transaction.atomic():
        importer = Importer(
            network=Network.WEBHOOK,
            company_handles={account.handle},
            fixed_account=account,
            on_rejection=rejected,
        )
        importer.feed(account.name, rows)
    delivery.stored = importer.stats.created
    delivery.duplicates = importer.stats.duplicates
    return delivery
