"""Feedback KPIs: items opened and closed, department deadlines kept, customers answered."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Min, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from socialdesk.feedback.models import CLOSED, FeedbackEvent, FeedbackItem, FeedbackStatus
from socialdesk.feedback.selectors import items_for_user
from socialdesk.goals.kpis.registry import Kpi, Query, Unit, register
from socialdesk.goals.kpis.scoping import DEPARTMENTS

FAMILY = "feedback"
CLOSING = [f"status:{s}" for s in CLOSED]
MOVED = [f"status:{s}" for s in FeedbackStatus.values if s != FeedbackStatus.NEW]


def items(query: Query) -> QuerySet[FeedbackItem]:
    scope = query.scope
    rows = FeedbackItem.objects.all() if scope.user is None else items_for_user(scope.user)
    if scope.departments:
        rows = rows.filter(department_id__in=scope.departments)
    return rows


def _events(query: Query, kinds: list[str]) -> QuerySet[FeedbackEvent]:
    return FeedbackEvent.objects.filter(
        item__in=items(query), kind__in=kinds, created_at__gte=query.start, created_at__lt=query.end
    )


def _opened(query: Query) -> float | None:
    return float(items(query).filter(created_at__gte=query.start, created_at__lt=query.end).count())


def _closed(query: Query) -> float | None:
    return float(_events(query, CLOSING).values("item").distinct().count())


def _answered(query: Query) -> float | None:
    return float(_events(query, ["answered"]).count())


def deadline_outcome(due_at: datetime | None, moved_at: datetime | None, now: datetime) -> str:
    """ "kept" when the item moved on from "new" by its deadline, "missed" when the deadline
    passed without that, else "pending" (the one rule; the reports count with it too)."""
    if moved_at is not None and due_at is not None and moved_at <= due_at:
        return "kept"
    if due_at is not None and due_at < now:
        return "missed"
    return "pending"


def _deadlines_kept(query: Query) -> float | None:
    """Items whose deadline fell in the period: kept when moved on from "new" by then.

    Not moved yet and the deadline still ahead: pending, not counted."""
    due = (
        items(query)
        .filter(due_at__gte=query.start, due_at__lt=query.end)
        .annotate(moved_at=Min("events__created_at", filter=Q(events__kind__in=MOVED)))
        .values_list("due_at", "moved_at")
    )
    outcomes = [deadline_outcome(due_at, moved_at, query.now) for due_at, moved_at in due]
    kept, missed = outcomes.count("kept"), outcomes.count("missed")
    return kept / (kept + missed) if kept + missed else None


register(
    Kpi(
        name="feedback_opened",
        label=_("Feedback items opened"),
        description=_("Feedback items captured in the period."),
        unit=Unit.COUNT,
        scopes=frozenset({DEPARTMENTS}),
        family=FAMILY,
        compute=_opened,
    )
)
register(
    Kpi(
        name="feedback_closed",
        label=_("Feedback items closed"),
        description=_("Feedback items moved to “done” or “won't do” in the period."),
        unit=Unit.COUNT,
        scopes=frozenset({DEPARTMENTS}),
        family=FAMILY,
        compute=_closed,
    )
)
register(
    Kpi(
        name="feedback_deadlines_kept",
        label=_("Department deadlines kept"),
        description=_(
            "Of the feedback items whose department deadline fell in the period, the share "
            "the department took up (moved on from “new”) by the deadline. Items whose "
            "deadline is still ahead are not counted yet."
        ),
        unit=Unit.SHARE,
        scopes=frozenset({DEPARTMENTS}),
        family=FAMILY,
        compute=_deadlines_kept,
    )
)
register(
    Kpi(
        name="feedback_customers_answered",
        label=_("Customers answered after feedback closed"),
        description=_("Answers sent in the period to customers whose feedback item was closed."),
        unit=Unit.COUNT,
        scopes=frozenset({DEPARTMENTS}),
        family=FAMILY,
        compute=_answered,
    )
)
