"""What the home page shows a person about their work, read only through the apps' selectors.

Every figure is a count of what the person may see (`inbox.selectors.count_visible`, the rule
of `conversations_for_user` counted branch by branch; `feedback.selectors.items_for_user`,
`inbox.selectors.notifications_for_user`) and comes with the inbox address that lists the same
conversations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone

from socialdesk.accounts.models import Department, Role, User
from socialdesk.feedback.models import CLOSED
from socialdesk.feedback.selectors import items_for_user
from socialdesk.inbox.models import Conversation, Notification, SlaState, Status
from socialdesk.inbox.selectors import (
    InboxFilters,
    count_visible,
    inbox_count,
    inbox_list,
    notifications_for_user,
    sees_every_conversation,
)

OLDEST = 5  # how many of the longest-waiting conversations the page names
MENTIONS = 5
RUNNING = (SlaState.ON_TRACK, SlaState.AT_RISK)


@dataclass(frozen=True)
class Figure:
    count: int
    link: str


@dataclass(frozen=True)
class BoardFigure:
    name: str
    count: int
    link: str


@dataclass
class Overview:
    waiting: Figure
    oldest: list[tuple[Conversation, timedelta]]  # the longest-waiting, with how long
    due_soon: Figure
    breached_today: Figure
    assigned: Figure | None  # None for people who cannot be assigned (read-only)
    boards: list[BoardFigure] = field(default_factory=list)
    every_board: bool = False  # the boards of every department, not the person's own
    mentions: list[Notification] = field(default_factory=list)


def _inbox(**params: str) -> str:
    return reverse("inbox:list") + "?" + urlencode(params)


WAITING = {"status": Status.OPEN, "needs_reply": "yes", "sort": "oldest"}
ASSIGNED = {"status": Status.OPEN, "assignee": "me", "sort": "oldest"}


def waiting_for_us(user: User) -> QuerySet[Conversation]:
    """Open conversations with a customer's question nobody has answered yet, oldest first."""
    return inbox_list(user, InboxFilters(**WAITING))


def due_within_the_hour(now: datetime) -> QuerySet[Conversation]:
    """Open conversations whose running response-time target falls within the next hour (of
    everyone's: `count_visible` counts the person's)."""
    return Conversation.objects.filter(
        status__in=[Status.OPEN, Status.WAITING],
        sla_state__in=RUNNING,
        sla_due_at__gt=now,
        sla_due_at__lte=now + timedelta(hours=1),
    )


def breached_today(now: datetime) -> QuerySet[Conversation]:
    """Conversations whose target passed today (the person's day) without an answer in time
    (of everyone's: `count_visible` counts the person's)."""
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return Conversation.objects.filter(
        sla_state=SlaState.BREACHED, sla_due_at__gte=start, sla_due_at__lte=now
    )


def overview(user: User, now: datetime | None = None) -> Overview:
    now = now or timezone.now()
    waiting = waiting_for_us(user)
    open_items = items_for_user(user).exclude(status__in=CLOSED)
    departments = user.departments.all()
    every_board = not departments.exists() and sees_every_conversation(user)
    if every_board:  # a manager outside the departments coordinates all of them
        departments = Department.objects.all()
    boards: list[BoardFigure] = []
    if departments.exists():
        counts = dict(
            open_items.filter(department__in=departments)
            .values_list("department")
            .annotate(n=Count("pk"))
            .values_list("department", "n")
        )
        boards = [
            BoardFigure(d.name, counts.get(d.pk, 0), reverse("feedback:board", args=[d.pk]))
            for d in departments.order_by("name")
        ]
    return Overview(
        waiting=Figure(inbox_count(user, InboxFilters(**WAITING)), _inbox(**WAITING)),
        oldest=[(c, now - (c.waiting_since or now)) for c in waiting[:OLDEST]],
        due_soon=Figure(
            count_visible(user, due_within_the_hour(now)),
            _inbox(status=Status.OPEN, sort="due"),
        ),
        breached_today=Figure(
            count_visible(user, breached_today(now)),
            _inbox(status="", sla=SlaState.BREACHED, sort="due"),
        ),
        assigned=None
        if user.role == Role.VIEWER
        else Figure(inbox_list(user, InboxFilters(**ASSIGNED)).count(), _inbox(**ASSIGNED)),
        boards=boards,
        every_board=every_board,
        mentions=list(
            notifications_for_user(user)
            .filter(kind=Notification.Kind.MENTION)
            .select_related("conversation__contact")[:MENTIONS]
        ),
    )
