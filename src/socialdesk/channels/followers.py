"""The daily follower count of each connected account whose network can tell it (connectors
with the FOLLOWERS capability: Mastodon and Bluesky; RSS and webhooks have no followers).

`snapshot_due` (the worker's REGULAR task) reads each due account once and keeps the count as
that day's `FollowerSnapshot` (the day in the organisation's time zone). A day has at most one
count: an account with today's count is not asked again; a failed attempt is kept on the
day's row (code and detail, as the channels keep errors) and tried again after RETRY_AFTER.
One account that cannot be asked never stops the others.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from socialdesk.accounts.models import Organisation
from socialdesk.channels.base import ChannelError
from socialdesk.channels.errors import classify
from socialdesk.channels.fetch import FetchError
from socialdesk.channels.follower_models import FollowerSnapshot
from socialdesk.channels.models import ChannelAccount
from socialdesk.channels.protocol import CONNECTORS, counts_followers, load

logger = logging.getLogger(__name__)
RETRY_AFTER = timedelta(hours=1)
ERROR_KEPT = 2000


def today(now: datetime | None = None) -> date:
    """The organisation's calendar day at `now` (KPI periods are whole days in that zone)."""
    zone = ZoneInfo(Organisation.current().time_zone)
    return (now or timezone.now()).astimezone(zone).date()


def networks() -> list[str]:
    """The networks whose connector counts followers."""
    found = []
    for network in CONNECTORS:
        connector = load(network)
        if connector is not None and counts_followers(connector):
            found.append(str(network))
    return found


def due(now: datetime | None = None) -> list[ChannelAccount]:
    """Connected accounts of those networks without today's count (and not failed within the
    last RETRY_AFTER)."""
    now = now or timezone.now()
    day = today(now)
    done = FollowerSnapshot.objects.filter(day=day).filter(
        Q(followers__isnull=False) | Q(failed_at__gt=now - RETRY_AFTER)
    )
    return list(
        ChannelAccount.objects.filter(network__in=networks(), disconnected_at__isnull=True)
        .exclude(handle="")
        .exclude(credentials_encrypted="")
        .exclude(pk__in=done.values("channel_account_id"))
        .order_by("pk")
    )


def take(account: ChannelAccount, *, now: datetime | None = None) -> FollowerSnapshot:
    """Read the account's followers and keep them as today's snapshot (the count already kept
    for today stays). A failure is kept on today's row and raised again."""
    now = now or timezone.now()
    day = today(now)
    kept = FollowerSnapshot.objects.filter(
        channel_account=account, day=day, followers__isnull=False
    ).first()
    if kept is not None:
        return kept
    connector = load(account.network)
    if connector is None or not counts_followers(connector):
        raise ChannelError(f"{account.network} accounts have no followers to count")
    try:
        count = connector.followers(account)
    except (ChannelError, FetchError) as error:
        _keep(account, day, failed_at=now, error=str(error)[:ERROR_KEPT],
              error_code=str(classify(error)))  # fmt: skip
        raise
    return _keep(account, day, followers=count, taken_at=now, failed_at=None, error="",
                 error_code="")  # fmt: skip


def _keep(account: ChannelAccount, day: date, **fields: object) -> FollowerSnapshot:
    """Today's row with these fields; a count already there is never replaced (two workers
    at once: the first count of the day stays)."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                row, _ = FollowerSnapshot.objects.select_for_update().get_or_create(
                    channel_account=account, day=day, defaults=fields
                )
                if row.followers is not None:
                    return row
                for name, value in fields.items():
                    setattr(row, name, value)
                row.save()
                return row
        except IntegrityError:  # another worker created the row between our look and write
            continue
    return FollowerSnapshot.objects.get(channel_account=account, day=day)


def snapshot_due(now: datetime | None = None) -> int:
    """Take today's snapshot of every due account; return how many were counted."""
    taken = 0
    for account in due(now):
        try:
            take(account, now=now)
        except (ChannelError, FetchError) as error:
            logger.warning("followers of channel %s: %s", account.name, error)
        except Exception:
            logger.exception("followers of channel %s: unexpected error", account.name)
            _keep(account, today(now), failed_at=now or timezone.now(),
                  error="unexpected error while counting followers (see the worker's log)",
                  error_code="unknown")  # fmt: skip
        else:
            taken += 1
    return taken
