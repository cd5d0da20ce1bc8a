"""What every network package (`channels/<kind>/connector.py`) shares, and how it is found.

A connector polls and declares what else it can do (send, find_sent, check, publish,
metrics): the typed protocol and its capabilities are in `channels/protocol.py`, the
checklist in channels/README.md. `connector(network)` returns it.

Errors are `ChannelError` (try again later, maybe at a time the network named) or
`PermanentError` (credentials revoked, post rejected: retrying cannot help).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from socialdesk.channels import ingest
from socialdesk.channels.errors import classify
from socialdesk.channels.fetch import FetchError, RateLimitedFetch
from socialdesk.channels.items.normalise import clean_json, clean_text
from socialdesk.channels.items.readers import ImportRow, Rejection, RowError
from socialdesk.channels.models import ChannelAccount, SetAsideItem
from socialdesk.channels.protocol import Connector, load

BACKOFF_MAX = timedelta(hours=6)


class ChannelError(Exception):
    """The network could not be reached or refused for now; `retry_at` if it said when."""

    def __init__(
        self, message: str, *, retry_at: datetime | None = None, code: str | None = None
    ) -> None:
        super().__init__(message)
        self.retry_at = retry_at
        self.code = code  # a channels.errors.Code when the raiser knows it


class RateLimited(ChannelError):
    """The network's rate limit is reached: wait until `retry_at` (not counted as a failure)."""

    def __init__(self, message: str, *, retry_at: datetime | None = None, stored: int = 0) -> None:
        super().__init__(message, retry_at=retry_at, code="rate_limited")
        self.stored = stored


class PermanentError(ChannelError):
    """Trying again cannot help (revoked token, a post the network rejects)."""


@dataclass(frozen=True)
class Sent:
    """A post as it exists on the network after sending."""

    external_id: str
    url: str = ""
    meta: dict[str, Any] | None = None


PUBLISHED_ID_LENGTH = 500  # publishing.PostPart.remote_id
PUBLISHED_URL_LENGTH = 1000  # publishing.PostPart.url


def checked_sent(sent: Sent, network: str) -> Sent:
    """A published post's id, link and meta as the database can hold them: they come from the
    network. NUL bytes and lone surrogates leave; a link that is not http(s) or too long is
    dropped; an id that cannot be kept whole is a PermanentError (the post may be out: the
    message says so, and the next attempt finds it again and says the same)."""
    from urllib.parse import urlsplit

    external_id = clean_text(sent.external_id).strip()
    if not external_id or len(external_id) > PUBLISHED_ID_LENGTH:
        raise PermanentError(
            f"{network} answered with an id of {len(external_id)} characters "
            f"(socialdesk keeps 1 to {PUBLISHED_ID_LENGTH}); the post may be on {network}: "
            "look there before trying again",
            code="refused",
        )

    def link(value: Any) -> str:
        url = clean_text(str(value or ""))
        usable = len(url) <= PUBLISHED_URL_LENGTH and urlsplit(url).scheme in ("http", "https")
        return url if usable else ""

    meta = clean_json(dict(sent.meta or {}))
    if "url" in meta:
        meta["url"] = link(meta["url"])
    return Sent(external_id=external_id, url=link(sent.url), meta=meta)


@dataclass(frozen=True)
class OutgoingMedia:
    """An image to publish, already re-encoded to fit the network."""

    content: bytes
    mime: str
    alt_text: str
    width: int = 0
    height: int = 0


@dataclass(frozen=True)
class Outgoing:
    """One part of a post as a connector publishes it (plain data: channels sit below the
    publishing app). `key` is fixed before the first attempt and the same for every retry: the
    Mastodon Idempotency-Key and the Bluesky record key (a TID). `reply_to` and `root` are the
    `Sent` of the previous and of the first part of a thread (`{"external_id": …, **meta}`)."""

    key: str
    text: str
    created_at: datetime
    reply_to: dict[str, Any] | None = None
    root: dict[str, Any] | None = None
    language: str = ""
    content_warning: str = ""
    visibility: str = "public"
    media: tuple[OutgoingMedia, ...] = ()
    link_card: dict[str, Any] | None = None


def connector(network: str) -> Connector:
    """Return the connector of a network (ChannelError when there is none)."""
    found = load(network)
    if found is None:
        raise ChannelError(f"{network} channels are not polled")
    return found


def set_aside_item(
    account: ChannelAccount, external_id: str, reason: str, raw: Any = None
) -> SetAsideItem:
    """Return (unsaved) the record of an item that could not be stored, as the database holds it."""
    return SetAsideItem(
        channel_account=account,
        external_id=clean_text(str(external_id))[:255],
        reason=clean_text(reason)[:1000],
        raw=None if raw is None else _jsonable(raw),
    )


def keep_set_aside(account: ChannelAccount, items: list[SetAsideItem]) -> None:
    """Save set-aside items; an item listed again (same id) is not set aside twice."""
    known = set(
        SetAsideItem.objects.filter(
            channel_account=account,
            external_id__in=[i.external_id for i in items if i.external_id],
        ).values_list("external_id", flat=True)
    )
    fresh: list[SetAsideItem] = []
    for item in items:
        if item.external_id and item.external_id in known:
            continue
        if item.external_id:
            known.add(item.external_id)
        fresh.append(item)
    SetAsideItem.objects.bulk_create(fresh)


def row_data(row: ImportRow | None) -> dict[str, Any] | None:
    """Return what a set-aside row held, for the record (long values shortened)."""
    if row is None:
        return None
    return {
        "id": row.external_id[:1000],
        "author": row.author[:1000],
        "author_name": row.author_name[:1000],
        "text": row.text[:5000],
        "created_at": str(row.created_at),
        "parent_id": row.parent_id[:1000],
    }


def store_batch(
    account: ChannelAccount,
    items: Iterable[ImportRow | RowError | tuple[str, str, Any]],
    cursor: dict[str, Any],
    *,
    listening: bool = False,
) -> int:
    """Store items and the new cursor in ONE transaction; set bad items aside.

    An item is an ImportRow, or a tuple (external id, reason, raw data) for one that could
    not be read: it is kept on the channel's health page and never blocks the others. A row
    the database cannot hold (see channels.items.normalise) is set aside alone, with its
    reason; the rest of the batch is stored.
    """
    rows: list[tuple[int, ImportRow | RowError]] = []
    set_aside: list[SetAsideItem] = []
    for index, item in enumerate(items, start=1):
        if isinstance(item, tuple):
            external_id, reason, raw = item
            set_aside.append(set_aside_item(account, external_id, reason, raw))
        else:
            rows.append((index, item))

    def rejected(rejection: Rejection) -> None:
        set_aside.append(
            set_aside_item(
                account, rejection.external_id, rejection.reason, row_data(rejection.row)
            )
        )

    with transaction.atomic():
        created = ingest.sink().store(
            account,
            rows,
            # user@instance, and the bare user as customers @mention it
            company_handles={account.handle, account.handle.split("@")[0]},
            listening=listening,
            on_rejection=rejected,
        )
        keep_set_aside(account, set_aside)
        account.cursor = cursor
        account.save(update_fields=["cursor"])
    return created


RAW_TEXT_KEPT = 10_000  # per string of a set-aside item's data


def _jsonable(raw: Any) -> Any:
    """Return the data of a set-aside item as JSON the database holds (no NUL, no huge text)."""
    import json

    try:
        return _shortened(clean_json(json.loads(json.dumps(raw, default=str))))
    except (TypeError, ValueError, RecursionError):
        return clean_text(repr(raw)[:5000])


def _shortened(value: Any) -> Any:
    if isinstance(value, str) and len(value) > RAW_TEXT_KEPT:
        return value[:RAW_TEXT_KEPT] + "…"
    if isinstance(value, dict):
        return {k: _shortened(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shortened(v) for v in value]
    return value


def record_success(account: ChannelAccount, *, now: datetime | None = None) -> None:
    now = now or timezone.now()
    account.last_polled_at = account.last_success_at = now
    account.last_error = ""
    account.last_error_code = ""
    account.failures = 0
    account.next_poll_at = now + timedelta(seconds=account.poll_interval_seconds)
    account.save(
        update_fields=[
            "last_polled_at",
            "last_success_at",
            "last_error",
            "last_error_code",
            "failures",
            "next_poll_at",
        ]
    )


def record_failure(account: ChannelAccount, error: ChannelError | FetchError | str) -> None:
    """Back off exponentially (6 h at most), or wait until the time the network named.

    The failure is kept as a code (translated when shown, channels.errors) and the detail.
    """
    now = timezone.now()
    account.last_error_code = str(classify(error))
    if isinstance(error, RateLimited) and error.retry_at:
        account.last_polled_at = now
        account.last_error = f"{error} (until {error.retry_at:%Y-%m-%d %H:%M:%S} UTC)"
        account.next_poll_at = max(error.retry_at, now)
        account.save(
            update_fields=["last_polled_at", "last_error", "last_error_code", "next_poll_at"]
        )
        return
    account.failures += 1
    delay = min(timedelta(seconds=account.poll_interval_seconds * 2**account.failures), BACKOFF_MAX)
    retry_at = error.retry_at if isinstance(error, ChannelError) else None
    account.last_polled_at = now
    account.last_error = str(error)[:2000]
    account.next_poll_at = max(retry_at, now) if retry_at else now + delay
    account.save(
        update_fields=[
            "failures",
            "last_polled_at",
            "last_error",
            "last_error_code",
            "next_poll_at",
        ]
    )


def poll(account: ChannelAccount) -> int:
    """Poll one channel now; record the outcome on it; re-raise ChannelError or FetchError."""
    try:
        stored = int(connector(account.network).poll(account))
    except RateLimitedFetch as error:  # a feed or backfill listing asked us to wait
        limited = RateLimited(str(error), retry_at=error.retry_at)
        account.refresh_from_db(fields=["cursor"])
        record_failure(account, limited)
        raise limited from error
    except FetchError as error:
        record_failure(account, error)
        raise
    except RateLimited as error:
        account.refresh_from_db(fields=["cursor"])
        record_failure(account, error)
        if error.stored:
            return error.stored
        raise
    except ChannelError as error:
        account.refresh_from_db(fields=["cursor"])
        record_failure(account, error)
        raise
    record_success(account)
    return stored
