"""What the dashboards show: the key figures with their change, the goals with their stored
figures, and what needs attention, for the whole organisation, one department or one channel.

Every figure comes from the KPI registry (each KPI computed once per period and request), the
goals from `goal_selectors.goals_for_user` with the figures `goal_services.evaluate` stored
(never recomputed on a page load), the attention items from the apps' own selectors. Every
number carries the link to what is behind it (`dashboard_links`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from socialdesk.accounts.models import Department, User
from socialdesk.channels.models import ChannelAccount
from socialdesk.core.durations import human_duration
from socialdesk.core.paging import COUNT_CAP, count_label
from socialdesk.feedback.models import FeedbackItem, FeedbackStatus
from socialdesk.feedback.selectors import items_for_user
from socialdesk.goals import charts, kpis
from socialdesk.goals.dashboard_links import drill
from socialdesk.goals.dashboard_period import Choice
from socialdesk.goals.goal_models import Goal, GoalStatus
from socialdesk.goals.goal_selectors import goals_for_user
from socialdesk.goals.kpis import Kpi, KpiError, Period, Scope, Unit
from socialdesk.inbox import selectors as inbox_selectors
from socialdesk.inbox.models import Conversation, SlaState
from socialdesk.publishing.models import Post, PostStatus, TargetState
from socialdesk.publishing.selectors import posts_for_user
from socialdesk.sla.kpi import parse_duration

# (KPI, parameters, what a click on it opens)
KEY_FIGURES: list[tuple[str, dict[str, str], str]] = [
    ("first_response_within", {"within": "24h"}, "questions"),
    ("first_response_median", {}, "questions"),
    ("sla_met_first_response", {}, "questions"),
    ("inbound_volume", {}, "messages"),
    ("backlog_now", {}, "backlog"),
    ("feedback_opened", {}, "feedback_opened"),
    ("feedback_closed", {}, "feedback_closed"),
    ("feedback_deadlines_kept", {}, "feedback_due"),
    ("posts_published", {}, "posts"),
    ("engagement_per_post", {}, "posts"),
    ("ideas_submitted", {}, "ideas"),
]
LOWER_IS_BETTER = {"backlog_now"}  # and every duration
STATUS_CSS = {
    GoalStatus.NOT_STARTED: "muted",
    GoalStatus.ON_TRACK: "good",
    GoalStatus.AT_RISK: "warn",
    GoalStatus.OFF_TRACK: "bad",
    GoalStatus.REACHED: "good",
    GoalStatus.MISSED: "bad",
}
ATTENTION_LIMIT = 8


@dataclass(frozen=True)
class Focus:
    """What a dashboard is about: everything, one department or one channel account."""

    kind: str = "all"  # "all", "department", "account"
    department: Department | None = None
    account: ChannelAccount | None = None

    def scope(self, user: User) -> Scope:
        if self.department is not None:
            return Scope(user=user, departments=(self.department.pk,))
        if self.account is not None:
            return Scope(user=user, accounts=(self.account.handle,))
        return Scope(user=user)

    def filters(self) -> dict[str, str]:
        """The query parameters that narrow the apps' lists the same way."""
        if self.department is not None:
            return {"department": str(self.department.pk)}
        if self.account is not None:
            return {"account": str(self.account.pk)}
        return {}


@dataclass
class Figure:
    kpi: Kpi
    label: str
    value: float | None
    previous: float | None
    text: str
    previous_text: str
    delta_text: str
    trend: str  # "better", "worse", "same" or "" (no comparison)
    arrow: str
    link: str
    previous_link: str


@dataclass
class KeyFigures:
    figures: list[Figure] = field(default_factory=list)
    not_narrowed: list[str] = field(default_factory=list)  # labels of figures left out


def label_of(kpi: Kpi, params: dict[str, str]) -> str:
    if kpi.name == "first_response_within":
        within = parse_duration(params["within"]).total_seconds()
        return _("First responses within %(within)s") % {"within": human_duration(within)}
    return str(kpi.label)


def trend(kpi: Kpi, delta: float | None) -> tuple[str, str]:
    if delta is None:
        return "", ""
    if kpi.shown_as_zero(delta):  # "±0,0 Pp." is no change, neither better nor worse
        return "same", "→"
    lower = kpi.unit == Unit.DURATION or kpi.name in LOWER_IS_BETTER
    better = delta < 0 if lower else delta > 0
    return ("better" if better else "worse"), ("↑" if delta > 0 else "↓")


def key_figures(
    user: User, choice: Choice, focus: Focus, *, only: Callable[[Kpi], bool] | None = None
) -> KeyFigures:
    """The key figures of the period and the comparison period, each KPI computed once
    (`only`: just the KPIs it accepts, as the worker warms the kept ones, `figure_warming`)."""
    scope = focus.scope(user)
    result = KeyFigures()
    for name, params, target in KEY_FIGURES:
        kpi = kpis.get(name)
        if only is not None and not only(kpi):
            continue
        label = label_of(kpi, params)
        if not kpi.available or scope.used() - kpi.scopes:
            result.not_narrowed.append(label)
            continue
        try:
            if choice.compare == "previous" or kpi.point_in_time:
                change = kpi.change(choice.period, params=params, scope=scope)
                value, previous = change.value, change.previous
            else:
                value = kpi.value(choice.period, params=params, scope=scope)
                previous = kpi.value(choice.comparison, params=params, scope=scope)
        except KpiError:
            result.not_narrowed.append(label)
            continue
        delta = None if value is None or previous is None else value - previous
        word, arrow = trend(kpi, delta)
        result.figures.append(
            Figure(
                kpi=kpi,
                label=label,
                value=value,
                previous=previous,
                text=kpi.format(value),
                previous_text="" if kpi.point_in_time else kpi.format(previous),
                delta_text="" if kpi.point_in_time else kpi.format_delta(delta),
                trend=word,
                arrow=arrow,
                link=drill(target, choice.period, focus.filters()),
                previous_link=""
                if kpi.point_in_time
                else drill(target, choice.comparison, focus.filters()),
            )
        )
    return result


# ---------------------------------------------------------------- goals (stored figures)
@dataclass
class GoalRow:
    goal: Goal
    status: str
    css: str
    current: str
    target: str
    forecast: str
    deadline: str
    spark: charts.Sparkline
    link: str


def goal_rows(goals: list[Goal]) -> list[GoalRow]:
    rows = []
    for goal in goals:
        try:
            kpi: Kpi | None = kpis.get(goal.kpi)
        except KpiError:
            kpi = None
        fmt = kpi.format if kpi is not None else (lambda v: "–" if v is None else str(v))
        values = [point[1] if len(point) > 1 else None for point in goal.series or []]
        sign = "≥" if goal.comparison == "ge" else "≤"
        rows.append(
            GoalRow(
                goal=goal,
                status=str(GoalStatus(goal.status).label),
                css=STATUS_CSS.get(GoalStatus(goal.status), "muted"),
                current=fmt(goal.current),
                target=f"{sign}\u00a0{fmt(goal.target)}",
                forecast=fmt(goal.forecast),
                deadline=date_format(goal.deadline, "SHORT_DATE_FORMAT"),
                spark=charts.sparkline(
                    [float(v) if isinstance(v, int | float) else None for v in values],
                    target=goal.target,
                ),
                link=reverse("goals:goal", args=[goal.pk]),
            )
        )
    return rows


def goals_of(user: User, focus: Focus) -> list[Goal]:
    goals = goals_for_user(user).prefetch_related("departments")
    if focus.department is not None:
        return list(goals.filter(departments=focus.department).distinct())
    if focus.account is not None:
        handle = focus.account.handle
        return [
            g for g in goals if handle in {ChannelAccount.normalise_handle(h) for h in g.accounts}
        ]
    return list(goals)


# ---------------------------------------------------------------- what needs attention
@dataclass
class Attention:
    title: str
    count: int
    link: str
    rows: list[tuple[str, str, str]]  # (text, link, a customer's words or "")
    note: str = ""
    capped: bool = False  # more than `count` (the inbox list's capped count)

    @property
    def label(self) -> str:
        """The count as the reader's locale writes it; "10.000+" as the list it links to."""
        return count_label(self.count, capped=self.capped)


def sla_rows(user: User, focus: Focus, state: str) -> QuerySet[Conversation]:
    """The open conversations in this SLA state, the most overdue first (as the inbox's SLA
    queue it links to; read from the index `conversation_sla_queue`)."""
    return inbox_selectors.inbox_list(user, _sla_filters(focus, state))


def _sla_filters(focus: Focus, state: str) -> inbox_selectors.InboxFilters:
    return inbox_selectors.InboxFilters(sla_state=state, sort="due", **focus.filters())


def overdue_feedback(user: User, focus: Focus) -> QuerySet[FeedbackItem]:
    """Items whose department deadline passed while nobody took them up (still "new")."""
    rows = items_for_user(user).filter(status=FeedbackStatus.NEW, due_at__lt=timezone.now())
    if focus.department is not None:
        rows = rows.filter(department=focus.department)
    return rows.order_by("due_at", "pk")


def failed_posts(user: User, focus: Focus) -> QuerySet[Post]:
    rows = posts_for_user(user).filter(status__in=[PostStatus.FAILED, PostStatus.PARTLY_PUBLISHED])
    if focus.account is not None:
        rows = rows.filter(targets__channel=focus.account, targets__state=TargetState.FAILED)
    return rows.distinct().order_by("-pk")


def _conversation_rows(found: QuerySet[Conversation]) -> list[tuple[str, str, str]]:
    """(who and where, link, what the customer wrote: shown as a quote of its own)."""
    return [
        (
            f"{c.contact.display_name if c.contact else '–'} · {c.channel_account.handle}",
            reverse("inbox:conversation", args=[c.pk]),
            c.preview,
        )
        for c in found[:ATTENTION_LIMIT]
    ]


def attention(user: User, focus: Focus, goals: list[GoalRow]) -> list[Attention]:
    extra = focus.filters()
    result = []
    for state, title in (
        (SlaState.BREACHED, _("SLA breached")),
        (SlaState.AT_RISK, _("SLA at risk")),
    ):
        found = sla_rows(user, focus, state)
        # Counted as the inbox list it links to counts: up to COUNT_CAP, then "10,000+"
        # (at 10 million messages every breached one took 72 ms to count).
        counted = inbox_selectors.inbox_count(user, _sla_filters(focus, state), COUNT_CAP + 1)
        result.append(
            Attention(
                title,
                min(counted, COUNT_CAP),
                drill("sla", None, extra | {"sla": str(state)}),
                _conversation_rows(found),
                capped=counted > COUNT_CAP,
            )
        )
    if focus.account is not None:
        result.append(
            Attention(
                _("Feedback past its department deadline"),
                0,
                "",
                [],
                _("Feedback belongs to departments, not channels: see the department pages."),
            )
        )
    else:
        result.append(_overdue(user, focus))
    if focus.department is None:
        result.append(_failed(user, focus))
    else:
        result.append(
            Attention(
                _("Posts that failed"),
                0,
                "",
                [],
                _("Posts belong to channels, not departments: see the channel pages."),
            )
        )
    risky = [r for r in goals if r.goal.status in (GoalStatus.AT_RISK, GoalStatus.OFF_TRACK)]
    result.append(
        Attention(
            _("Goals at risk or off track"),
            len(risky),
            reverse("goals:goals"),
            [(f"{r.goal.name} · {r.status}", r.link, "") for r in risky],
        )
    )
    return result


def _overdue(user: User, focus: Focus) -> Attention:
    overdue = overdue_feedback(user, focus)
    return Attention(
        _("Feedback past its department deadline"),
        overdue.count(),
        drill("feedback_overdue", None, focus.filters()),
        [
            (
                f"{item.title} · {item.department.name if item.department else '–'}",
                reverse("feedback:item", args=[item.pk]),
                "",
            )
            for item in overdue.select_related("department")[:ATTENTION_LIMIT]
        ],
    )


def _failed(user: User, focus: Focus) -> Attention:
    failed = failed_posts(user, focus)
    extra = {k: v for k, v in focus.filters().items() if k == "account"}
    return Attention(
        _("Posts that failed"),
        failed.count(),
        drill("posts_failed", None, extra),
        [
            (
                f"{post.text[:60]} · {post.get_status_display()}",
                reverse("publishing:post", args=[post.pk]),
                "",
            )
            for post in failed[:ATTENTION_LIMIT]
        ],
    )


# ---------------------------------------------------------------- series (department/channel)
def series_charts(user: User, choice: Choice, focus: Focus) -> list[tuple[str, Any, str, str]]:
    """Inbound volume and first-response share by day (by week beyond 35 days), each a line
    chart with axes and a table; a chart the focus cannot narrow says so instead."""
    period = choice.period
    grain = kpis.Grain.DAY if period.days <= 35 else kpis.Grain.WEEK
    scope = focus.scope(user)
    result: list[tuple[str, Any, str, str]] = []
    for name, params in (("inbound_volume", {}), ("first_response_within", {"within": "24h"})):
        kpi = kpis.get(name)
        title = label_of(kpi, params)
        if scope.used() - kpi.scopes:
            note = (
                _("This figure cannot be narrowed to a department.")
                if focus.department is not None
                else _("This figure cannot be narrowed to a channel account.")
            )
            result.append((title, None, note, f"series-{name}"))
            continue
        points = kpi.series(period, grain, params=params, scope=scope)
        result.append((title, _line(title, kpi, points, period, grain), "", f"series-{name}"))
    return result


def _line(title: str, kpi: Kpi, points: list[kpis.Point], period: Period, grain: Any) -> Any:
    data: list[tuple[date, float | None]] = [(p.period.start, p.value) for p in points]
    chart = charts.line_chart(
        title,
        [(title, data, "series")],
        fmt=kpi.format,
        start=period.start,
        end=period.last_day,
        y_ceiling=1.0 if kpi.unit == Unit.SHARE else None,
        whole=kpi.unit == Unit.COUNT,
    )
    chart.columns = [_("Day") if grain == kpis.Grain.DAY else _("Week from"), title]
    chart.rows = [
        (date_format(p.period.start, "SHORT_DATE_FORMAT"), [kpi.format(p.value)]) for p in points
    ]
    return chart


# ---------------------------------------------------------------- who sees which dashboard
def departments_for(user: User) -> QuerySet[Department]:
    """The departments whose dashboard the person may open: a member their own, others all."""
    if inbox_selectors.sees_every_conversation(user):
        return Department.objects.order_by("name")
    return user.departments.order_by("name")


def department_for(user: User, pk: int) -> Department:
    found = departments_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def accounts_for(user: User) -> QuerySet[ChannelAccount]:
    """Channel dashboards: everyone may open them; the figures cover what the person may see."""
    return ChannelAccount.objects.order_by("network", "handle")


def account_for(user: User, pk: int) -> ChannelAccount:
    found = accounts_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
