"""Every KPI equals a plain-Python recomputation over the raw rows of a tricky history.

The expected values here read the objects (`list(Model.objects.all())`) and count by hand;
they call nothing of the code under test. Periods: two whole months, the week and the day of
the DST change, an empty week, and the series by day/week/month. Both databases (CI).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from socialdesk.accounts.models import User
from socialdesk.channels.models import FollowerSnapshot
from socialdesk.feedback.models import Classification, FeedbackEvent, FeedbackItem
from socialdesk.goals import kpis
from socialdesk.goals.kpis import Grain, Period, Scope
from socialdesk.goals.tests import kpi_history
from socialdesk.goals.tests.kpi_history import NOW  # the same moment in the property tests
from socialdesk.inbox.models import Conversation, Message
from socialdesk.listening.models import MonitorMatch
from socialdesk.publishing.models import Idea, PostMetric, PostTarget
from socialdesk.sla.models import SlaOutcome

BERLIN = ZoneInfo("Europe/Berlin")
PERIODS = [
    Period.of_days(date(2026, 10, 1), date(2026, 11, 30)),
    Period.of_days(date(2026, 10, 19), date(2026, 10, 25)),  # the week of the DST change
    Period.of_days(date(2026, 10, 25), date(2026, 10, 25)),  # the 25-hour day
    Period.of_days(date(2026, 11, 2), date(2026, 11, 8)),  # nothing happened
    Period.of_days(date(2026, 11, 9), date(2026, 11, 30)),
]
Rows = Callable[[datetime, datetime, dict[str, str], User | None], float | None]


def bounds(period: Period) -> tuple[datetime, datetime]:
    return (
        datetime.combine(period.start, time.min, tzinfo=BERLIN),
        datetime.combine(period.end, time.min, tzinfo=BERLIN),
    )


def inside(moment: datetime | None, start: datetime, end: datetime) -> bool:
    return moment is not None and start <= moment < end


def percentile(values: list[float], share: float) -> float | None:
    """Linear between the nearest ranks, written out (numpy's default)."""
    if not values:
        return None
    values = sorted(values)
    rank = (len(values) - 1) * share
    low = int(rank)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (rank - low)


def visible(conversation: Conversation, user: User | None) -> bool:
    if user is None or user.role != "member":
        return True
    mine = {d.pk for d in user.departments.all()}
    return conversation.department_id in mine or conversation.assignee_id == user.pk


def questions(start: datetime, end: datetime, user: User | None) -> list[Conversation]:
    return [
        c
        for c in Conversation.objects.all()
        if c.first_message_inbound
        and c.needs_reply
        and inside(c.first_message_at, start, end)
        and visible(c, user)
    ]


def within_share(
    start: datetime, end: datetime, p: dict[str, str], user: User | None
) -> float | None:
    target = {"24h": 86400, "2h": 7200, "90m": 5400}[p.get("within", "24h")]
    rows = questions(start, end, user)
    met = sum(
        1
        for c in rows
        if c.first_response_seconds is not None and c.first_response_seconds <= target
    )
    pending = sum(
        1 for c in rows
        if c.first_response_seconds is None and c.first_message_at is not None
        and (NOW - c.first_message_at).total_seconds() <= target
    )  # fmt: skip
    return met / (len(rows) - pending) if len(rows) > pending else None


def first_response_time(share: float) -> Rows:
    def compute(
        start: datetime, end: datetime, p: dict[str, str], user: User | None
    ) -> float | None:
        return percentile(
            [float(c.first_response_seconds) for c in questions(start, end, user)
             if c.first_response_seconds is not None], share
        )  # fmt: skip

    return compute


def outcomes(kind: str, start: datetime, end: datetime, user: User | None) -> list[SlaOutcome]:
    return [
        o
        for o in SlaOutcome.objects.select_related("conversation")
        if o.kind == kind and inside(o.started_at, start, end) and visible(o.conversation, user)
    ]


def sla_met(kind: str) -> Rows:
    def compute(
        start: datetime, end: datetime, p: dict[str, str], user: User | None
    ) -> float | None:
        met = breached = 0
        for o in outcomes(kind, start, end, user):
            late = o.state == "breached" or (
                o.state == "pending" and o.due_at is not None and o.due_at < NOW
            )
            met += int(o.state == "met")
            breached += int(late)
        return met / (met + breached) if met + breached else None

    return compute


def clock_time(kind: str, share: float) -> Rows:
    def compute(
        start: datetime, end: datetime, p: dict[str, str], user: User | None
    ) -> float | None:
        return percentile(
            [float(o.elapsed_seconds) for o in outcomes(kind, start, end, user)
             if o.elapsed_seconds is not None], share
        )  # fmt: skip

    return compute


def inbound(start: datetime, end: datetime, user: User | None) -> list[Message]:
    return [
        m
        for m in Message.objects.select_related("conversation")
        if m.direction == "in"
        and inside(m.created_at, start, end)
        and visible(m.conversation, user)
    ]


def needs_reply_share(
    start: datetime, end: datetime, p: dict[str, str], user: User | None
) -> float | None:
    rows = inbound(start, end, user)
    return sum(1 for m in rows if m.needs_reply) / len(rows) if rows else None


def sentiment_share(
    start: datetime, end: datetime, p: dict[str, str], user: User | None
) -> float | None:
    ids = {m.pk for m in inbound(start, end, user)}
    judged = [
        c.sentiment for c in Classification.objects.all() if c.message_id in ids and c.sentiment
    ]
    wanted = p.get("sentiment", "negative")
    return sum(1 for s in judged if s == wanted) / len(judged) if judged else None


def feedback_items(user: User | None) -> list[FeedbackItem]:
    mine = None if user is None or user.role != "member" else {d.pk for d in user.departments.all()}
    return [i for i in FeedbackItem.objects.all() if mine is None or i.department_id in mine]


def events(
    kinds: set[str], start: datetime, end: datetime, user: User | None
) -> list[FeedbackEvent]:
    ids = {i.pk for i in feedback_items(user)}
    return [
        e for e in FeedbackEvent.objects.all()
        if e.item_id in ids and e.kind in kinds and inside(e.created_at, start, end)
    ]  # fmt: skip


def deadlines_kept(
    start: datetime, end: datetime, p: dict[str, str], user: User | None
) -> float | None:
    kept = missed = 0
    for item in feedback_items(user):
        if not inside(item.due_at, start, end):
            continue
        moves = [
            e.created_at for e in FeedbackEvent.objects.filter(item=item)
            if e.kind.startswith("status:") and e.kind != "status:new"
        ]  # fmt: skip
        assert item.due_at is not None
        if moves and min(moves) <= item.due_at:
            kept += 1
        elif item.due_at < NOW:
            missed += 1
    return kept / (kept + missed) if kept + missed else None


def targets(start: datetime, end: datetime, p: dict[str, str]) -> list[PostTarget]:
    return [t for t in PostTarget.objects.all() if inside(t.published_at, start, end)]


def engagement(
    start: datetime, end: datetime, p: dict[str, str], user: User | None
) -> float | None:
    ids = {t.pk for t in targets(start, end, p)}
    age = p.get("age", "24h")
    totals = [
        m.likes + m.reposts + m.replies + m.quotes
        for m in PostMetric.objects.all()
        if m.target_id in ids and m.age == age
    ]
    return sum(totals) / len(totals) if totals else None


def ideas_published(
    start: datetime, end: datetime, p: dict[str, str], user: User | None
) -> float | None:
    count = 0
    for idea in Idea.objects.all():
        times = [
            t.published_at for t in PostTarget.objects.filter(post__idea=idea) if t.published_at
        ]
        count += idea.status == "published" and bool(times) and inside(min(times), start, end)
    return float(count)


def followers(start: datetime, end: datetime, p: dict[str, str], user: User | None) -> float | None:
    """Each account's latest count on or before the period's last day, added up."""
    last = (end - timedelta(days=1)).date()  # `end` is a local midnight
    latest: dict[int, FollowerSnapshot] = {}
    for snap in FollowerSnapshot.objects.all():
        if snap.followers is None or snap.day > last:
            continue
        kept = latest.get(snap.channel_account_id)
        if kept is None or snap.day > kept.day:
            latest[snap.channel_account_id] = snap
    return float(sum(s.followers or 0 for s in latest.values())) if latest else None


EXPECTED: dict[str, Rows] = {
    "first_response_within": within_share,
    "first_response_median": first_response_time(0.5),
    "first_response_p90": first_response_time(0.9),
    "sla_met_first_response": sla_met("first_response"),
    "sla_met_next_response": sla_met("next_response"),
    "sla_met_resolution": sla_met("resolution"),
    "next_response_median": clock_time("next_response", 0.5),
    "next_response_p90": clock_time("next_response", 0.9),
    "resolution_median": clock_time("resolution", 0.5),
    "resolution_p90": clock_time("resolution", 0.9),
    "inbound_volume": lambda s, e, p, u: float(len(inbound(s, e, u))),
    "needs_reply_share": needs_reply_share,
    "sentiment_share": sentiment_share,
    "feedback_opened": lambda s, e, p, u: float(
        sum(1 for i in feedback_items(u) if inside(i.created_at, s, e))
    ),
    "feedback_closed": lambda s, e, p, u: float(
        len({x.item_id for x in events({"status:done", "status:wont_do"}, s, e, u)})
    ),
    "feedback_deadlines_kept": deadlines_kept,
    "feedback_customers_answered": lambda s, e, p, u: float(len(events({"answered"}, s, e, u))),
    "ideas_submitted": lambda s, e, p, u: float(
        sum(1 for i in Idea.objects.all() if inside(i.created_at, s, e))
    ),
    "ideas_published": ideas_published,
    "posts_published": lambda s, e, p, u: float(len(targets(s, e, p))),
    "engagement_per_post": engagement,
    "followers": followers,
    "listening_matches": lambda s, e, p, u: float(
        sum(
            1
            for m in MonitorMatch.objects.select_related("monitor")
            if inside(m.created_at, s, e)
            and (not p.get("monitor") or m.monitor.name == p["monitor"])
        )
    ),
}
VARIANTS: list[tuple[str, dict[str, str]]] = [
    ("first_response_within", {"within": "2h"}),
    ("first_response_within", {"within": "90m"}),
    ("sentiment_share", {"sentiment": "positive"}),
    ("engagement_per_post", {"age": "7d"}),
    ("listening_matches", {"monitor": "Störung"}),
]
CASES: list[tuple[str, dict[str, str]]] = [(name, {}) for name in EXPECTED] + VARIANTS


@pytest.fixture
def history(db: None, people: dict[str, User]) -> dict[str, Any]:
    return kpi_history.build()


def test_it_has_a_recomputation_for_every_available_kpi() -> None:
    assert {k.name for k in kpis.available()} == set(EXPECTED) | {"backlog_now"}


def test_it_counts_the_backlog_now_without_history(
    history: dict[str, Any], people: dict[str, User]
) -> None:
    backlog = kpis.get("backlog_now")
    member = people["member"]
    for user in (None, member):
        waiting = [
            c for c in Conversation.objects.all() if c.waiting_for_us_since and visible(c, user)
        ]
        assert backlog.value(PERIODS[3], scope=Scope(user=user), now=NOW) == len(waiting)
    assert backlog.value(PERIODS[3], now=NOW) == 2.0
    # Assigned to the member: one waiting outside their department counts for them, one inside
    # counts once, however many branches of the visibility rule it passes.
    before = backlog.value(PERIODS[3], scope=Scope(user=member), now=NOW)
    assert before is not None
    theirs = {d.pk for d in member.departments.all()}
    waiting_ones = Conversation.objects.filter(waiting_for_us_since__isnull=False)
    outside = waiting_ones.exclude(department_id__in=theirs).first()
    inside = waiting_ones.filter(department_id__in=theirs).first()
    assert outside is not None and inside is not None
    for conversation in (outside, inside):
        Conversation.objects.filter(pk=conversation.pk).update(assignee=member)
    recount = [
        c for c in Conversation.objects.all() if c.waiting_for_us_since and visible(c, member)
    ]
    assert (
        backlog.value(PERIODS[3], scope=Scope(user=member), now=NOW) == len(recount) == before + 1
    )
    assert backlog.series(PERIODS[0], now=NOW) == []
    assert backlog.change(PERIODS[0], now=NOW).previous is None


@pytest.mark.parametrize(("name", "params"), CASES, ids=[f"{n}{p}" for n, p in CASES])
def test_it_equals_a_recomputation_from_raw_rows(
    history: dict[str, Any], name: str, params: dict[str, str]
) -> None:
    kpi = kpis.get(name)
    seen = []
    for period in PERIODS:
        value = kpi.value(period, params=params, now=NOW)
        assert value == pytest.approx(EXPECTED[name](*bounds(period), params, None)), (
            name, period,
        )  # fmt: skip
        seen.append(value)
    assert any(v not in (None, 0.0) for v in seen), f"{name}: the history never shows it"


@pytest.mark.parametrize(("name", "params"), CASES, ids=[f"{n}{p}" for n, p in CASES])
def test_it_gives_a_series_whose_buckets_equal_recomputations(
    history: dict[str, Any], name: str, params: dict[str, str]
) -> None:
    kpi = kpis.get(name)
    period = PERIODS[0]
    for by in Grain:
        series = kpi.series(period, by, params=params, now=NOW)
        assert series[0].period.start == period.start and series[-1].period.end == period.end
        for point in series:
            assert point.value == pytest.approx(
                EXPECTED[name](*bounds(point.period), params, None)
            ), (name, by, point.period)


def test_it_cuts_weeks_on_mondays_and_months_on_the_first(history: dict[str, Any]) -> None:
    period = Period.of_days(date(2026, 10, 21), date(2026, 11, 3))
    weeks = [(p.start.isoformat(), p.days) for p in period.split(Grain.WEEK)]
    assert weeks == [("2026-10-21", 5), ("2026-10-26", 7), ("2026-11-02", 2)]
    months = [(p.start.isoformat(), p.days) for p in period.split(Grain.MONTH)]
    assert months == [("2026-10-21", 11), ("2026-11-01", 3)]


def test_it_counts_the_dst_day_by_local_midnights(history: dict[str, Any]) -> None:
    # 22:30 and 23:30 UTC on the 24th are 00:30 and 01:30 on the 25th in Berlin (summer
    # time); 22:59 UTC on the 25th is 23:59 (winter time): three messages on a 25-hour day.
    day = Period.of_days(date(2026, 10, 25), date(2026, 10, 25))
    start, end = day.bounds()
    assert end.timestamp() - start.timestamp() == 25 * 3600
    assert kpis.get("inbound_volume").value(day, now=NOW) == 3.0


def test_it_compares_with_the_previous_period_of_the_same_length(history: dict[str, Any]) -> None:
    period = Period.of_days(date(2026, 11, 9), date(2026, 11, 15))
    change = kpis.get("inbound_volume").change(period, now=NOW)
    assert change.previous_period == Period.of_days(date(2026, 11, 2), date(2026, 11, 8))
    assert (change.value, change.previous, change.delta) == (3.0, 0.0, 3.0)


@pytest.mark.parametrize(
    "name",
    ["first_response_within", "sla_met_first_response", "inbound_volume", "sentiment_share",
     "feedback_opened", "feedback_deadlines_kept", "resolution_median"],
)  # fmt: skip
def test_it_covers_only_what_a_department_member_may_see(
    history: dict[str, Any], people: dict[str, User], name: str
) -> None:
    member = people["member"]  # Mia, Product Development
    scope = Scope(user=member)
    for period in PERIODS:
        value = kpis.get(name).value(period, scope=scope, now=NOW)
        assert value == pytest.approx(EXPECTED[name](*bounds(period), {}, member)), (name, period)
    whole = PERIODS[0]
    assert (
        kpis.get(name).value(whole, scope=scope, now=NOW)
        != pytest.approx(kpis.get(name).value(whole, now=NOW))
        or name == "resolution_median"
    )


def test_it_says_why_a_kpi_is_not_available() -> None:
    missing = kpis.Kpi(
        name="not_yet", label="Not yet", description="", unit=kpis.Unit.COUNT, compute=None,
        available=False, reason="its source is still to be built",
    )  # fmt: skip
    with pytest.raises(kpis.KpiError, match="not available: its source is still to be built"):
        missing.value(PERIODS[0])


def test_followers_are_a_level_counted_from_the_daily_snapshots(
    history: dict[str, Any],
) -> None:
    from socialdesk.goals.goal_measure import is_total

    kpi = kpis.get("followers")
    assert kpi.available and kpi in kpis.available() and not is_total(kpi)
    # By hand: on 19 October only nord's 100; on 25 October nord 120 + sued 40; from
    # 10 November nord 2**53 + sued 40 (sued's failed day of 20 November changes nothing).
    day = Period.of_days
    assert kpi.value(day(date(2026, 9, 1), date(2026, 9, 30)), now=NOW) is None
    assert kpi.value(day(date(2026, 10, 1), date(2026, 10, 19)), now=NOW) == 100.0
    assert kpi.value(day(date(2026, 10, 25), date(2026, 10, 25)), now=NOW) == 160.0
    assert kpi.value(PERIODS[0], now=NOW) == float(2**53 + 40)
    only = kpis.Scope(accounts=("@Sued",))
    assert kpi.value(PERIODS[0], scope=only, now=NOW) == 40.0
    weeks = kpi.series(day(date(2026, 10, 12), date(2026, 11, 15)), "week", now=NOW)
    assert [p.value for p in weeks] == [100.0, 160.0, 160.0, 160.0, float(2**53 + 40)]


def test_it_refuses_unknown_kpis_parameters_and_scopes() -> None:
    with pytest.raises(kpis.KpiError, match="no KPI 'nope'"):
        kpis.get("nope")
    within = kpis.get("first_response_within")
    with pytest.raises(kpis.KpiError, match="no parameter 'x'"):
        within.parse_params({"x": "1"})
    with pytest.raises(kpis.KpiError, match="not a duration"):
        within.parse_params({"within": "soon"})
    with pytest.raises(kpis.KpiError, match="narrowed by tags"):
        within.check_scope(Scope(tags=("billing",)))
    assert within.parse_params({}) == {"within": timedelta(hours=24)}


def test_a_followers_goal_takes_the_latest_count_not_a_sum_over_days(
    history: dict[str, Any], people: dict[str, User]
) -> None:
    from socialdesk.accounts.audit import Acting
    from socialdesk.goals.goal_services import goal_create

    goal = goal_create(
        by=Acting(user=people["manager"]), name="Follower", kpi="followers", target=1_000_000,
        start=date(2026, 11, 1), deadline=date(2026, 12, 31), now=NOW,
    )  # fmt: skip
    # By hand: on 30 November nord 2**53 + sued 40; the baseline (1 September to 31 October)
    # ends with nord 120 + sued 40.
    assert goal.current == float(2**53 + 40)
    assert goal.baseline == 160.0
    assert goal.series[-1][1] == float(2**53 + 40)  # a level: no running total
