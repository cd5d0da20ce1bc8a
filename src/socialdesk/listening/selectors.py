"""Reads for listening: which matches, volumes and alerts a person may see.

Listening runs over everything that comes in, but a match is a message of a conversation, and a
department member sees only the conversations handed to their departments or to them
(`inbox.selectors.conversations_for_user`). So a member sees the matches, and counts only the
matches, of conversations they may open; spike alerts count everything and are for the team.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet

from socialdesk.accounts.models import User
from socialdesk.inbox.selectors import conversations_for_user, sees_every_conversation
from socialdesk.listening.models import Monitor, MonitorMatch, SpikeAlert


def matches_for_user(user: User, monitor: Monitor | None = None) -> QuerySet[MonitorMatch]:
    """Return the matches the person may see (of one monitor, if given)."""
    matches = MonitorMatch.objects.all()
    if monitor is not None:
        matches = matches.filter(monitor=monitor)
    if not sees_every_conversation(user):
        matches = matches.filter(message__conversation__in=conversations_for_user(user))
    return matches


def monitors_with_volumes(user: User, now: datetime) -> QuerySet[Monitor]:
    """Return every monitor with `day` and `week`: the matches the person may see."""
    visible = Q()
    if not sees_every_conversation(user):
        visible = Q(matches__message__conversation__in=conversations_for_user(user))
    return Monitor.objects.annotate(
        day=Count("matches", filter=visible & Q(matches__created_at__gte=now - timedelta(days=1))),
        week=Count("matches", filter=visible & Q(matches__created_at__gte=now - timedelta(days=7))),
    )


def alerts_for_user(user: User, monitor: Monitor | None = None) -> QuerySet[SpikeAlert]:
    """Return the spike alerts the person may see: none for those who do not see everything."""
    alerts = SpikeAlert.objects.select_related("monitor")
    if monitor is not None:
        alerts = alerts.filter(monitor=monitor)
    if not sees_every_conversation(user):
        return alerts.none()
    return alerts
