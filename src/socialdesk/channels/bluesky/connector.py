"""Bluesky through the AT Protocol SDK (`atproto`): mentions, replies and quotes in; replies out.

The session (access and refresh token) is stored encrypted with the account and reused: a
poll logs in only when there is no session or the refresh token is no longer accepted; the
SDK refreshes an expiring access token itself and every new session is saved again.
Notifications are read newest first back to the last one seen, then stored in one
transaction together with the new cursor. Pages are read as plain JSON and each notification
is checked alone against the SDK's lexicon models: one that breaks the lexicon is set aside
with its reason and never blocks the others (the SDK itself would refuse the whole page).
A reply is written with a record key derived from the message, so retrying after an unknown
outcome can only find the same record, never make a second one; it carries the thread's root
and parent references and facets for @mentions and links (byte offsets in UTF-8).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pydantic
from atproto import Client, models
from atproto_client.exceptions import (
    BadRequestError,
    InvokeTimeoutError,
    ModelError,
    NetworkError,
    RateLimitExceededError,
    RequestErrorBase,
    UnauthorizedError,
)
from atproto_client.models.utils import get_or_create
from atproto_client.request import Request
from atproto_core.exceptions import AtProtocolError
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from socialdesk.channels.base import ChannelError, PermanentError, RateLimited, Sent, store_batch
from socialdesk.channels.fetch import FetchError
from socialdesk.channels.models import ChannelAccount
from socialdesk.channels.net import public_httpx_transport
from socialdesk.inbox.importing.readers import ImportRow

POST = "app.bsky.feed.post"
LIST_NOTIFICATIONS = "app.bsky.notification.listNotifications"
PAGE = 50
MAX_PAGES = 20
MAX_GRAPHEMES = 300
REASONS = {"mention", "reply", "quote"}
BACKFILL = 200  # notifications read on the first poll of a new account
BACKFILL_DAYS = 14
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_MENTION = re.compile(
    rb"(?:^|[\s(])(@([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,})"
)
_LINK = re.compile(rb"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]]")


# --------------------------------------------------------------------------- client and session


def _timeout() -> float:
    return float(settings.CHANNEL_TIMEOUT_SECONDS)


def new_client(service: str) -> Client:
    # trust_env=False: a proxy from the environment is chosen by our transport, after the check
    request = Request(
        transport=public_httpx_transport(_timeout()), timeout=_timeout(), trust_env=False
    )
    return Client(base_url=service, request=request)


def call[T](function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call the SDK; turn its errors into ChannelError (later) or PermanentError (never)."""
    try:
        return function(*args, **kwargs)
    except RateLimitExceededError as error:
        retry_at = error.reset_at or timezone.now() + timedelta(seconds=error.retry_after or 300)
        raise RateLimited("Bluesky's rate limit is reached", retry_at=retry_at) from None
    except UnauthorizedError as error:
        raise PermanentError(f"Bluesky refused the credentials ({error})") from None
    except InvokeTimeoutError:
        raise ChannelError("Bluesky did not answer in time") from None
    except NetworkError as error:
        cause = error.__cause__ or error.__context__
        if isinstance(cause, FetchError):
            raise PermanentError(str(cause)) from None
        raise ChannelError(
            f"Bluesky could not be reached ({error or type(error).__name__})"
        ) from None
    except BadRequestError as error:
        raise PermanentError(f"Bluesky refused the request ({error})") from None
    except RequestErrorBase as error:
        status = error.response.status_code if error.response is not None else 0
        if status >= 500 or status == 0:
            raise ChannelError(f"Bluesky had a server error ({error})") from None
        raise PermanentError(f"Bluesky refused the request ({error})") from None
    except FetchError as error:
        raise PermanentError(str(error)) from None
    except httpx.TransportError as error:  # e.g. the server closed without an answer
        cause = error.__cause__ or error.__context__
        if isinstance(cause, FetchError):
            raise PermanentError(str(cause)) from None
        reason = str(error) or type(error).__name__
        raise ChannelError(f"Bluesky could not be reached ({reason})") from None
    except AtProtocolError as error:
        raise ChannelError(f"Bluesky error: {error or type(error).__name__}") from None


def _is_expired(error: ChannelError) -> bool:
    text = str(error)
    return "ExpiredToken" in text or "InvalidToken" in text or "AuthenticationRequired" in text


def login(service: str, identifier: str, app_password: str) -> tuple[Client, str]:
    """Log in with an app password; return the client and its session string."""
    client = new_client(service)
    call(client.login, identifier, app_password, fetch_bsky_profile=False)
    return client, client.export_session_string()


def session_client(account: ChannelAccount) -> Client:
    """A client on the stored session (logging in only when there is none that works)."""
    credentials = account.credentials
    client = new_client(account.address)
    session = str(credentials.get("session", ""))
    if session:
        call(client.login, session_string=session, fetch_bsky_profile=False)
    else:
        call(client.login, credentials["identifier"], credentials["app_password"],
             fetch_bsky_profile=False)  # fmt: skip
        _save_session(account, client)

    def saved(_event: Any, _session: Any) -> None:
        _save_session(account, client)

    client.on_session_change(saved)
    return client


def _save_session(account: ChannelAccount, client: Client) -> None:
    credentials = account.credentials
    credentials["session"] = client.export_session_string()
    account.set_credentials(credentials)
    ChannelAccount.objects.filter(pk=account.pk).update(
        credentials_encrypted=account.credentials_encrypted
    )


def with_session[T](account: ChannelAccount, work: Callable[[Client], T]) -> T:
    """Run `work` with the stored session; when Bluesky no longer takes it, log in once."""
    client = session_client(account)
    try:
        return work(client)
    except PermanentError as error:
        if not _is_expired(error) or not account.credentials.get("session"):
            raise
    credentials = account.credentials
    credentials.pop("session", None)
    account.set_credentials(credentials)
    account.save(update_fields=["credentials_encrypted"])
    return work(session_client(account))


# --------------------------------------------------------------------------- reading


def _rkey(uri: str) -> str:
    return uri.rsplit("/", 1)[-1]


def _web_url(handle: str, uri: str) -> str:
    return f"https://bsky.app/profile/{handle}/post/{_rkey(uri)}"


def row(notification: dict[str, Any], *, me: str) -> ImportRow:
    """One notification (mention, reply or quote, as listNotifications sends it) as an inbox row."""
    record = notification["record"]
    author = notification["author"]
    text = str(record.get("text") or "")
    reply = record.get("reply") or {}
    parent, root = reply.get("parent") or {}, reply.get("root") or {}
    uri, cid = str(notification["uri"]), str(notification["cid"])
    if notification["reason"] == "quote":
        text += f"\n[quote of {_quoted(record) or notification.get('reasonSubject') or ''}]"
    written = str(record.get("createdAt") or notification["indexedAt"])
    try:
        created = datetime.fromisoformat(written)
    except ValueError:
        raise ValueError(f"record.createdAt is not a date: {written[:40]!r}") from None
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    handle, did = str(author["handle"]).lower(), str(author["did"])
    return ImportRow(
        external_id=uri,
        author=handle,
        inbound=did != me,
        created_at=created,
        text=(text.strip() or "(empty post)")[:5000],
        parent_id=str(parent.get("uri") or ""),
        author_name=str(author.get("displayName") or "")[:200] or handle,
        meta={
            "uri": uri,
            "cid": cid,
            "root_uri": str(root.get("uri") or uri),
            "root_cid": str(root.get("cid") or cid),
            "did": did,
            "reason": str(notification["reason"]),
            "url": _web_url(handle, uri),
        },
    )


def _quoted(record: dict[str, Any]) -> str:
    """The quoted post's URI (an embed of a type the SDK does not know may hold anything)."""
    embed = record.get("embed")
    quoted = embed.get("record") if isinstance(embed, dict) else None
    return str(quoted.get("uri") or "") if isinstance(quoted, dict) else ""


def read(notification: dict[str, Any], *, me: str) -> ImportRow | tuple[str, str, Any]:
    """One notification checked alone against the lexicon: a row, or why it is set aside.

    The SDK refuses a whole page when one notification breaks the lexicon (a display name
    beyond 640 characters, a post without createdAt); each is therefore checked on its own.
    """
    uri = str(notification.get("uri") or "")
    try:
        get_or_create(notification, models.AppBskyNotificationListNotifications.Notification)
    except ModelError as error:
        return uri, f"invalid notification: {_problems(error)}", notification
    try:
        get_or_create(notification.get("record"), models.AppBskyFeedPost.Record)
    except ModelError as error:
        return uri, f"invalid notification: {_problems(error, 'record')}", notification
    try:
        return row(notification, me=me)
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        return uri, f"unreadable notification: {error}", notification


def _problems(error: ModelError, prefix: str = "") -> str:
    """What the lexicon check found, one `field.path: message` for each (five at most)."""
    cause = error.__cause__
    if not isinstance(cause, pydantic.ValidationError):
        return str(error) or "it does not match the lexicon"
    problems: dict[str, str] = {}  # the last alternative of a union says it best
    for problem in cause.errors():
        parts = (prefix, *problem["loc"])
        path = ".".join(str(p) for p in parts if p != "" and "[" not in str(p))
        problems[path or "notification"] = problem["msg"]
    return "; ".join(f"{path}: {message}" for path, message in list(problems.items())[:5])


def _page(client: Client, page_cursor: str | None) -> tuple[list[Any], str | None]:
    """One page of notifications as plain JSON, through the session's client (refresh included)."""
    params = models.AppBskyNotificationListNotifications.Params(limit=PAGE, cursor=page_cursor)
    try:
        response = call(
            client.invoke_query, LIST_NOTIFICATIONS, params=params,
            output_encoding="application/json",
        )  # fmt: skip
    except ValueError as error:  # the body claimed to be JSON and is not
        raise ChannelError(f"Bluesky sent notifications that are not JSON ({error})") from None
    document = response.content
    if not isinstance(document, dict) or not isinstance(document.get("notifications"), list):
        raise ChannelError("Bluesky sent notifications in an unknown shape")
    following = document.get("cursor")
    if not isinstance(following, str) or not following:
        following = None
    return document["notifications"], following


def _indexed_at(notification: dict[str, Any]) -> str | None:
    value = notification.get("indexedAt")
    if not isinstance(value, str):
        return None
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return None
    return value


def poll(account: ChannelAccount) -> int:
    """Read notifications back to the last one seen; store them and the cursor at once."""
    return with_session(account, lambda client: _poll(account, client))


def _poll(account: ChannelAccount, client: Client) -> int:
    cursor = dict(account.cursor or {})
    seen = str(cursor.get("seen_at", ""))
    me = str(account.credentials.get("did", ""))
    items: list[ImportRow | tuple[str, str, Any]] = []
    newest = seen
    page_cursor: str | None = None
    for _page_number in range(MAX_PAGES):
        notifications, page_cursor = _page(client, page_cursor)
        reached_seen = False
        for notification in notifications:
            if not isinstance(notification, dict):
                items.append(("", "invalid notification: not a JSON object", notification))
                continue
            reason = notification.get("reason")
            wanted = isinstance(reason, str) and reason in REASONS
            indexed = _indexed_at(notification)
            if indexed is None:  # it must not move the cursor: set aside, never compared
                if wanted:
                    uri = str(notification.get("uri") or "")
                    items.append((uri, "invalid notification: indexedAt: not a date", notification))
                continue
            if seen and indexed <= seen:
                reached_seen = True
                continue
            newest = max(newest, indexed)
            if wanted:
                items.append(read(notification, me=me))
        if reached_seen or not page_cursor:
            break
        if not seen and (len(items) >= BACKFILL or _older_than_backfill(notifications)):
            break  # the first poll of an account reads the recent past only
    cursor["seen_at"] = newest
    return store_batch(account, items, cursor)


def _older_than_backfill(notifications: list[Any]) -> bool:
    since = (timezone.now() - timedelta(days=BACKFILL_DAYS)).isoformat()
    return any(
        isinstance(n, dict) and (indexed := _indexed_at(n)) is not None and indexed < since
        for n in notifications
    )


# --------------------------------------------------------------------------- writing


def tid(moment: datetime, clock_id: int) -> str:
    """A record key in the TID format (microseconds since 1970, 10-bit clock id, base32)."""
    micros = int(moment.timestamp() * 1_000_000)
    value = (micros << 10) | (clock_id & 0x3FF)
    out = ""
    for _ in range(13):
        out = TID_ALPHABET[value & 0x1F] + out
        value >>= 5
    return out


def message_rkey(message: Any) -> str:
    """The record key of a reply: the same for every attempt to send the same message."""
    return tid(message.created_at, int(message.pk))


def reply_text(parent_meta: dict[str, Any], parent_author: str, text: str) -> str:
    """Bluesky notifies the author of the parent post; the text stays as written."""
    import unicodedata

    graphemes = sum(1 for c in text if not unicodedata.combining(c))
    if graphemes > MAX_GRAPHEMES:
        raise ValidationError(
            {"text": f"Bluesky posts hold {MAX_GRAPHEMES} characters; this one has {graphemes}."}
        )
    return text


def facets(client: Client, text: str) -> list[dict[str, Any]]:
    """Facets for @mentions (resolved to DIDs) and links, with UTF-8 byte offsets."""
    data = text.encode("utf-8")
    out: list[dict[str, Any]] = []
    for match in _MENTION.finditer(data):
        handle = match.group(1)[1:].decode()
        try:
            did = call(client.resolve_handle, handle).did
        except ChannelError:
            continue  # not a Bluesky handle: it stays plain text
        out.append({
            "index": {"byteStart": match.start(1), "byteEnd": match.end(1)},
            "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}],
        })  # fmt: skip
    for match in _LINK.finditer(data):
        out.append({
            "index": {"byteStart": match.start(), "byteEnd": match.end()},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": match.group().decode()}],
        })  # fmt: skip
    return out


def send(account: ChannelAccount, message: Any) -> Sent:
    return with_session(account, lambda client: _send(account, client, message))


def _send(account: ChannelAccount, client: Client, message: Any) -> Sent:
    parent = message.parent
    if parent is None or not parent.meta.get("uri"):
        raise PermanentError("there is no Bluesky post to answer")
    meta = parent.meta
    record: dict[str, Any] = {
        "$type": POST,
        "text": message.text,
        "createdAt": message.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "reply": {
            "root": {
                "uri": meta.get("root_uri") or meta["uri"],
                "cid": meta.get("root_cid") or meta["cid"],
            },
            "parent": {"uri": meta["uri"], "cid": meta["cid"]},
        },
    }
    found_facets = facets(client, message.text)
    if found_facets:
        record["facets"] = found_facets
    if message.language:
        record["langs"] = [message.language]
    did = str(account.credentials.get("did", ""))
    rkey = message_rkey(message)
    data = models.ComAtprotoRepoCreateRecord.Data(
        repo=did, collection=POST, rkey=rkey, record=record, validate=True
    )
    try:
        created = call(client.com.atproto.repo.create_record, data)
    except PermanentError as error:
        # The same key exists: an earlier attempt did arrive. Read it back instead.
        existing = _find(account, client, message)
        if existing is not None:
            return existing
        raise error
    return Sent(
        external_id=str(created.uri),
        url=_web_url(account.handle, str(created.uri)),
        meta={"uri": str(created.uri), "cid": str(created.cid)},
    )


def _find(account: ChannelAccount, client: Client, message: Any) -> Sent | None:
    did = str(account.credentials.get("did", ""))
    params = models.ComAtprotoRepoGetRecord.Params(
        repo=did, collection=POST, rkey=message_rkey(message)
    )
    try:
        found = call(client.com.atproto.repo.get_record, params)
    except PermanentError as error:
        if "RecordNotFound" in str(error) or "not found" in str(error).lower():
            return None
        raise
    return Sent(
        external_id=str(found.uri),
        url=_web_url(account.handle, str(found.uri)),
        meta={"uri": str(found.uri), "cid": str(found.cid or "")},
    )


def find_sent(account: ChannelAccount, message: Any) -> Sent | None:
    return with_session(account, lambda client: _find(account, client, message))


def check(account: ChannelAccount) -> str:
    def work(client: Client) -> str:
        return str(call(client.com.atproto.server.get_session).handle)

    return with_session(account, work)
