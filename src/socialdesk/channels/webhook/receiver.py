"""Inbound webhooks: networks that push deliver JSON here, signed like Meta's webhooks.

The body must carry `X-Hub-Signature-256: sha256=<HMAC-SHA256 of the raw body with the
channel's secret>`; a missing or wrong signature gets 401 and writes nothing. A delivery
holds one item or a list of them (under `items` unless the mapping says otherwise); where
each field sits is a dotted path in the channel's mapping. Replayed deliveries create
nothing new: items are unique per channel and id.

The endpoint only checks and keeps a delivery (answering 202 with the items it accepted
and the ones it could not read); the worker stores the items in batches. That keeps the
endpoint fast under bursts and the database's write lock short. A batch starts half a second
after the delivery that queued it and takes every delivery there by then (`GATHER`,
`_queue_unless_covered`): under a steady stream the worker stores many items at once, not a
few at a time (a batch's fixed work costs about as much as storing twenty items). Bodies are
read exactly (numbers never through float) and refused with 400 when nested deeper than 64
levels.

Nothing acknowledged is lost: the worker stores every accepted item or sets it aside with
its reason (shown on the channel page), and so are the items the answer named as rejected.
Each channel's items are stored in their own savepoint: one channel's trouble never rolls
back another's, and a delivery is marked processed only together with its items.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max, Min, QuerySet
from django.utils import timezone

from socialdesk.channels import ingest
from socialdesk.channels.base import keep_set_aside, row_data, set_aside_item
from socialdesk.channels.items import jsontext
from socialdesk.channels.items.normalise import normalise
from socialdesk.channels.items.readers import ImportRow, Rejection, RowError, row_from_fields
from socialdesk.channels.models import ChannelAccount, SetAsideItem, WebhookDelivery

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
STORE_ERROR = "webhook items could not be stored"


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


@dataclass(frozen=True)
class Refused:
    """An item of a delivery that cannot be stored: its place, reason, id and data."""

    index: int
    reason: str
    external_id: str = ""
    raw: Any = None


def read_items(account: ChannelAccount, body: bytes) -> tuple[list[ImportRow], list[Refused]]:
    """Map a delivery's items to normalised rows; return them and the items refused.

    Raise ValueError when the body is no JSON or is nested deeper than 64 levels.
    """
    try:
        document = jsontext.loads(body)
    except jsontext.TooDeep as error:
        raise ValueError(f"the body is {error}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"the body is not JSON: {error}") from None
    mapping = {**DEFAULT_MAPPING, **(account.mapping or {})}
    rows: list[ImportRow] = []
    refused: list[Refused] = []
    for index, item in enumerate(_items(document, mapping)):
        if not isinstance(item, dict):
            refused.append(Refused(index, "an item is not a JSON object", raw=item))
            continue
        row = _row(item, mapping, account)
        if isinstance(row, ImportRow):
            row = normalise(row)
        if isinstance(row, RowError):
            refused.append(Refused(index, row.reason, row.external_id, item))
        else:
            rows.append(row)
    return rows, refused


def _row(
    item: dict[str, Any], mapping: dict[str, str], account: ChannelAccount
) -> ImportRow | RowError:
    fields: dict[str, str] = {}
    try:
        for name in ("id", "author", "text", "created_at", "parent_id", "inbound", "author_name"):
            value = _path(item, mapping[name])
            if value is None:
                continue
            if name in ("id", "parent_id"):
                fields[name] = jsontext.json_id(value, name.replace("_", " "))
            else:
                fields[name] = jsontext.field_text(value)
    except ValueError as error:
        return RowError(str(error), external_id=fields.get("id", ""))
    return row_from_fields(fields, default_account=account.handle)


def read(account: ChannelAccount, body: bytes) -> tuple[list[ImportRow], list[dict[str, Any]]]:
    """Map a delivery's items to rows; return them and the items that could not be read."""
    rows, refused = read_items(account, body)
    return rows, [{"item": r.index, "reason": r.reason} for r in refused]


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


# A batch task starts this long after the delivery that queued it: under load the deliveries of
# that moment go into one batch (a batch costs the worker about 20 ms plus about a millisecond
# per item; a worker looping over what had come meanwhile stored 100 items/s within 20-50 ms of
# their arrival, so in batches of a few items).
GATHER = 0.5
# Clocks of web servers and workers may differ this much (seconds).
MARGIN = 0.2
_covered_until = 0.0  # time.monotonic(): until then a waiting batch task reads our deliveries


def _process_soon() -> None:
    """Make sure a batch task starts after this delivery is committed (`_queue_unless_covered`)."""
    transaction.on_commit(_queue_unless_covered)


def _queue_unless_covered() -> None:
    """Queue a batch task to start in GATHER seconds, unless one waits to start: a task that
    has not started reads every delivery committed before it starts, this one too. Until the
    start of the task queued or found, this process asks no more."""
    global _covered_until
    now = time.monotonic()
    if now < _covered_until:
        return
    from socialdesk.channels.tasks import batch_waiting_until, process_webhooks

    try:
        wall = timezone.now()
        starts = batch_waiting_until()
        if starts is None:
            backend = process_webhooks.get_backend()
            starts = wall + timedelta(seconds=GATHER) if backend.supports_defer else wall
            process_webhooks.using(run_after=starts if starts > wall else None).enqueue()
        _covered_until = now + (starts - wall).total_seconds() - MARGIN
    except Exception:  # the worker's schedule picks the delivery up anyway
        logger.exception("could not queue webhook processing")


def process_pending(limit: int = 500) -> int:
    """Store the items of waiting deliveries; return how many messages were new.

    Items and the "processed" mark are written in one transaction, so a crash repeats a
    batch instead of losing or doubling it. Several workers share the work by channel: a batch
    is one channel's oldest deliveries, taken with the channel's row held (`_claim_channel`),
    so another worker stores another channel meanwhile, never the same one: a reply stored
    beside the batch holding its question would not see it and would start a conversation of
    its own. A channel whose items cannot be stored at all keeps its deliveries waiting (and
    shows the error) while the other channels' deliveries are stored.
    """
    stored = 0
    stuck: set[int] = set()
    # What came before this batch started; what comes meanwhile has queued the next batch.
    ceiling = WebhookDelivery.objects.filter(processed_at__isnull=True).aggregate(last=Max("pk"))[
        "last"
    ]
    if ceiling is None:
        return 0
    waiting = WebhookDelivery.objects.filter(processed_at__isnull=True, pk__lte=ceiling)
    while True:
        with transaction.atomic():
            account = _claim_channel(waiting, stuck)
            if account is None:
                return stored
            pending = list(
                waiting.filter(channel_account=account).order_by("received_at", "pk")[:limit]
            )
            for delivery in pending:
                delivery.channel_account = account
            if pending:
                stored += _store(pending, stuck)


def _claim_channel(waiting: QuerySet[WebhookDelivery], stuck: set[int]) -> ChannelAccount | None:
    """Hold the row of the channel with the oldest waiting delivery that no other worker holds
    (the caller's transaction; SQLite's IMMEDIATE transactions let one writer in anyway).
    NO KEY: the endpoint keeps adding the channel's deliveries meanwhile."""
    oldest_first = (
        waiting.exclude(channel_account_id__in=stuck)
        .values("channel_account_id")
        .annotate(oldest=Min("received_at"))
        .order_by("oldest")
        .values_list("channel_account_id", flat=True)
    )
    for pk in oldest_first:
        held = ChannelAccount.objects.select_for_update(skip_locked=True, no_key=True)
        account = held.filter(pk=pk).first()
        if account is not None:
            return account
    return None


def _store(pending: list[WebhookDelivery], stuck: set[int]) -> int:
    """Store the items of a batch of deliveries: one import per channel, each in a savepoint."""
    stored = 0
    by_account: dict[int, list[WebhookDelivery]] = {}
    for delivery in pending:
        by_account.setdefault(delivery.channel_account_id, []).append(delivery)
    for account_id, deliveries in by_account.items():
        try:
            with transaction.atomic():
                stored += _store_channel(deliveries)
        except Exception as error:  # one channel's trouble never stops the others
            logger.exception("webhook items of channel %s could not be stored", account_id)
            stuck.add(account_id)
            ChannelAccount.objects.filter(pk=account_id).update(
                last_error=f"{STORE_ERROR}: {error}"[:2000]
            )
    return stored


def _store_channel(deliveries: list[WebhookDelivery]) -> int:
    """Store one channel's deliveries; every item is stored, a duplicate, or set aside."""
    now = timezone.now()
    account = deliveries[0].channel_account
    set_aside: list[SetAsideItem] = []
    owner: list[WebhookDelivery] = []  # per row (in import order): its delivery
    rows: list[ImportRow] = []
    for delivery in deliveries:
        try:
            delivery_rows, refused = read_items(account, bytes(delivery.body))
        except ValueError as error:  # checked when it arrived; kept in sight if not
            set_aside.append(set_aside_item(account, "", str(error)))
            delivery_rows, refused = [], []
        for item in refused:  # named in the answer as rejected; kept in sight here
            set_aside.append(set_aside_item(account, item.external_id, item.reason, item.raw))
        rows += delivery_rows
        owner += [delivery] * len(delivery_rows)

    sink = ingest.sink()
    seen = sink.known_ids(account, [row.external_id for row in rows])
    outcome: list[str] = []  # per row: "stored", "duplicate" or "set aside"
    for row in rows:
        outcome.append("duplicate" if row.external_id in seen else "stored")
        seen.add(row.external_id)

    def refused_by_database(rejection: Rejection) -> None:
        outcome[rejection.line] = "set aside"
        set_aside.append(
            set_aside_item(
                account, rejection.external_id, rejection.reason, row_data(rejection.row)
            )
        )

    created = sink.store(
        account,
        list(enumerate(rows)),
        company_handles={account.handle},
        listening=False,
        on_rejection=refused_by_database,
    )
    keep_set_aside(account, set_aside)
    for delivery in deliveries:
        delivery.stored = delivery.duplicates = 0
        delivery.processed_at = now
    for delivery, result in zip(owner, outcome, strict=True):
        if result == "stored":
            delivery.stored += 1
        elif result == "duplicate":
            delivery.duplicates += 1
    WebhookDelivery.objects.bulk_update(deliveries, ["stored", "duplicates", "processed_at"])
    ChannelAccount.objects.filter(pk=account.pk).update(last_success_at=now)
    ChannelAccount.objects.filter(pk=account.pk, last_error__startswith=STORE_ERROR).update(
        last_error=""
    )
    return created
