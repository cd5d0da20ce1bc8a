"""The first-response KPI: how many questions were answered, and how fast.

A conversation counts when its first message is inbound and needs a reply. Its first
response is the earliest company message at or after that first message; a conversation
without one counts as not answered within the target. Percentiles are over answered
conversations, interpolated linearly between the two nearest ranks (as numpy's default).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet

from socialdesk.accounts.models import Organisation, User
from socialdesk.channels.models import ChannelAccount
from socialdesk.inbox.models import Conversation
from socialdesk.inbox.selectors import conversations_for_user
from socialdesk.sla.calendar import business_time_between

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(d|h|m|s)", re.IGNORECASE)
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(text: str) -> timedelta:
    """Parse `24h`, `90m`, `1d`, `1h30m` or plain seconds into a timedelta."""
    text = text.strip()
    try:
        if text.isascii() and text.isdigit():
            return timedelta(seconds=int(text))
        parts = _DURATION.findall(text)
        if not parts or _DURATION.sub("", text).strip():
            raise ValueError(f"{text!r} is not a duration such as 24h, 90m, 1d or 1h30m")
        return timedelta(seconds=sum(float(n) * _UNIT_SECONDS[u.lower()] for n, u in parts))
    except OverflowError:
        raise ValueError(f"{text!r} is longer than any duration we can count") from None


@dataclass(frozen=True)
class FirstResponseKpi:
    within_seconds: int
    conversations: int
    answered: int
    answered_within: int
    rate_within: float
    median_seconds: float | None
    p90_seconds: float | None
    account: str | None = None
    since: str | None = None
    until: str | None = None
    business_hours: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def counted_conversations(
    *,
    user: User | None = None,
    account: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[Conversation]:
    """Return the conversations the KPI counts, filtered by account and first-message date.

    With `user`, only the conversations that person may see (a department member's KPI is
    over their departments' conversations); without, all of them (the operator's CLI).
    """
    base = Conversation.objects.all() if user is None else conversations_for_user(user)
    conversations = base.filter(first_message_inbound=True, needs_reply=True)
    if account:
        conversations = conversations.filter(
            channel_account__handle=ChannelAccount.normalise_handle(account)
        )
    zone = ZoneInfo(Organisation.current().time_zone)
    if since:
        conversations = conversations.filter(
            first_message_at__gte=datetime.combine(since, time.min, tzinfo=zone)
        )
    if until:
        conversations = conversations.filter(
            first_message_at__lt=datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone)
        )
    return conversations


def _percentile_sql(answered: QuerySet[Conversation], count: int, share: float) -> float | None:
    if count == 0:
        return None
    position = (count - 1) * share
    lower = int(position)
    values = [
        int(v or 0)
        for v in answered.order_by("first_response_seconds").values_list(
            "first_response_seconds", flat=True
        )[lower : lower + 2]
    ]
    if len(values) == 1 or position == lower:
        return float(values[0])
    return float(values[0] + (values[1] - values[0]) * (position - lower))


def _percentile(sorted_values: list[float], share: float) -> float | None:
    if not sorted_values:
        return None
    position = (len(sorted_values) - 1) * share
    lower = int(position)
    if lower + 1 >= len(sorted_values):
        return sorted_values[lower]
    return sorted_values[lower] + (sorted_values[lower + 1] - sorted_values[lower]) * (
        position - lower
    )


def first_response(
    *,
    within: timedelta,
    user: User | None = None,
    account: str | None = None,
    since: date | None = None,
    until: date | None = None,
    calendar: Any = None,
    calendar_name: str | None = None,
) -> FirstResponseKpi:
    """Compute the first-response KPI; with a business calendar, count only open hours."""
    conversations = counted_conversations(user=user, account=account, since=since, until=until)
    answered = conversations.filter(first_response_seconds__isnull=False)
    if calendar is None:
        # One pass for the three counts; the percentiles read two index positions each.
        counts = conversations.aggregate(
            total=Count("pk"),
            answered=Count("first_response_seconds"),
            within=Count("pk", filter=Q(first_response_seconds__lte=within.total_seconds())),
        )
        total, answered_count, within_count = counts["total"], counts["answered"], counts["within"]
        median = _percentile_sql(answered, answered_count, 0.5)
        p90 = _percentile_sql(answered, answered_count, 0.9)
    else:
        total = conversations.count()
        seconds = sorted(
            business_time_between(calendar, start, end).total_seconds()
            for start, end in answered.values_list(
                "first_message_at", "first_response_at"
            ).iterator()
            if start is not None and end is not None
        )
        answered_count = len(seconds)
        within_count = sum(1 for s in seconds if s <= within.total_seconds())
        median, p90 = _percentile(seconds, 0.5), _percentile(seconds, 0.9)
    return FirstResponseKpi(
        within_seconds=int(within.total_seconds()),
        conversations=total,
        answered=answered_count,
        answered_within=within_count,
        rate_within=within_count / total if total else 0.0,
        median_seconds=median,
        p90_seconds=p90,
        account=account,
        since=since.isoformat() if since else None,
        until=until.isoformat() if until else None,
        business_hours=calendar_name,
    )
