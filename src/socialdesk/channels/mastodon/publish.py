"""Publishing posts on Mastodon: each part once, with its Idempotency-Key, a thread's later
parts as replies to the one before; and finding what an earlier attempt posted.

A part's images are uploaded first (`POST /api/v2/media` with the alt text as `description`);
an instance that processes them in the background answers 202 with `url: null`, and the
status may only name them once they are processed, so we ask again (`GET /api/v1/media/:id`)
for a short while and otherwise try again later. Then the status goes out with `media_ids`,
the content warning as `spoiler_text`, visibility, language, `in_reply_to_id` for a thread's
later parts and the part's Idempotency-Key, so the instance itself turns a repeated request
into the same status.

Errors: what the instance refuses (422 "Validation failed: Text is too long", an image it does
not take: 413/415/422 on the upload) is a `PermanentError` with the instance's reason; 5xx and
timeouts are `ChannelError`; 429 is `RateLimited` until the instance's `X-RateLimit-Reset`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from mastodon import Mastodon

from socialdesk.channels.base import (
    ChannelError,
    Outgoing,
    OutgoingMedia,
    PermanentError,
    Sent,
    checked_sent,
)
from socialdesk.channels.mastodon.connector import _aware, _same_text, _sent, api, call
from socialdesk.channels.models import ChannelAccount
from socialdesk.channels.rss.connector import plain_text

MEDIA_WAIT_SECONDS = 20.0  # how long one attempt waits for the instance to process its images
# (all of them together: a worker's claim on the part must outlast it)
MEDIA_POLL_FIRST = 0.5  # first pause between two questions; doubles, at most MEDIA_POLL_MAX
MEDIA_POLL_MAX = 4.0
OWN_STATUSES = 40  # one page of our own statuses (Mastodon's largest)
OWN_PAGES = 25  # at most this many pages back to the part's key time
CLOCK_SKEW = timedelta(minutes=10)  # between our clock and the instance's
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif"}
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_MENTION_DOMAIN = re.compile(r"(?<![\w@])(@\w[\w.-]*)@[\w-]+(?:\.[\w-]+)+")


def idempotency_key(outgoing: Outgoing) -> str:
    return f"socialdesk-part-{outgoing.key}"


def _reply_to_id(outgoing: Outgoing) -> str | None:
    return str(outgoing.reply_to["external_id"]) if outgoing.reply_to else None


def check_media(account: ChannelAccount, outgoing: Outgoing) -> None:
    """Refuse, before anything is uploaded, what the instance said it does not take
    (`account.limits`, read from its configuration: `max_media`, `image_size_limit`)."""
    limits = account.limits or {}
    most = limits.get("max_media")
    if isinstance(most, int) and most > 0 and len(outgoing.media) > most:
        raise PermanentError(
            f"this instance takes at most {most} images per post; this part has "
            f"{len(outgoing.media)}",
            code="refused",
        )
    largest = limits.get("image_size_limit")
    for number, media in enumerate(outgoing.media, start=1):
        if isinstance(largest, int) and largest > 0 and len(media.content) > largest:
            raise PermanentError(
                f"image {number} has {len(media.content):,} bytes; this instance takes images "
                f"of at most {largest:,} bytes",
                code="refused",
            )


def publish(account: ChannelAccount, outgoing: Outgoing) -> Sent:
    check_media(account, outgoing)
    mastodon = api(account)
    deadline = time.monotonic() + MEDIA_WAIT_SECONDS
    media_ids = [
        upload(mastodon, media, number, deadline)
        for number, media in enumerate(outgoing.media, start=1)
    ]
    try:
        status = call(
            mastodon,
            mastodon.status_post,
            outgoing.text,
            in_reply_to_id=_reply_to_id(outgoing),
            media_ids=media_ids or None,
            visibility=outgoing.visibility or "public",
            spoiler_text=outgoing.content_warning or None,
            language=outgoing.language or None,
            idempotency_key=idempotency_key(outgoing),
        )
    except PermanentError as error:
        if error.code:  # credentials, not found: the shared words are right
            raise
        if "not finished processing" in str(error):  # an image the instance is still working on
            raise ChannelError(
                f"the instance is still processing an image ({_detail(error)})", code="timeout"
            ) from None
        reason = f"Mastodon refused the post: {_detail(error)}"
        raise PermanentError(reason, code="refused") from None
    return checked_sent(_sent(status), "Mastodon")


def upload(mastodon: Mastodon, media: OutgoingMedia, number: int, deadline: float) -> str:
    """Upload one image with its alt text; return its id once the instance has processed it."""
    name = f"image-{number}.{EXTENSIONS.get(media.mime, 'bin')}"
    try:
        attachment: Any = call(
            mastodon, mastodon.media_post, media.content, mime_type=media.mime,
            description=media.alt_text or None, file_name=name,
        )  # fmt: skip
    except PermanentError as error:
        if error.code:
            raise
        raise PermanentError(
            f"Mastodon refused image {number} ({media.mime}, {len(media.content):,} bytes): "
            f"{_detail(error)}",
            code="refused",
        ) from None
    return _processed(mastodon, attachment, number, deadline)


def _processed(mastodon: Mastodon, attachment: Any, number: int, deadline: float) -> str:
    """Ask again until the image has its `url` (processed); ChannelError when it takes longer
    than one attempt may wait (`deadline`; the next attempt uploads it again)."""
    media_id = str(attachment["id"])
    pause = MEDIA_POLL_FIRST
    while attachment.get("url") is None:
        if time.monotonic() + pause > deadline:
            raise ChannelError(
                f"the instance is still processing image {number}; trying again later",
                code="timeout",
            )
        time.sleep(pause)
        pause = min(pause * 2, MEDIA_POLL_MAX)
        try:
            attachment = call(mastodon, mastodon.media, media_id)
        except PermanentError as error:
            if error.code == "not_found":  # the instance dropped it: its processing failed
                raise PermanentError(
                    f"Mastodon could not process image {number} ({_detail(error)})",
                    code="refused",
                ) from None
            raise
    return media_id


def _detail(error: BaseException) -> str:
    """The instance's own words from `call`'s message: "… (Mastodon API returned error: 422: …)"."""
    text = str(error)
    start, end = text.find("("), text.rfind(")")
    inner = text[start + 1 : end] if 0 <= start < end else text
    return inner.removeprefix("Mastodon API returned error: ")


def key_time(key: str) -> datetime | None:
    """When a part's key was made (a TID holds its microseconds), None for another format."""
    if len(key) != 13 or any(c not in TID_ALPHABET for c in key):
        return None
    value = 0
    for char in key:
        value = value * 32 + TID_ALPHABET.index(char)
    try:
        return datetime.fromtimestamp((value >> 10) / 1_000_000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def find_published(account: ChannelAccount, outgoing: Outgoing) -> Sent | None:
    """The status an earlier attempt posted for this part, or None.

    A later part of a thread is looked for among the answers to the part before it; a first
    part among our own statuses, newest first, back to the time its key was made. It is ours
    when it answers the same status with the same text, content warning and alt texts
    (instances forget Idempotency-Keys after an hour, so the key alone is not enough; the time
    keeps an older post with the same words, e.g. a weekly greeting, from passing for this
    one)."""
    me = str(account.credentials.get("account_id", ""))
    mastodon = api(account)
    made = key_time(outgoing.key)
    since = made - CLOCK_SKEW if made else None
    parent = _reply_to_id(outgoing)
    candidates: Iterable[Any]
    if parent is not None:
        try:
            candidates = call(mastodon, mastodon.status_context, parent).descendants
        except PermanentError as error:
            if error.code != "not_found":
                raise
            candidates = _own_statuses(mastodon, me, since)  # the part before is gone
    else:
        candidates = _own_statuses(mastodon, me, since)
    for status in candidates:
        if str(status["account"]["id"]) != me:
            continue
        if since is not None and _aware(status["created_at"]) < since:
            continue
        if str(status.get("in_reply_to_id") or "") != (parent or ""):
            continue
        if not _same_text(str(status.get("spoiler_text") or ""), outgoing.content_warning):
            continue
        described = [str(m.get("description") or "") for m in status.get("media_attachments") or []]
        if [comparable(d) for d in described] != [comparable(m.alt_text) for m in outgoing.media]:
            continue
        if comparable(plain_text(str(status.get("content") or ""))) == comparable(outgoing.text):
            return checked_sent(_sent(status), "Mastodon")
    return None


def comparable(text: str) -> str:
    """Text as both our words and the instance's HTML of them reduce to: without whitespace
    (line breaks and paragraphs become tags that leave none), mentions by their local part
    (as the instance shows `@kim@example.social`), and without markup characters some servers
    turn into formatting (`*`, `~`, backticks)."""
    text = _MENTION_DOMAIN.sub(r"\1", text)
    return "".join(c for c in text if not c.isspace() and c not in "*~`").casefold()


def _own_statuses(mastodon: Mastodon, me: str, since: datetime | None) -> Iterator[Any]:
    """Our statuses, newest first, page by page back to `since` (one page without it)."""
    max_id: str | None = None
    for _page in range(OWN_PAGES if since is not None else 1):
        page: Any = call(mastodon, mastodon.account_statuses, me, limit=OWN_STATUSES,
                         max_id=max_id)  # fmt: skip
        if not page:
            return
        yield from page
        if since is None or _aware(page[-1]["created_at"]) < since:
            return
        max_id = str(page[-1]["id"])
