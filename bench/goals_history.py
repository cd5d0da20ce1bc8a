"""A realistic year of history at scale for `bench_goals.py`, written with plain bulk rows.

`fill(messages, now=...)` writes, ending at `now` and spread over 365 days in the
organisation's time zone (Europe/Berlin, so both DST changes are inside): about
`messages * 0.3` conversations on 2 channel accounts ("nord", "sued"), 5 departments (one
conversation in five without a department), 5 tags (three conversations in ten tagged),
`messages` inbound and outbound messages (threads of 2 to 5 messages, the customer first;
most questions answered within minutes to two days, some never; one in seven messages needs
no reply), SLA outcomes (first response, next response, resolution; met, breached, pending),
a sentiment for one inbound message in five, and a few thousand feedback items with events,
story ideas, posts with metrics and listening matches. Seeded: the same arguments give the
same rows. Nothing from ../shared/data is used.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

DEPARTMENTS = ("Kundenservice", "Produkt", "Vertrieb", "Technik", "Presse")
TAGS = ("rechnung", "lieferung", "störung", "lob", "datenschutz")
SENTIMENTS = ("negative", "neutral", "positive")
THREAD_LENGTHS = (2, 3, 4, 5, 2, 4)  # 3.33 messages per conversation on average
MINUTE = 60


@contextmanager
def stamped(*fields: Any) -> Iterator[None]:
    """Let bulk_create keep the given `created_at` values (auto_now_add off meanwhile)."""
    before = [field.auto_now_add for field in fields]
    for field in fields:
        field.auto_now_add = False
    try:
        yield
    finally:
        for field, value in zip(fields, before, strict=True):
            field.auto_now_add = value


def _sla_state(
    waiting: datetime | None, answer: datetime | None, first: datetime, now: datetime
) -> tuple[str, datetime | None]:
    """A 24-hour answer target: open conversations on track, at risk (the last 4 hours) or
    breached by `now`; answered ones met or breached."""
    if waiting is not None:
        due = waiting + timedelta(hours=24)
        left = due - now
        state = (
            "breached"
            if left <= timedelta(0)
            else "at_risk"
            if left <= timedelta(hours=4)
            else "on_track"
        )
        return state, due
    if answer is None:
        return "", None
    return ("met" if answer - first <= timedelta(hours=24) else "breached"), None


def _reply_delay(rng: random.Random) -> int:
    """Seconds to the company's answer: log-normal, median ~50 min, p90 ~ 20 h."""
    return max(30, int(rng.lognormvariate(8.0, 2.3)))


def fill(messages: int, *, now: datetime, seed: int = 1, log: Any = print) -> dict[str, Any]:
    from socialdesk.accounts.models import Department, Organisation
    from socialdesk.channels.models import ChannelAccount
    from socialdesk.inbox.models import Tag

    started = time.perf_counter()
    organisation = Organisation.current()
    organisation.time_zone = "Europe/Berlin"
    organisation.save()
    rng = random.Random(seed)
    departments = [Department.objects.get_or_create(name=name)[0] for name in DEPARTMENTS]
    accounts = [
        ChannelAccount.objects.create(network="mastodon", handle=h, name=h.title())
        for h in ("nord", "sued")
    ]
    tags = [Tag.objects.create(name=name) for name in TAGS]
    counts = _conversations_and_messages(rng, messages, now, departments, accounts, tags)
    counts.update(_others(rng, now, departments, accounts))
    counts["seconds"] = round(time.perf_counter() - started)
    log(f"history: {counts}")
    return {"departments": departments, "accounts": accounts, "tags": tags, **counts}


def _conversations_and_messages(
    rng: random.Random,
    messages: int,
    now: datetime,
    departments: list[Any],
    accounts: list[Any],
    tags: list[Any],
) -> dict[str, int]:
    from socialdesk.core.db import insert_rows
    from socialdesk.inbox.models import Conversation, Message

    year = 365 * 86400
    plans: list[dict[str, Any]] = []
    written = 0
    index = 0
    while written < messages:
        length = min(THREAD_LENGTHS[index % len(THREAD_LENGTHS)], messages - written)
        first = now - timedelta(seconds=rng.randrange(120, year))
        times, needs = [first], [rng.random() > 0.14]
        unanswered = rng.random() < 0.03
        for position in range(1, length):
            inbound = position % 2 == 0
            if not inbound and unanswered:
                break
            gap = _reply_delay(rng) if not inbound else rng.randrange(5 * MINUTE, 2 * 86400)
            times.append(times[-1] + timedelta(seconds=gap))
            needs.append(inbound and rng.random() > 0.3)
        times = [min(t, now - timedelta(seconds=1)) for t in times]
        department = departments[rng.randrange(5)] if rng.random() >= 0.2 else None
        plans.append(
            {
                "times": times,
                "needs": needs,
                "account": accounts[index % 2].pk,
                "department": department.pk if department is not None else None,
                "tag": tags[index % 5].pk if rng.random() < 0.3 else None,
            }
        )
        written += len(times)
        index += 1
    fields = [
        "channel_account", "department", "status", "first_message_at", "first_message_inbound",
        "needs_reply", "first_response_at", "first_response_seconds", "last_message_at",
        "last_inbound_at", "waiting_since", "waiting_for_us_since", "message_count", "preview",
        "language", "created_at", "sla_state", "sla_warned", "sla_due_at",
    ]  # fmt: skip
    step = 20_000
    ids: list[int] = []
    for first_row in range(0, len(plans), step):
        rows = []
        for plan in plans[first_row : first_row + step]:
            times, needs = plan["times"], plan["needs"]
            answer = times[1] if len(times) > 1 else None
            inbound_times = [t for n, t in enumerate(times) if n % 2 == 0]
            last_inbound = len(times) % 2 == 1
            waiting = times[-1] if last_inbound and needs[-1] else None
            state, due = _sla_state(waiting, answer, times[0], now)
            rows.append(
                [
                    plan["account"], plan["department"], "open" if waiting else "resolved",
                    times[0], True, needs[0], answer,
                    int((answer - times[0]).total_seconds()) if answer else None,
                    times[-1], inbound_times[-1], inbound_times[-1], waiting, len(times),
                    "Frage?", "de", times[0], state, "", due,
                ]
            )  # fmt: skip
        insert_rows(Conversation, fields, rows)
    ids = list(Conversation.objects.order_by("pk").values_list("pk", flat=True))
    through = Conversation.tags.through
    insert_rows(
        through,
        ["conversation", "tag"],
        [[pk, plan["tag"]] for pk, plan in zip(ids, plans, strict=True) if plan["tag"]],
    )
    batch: list[list[Any]] = []
    number = 0
    message_fields = [
        "conversation", "channel_account", "external_id", "direction", "text", "created_at",
        "needs_reply", "author_handle", "parent_external_id", "language", "imported_at", "meta",
    ]  # fmt: skip
    for pk, plan in zip(ids, plans, strict=True):
        for position, (at, needs) in enumerate(zip(plan["times"], plan["needs"], strict=True)):
            inbound = position % 2 == 0
            batch.append(
                [
                    pk, plan["account"], f"m{number}", "in" if inbound else "out",
                    "Wann kommt meine Lieferung?" if inbound else "Wir schauen nach!", at,
                    needs if inbound else False, "kunde" if inbound else "firma", "", "de", at,
                    {},
                ]
            )  # fmt: skip
            number += 1
        if len(batch) >= 50_000:
            insert_rows(Message, message_fields, batch)
            batch = []
    insert_rows(Message, message_fields, batch)
    outcomes = _outcomes(ids, plans, now)
    classified = _sentiments()
    return {
        "conversations": len(ids),
        "messages": number,
        "sla_outcomes": outcomes,
        "classified": classified,
    }


def _outcomes(ids: list[int], plans: list[dict[str, Any]], now: datetime) -> int:
    from socialdesk.core.db import insert_rows
    from socialdesk.sla.models import SlaOutcome

    fields = [
        "conversation", "channel_account", "department", "kind", "policy_name", "target_seconds",
        "business_hours_name",
        "started_at", "due_at", "stopped_at", "state", "elapsed_seconds", "margin_seconds",
        "evaluated", "recorded_at", "updated_at",
    ]  # fmt: skip
    targets = {"first_response": 4 * 3600, "next_response": 8 * 3600, "resolution": 48 * 3600}
    rows: list[list[Any]] = []
    total = 0

    def clock(pk: int, kind: str, start: datetime, stop: datetime | None) -> None:
        target = targets[kind]
        due = start + timedelta(seconds=target)
        elapsed = int((stop - start).total_seconds()) if stop else None
        state = "pending" if stop is None else "met" if stop <= due else "breached"
        margin = target - elapsed if elapsed is not None else None
        rows.append(
            [pk, account, department, kind, "Standard", target, "", start, due, stop, state, elapsed, margin,
             False, start, start]
        )  # fmt: skip

    for pk, plan in zip(ids, plans, strict=True):
        times = plan["times"]
        if not plan["needs"][0]:
            continue
        account, department = plan["account"], plan["department"]  # the conversation's
        clock(pk, "first_response", times[0], times[1] if len(times) > 1 else None)
        if len(times) >= 4:
            clock(pk, "next_response", times[2], times[3])
        if pk % 2 == 0:
            resolved = times[-1] if len(times) % 2 == 0 else None
            clock(pk, "resolution", times[0], resolved)
        if len(rows) >= 50_000:
            total += insert_rows(SlaOutcome, fields, rows)
            rows = []
    total += insert_rows(SlaOutcome, fields, rows)
    return total


def _sentiments() -> int:
    from socialdesk.core.db import insert_rows
    from socialdesk.feedback.models import Classification
    from socialdesk.inbox.models import Message

    inbound = list(
        Message.objects.filter(direction="in").order_by("pk").values_list("pk", "created_at")
    )
    chosen = inbound[::5]
    fields = [
        "message", "relevant", "relevance_confidence", "sentiment", "sentiment_confidence",
        "topics", "source", "updated_at", "written_at",
    ]  # fmt: skip
    from django.utils import timezone

    stamp = timezone.now()
    total = 0
    for first in range(0, len(chosen), 50_000):
        rows = [
            [pk, True, 0.9, SENTIMENTS[pk % 3], 0.8, [], "rules", stamp, written]
            for pk, written in chosen[first : first + 50_000]
        ]
        total += insert_rows(Classification, fields, rows)
    return total


def _others(
    rng: random.Random, now: datetime, departments: list[Any], accounts: list[Any]
) -> dict[str, int]:
    """Feedback items and their events, ideas, posts with metrics, listening matches."""
    from socialdesk.feedback.models import FeedbackEvent, FeedbackItem
    from socialdesk.inbox.models import Message
    from socialdesk.listening.models import Monitor, MonitorMatch
    from socialdesk.publishing.models import Idea, Post, PostMetric, PostTarget

    def when() -> datetime:
        return now - timedelta(seconds=rng.randrange(3600, 365 * 86400))

    with stamped(FeedbackItem._meta.get_field("created_at")):
        items = FeedbackItem.objects.bulk_create(
            [
                FeedbackItem(
                    title=f"Wunsch {n}",
                    department=departments[n % 5],
                    created_at=(made := when()),
                    due_at=made + timedelta(days=rng.randrange(1, 14)),
                )
                for n in range(3000)
            ]
        )
    events = []
    for item in items:
        moved = item.created_at + timedelta(hours=rng.randrange(1, 400))
        if moved < now:
            events.append(FeedbackEvent(item=item, kind="status:acknowledged", created_at=moved))
            done = moved + timedelta(hours=rng.randrange(1, 400))
            if done < now:
                events.append(FeedbackEvent(item=item, kind="status:done", created_at=done))
                events.append(FeedbackEvent(item=item, kind="answered", created_at=done))
    with stamped(FeedbackEvent._meta.get_field("created_at")):
        FeedbackEvent.objects.bulk_create(events, batch_size=2000)
    with stamped(Idea._meta.get_field("created_at")):
        ideas = Idea.objects.bulk_create(
            [
                Idea(
                    title=f"Idee {n}",
                    what_happened="x",
                    department=departments[n % 5],
                    status="published" if n % 2 else "new",
                    created_at=when(),
                )
                for n in range(600)
            ]
        )
    posts = Post.objects.bulk_create(
        [
            Post(text=f"Beitrag {n}", idea=ideas[n % 600] if n % 3 else None, status="published")
            for n in range(1500)
        ]
    )
    targets = PostTarget.objects.bulk_create(
        [
            PostTarget(post=post, channel=accounts[n % 2], state="published", published_at=when())
            for n, post in enumerate(posts)
        ]
    )
    metrics = [
        PostMetric(
            target=target,
            age=age,
            taken_at=target.published_at or now,
            likes=rng.randrange(0, 50),
            reposts=rng.randrange(0, 10),
            replies=rng.randrange(0, 5),
            quotes=0,
        )
        for target in targets
        for age in ("24h", "7d")
    ]
    PostMetric.objects.bulk_create(metrics, batch_size=2000)
    monitor = Monitor.objects.create(name="Marke", query="lieferung")
    matched = list(
        Message.objects.filter(direction="in")
        .order_by("pk")
        .values_list("pk", "created_at")[:200_000:20]
    )
    MonitorMatch.objects.bulk_create(
        [MonitorMatch(monitor=monitor, message_id=pk, created_at=at) for pk, at in matched],
        batch_size=2000,
    )
    return {
        "feedback_items": len(items),
        "feedback_events": len(events),
        "ideas": len(ideas),
        "posts": len(posts),
        "matches": len(matched),
    }
