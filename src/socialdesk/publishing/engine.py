"""Publish due posts: every part on every channel at most once, also across crashes and retries,
and at least once when the network recovers.

A scheduled post whose time has come moves to "publishing" (one conditional UPDATE). Each of its
parts (`PostPart`, one per channel and part of a thread) is claimed with one conditional UPDATE
(pending → sending) before it is sent, so two workers never send the same part; while it is
sent the claim is renewed (channels/leases.py), and a claim older than the lease means its
worker died. Before a part is sent again after an unknown outcome (an earlier error, or a dead
worker's claim) the network is asked whether it arrived (`find_published`); the part's `key`
(the Mastodon Idempotency-Key and the Bluesky record key) makes a repeated request find the same
post instead of making a second one. The parts of one channel go out strictly in order: part
n + 1 is due only when part n is on the network, and answers it.

Transient errors (`ChannelError`, `RateLimited`) wait and try again with backoff; permanent ones
(`PermanentError`: credentials, a text or image the network refuses) mark that channel failed,
tell the author and the social team, and wait for "retry after editing"
(`delivery.target_retry`). The post's status follows its channels (`settling.py`).
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from socialdesk.accounts.audit import record
from socialdesk.channels.base import (
    ChannelError,
    Outgoing,
    OutgoingMedia,
    PermanentError,
    RateLimited,
    Sent,
)
from socialdesk.channels.errors import Code, classify
from socialdesk.channels.items.normalise import clean_json, clean_text
from socialdesk.channels.leases import renewing
from socialdesk.channels.protocol import publisher
from socialdesk.publishing import event_data
from socialdesk.publishing.models import (
    PartState,
    Post,
    PostEvent,
    PostMedia,
    PostPart,
    PostStatus,
    PostTarget,
    TargetState,
)
from socialdesk.publishing.services import event
from socialdesk.publishing.settling import WORKER, settle, settle_target

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 16  # about two hours of backoff; rate limits never count towards giving up
BACKOFF_FIRST = timedelta(seconds=2)
BACKOFF_MAX = timedelta(minutes=15)
CHANNEL_THREADS = 4  # channels published side by side in one pass
START_BATCH = 500  # posts moved to publishing in one transaction


def lease() -> timedelta:
    """How long a claim holds without being renewed (the same lease as sending replies)."""
    return timedelta(seconds=float(settings.SEND_LEASE_SECONDS))


@dataclass
class Pass:
    """What one pass of the worker did, and the channels that asked it to wait."""

    started: int = 0
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    waiting: dict[int, datetime] = field(default_factory=dict)


# --------------------------------------------------------------------------- what is due


def _due_posts(now: datetime) -> QuerySet[Post]:
    return Post.objects.filter(status=PostStatus.SCHEDULED, scheduled_at__lte=now)


def _due_parts(now: datetime) -> QuerySet[PostPart]:
    """Parts to send now: pending and due, or claimed by a worker that died; never a part whose
    earlier part in the same channel is not on the network yet."""
    earlier_open = PostPart.objects.filter(
        target=OuterRef("target"), position__lt=OuterRef("position")
    ).exclude(state=PartState.SENT)
    fresh = Q(state=PartState.PENDING) & (Q(next_at__isnull=True) | Q(next_at__lte=now))
    stale = Q(state=PartState.SENDING, claimed_at__lt=now - lease())
    return (
        PostPart.objects.filter(fresh | stale)
        .filter(target__state=TargetState.PUBLISHING, target__post__status=PostStatus.PUBLISHING)
        .exclude(Exists(earlier_open))
    )


def anything_due() -> bool:
    """Whether a pass would find work (the worker asks every second; two indexed queries)."""
    now = timezone.now()
    if _due_posts(now).exists():
        return True
    # Parts are due only in posts being published (the index on the post's status finds them).
    publishing = Post.objects.filter(status=PostStatus.PUBLISHING)
    return publishing.exists() and _due_parts(now).filter(target__post__in=publishing).exists()


def publish_due(limit: int = 1000) -> Pass:
    """One pass: start the posts whose time has come, send the parts that are due (oldest post
    first; a thread's next part right after the one before)."""
    done = Pass()
    now = timezone.now()
    while started := _start_due(now):
        done.started += started
    rows = list(
        _due_parts(timezone.now())
        .order_by("target__post__scheduled_at", "target__post_id", "target_id", "position")
        .values_list("pk", "target__channel_id")[:limit]
    )
    per_channel: dict[int, list[int]] = {}
    for pk, channel in rows:
        per_channel.setdefault(channel, []).append(pk)
    if len(per_channel) < 2 or connection.in_atomic_block:
        for channel, ids in per_channel.items():
            _send_all(channel, ids, done)
        return done
    # One thread per channel: a slow or waiting network never holds up the others.
    with ThreadPoolExecutor(max_workers=min(len(per_channel), CHANNEL_THREADS)) as pool:
        passes = list(pool.map(_send_all_in_thread, per_channel.items()))
    for each in passes:
        done.sent += each.sent
        done.failed += each.failed
        done.retrying += each.retrying
        done.waiting.update(each.waiting)
    return done


def _send_all(channel: int, ids: list[int], done: Pass) -> None:
    for pk in ids:
        try:
            _send_chain(pk, channel, done)
        except Exception:  # one broken part never stops the queue; its claim runs out
            logger.exception("publishing part %s failed", pk)


def _send_all_in_thread(work: tuple[int, list[int]]) -> Pass:
    done = Pass()
    try:
        _send_all(*work, done)
    finally:
        connection.close()  # this thread's own connection
    return done


def _start_due(now: datetime) -> int:
    """Move the scheduled posts whose time has come to publishing, in one transaction (each
    once, whichever worker gets there first: the rows are locked, or the database is)."""
    with transaction.atomic():
        due = _due_posts(now).order_by("scheduled_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        posts = list(due[:START_BATCH])
        if not posts:
            return 0
        ids = [post.pk for post in posts]
        Post.objects.filter(pk__in=ids).update(status=PostStatus.PUBLISHING, updated_at=now)
        PostTarget.objects.filter(post_id__in=ids, state=TargetState.PENDING).update(
            state=TargetState.PUBLISHING
        )
        PostEvent.objects.bulk_create(PostEvent(post=post, kind="publishing") for post in posts)
        for post in posts:
            post.status = PostStatus.PUBLISHING
            record(WORKER, "post.publishing", post)
        # A post without channels has nothing to wait for.
        empty = set(ids) - set(
            PostTarget.objects.filter(post_id__in=ids).values_list("post_id", flat=True)
        )
        for pk in empty:
            settle(pk)
    return len(posts)


def _start(pk: int) -> int:
    """Start one post if it is due (tests; the pass starts them in batches)."""
    return _start_due(timezone.now()) if _due_posts(timezone.now()).filter(pk=pk) else 0


def _send_chain(pk: int, channel: int, done: Pass) -> None:
    """Send a part and, while each goes out, the next part of the same channel."""
    next_pk: int | None = pk
    while next_pk is not None:
        until = done.waiting.get(channel)
        if until is not None and until > timezone.now():
            return
        sent = send_part(next_pk, done)
        if sent is None:
            return
        # The next part of the thread (the claim checks that it is still due).
        next_pk = (
            PostPart.objects.filter(
                target_id=sent.target_id, position=sent.position + 1, state=PartState.PENDING
            )
            .values_list("pk", flat=True)
            .first()
        )


# --------------------------------------------------------------------------- one part


def _claim(pk: int) -> tuple[datetime, bool] | None:
    """Take the part for this worker: (the claim's time, whether an earlier attempt's outcome
    is unknown), or None when someone else has it (or it is not due)."""
    now = timezone.now()
    fresh = PostPart.objects.filter(pk=pk, state=PartState.PENDING).filter(
        Q(next_at__isnull=True) | Q(next_at__lte=now)
    )
    if fresh.update(state=PartState.SENDING, claimed_at=now):
        return now, False
    # A claim older than the lease: its worker died while sending. Count it as an attempt.
    stale = PostPart.objects.filter(pk=pk, state=PartState.SENDING, claimed_at__lt=now - lease())
    if stale.update(claimed_at=now, attempts=F("attempts") + 1):
        return now, True
    return None


def _renewing(pk: int, claimed: datetime) -> Any:
    at = claimed

    def renew() -> bool:
        nonlocal at
        now = timezone.now()
        moved = PostPart.objects.filter(pk=pk, state=PartState.SENDING, claimed_at=at).update(
            claimed_at=now
        )
        at = now if moved else at
        return bool(moved)

    return renewing(lease(), renew, f"post part {pk}")


def send_part(pk: int, done: Pass | None = None) -> PostPart | None:
    """Send one part if it is due and free; the part when it is now on the network."""
    done = done if done is not None else Pass()
    claimed = _claim(pk)
    if claimed is None:
        return None
    at, unknown = claimed
    with _renewing(pk, at):
        return _send_claimed(pk, unknown, done)


def _sent_of(part: PostPart | None) -> dict[str, Any] | None:
    if part is None:
        return None
    return {"external_id": part.remote_id, **(part.meta or {})}


def outgoing(part: PostPart) -> Outgoing:
    """The part as the connector publishes it: a later part answers the one before."""
    target = part.target
    post = target.post
    earlier = (
        {
            p.position: p
            for p in PostPart.objects.filter(
                target=target, position__lt=part.position, state=PartState.SENT
            )
        }
        if part.position
        else {}
    )
    media = tuple(
        OutgoingMedia(
            content=bytes(m.content),
            mime=m.mime,
            alt_text=m.alt_text,
            width=m.width,
            height=m.height,
        )
        for m in PostMedia.objects.filter(post=post, part=part.position).order_by("position", "pk")
    )
    later = part.position > 0
    return Outgoing(
        key=part.key,
        text=part.text,
        created_at=timezone.now(),
        reply_to=_sent_of(earlier.get(part.position - 1)) if later else None,
        root=_sent_of(earlier.get(0)) if later else None,
        language=post.language,
        content_warning=post.content_warning,
        visibility=post.visibility,
        media=media,
        link_card=(post.link_card or None) if part.position == 0 else None,
    )


def _send_claimed(pk: int, unknown: bool, done: Pass) -> PostPart | None:
    part = PostPart.objects.select_related("target__channel", "target__post").get(pk=pk)
    target = part.target
    if target.state != TargetState.PUBLISHING or target.post.status != PostStatus.PUBLISHING:
        PostPart.objects.filter(pk=pk, state=PartState.SENDING).update(state=PartState.PENDING)
        return None
    account = target.channel
    if account.disconnected_at is not None:
        _fail(part, PermanentError("the channel is disconnected", code=Code.CREDENTIALS), done)
        return None
    module = publisher(account.network)
    if module is None:
        reason = f"{account.get_network_display()} channels cannot publish posts"
        _fail(part, PermanentError(reason, code=Code.REFUSED), done)
        return None
    try:
        message = outgoing(part)
        found: Sent | None = None
        if unknown or part.attempts > 0:
            # The outcome of an earlier attempt is unknown: look before posting again.
            found = module.find_published(account, message)
        result = found or module.publish(account, message)
    except PermanentError as error:
        _fail(part, error, done)
        return None
    except ChannelError as error:
        _retry_later(part, error, done)
        return None
    except Exception as error:  # a connector's bug: try again later, looking first
        logger.exception("publishing part %s", pk)
        _retry_later(part, ChannelError(f"unexpected error: {error}"[:500]), done)
        return None
    _mark_sent(part, result, done)
    return part


def _mark_sent(part: PostPart, result: Sent, done: Pass) -> None:
    with transaction.atomic():
        Post.objects.select_for_update().get(pk=part.target.post_id)
        # What the network answered is outside data: no NUL, no lone surrogates, cut to fit.
        moved = PostPart.objects.filter(pk=part.pk, state=PartState.SENDING).update(
            state=PartState.SENT,
            remote_id=clean_text(str(result.external_id))[:500],
            url=_safe_url(clean_text(str(result.url or "")))[:1000],
            meta=clean_json(result.meta or {}),
            sent_at=timezone.now(),
            error="",
            next_at=None,
        )
        if moved:
            done.sent += 1
            if settle_target(part.target):  # the channel's last part: the post is on it
                event_data.announce_published(part.target_id)


def _safe_url(url: str) -> str:
    """Only a web address is kept as the link to a post (never `javascript:` and the like)."""
    return url if url.startswith(("https://", "http://")) else ""


def _retry_later(part: PostPart, error: ChannelError, done: Pass) -> None:
    attempts = part.attempts + 1
    limited = isinstance(error, RateLimited)
    if attempts >= MAX_ATTEMPTS and not limited:
        reason = f"{error} (gave up after {attempts} attempts)"
        _fail(part, PermanentError(reason, code=classify(error)), done)
        return
    now = timezone.now()
    delay = min(BACKOFF_FIRST * 2 ** (attempts - 1), BACKOFF_MAX)
    next_at = max(error.retry_at, now) if error.retry_at else now + delay
    moved = PostPart.objects.filter(pk=part.pk, state=PartState.SENDING).update(
        state=PartState.PENDING,
        attempts=min(attempts, 32_000),
        error=clean_text(str(error))[:2000],
        next_at=next_at,
    )
    done.retrying += moved
    if limited:
        # The whole channel waits: its other parts would only meet the same limit.
        channel = part.target.channel_id
        done.waiting[channel] = next_at
        PostPart.objects.filter(
            target__channel_id=channel,
            state=PartState.PENDING,
            target__state=TargetState.PUBLISHING,
        ).filter(Q(next_at__isnull=True) | Q(next_at__lt=next_at)).update(next_at=next_at)


def _fail(part: PostPart, error: ChannelError, done: Pass) -> None:
    """The network refused the part for good: the channel's target fails, people are told."""
    from socialdesk.publishing.delivery import tell_failed

    code = _code(error)
    reason = clean_text(str(error))[:2000]
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=part.target.post_id)
        moved = PostPart.objects.filter(pk=part.pk, state=PartState.SENDING).update(
            state=PartState.FAILED, error=reason, next_at=None
        )
        if not moved:
            return
        target = PostTarget.objects.select_related("channel").get(pk=part.target_id)
        PostTarget.objects.filter(pk=target.pk).update(
            state=TargetState.FAILED, error_code=code, error=reason
        )
        target.state, target.error_code, target.error = TargetState.FAILED, code, reason
        event(
            post, None, "failed",
            channel=target.channel.name or target.channel.handle, channel_id=target.channel_id,
            code=code, reason=reason[:500], part=part.position,
        )  # fmt: skip
        record(
            WORKER, "post.channel_failed", post, after={"channel": target.channel_id, "code": code}
        )
        done.failed += 1
        try:
            with transaction.atomic():  # telling people must not undo the failure's record
                tell_failed(post, target)
        except Exception:
            logger.exception("could not tell people that post %s failed", post.pk)
        settle(post.pk)
        event_data.announce_failed(target.pk, part.position)


# Codes that say "later". A part fails only for good (a refusal, or the engine giving up
# after MAX_ATTEMPTS, which keeps the last error's code): a refusal whose text merely reads
# like a passing fault is reported as a refusal, never as "try later".
_TRANSIENT = {Code.SERVER, Code.TIMEOUT, Code.UNREACHABLE, Code.RATE_LIMITED}


def _code(error: ChannelError) -> str:
    code = classify(error)
    if error.code is None and code in _TRANSIENT:
        return str(Code.REFUSED)
    return str(code)
