"""Monitors: create and change them, match what comes in, and alert on spikes."""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from socialdesk.accounts.audit import Acting, record
from socialdesk.accounts.models import Role, User
from socialdesk.inbox.models import Message, Notification
from socialdesk.inbox.notify import notify
from socialdesk.insights.query import Document, check_query, compile_query
from socialdesk.listening.models import Monitor, MonitorMatch, SpikeAlert

BACKFILL_DAYS = 30  # a new monitor looks this far back at once
BATCH = 5000
USUAL_HOURS = 7 * 24  # the hours a spike is compared with
SPIKE_FACTOR = 3.0  # at least this many times the usual hourly volume …
SPIKE_SIGMAS = 4.0  # … and this many standard deviations above it


def _start_cursor() -> int:
    since = timezone.now() - timedelta(days=BACKFILL_DAYS)
    first = (
        Message.objects.filter(created_at__gte=since).order_by("pk").values_list("pk", flat=True)
    ).first()
    if first is None:
        last = Message.objects.order_by("-pk").values_list("pk", flat=True).first()
        return int(last or 0)
    return int(first) - 1


def monitor_create(*, by: Acting, name: str, query: str, spike_minimum: int = 10) -> Monitor:
    name, query = name.strip(), query.strip()
    if not name:
        raise ValidationError({"name": _("Give the monitor a name.")})
    check_query(query)
    with transaction.atomic():
        monitor = Monitor.objects.create(
            name=name[:120],
            query=query,
            created_by=by.user,
            last_message_id=_start_cursor(),
            spike_minimum=max(1, spike_minimum),
        )
        record(by, "monitor.created", monitor, after={"name": name, "query": query})
    match_monitor(monitor)
    return monitor


def monitor_update(
    *, by: Acting, monitor: Monitor, name: str, query: str, is_active: bool
) -> Monitor:
    name, query = name.strip(), query.strip()
    if not name:
        raise ValidationError({"name": _("Give the monitor a name.")})
    check_query(query)
    before = {"name": monitor.name, "query": monitor.query, "is_active": monitor.is_active}
    with transaction.atomic():
        if query != monitor.query:
            monitor.matches.all().delete()  # matched anew under the new query
            monitor.last_message_id = _start_cursor()
        monitor.name, monitor.query, monitor.is_active = name[:120], query, is_active
        monitor.save()
        record(
            by,
            "monitor.changed",
            monitor,
            before=before,
            after={"name": name, "query": query, "is_active": is_active},
        )
    match_monitor(monitor)
    return monitor


def monitor_delete(*, by: Acting, monitor: Monitor) -> None:
    with transaction.atomic():
        record(
            by, "monitor.deleted", monitor, before={"name": monitor.name, "query": monitor.query}
        )
        monitor.delete()


def match_monitor(monitor: Monitor, *, limit: int = 20 * BATCH) -> int:
    """Match the messages that came in since the monitor's cursor; return new matches."""
    if not monitor.is_active:
        return 0
    matcher = compile_query(monitor.query)
    # Items from before the monitor's window (history imported later) are not its news.
    since = monitor.created_at - timedelta(days=BACKFILL_DAYS)
    found = 0
    done = 0
    while done < limit:
        rows = list(
            Message.objects.filter(pk__gt=monitor.last_message_id)
            .order_by("pk")
            .values_list("pk", "text", "author_handle", "language", "created_at")[:BATCH]
        )
        if not rows:
            break
        hits = [
            MonitorMatch(monitor=monitor, message_id=pk, created_at=created)
            for pk, text, author, language, created in rows
            if created >= since and matcher(Document.of(text, author=author, language=language))
        ]
        with transaction.atomic():
            MonitorMatch.objects.bulk_create(hits, ignore_conflicts=True)
            monitor.last_message_id = rows[-1][0]
            Monitor.objects.filter(pk=monitor.pk).update(last_message_id=monitor.last_message_id)
        found += len(hits)
        done += len(rows)
    return found


def match_all() -> int:
    """Match new messages for every active monitor, then look for spikes (the worker's job)."""
    found = 0
    for monitor in Monitor.objects.filter(is_active=True):
        found += match_monitor(monitor)
        check_spike(monitor)
    return found


def usual_volume(monitor: Monitor, hour: datetime) -> tuple[float, float]:
    """Mean and standard deviation of matches per hour in the week before `hour`."""
    since = hour - timedelta(hours=USUAL_HOURS)
    times = MonitorMatch.objects.filter(
        monitor=monitor, created_at__gte=since, created_at__lt=hour
    ).values_list("created_at", flat=True)
    per_hour = Counter(int((t - since).total_seconds() // 3600) for t in times)
    counts = [per_hour.get(h, 0) for h in range(USUAL_HOURS)]
    mean = sum(counts) / USUAL_HOURS
    variance = sum((c - mean) ** 2 for c in counts) / USUAL_HOURS
    return mean, math.sqrt(variance)


def check_spike(monitor: Monitor, now: datetime | None = None) -> SpikeAlert | None:
    """Alert when the last hour holds far more matches than the monitor's usual hour."""
    now = now or timezone.now()
    hour = now - timedelta(hours=1)
    count = MonitorMatch.objects.filter(monitor=monitor, created_at__gte=hour, created_at__lte=now)
    current = count.count()
    if current < monitor.spike_minimum:
        return None
    mean, sigma = usual_volume(monitor, hour)
    if current < max(SPIKE_FACTOR * mean, mean + SPIKE_SIGMAS * sigma):
        return None
    bucket = hour.replace(minute=0, second=0, microsecond=0)
    if SpikeAlert.objects.filter(monitor=monitor, hour__gte=bucket - timedelta(hours=1)).exists():
        return None  # one alert per burst, not one per poll
    try:
        with transaction.atomic():
            alert = SpikeAlert.objects.create(
                monitor=monitor, hour=bucket, count=current, usual=mean
            )
            _notify(alert)
    except IntegrityError:  # another worker alerted about this hour a moment ago
        return None
    return alert


def _recipients(monitor: Monitor) -> list[User]:
    people = list(User.objects.filter(is_active=True, role__in=[Role.ADMIN, Role.MANAGER]))
    if monitor.created_by is not None and monitor.created_by.is_active:
        people.append(monitor.created_by)
    return list({p.pk: p for p in people}.values())


def _notify(alert: SpikeAlert) -> None:
    monitor = alert.monitor
    notify(
        _recipients(monitor),
        kind=Notification.Kind.SPIKE,
        path=reverse("listening:monitor", args=[monitor.pk]),
        title=lambda: (
            _("%(name)s: %(count)s matches in an hour (usually %(usual).1f)")
            % {"name": monitor.name, "count": alert.count, "usual": alert.usual}
        ),
        template="listening/email/spike.txt",
        context={"alert": alert, "monitor": monitor},
    )
