"""The daily e-mail of unread room mentions: once a day per person, after
`SPACES_DIGEST_HOUR` in their own time zone, listing the room notifications they have not read
and no earlier digest listed; in their language. A `MentionDigest` row per person and day makes
it idempotent (several workers may run it at once)."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import ngettext

from socialdesk.accounts.models import Organisation, User
from socialdesk.core.tasks import send_email
from socialdesk.inbox.models import Notification

from .models import MentionDigest

LISTED = 20


def _zone(name: str, fallback: str) -> zoneinfo.ZoneInfo:
    for candidate in (name, fallback, "UTC"):
        if candidate:
            try:
                return zoneinfo.ZoneInfo(candidate)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                continue
    return zoneinfo.ZoneInfo("UTC")


def pending() -> bool:
    """Whether anyone has unread room notifications (the schedule's cheap check)."""
    return Notification.objects.filter(
        kind=Notification.Kind.ROOM, read_at__isnull=True, user__is_active=True
    ).exists()


def send_mention_digests(now: datetime | None = None) -> int:
    """Send the digests due now; return how many were sent."""
    now = now or timezone.now()
    organisation = Organisation.current()
    unread = Notification.objects.filter(
        kind=Notification.Kind.ROOM, read_at__isnull=True, user__is_active=True
    )
    sent = 0
    for person in User.objects.filter(pk__in=unread.values("user_id")).order_by("pk"):
        local = now.astimezone(_zone(person.time_zone, organisation.time_zone))
        if local.hour < settings.SPACES_DIGEST_HOUR:
            continue
        day = local.date()
        if MentionDigest.objects.filter(user=person, day=day).exists():
            continue
        last = MentionDigest.objects.filter(user=person).aggregate(last=Max("sent_at"))["last"]
        notes = unread.filter(user=person).order_by("created_at", "pk")
        if last is not None:
            notes = notes.filter(created_at__gt=last)
        listed = list(notes[: LISTED + 1])
        if not listed:
            continue
        count = notes.count()
        if _send(person, day, count, listed[:LISTED], organisation):
            sent += 1
    return sent


def _send(
    person: User,
    day: date,
    count: int,
    notes: list[Notification],
    organisation: Organisation,
) -> bool:
    try:
        with transaction.atomic():
            MentionDigest.objects.create(user=person, day=day, count=count)
            with translation.override(person.language or organisation.default_language):
                subject = ngettext(
                    "Your unread mention (%(count)s)",
                    "Your unread mentions (%(count)s)",
                    count,
                ) % {"count": count}
                body = render_to_string(
                    "spaces/email/digest.txt",
                    {
                        "person": person,
                        "notes": notes,
                        "more": max(0, count - len(notes)),
                        "site_url": settings.SITE_URL,
                    },
                )
            transaction.on_commit(partial(send_email.enqueue, subject, body, [person.email]))
    except IntegrityError:  # another worker sent today's already
        return False
    return True
