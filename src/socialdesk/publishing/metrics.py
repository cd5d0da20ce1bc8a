"""Public figures of published posts, read back at fixed ages (1 h, 6 h, 24 h, 72 h, 7 days).

`read_due` is the worker's regular pass. For each post on a channel (a `PostTarget` that was
published) it takes the latest age that has passed, if that age has no reading yet: one
`PostMetric` per (target, age), kept by a unique constraint, so two workers or a repeated pass
store it once. A worker that was down takes the age it missed once (the latest passed one; the
earlier ones it slept through stay empty rather than showing later figures under an earlier
age). A network that fails is left for this pass after its first error, so it never holds up
the others; its ages are taken on a later pass. Figures are what the network said, clamped to
what a count can be (0 … 2,147,483,647); a value that was no count at all is stored as 0 and
noted in the post's history.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from socialdesk.channels.base import ChannelError, PermanentError
from socialdesk.channels.protocol import load, reads_metrics
from socialdesk.publishing.models import PartState, PostEvent, PostMetric, PostTarget, TargetState

log = logging.getLogger(__name__)

AGES: tuple[tuple[str, timedelta], ...] = (
    ("1h", timedelta(hours=1)),
    ("6h", timedelta(hours=6)),
    ("24h", timedelta(hours=24)),
    ("72h", timedelta(hours=72)),
    ("7d", timedelta(days=7)),
)
FIGURES = ("likes", "reposts", "replies", "quotes")
MAX_FIGURE = 2_147_483_647  # the largest PositiveIntegerField on every database
# How late the last reading may still be taken (a worker down for longer loses it).
LATE = timedelta(days=1)


def due_age(published_at: datetime, now: datetime, taken: set[str]) -> str | None:
    """The age to read now: the latest that has passed, unless it was read already."""
    passed = [name for name, offset in AGES if published_at + offset <= now]
    if not passed or passed[-1] in taken:
        return None
    return passed[-1]


def clean(raw: dict[str, Any]) -> tuple[dict[str, int], dict[str, str]]:
    """The figures as they can be stored, and what had to be set aside (name → raw value)."""
    figures: dict[str, int] = {}
    odd: dict[str, str] = {}
    for name in FIGURES:
        value = raw.get(name) if isinstance(raw, dict) else None
        if isinstance(value, bool) or not isinstance(value, int):
            figures[name] = 0
            odd[name] = repr(value)[:40]
        elif value < 0 or value > MAX_FIGURE:
            figures[name] = min(max(value, 0), MAX_FIGURE)
            odd[name] = repr(value)[:40]
        else:
            figures[name] = value
    return figures, odd


def sent_of(target: PostTarget) -> dict[str, Any] | None:
    """What publishing kept of a target's first part (`{"external_id": …, **meta}`)."""
    first = next((p for p in target.parts.all() if p.position == 0), None)
    if first is None or first.state != PartState.SENT or not first.remote_id:
        return None
    return {"external_id": first.remote_id, **(first.meta or {})}


def _store(target: PostTarget, age: str, raw: dict[str, Any], now: datetime) -> bool:
    figures, odd = clean(raw)
    try:
        with transaction.atomic():
            PostMetric.objects.create(target=target, age=age, taken_at=now, **figures)
            if odd:
                PostEvent.objects.create(
                    post_id=target.post_id, kind="metrics_set_aside",
                    data={"channel": str(target.channel), "age": age, "values": odd},
                )  # fmt: skip
    except IntegrityError:  # another worker took this age first
        return False
    return True


def due_targets(now: datetime) -> list[tuple[PostTarget, str]]:
    """The published targets with an age to read now, and that age."""
    first_age, last_age = AGES[0][1], AGES[-1][1]
    targets = (
        PostTarget.objects.filter(
            state=TargetState.PUBLISHED,
            published_at__lte=now - first_age,
            published_at__gte=now - last_age - LATE,
        )
        .exclude(metrics__age=AGES[-1][0])
        .select_related("channel")
        .prefetch_related("metrics", "parts")
        .order_by("channel_id", "published_at", "pk")
    )
    out = []
    for target in targets:
        assert target.published_at is not None
        age = due_age(target.published_at, now, {m.age for m in target.metrics.all()})
        if age is not None:
            out.append((target, age))
    return out


def read_due(now: datetime | None = None) -> int:
    """Read every due age once; return how many readings were stored."""
    now = now or timezone.now()
    by_channel: dict[int, list[tuple[PostTarget, str]]] = defaultdict(list)
    for target, age in due_targets(now):
        by_channel[target.channel_id].append((target, age))
    stored = 0
    for pairs in by_channel.values():
        try:
            stored += _read_channel(pairs, now)
        except Exception:  # one network's surprise never stops the others
            log.exception("metrics of channel %s failed", pairs[0][0].channel_id)
    return stored


def _read_channel(pairs: list[tuple[PostTarget, str]], now: datetime) -> int:
    channel = pairs[0][0].channel
    connector = load(channel.network)
    if connector is None or not reads_metrics(connector):
        return 0
    stored = 0
    for target, age in pairs:
        sent = sent_of(target)
        if sent is None:
            continue
        try:
            raw = connector.metrics(channel, sent)
        except PermanentError as error:
            if error.code == "credentials":  # the channel's access: none of its posts
                log.warning("metrics of channel %s not read: %s", channel.pk, error)
                break
            # this post only (e.g. gone from the network)
            log.info("metrics of target %s not read: %s", target.pk, error)
            continue
        except ChannelError as error:  # the network: leave it for this pass
            log.warning("metrics of channel %s not read now: %s", channel.pk, error)
            break
        stored += _store(target, age, raw, now)
    return stored
