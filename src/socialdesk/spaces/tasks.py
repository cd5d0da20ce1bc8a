"""Background work of the rooms: the daily digest of unread mentions."""

from __future__ import annotations

from django.tasks import task

from socialdesk.spaces.digest import send_mention_digests


@task()
def send_digests() -> int:
    """Send each person due one their daily e-mail of unread room mentions."""
    return send_mention_digests()
