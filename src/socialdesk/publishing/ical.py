"""A personal iCalendar feed of the editorial calendar, for Outlook, Thunderbird and Google.

A person makes a secret address; only the SHA-256 of the secret is stored, so the address is
shown once. Making a new one revokes the old. The feed holds what the person may see, read
through `selectors.posts_for_user` as that person. The secret sits in the path and is at least
43 characters long, so the access log's redaction (`core.redaction`) hides it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from socialdesk.accounts.audit import Acting, record
from socialdesk.accounts.models import User
from socialdesk.publishing.models import CalendarFeed, Post
from socialdesk.publishing.selectors import posts_for_user

# How far back the feed reaches; everything planned ahead is in it.
PAST = timedelta(days=90)
# A post is an instant; calendars show it as a short event.
LENGTH = timedelta(minutes=15)
PRODID = "-//socialdesk//Editorial calendar//EN"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def feed_of(user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at=None).first()


@transaction.atomic
def feed_create(*, by: Acting, user: User) -> str:
    """Make a new secret address for `user` (the old one stops working); return the secret,
    which is not kept anywhere."""
    feed_revoke(by=by, user=user)
    secret = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(user=user, secret_hash=_hash(secret))
    record(by, "publishing.calendar_feed_created", feed)
    return secret


@transaction.atomic
def feed_revoke(*, by: Acting, user: User) -> int:
    revoked = CalendarFeed.objects.filter(user=user, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    if revoked:
        record(by, "publishing.calendar_feed_revoked", user)
    return revoked


def user_of(secret: str) -> User | None:
    """The active person a secret belongs to, or None (unknown, revoked, deactivated)."""
    if not secret or len(secret) > 200:
        return None
    feed = (
        CalendarFeed.objects.filter(secret_hash=_hash(secret), revoked_at=None)
        .select_related("user")
        .first()
    )
    if feed is None or not feed.user.is_active:
        return None
    return feed.user


def _event(post: Post, host: str) -> Event:
    assert post.scheduled_at is not None
    start = post.scheduled_at.astimezone(UTC)
    channels = ", ".join(str(t.channel) for t in post.targets.all())
    event = Event()
    event.add("uid", f"post-{post.pk}@{host}")
    event.add("dtstamp", post.updated_at.astimezone(UTC))
    event.add("last-modified", post.updated_at.astimezone(UTC))
    event.add("sequence", post.version)
    event.add("dtstart", start)
    event.add("dtend", start + LENGTH)
    event.add("summary", f"{post} ({post.get_status_display()})")
    event.add("description", f"{channels}\n\n{post.text}" if channels else post.text)
    event.add("url", f"{settings.SITE_URL}/publishing/posts/{post.pk}/")
    event.add("status", "CONFIRMED")
    event.add("transp", "TRANSPARENT")  # a planned post does not make anyone busy
    return event


def render(user: User) -> bytes:
    """The feed of `user`, in their language (status names, calendar name)."""
    host = urlsplit(settings.SITE_URL).hostname or "socialdesk"
    since = timezone.now() - PAST
    posts = (
        posts_for_user(user)
        .filter(scheduled_at__gte=since)
        .prefetch_related("targets__channel")
        .order_by("scheduled_at", "pk")
    )
    with translation.override(user.language or settings.LANGUAGE_CODE):
        calendar = Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        calendar.add("x-wr-calname", _("Editorial calendar"))
        calendar.add("x-published-ttl", "PT15M")
        calendar.add("refresh-interval", timedelta(minutes=15), parameters={"VALUE": "DURATION"})
        for post in posts:
            calendar.add_component(_event(post, host))
        return bytes(calendar.to_ical())
