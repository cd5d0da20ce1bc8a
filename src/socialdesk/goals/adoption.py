"""The adoption view per department: is the change the strategy asks for happening this week?

Each figure is computed on its own, from the data it names (read by managers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Exists, Min, OuterRef, Q
from django.utils import timezone

from socialdesk.accounts.models import AuditEvent, Department, User
from socialdesk.feedback.models import CLOSED, FeedbackEvent, FeedbackItem
from socialdesk.goals.guideline_selectors import Share, guidelines_read
from socialdesk.publishing.models import Idea


def week_of(now: datetime | None = None) -> tuple[datetime, datetime]:
    """Monday 00:00 of this week in the local time zone, and the Monday after."""
    local = timezone.localtime(now or timezone.now())
    start = local.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(
        days=local.weekday()
    )
    return start, start + timedelta(days=7)


def members(department: Department) -> list[User]:
    return list(
        User.objects.filter(is_active=True, departments=department).order_by("full_name", "email")
    )


def active_people(department: Department, start: datetime, end: datetime) -> list[User]:
    """Members who signed in this week or did something the audit log recorded."""
    acted = AuditEvent.objects.filter(actor=OuterRef("pk"), at__gte=start, at__lt=end)
    return list(
        User.objects.filter(is_active=True, departments=department)
        .filter(Q(last_login__gte=start, last_login__lt=end) | Exists(acted))
        .distinct()
        .order_by("full_name", "email")
    )


def confirmed_people(department: Department) -> list[User]:
    """Members who confirmed every current publication addressed to them."""
    return [person for person in members(department) if guidelines_read(person)]


def ideas_submitted(department: Department, start: datetime, end: datetime) -> int:
    return Idea.objects.filter(
        department=department, created_at__gte=start, created_at__lt=end
    ).count()


def items_handled(department: Department, start: datetime, end: datetime) -> int:
    """Feedback items of the department whose status changed this week."""
    return (
        FeedbackEvent.objects.filter(
            item__department=department,
            kind__startswith="status:",
            created_at__gte=start,
            created_at__lt=end,
        )
        .values("item_id")
        .distinct()
        .count()
    )


@dataclass(frozen=True)
class Deadlines:
    kept: int
    missed: int
    open: int  # due later this week, not closed yet

    @property
    def share(self) -> Share:
        return Share(self.kept, self.kept + self.missed)


def deadlines(department: Department, start: datetime, end: datetime, now: datetime) -> Deadlines:
    """Items of the department due this week (`due_at`): closed (done or won't do, the first
    closing status change) before the deadline, or missed (past it and not closed in time)."""
    closing = [f"status:{status}" for status in CLOSED]
    items = FeedbackItem.objects.filter(
        department=department, due_at__gte=start, due_at__lt=end
    ).annotate(
        closed_at=Min("events__created_at", filter=Q(events__kind__in=closing)),
    )
    kept = missed = pending = 0
    for item in items:
        closed_in_time = (
            item.is_closed and item.closed_at is not None and item.closed_at <= item.due_at
        )
        if closed_in_time:
            kept += 1
        elif item.due_at is not None and item.due_at < now:
            missed += 1
        else:
            pending += 1
    return Deadlines(kept, missed, pending)


@dataclass(frozen=True)
class Adoption:
    department: Department
    people: int
    active: Share
    confirmed: Share
    ideas: int
    handled: int
    deadlines: Deadlines


def adoption(now: datetime | None = None) -> list[Adoption]:
    now = now or timezone.now()
    start, end = week_of(now)
    rows = []
    for department in Department.objects.order_by("name"):
        everyone = len(members(department))
        rows.append(
            Adoption(
                department=department,
                people=everyone,
                active=Share(len(active_people(department, start, end)), everyone),
                confirmed=Share(len(confirmed_people(department)), everyone),
                ideas=ideas_submitted(department, start, end),
                handled=items_handled(department, start, end),
                deadlines=deadlines(department, start, end, now),
            )
        )
    return rows
