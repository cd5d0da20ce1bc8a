"""Mastodon through Mastodon.py: mentions, direct messages and replies in; threaded replies out.

In: mention notifications (public posts and direct messages that name the company; paged
oldest-first from the stored notification id) and the replies to the company's own recent
posts (read from their threads when their reply count grows). Out: a reply to the customer's
post with that post's visibility, the customer @mentioned, and an Idempotency-Key, so the
server itself turns a repeated request into the same post. Rate limits: the client never
sleeps in the worker; a 429 or an exhausted `X-RateLimit-Remaining` stops the poll and the
channel waits until `X-RateLimit-Reset`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from mastodon import Mastodon
from mastodon.errors import (
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from socialdesk.channels.base import (
    ChannelError,
    Outgoing,
    PermanentError,
    RateLimited,
    Sent,
    store_batch,
)
from socialdesk.channels.fetch import FetchError
from socialdesk.channels.items.readers import ImportRow
from socialdesk.channels.models import ChannelAccount
from socialdesk.channels.net import USER_AGENT, public_session
from socialdesk.channels.protocol import Capability
from socialdesk.channels.rss.connector import plain_text

CAPABILITIES = frozenset(
    {Capability.SEND, Capability.FIND_SENT, Capability.CHECK, Capability.PUBLISH}
) | {Capability.METRICS, Capability.EDIT, Capability.DELETE}  # after publishing: published.py
CAPABILITIES |= {Capability.FOLLOWERS}  # the daily follower snapshot (channels/followers.py)
SCOPES = ["read", "write"]
PAGE = 80  # Mastodon's largest page of notifications
MAX_PAGES = 50  # per poll; the next poll goes on from the cursor
BACKFILL = 200  # mentions read on the first poll of a new account
BACKFILL_DAYS = 14
OWN_POSTS = 20  # recent own posts whose replies are followed
OWN_POSTS_DAYS = 14
TIMEOUT = 20.0  # registering the app when an account is added (channels/services.py)
MAX_TEXT = 5000
LOW_REMAINING = 2  # stop before the budget is gone, leave a call for sending


def api(account: ChannelAccount, *, access_token: str | None = None) -> Mastodon:
    token = access_token or str(account.credentials.get("access_token", ""))
    return client(account.address, token)


def client(instance_url: str, access_token: str | None = None) -> Mastodon:
    return Mastodon(
        access_token=access_token,
        api_base_url=instance_url,
        ratelimit_method="throw",
        request_timeout=float(settings.CHANNEL_TIMEOUT_SECONDS),
        session=public_session(),
        user_agent=USER_AGENT,
    )


def call[T](mastodon: Mastodon, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call the API; turn its errors into ChannelError (later) or PermanentError (never)."""
    try:
        return function(*args, **kwargs)
    except MastodonRatelimitError:
        raise RateLimited("Mastodon's rate limit is reached", retry_at=_reset(mastodon)) from None
    except MastodonUnauthorizedError as error:
        raise PermanentError(
            f"the instance refused the access token ({_reason(error)}); connect the account again",
            code="credentials",
        ) from None
    except MastodonNotFoundError as error:
        raise PermanentError(
            f"not found on the instance ({_reason(error)})", code="not_found"
        ) from None
    except MastodonServerError as error:
        raise ChannelError(
            f"the instance answered with a server error ({_reason(error)})", code="server"
        ) from None
    except MastodonAPIError as error:
        raise PermanentError(f"the instance refused the request ({_reason(error)})") from None
    except MastodonNetworkError as error:
        cause = error.__cause__ or error.__context__
        if isinstance(cause, FetchError):
            raise PermanentError(str(cause)) from None
        raise ChannelError(f"the instance could not be reached ({_short(error)})") from None
    except MastodonError as error:
        raise ChannelError(f"Mastodon error: {_short(error)}") from None
    except FetchError as error:
        raise PermanentError(str(error)) from None


def _reason(error: MastodonError) -> str:
    args = [str(a) for a in error.args if a]
    return ": ".join(args[1:4]) if len(args) > 1 else _short(error)


def _short(error: BaseException) -> str:
    return str(error)[:300]


def _reset(mastodon: Mastodon) -> datetime:
    reset = getattr(mastodon, "ratelimit_reset", None)
    if reset:
        return datetime.fromtimestamp(float(reset), tz=UTC)
    return timezone.now() + timedelta(minutes=5)


def _budget_left(mastodon: Mastodon) -> bool:
    remaining = getattr(mastodon, "ratelimit_remaining", None)
    return remaining is None or int(remaining) > LOW_REMAINING


# --------------------------------------------------------------------------- reading


def handle_of(account: Any, domain: str) -> str:
    """user@instance, as socialdesk names Mastodon accounts."""
    return _acct(account, domain)


def _acct(account: Any, domain: str) -> str:
    acct = str(account.get("acct") or account.get("username"))
    return (acct if "@" in acct else f"{acct}@{domain}").lower()


def row(status: Any, *, me: str, domain: str) -> ImportRow:
    """One status as an inbox row (text from untrusted HTML, reduced to plain text).

    `status` is a Mastodon.py object or the plain JSON of one (both are dicts).
    """
    author = status["account"]
    text = plain_text(str(status.get("content") or ""))
    if status.get("spoiler_text"):
        text = f"[{plain_text(str(status['spoiler_text']))}] {text}"
    for media in status.get("media_attachments") or []:
        description = plain_text(str(media.get("description") or ""))
        text += f"\n[{media.get('type', 'media')}{': ' + description if description else ''}]"
    handle = _acct(author, domain)
    return ImportRow(
        external_id=str(status["id"]),
        author=handle,
        inbound=str(author["id"]) != me,
        created_at=_aware(status["created_at"]),
        text=(text.strip() or "(empty post)")[:MAX_TEXT],
        parent_id=str(status.get("in_reply_to_id") or ""),
        author_name=plain_text(str(author.get("display_name") or ""))[:200] or handle,
        meta={
            "visibility": str(status.get("visibility") or "public"),
            "url": _safe_url(status.get("url") or status.get("uri") or ""),
            "acct": handle,
        },
    )


def _safe_url(url: str) -> str:
    return url if urlsplit(str(url)).scheme in ("http", "https") else ""


def notifications(mastodon: Mastodon, **params: Any) -> list[dict[str, Any]]:
    """GET /api/v1/notifications through Mastodon.py, as plain JSON.

    Mastodon.py still signs the request, reads the rate-limit headers and turns HTTP errors
    into its exceptions; only the casting of every field into typed objects is skipped,
    which costs about 3 ms per notification and would cap ingest near 300 per second.
    """
    query = {k: v for k, v in params.items() if v is not None}
    if "types" in query:
        query["types[]"] = query.pop("types")
    request = mastodon._Mastodon__api_request  # type: ignore[attr-defined]
    response = call(
        mastodon, request, "GET", "/api/v1/notifications", query, return_response_object=True
    )
    try:
        document = response.json()
    except ValueError as error:
        raise ChannelError(f"the instance sent notifications that are not JSON ({error})") from None
    if not isinstance(document, list):
        raise ChannelError("the instance sent notifications in an unknown shape")
    return [n for n in document if isinstance(n, dict)]


def _rows(statuses: Iterable[Any], me: str, domain: str) -> list[ImportRow | tuple[str, str, Any]]:
    out: list[ImportRow | tuple[str, str, Any]] = []
    for status in statuses:
        try:
            out.append(row(status, me=me, domain=domain))
        except (AttributeError, KeyError, TypeError, ValueError) as error:
            out.append((str(status.get("id", "")), f"unreadable status: {error}", dict(status)))
    return out


def poll(account: ChannelAccount) -> int:
    """Store new mentions (also direct ones) and replies to the company's recent posts."""
    credentials = account.credentials
    me, domain = str(credentials.get("account_id", "")), str(credentials.get("domain", ""))
    mastodon = api(account)
    cursor = dict(account.cursor or {})
    stored = 0
    if not cursor.get("notifications"):
        stored += _backfill(account, mastodon, me, domain, cursor)
    for _page in range(MAX_PAGES):
        if not _budget_left(mastodon):
            break
        # min_id pages forward: the oldest unseen notifications first, each page stored
        # with the cursor moved past it in one transaction.
        notes = notifications(
            mastodon, types=["mention"], min_id=cursor["notifications"], limit=PAGE
        )
        if not notes:
            break
        cursor["notifications"] = str(max(int(n["id"]) for n in notes))
        statuses = [n["status"] for n in notes if n.get("status")]
        stored += store_batch(account, _rows(statuses, me, domain), dict(cursor))
    if _budget_left(mastodon):
        stored += _poll_replies(account, mastodon, me, domain, cursor)
    if not _budget_left(mastodon):
        raise RateLimited(
            "Mastodon's rate limit is nearly used up", retry_at=_reset(mastodon), stored=stored
        )
    return stored


def _backfill(
    account: ChannelAccount, mastodon: Mastodon, me: str, domain: str, cursor: dict[str, Any]
) -> int:
    """First poll of an account: the recent mentions (newest first, BACKFILL at most).

    They are stored together with the cursor in one transaction, so a crash repeats the
    whole backfill rather than leaving a gap.
    """
    statuses: list[Any] = []
    newest = "0"
    max_id: str | None = None
    since = timezone.now() - timedelta(days=BACKFILL_DAYS)
    while len(statuses) < BACKFILL and _budget_left(mastodon):
        notes = call(mastodon, mastodon.notifications, types=["mention"], max_id=max_id, limit=PAGE)
        if not notes:
            break
        newest = max(newest, *(str(n.id) for n in notes), key=int)
        recent = [n for n in notes if n.get("status") and _aware(n.created_at) >= since]
        statuses.extend(n.status for n in recent)
        if len(recent) < len(notes):
            break  # older than the backfill window
        max_id = str(min(int(n.id) for n in notes))
    cursor["notifications"] = newest
    return store_batch(account, _rows(statuses[:BACKFILL], me, domain), dict(cursor))


def _poll_replies(
    account: ChannelAccount, mastodon: Mastodon, me: str, domain: str, cursor: dict[str, Any]
) -> int:
    """Read the threads of the company's recent posts whose reply count has grown."""
    own = call(mastodon, mastodon.account_statuses, me, limit=OWN_POSTS, exclude_reblogs=True)
    since = timezone.now() - timedelta(days=OWN_POSTS_DAYS)
    known: dict[str, int] = dict(cursor.get("replies", {}))
    counts: dict[str, int] = {}
    stored = 0
    for status in own:
        key, count = str(status.id), int(status.get("replies_count") or 0)
        if _aware(status["created_at"]) < since:
            continue
        if count <= known.get(key, 0) or not _budget_left(mastodon):
            counts[key] = min(count, known.get(key, 0))
            continue
        context = call(mastodon, mastodon.status_context, status.id)
        counts[key] = count
        cursor["replies"] = {**known, **counts}
        stored += store_batch(account, _rows(context.descendants, me, domain), dict(cursor))
    cursor["replies"] = counts
    account.cursor = cursor
    account.save(update_fields=["cursor"])
    return stored


def _aware(value: Any) -> datetime:
    """A time from Mastodon.py (datetime) or from JSON (ISO 8601 text), always aware."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    raise ValueError(f"not a time: {value!r}")


# --------------------------------------------------------------------------- writing


def reply_text(parent_meta: dict[str, Any], parent_author: str, text: str) -> str:
    """The reply as posted: it names the customer, so the customer is notified."""
    acct = str(parent_meta.get("acct") or parent_author)
    user = acct.split("@")[0]
    mentioned = {f"@{acct}".lower(), f"@{user}".lower()}
    words = {word.lower().rstrip(".,:;!?") for word in text.split()}
    if acct and not mentioned & words:
        return f"@{acct} {text}"
    return text


def send(account: ChannelAccount, message: Any) -> Sent:
    parent = message.parent
    if parent is None:
        raise PermanentError("there is no customer post to answer")
    mastodon = api(account)
    status = call(
        mastodon,
        mastodon.status_post,
        message.text,
        in_reply_to_id=parent.external_id,
        visibility=str(parent.meta.get("visibility") or "public"),
        idempotency_key=f"socialdesk-{message.pk}-{message.external_id}",
        language=message.language or None,
    )
    return _sent(status)


def _sent(status: Any) -> Sent:
    return Sent(
        external_id=str(status.id),
        url=_safe_url(status.get("url") or ""),
        meta={"visibility": str(status.visibility), "url": _safe_url(status.get("url") or "")},
    )


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def find_sent(account: ChannelAccount, message: Any) -> Sent | None:
    """Look for the reply on the instance: in the thread of the post it answers."""
    parent = message.parent
    if parent is None:
        return None
    me = str(account.credentials.get("account_id", ""))
    mastodon = api(account)
    try:
        candidates = call(mastodon, mastodon.status_context, parent.external_id).descendants
    except PermanentError:  # the customer's post is gone: look through our latest posts
        candidates = call(mastodon, mastodon.account_statuses, me, limit=40)
    for status in candidates:
        if (
            str(status.account.id) == me
            and str(status.in_reply_to_id or "") == parent.external_id
            and _same_reply(plain_text(str(status.content or "")), message.text)
        ):
            return _sent(status)
    return None


def _same_reply(shown: str, written: str) -> bool:
    """Whether the instance's rendering of a reply is the reply we wrote: the instance shows
    `@kim@x.social` as `@kim` and line breaks as tags (the comparison of publish.py)."""
    from socialdesk.channels.mastodon.publish import comparable  # it builds on this module

    return comparable(shown) == comparable(written)


def check(account: ChannelAccount) -> str:
    mastodon = api(account)
    me = call(mastodon, mastodon.account_verify_credentials)
    return _acct(me, str(account.credentials.get("domain", "")))


def publish(account: ChannelAccount, outgoing: Outgoing) -> Sent:
    from socialdesk.channels.mastodon import publish as publishing  # it builds on this module

    return publishing.publish(account, outgoing)


def find_published(account: ChannelAccount, outgoing: Outgoing) -> Sent | None:
    from socialdesk.channels.mastodon import publish as publishing

    return publishing.find_published(account, outgoing)


def metrics(account: ChannelAccount, sent: dict[str, Any]) -> dict[str, int]:
    from socialdesk.channels.mastodon import published  # it builds on this module

    return published.metrics(account, sent)


def edit_published(account: ChannelAccount, sent: dict[str, Any], outgoing: Outgoing) -> Sent:
    from socialdesk.channels.mastodon import published

    return published.edit_published(account, sent, outgoing)


def delete_published(account: ChannelAccount, sent: dict[str, Any]) -> None:
    from socialdesk.channels.mastodon import published

    published.delete_published(account, sent)


def followers(account: ChannelAccount) -> int:
    """How many follow the company's account: `followers_count` of verify_credentials."""
    mastodon = api(account)
    me = call(mastodon, mastodon.account_verify_credentials)
    return whole_count(me.get("followers_count"), "Mastodon")


def whole_count(value: Any, network: str) -> int:
    """A count from a network as the database holds it (ChannelError when it is not one)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        raise ChannelError(
            f"{network} answered with a follower count that is not a whole number "
            f"({str(value)[:40]!r})",
            code="refused",
        )
    return value
