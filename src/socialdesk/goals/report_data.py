"""The report's content for a period: ONE function (`build_report`) behind the report page, the
PDF, the XLSX, the CSV, the e-mail, the share link, the CLI and the API.

A report is a list of sections; each section has typed columns and rows of plain values
(numbers as numbers, moments as aware datetimes, days as dates), so every format shows the same
figures its own way. `user=None` is the organisation-wide report (the operator's CLI, plain
e-mail addresses, share links); with a person, every section reads through that person's
selectors (a department member's report covers what they may see).

Sections: goals (from `goal_selectors.goals_for_user`), key KPIs with the change against the
previous period of the same length (the `goals.kpis` registry), SLA breaches (clocks started in
the period that were breached, or ran past their due time while pending, as `sla.outcome_kpi`
counts them), top feedback items (most messages linked in the period), published posts with the
engagement last read back (publishing's PostMetric), and department deadlines (feedback items
whose deadline fell in the period: kept, missed, pending, as the `feedback_deadlines_kept` KPI).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from socialdesk.accounts.models import Department, Organisation, User
from socialdesk.feedback.models import FeedbackItem, FeedbackLink
from socialdesk.feedback.selectors import items_for_user
from socialdesk.goals import kpis
from socialdesk.goals.goal_models import Goal, GoalStatus
from socialdesk.goals.goal_selectors import goals_for_user
from socialdesk.goals.kpis import Kpi, KpiError, Period, Scope, Unit
from socialdesk.goals.kpis.feedback import MOVED, deadline_outcome
from socialdesk.inbox.selectors import sees_every_conversation
from socialdesk.publishing.models import Post, PostMetric, PostTarget
from socialdesk.publishing.selectors import posts_for_user
from socialdesk.sla import clocks
from socialdesk.sla.models import ClockKind
from socialdesk.sla.outcome_kpi import counted_outcomes

# The KPIs of the report's "key figures" section, in this order.
KEY_KPIS = (
    "first_response_within",
    "first_response_median",
    "sla_met_first_response",
    "sla_met_next_response",
    "sla_met_resolution",
    "resolution_median",
    "inbound_volume",
    "needs_reply_share",
    "feedback_opened",
    "feedback_closed",
    "feedback_deadlines_kept",
    "ideas_submitted",
    "posts_published",
    "engagement_per_post",
)
TOP_FEEDBACK = 10
BREACH_LIST = 200  # the longest list of breached clocks a report prints (the counts are whole)

# Column kinds: how each format shows a value.
TEXT, INT, NUMBER, SHARE, DURATION, DATE, MOMENT, LINK, KPI_VALUE = (
    "text",
    "int",
    "number",
    "share",
    "duration",
    "date",
    "moment",
    "link",
    "kpi",  # a KPI's value: its unit is in the row's "unit"
)


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    kind: str = TEXT


@dataclass
class Section:
    key: str
    title: str | Promise
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    empty: str | Promise = ""
    summary: list[tuple[str, str | Promise, int]] = field(default_factory=list)


@dataclass
class Report:
    period: Period
    previous: Period
    generated_at: datetime
    organisation: str
    whole_organisation: bool
    sections: list[Section]

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


def link(path: str) -> str:
    return settings.SITE_URL + path


def build_report(
    period: Period, *, user: User | None = None, now: datetime | None = None
) -> Report:
    """The report for the whole days of `period`, as `user` may see it (None: everything)."""
    now = now or timezone.now()
    whole = user is None or sees_every_conversation(user)
    return Report(
        period=period,
        previous=period.previous(),
        generated_at=now,
        organisation=Organisation.current().name,
        whole_organisation=whole,
        sections=[
            _goals(user),
            _key_figures(period, user, now),
            _breaches(period, user, now),
            _feedback(period, user),
            _posts(period, user),
            _deadlines(period, user, now),
        ],
    )


# ---------------------------------------------------------------------------- goals
def _goals(user: User | None) -> Section:
    rows = Goal.objects.filter(archived_at__isnull=True) if user is None else goals_for_user(user)
    section = Section(
        "goals",
        _("Goals"),
        [
            Column("name", _("Goal")),
            Column("kpi", _("KPI")),
            Column("target", _("Target value"), KPI_VALUE),
            Column("baseline", _("Baseline"), KPI_VALUE),
            Column("current", _("Current"), KPI_VALUE),
            Column("forecast", _("Forecast"), KPI_VALUE),
            Column("status", _("Status")),
            Column("deadline", _("Deadline"), DATE),
        ],
        empty=_("No goals yet. Set one under Goals."),
    )
    for goal in rows.order_by("deadline", "name", "pk"):
        kpi = kpis.REGISTRY.get(goal.kpi)
        section.rows.append(
            {
                "name": goal.name,
                "kpi": str(kpi.label) if kpi else goal.kpi,
                "unit": kpi.unit if kpi else Unit.NUMBER,
                "target": goal.target,
                "baseline": goal.baseline,
                "current": goal.current,
                "forecast": goal.forecast,
                "status": str(GoalStatus(goal.status).label),
                "status_code": goal.status,
                "deadline": goal.deadline,
                "url": link(reverse("goals:goal", args=[goal.pk])),
            }
        )
    return section


# ---------------------------------------------------------------------------- key figures
def _key_figures(period: Period, user: User | None, now: datetime) -> Section:
    section = Section(
        "kpis",
        _("Key figures"),
        [
            Column("label", _("KPI")),
            Column("value", _("Period"), KPI_VALUE),
            Column("previous", _("Previous period"), KPI_VALUE),
            Column("change", _("Change"), KPI_VALUE),
        ],
    )
    for name in KEY_KPIS:
        kpi: Kpi = kpis.get(name)
        try:
            change = kpi.change(period, scope=Scope(user=user), now=now)
        except KpiError:  # a default parameter that names nothing here
            continue
        section.rows.append(
            {
                "name": kpi.name,
                "label": str(kpi.label),
                "unit": kpi.unit,
                "value": change.value,
                "previous": change.previous,
                "change": change.delta,
            }
        )
    return section


# ---------------------------------------------------------------------------- SLA breaches
def _breaches(period: Period, user: User | None, now: datetime) -> Section:
    outcomes, _evaluated = counted_outcomes(user=user, since=period.start, until=period.last_day)
    breached = outcomes.filter(
        Q(state=clocks.BREACHED) | Q(state=clocks.PENDING, due_at__lt=now)
    ).select_related("conversation__channel_account", "conversation__department")
    kinds = dict(ClockKind.choices)
    counts = dict.fromkeys(clocks.KINDS, 0)
    for kind, number in breached.values_list("kind").annotate(n=Count("pk")).order_by():
        counts[kind] = number
    section = Section(
        "breaches",
        _("SLA breaches"),
        [
            Column("conversation", _("Conversation"), INT),
            Column("clock", _("Kind of clock")),
            Column("channel", _("Channel")),
            Column("department", _("Department")),
            Column("started_at", _("Started"), MOMENT),
            Column("due_at", _("Due"), MOMENT),
            Column("late", _("Late by"), DURATION),
            Column("url", _("Link"), LINK),
        ],
        empty=_("No SLA breaches in this period."),
        summary=[(kind, kinds[kind], counts[kind]) for kind in clocks.KINDS],
    )
    for outcome in breached.order_by("started_at", "pk")[:BREACH_LIST]:
        conversation = outcome.conversation
        end = outcome.stopped_at or now
        late = (end - outcome.due_at).total_seconds() if outcome.due_at else None
        section.rows.append(
            {
                "conversation": conversation.pk,
                "clock": str(kinds.get(outcome.kind, outcome.kind)),
                "channel": conversation.channel_account.handle,
                "department": conversation.department.name if conversation.department else "",
                "started_at": outcome.started_at,
                "due_at": outcome.due_at,
                "late": max(late, 0.0) if late is not None else None,
                "url": link(reverse("inbox:conversation", args=[conversation.pk])),
            }
        )
    return section


# ---------------------------------------------------------------------------- feedback
def _feedback(period: Period, user: User | None) -> Section:
    start, end = period.bounds()
    items = FeedbackItem.objects.all() if user is None else items_for_user(user)
    links = FeedbackLink.objects.filter(
        item__in=items, message__created_at__gte=start, message__created_at__lt=end
    )
    top = (
        links.values("item")
        .annotate(
            messages=Count("message", distinct=True),
            customers=Count("message__conversation__contact", distinct=True),
        )
        .order_by("-messages", "-customers", "item")[:TOP_FEEDBACK]
    )
    found = {i.pk: i for i in items.filter(pk__in=[row["item"] for row in top])}
    section = Section(
        "feedback",
        _("Top feedback items"),
        [
            Column("title", _("Feedback item")),
            Column("department", _("Department")),
            Column("status", _("Status")),
            Column("messages", _("Messages"), INT),
            Column("customers", _("Customers"), INT),
            Column("url", _("Link"), LINK),
        ],
        empty=_("No messages were linked to feedback items in this period."),
    )
    for row in top:
        item = found[row["item"]]
        section.rows.append(
            {
                "title": item.title,
                "department": item.department.name if item.department else "",
                "status": str(item.get_status_display()),
                "messages": row["messages"],
                "customers": row["customers"],
                "url": link(reverse("feedback:item", args=[item.pk])),
            }
        )
    return section


# ---------------------------------------------------------------------------- posts
def _posts(period: Period, user: User | None) -> Section:
    start, end = period.bounds()
    posts = Post.objects.all() if user is None else posts_for_user(user)
    targets = (
        PostTarget.objects.filter(
            post__in=posts.values("pk"), published_at__gte=start, published_at__lt=end
        )
        .select_related("post", "channel")
        .order_by("published_at", "pk")
    )
    latest: dict[int, PostMetric] = {}
    for found in PostMetric.objects.filter(target__in=targets).order_by("taken_at", "pk"):
        latest[found.target_id] = found  # the last one read back wins
    section = Section(
        "posts",
        _("Published posts"),
        [
            Column("published_at", _("Published"), MOMENT),
            Column("channel", _("Channel")),
            Column("text", _("Post")),
            Column("likes", _("Likes"), INT),
            Column("reposts", _("Reposts"), INT),
            Column("replies", _("Replies"), INT),
            Column("quotes", _("Quotes"), INT),
            Column("engagement", _("Engagement"), INT),
            Column("age", _("Read at age")),
            Column("url", _("Link"), LINK),
        ],
        empty=_("No posts went out in this period."),
    )
    for target in targets:
        metric = latest.get(target.pk)
        counts = (
            {"likes": None, "reposts": None, "replies": None, "quotes": None}
            if metric is None
            else {
                "likes": metric.likes,
                "reposts": metric.reposts,
                "replies": metric.replies,
                "quotes": metric.quotes,
            }
        )
        text = target.post.title or target.post.text
        section.rows.append(
            {
                "published_at": target.published_at,
                "channel": target.channel.handle,
                "text": text[:80] + ("…" if len(text) > 80 else ""),
                **counts,
                "engagement": sum(counts.values()) if metric is not None else None,
                "age": metric.age if metric else "",
                "url": target.url,
            }
        )
    return section


# ---------------------------------------------------------------------------- deadlines
def _deadlines(period: Period, user: User | None, now: datetime) -> Section:
    start, end = period.bounds()
    items = FeedbackItem.objects.all() if user is None else items_for_user(user)
    due = (
        items.filter(due_at__gte=start, due_at__lt=end, department__isnull=False)
        .annotate(moved_at=Min("events__created_at", filter=Q(events__kind__in=MOVED)))
        .values_list("department_id", "due_at", "moved_at")
    )
    per: dict[int, dict[str, int]] = {}
    for department, due_at, moved_at in due:
        tally = per.setdefault(department, {"kept": 0, "missed": 0, "pending": 0})
        tally[deadline_outcome(due_at, moved_at, now)] += 1
    section = Section(
        "deadlines",
        _("Department deadlines"),
        [
            Column("department", _("Department")),
            Column("kept", _("Kept"), INT),
            Column("missed", _("Missed"), INT),
            Column("pending", _("Still ahead"), INT),
            Column("share", _("Kept (share)"), SHARE),
        ],
        empty=_("No feedback deadlines fell in this period."),
    )
    names = dict(Department.objects.filter(pk__in=per).values_list("pk", "name"))
    for department in sorted(per, key=lambda pk: names.get(pk, "")):
        tally = per[department]
        decided = tally["kept"] + tally["missed"]
        section.rows.append(
            {
                "department": names.get(department, ""),
                **tally,
                "share": tally["kept"] / decided if decided else None,
            }
        )
    return section


# ---------------------------------------------------------------------------- JSON
def as_json(report: Report) -> dict[str, Any]:
    """The report with numbers as numbers and moments/dates as ISO 8601 (the API's answer)."""

    def plain(value: Any) -> Any:
        if isinstance(value, datetime | date):
            return value.isoformat()
        if isinstance(value, Promise):
            return str(value)
        return value

    return {
        "since": report.period.start.isoformat(),
        "until": report.period.last_day.isoformat(),
        "previous_since": report.previous.start.isoformat(),
        "previous_until": report.previous.last_day.isoformat(),
        "generated_at": report.generated_at.isoformat(),
        "organisation": report.organisation,
        "whole_organisation": report.whole_organisation,
        "sections": {
            s.key: {
                "title": str(s.title),
                "summary": {code: n for code, _label, n in s.summary},
                "rows": [{k: plain(v) for k, v in row.items()} for row in s.rows],
            }
            for s in report.sections
        },
    }
