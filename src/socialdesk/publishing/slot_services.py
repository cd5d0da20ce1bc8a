"""Posting slots: the times each channel usually posts at (e.g. Mon–Fri 09:30 and 15:00), and
"add to queue", which gives a post the next free slot of its channels.

Slots are wall-clock times in the organisation's time zone, so 09:30 stays 09:30 across a
change to or from summer time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socialdesk.accounts.audit import Acting, record
from socialdesk.channels.models import ChannelAccount
from socialdesk.publishing import services
from socialdesk.publishing.calendar import organisation_zone
from socialdesk.publishing.models import Post, PostingSlot, PostStatus, PostTarget

WEEKDAYS = range(5)  # the "weekdays" pattern: Monday to Friday
# How far ahead "add to queue" looks for a free slot.
QUEUE_HORIZON = timedelta(weeks=12)
# Posts in these states hold their time: a slot they sit in is taken.
HOLDING = (PostStatus.APPROVED, PostStatus.SCHEDULED)


class NoSlots(ValidationError):
    """The post's channels have no posting slots (or none free in the horizon)."""


def _check(weekday: int, at: time) -> None:
    if weekday not in range(7):
        raise ValidationError({"weekday": _("Choose a day of the week.")})
    if at.second or at.microsecond:
        raise ValidationError({"time": _("Give the time in hours and minutes.")})


def _slot_name(slot: PostingSlot) -> str:
    """How the audit log names a slot: channel, weekday (1 = Monday) and time."""
    return f"{slot.channel} · {slot.weekday + 1}/7 · {slot.time:%H:%M}"


@transaction.atomic
def slot_add(*, by: Acting, channel: ChannelAccount, weekday: int, at: time) -> PostingSlot:
    """Add one slot; a slot that exists already is left as it is."""
    _check(weekday, at)
    slot, created = PostingSlot.objects.get_or_create(channel=channel, weekday=weekday, time=at)
    if created:
        record(by, "publishing.slot_added", slot, object_repr=_slot_name(slot))
    return slot


@transaction.atomic
def slots_add_weekdays(
    *, by: Acting, channel: ChannelAccount, times: Iterable[time]
) -> list[PostingSlot]:
    """The quick pattern: each of `times` on every day from Monday to Friday."""
    chosen = sorted(set(times))
    if not chosen:
        raise ValidationError({"times": _("Give at least one time, such as 09:30.")})
    return [
        slot_add(by=by, channel=channel, weekday=day, at=at) for day in WEEKDAYS for at in chosen
    ]


@transaction.atomic
def slot_remove(*, by: Acting, slot: PostingSlot) -> None:
    record(by, "publishing.slot_removed", slot, object_repr=_slot_name(slot))
    slot.delete()


def _instants(slots: list[PostingSlot], after: datetime, until: datetime) -> list[datetime]:
    """Every instant of `slots` after `after` up to `until`, in order."""
    zone = organisation_zone()
    local = after.astimezone(zone)
    found: set[datetime] = set()
    day = local.date()
    while datetime.combine(day, time(0), tzinfo=zone) <= until:
        for slot in slots:
            if slot.weekday == day.weekday():
                instant = datetime.combine(day, slot.time, tzinfo=zone)
                # Normalise through UTC: a wall time in the spring gap becomes a real instant.
                instant = instant.astimezone(UTC).astimezone(zone)
                if after < instant <= until:
                    found.add(instant)
        day += timedelta(days=1)
    return sorted(found)


def next_free_slot(post: Post, after: datetime | None = None) -> datetime | None:
    """The first slot of the post's channels after `after` (now) that no other approved or
    scheduled post on one of those channels holds."""
    after = after or timezone.now()
    until = after + QUEUE_HORIZON
    channels = list(post.targets.values_list("channel_id", flat=True))
    slots = list(PostingSlot.objects.filter(channel_id__in=channels))
    if not slots:
        return None
    taken = set(
        PostTarget.objects.filter(
            channel_id__in=channels,
            post__status__in=HOLDING,
            post__scheduled_at__gt=after,
            post__scheduled_at__lte=until,
        )
        .exclude(post=post)
        .values_list("post__scheduled_at", flat=True)
    )
    for instant in _instants(slots, after, until):
        if instant not in taken:
            return instant
    return None


def post_queue(*, by: Acting, post: Post) -> Post:
    """Give the post the next free slot of its channels (with the checks of `post_schedule`).
    Raises `NoSlots` when its channels have no slot free."""
    at = next_free_slot(post)
    if at is None:
        raise NoSlots(_("The channels of this post have no free posting slot."))
    return services.post_schedule(by=by, post=post, at=at)
