"""Goals: the forecast and status rules, and the figures a goal keeps, against recomputations
with the KPI registry and by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, User
from socialdesk.channels.models import ChannelAccount
from socialdesk.goals import goal_forecast, kpis
from socialdesk.goals.goal_models import GoalStatus, GoalStatusChange
from socialdesk.goals.goal_selectors import goals_for_user
from socialdesk.goals.goal_services import evaluate, goal_create, goal_update
from socialdesk.goals.kpis import Period, Scope
from socialdesk.inbox.models import Conversation, Direction, Message, Notification

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 30)


# ------------------------------------------------------------------ the rules, without a database
def test_a_straight_line_is_forecast_exactly() -> None:
    points = [(float(x), 10.0 + 2.0 * x) for x in range(6)]
    assert goal_forecast.trend_at(points, 10) == pytest.approx(30.0)


def test_one_outlier_does_not_tilt_the_trend() -> None:
    points = [(float(x), 0.5 + 0.01 * x) for x in range(8)]
    points[3] = (3.0, 0.0)  # one terrible week
    assert goal_forecast.trend_at(points, 12) == pytest.approx(0.62, abs=0.005)


def test_too_few_values_give_no_trend() -> None:
    assert goal_forecast.trend_at([(0.0, 1.0), (1.0, None), (2.0, 3.0)], 5) is None


def test_a_total_is_forecast_from_its_daily_rate_and_never_below_what_is_counted() -> None:
    days = [(TODAY - timedelta(days=10 - i), 4.0) for i in range(10)]
    # 4 a day for the 32 days from today to the deadline (both included): 100 + 4 × 32.
    forecast = goal_forecast.forecast_total(
        days, so_far=100.0, today=TODAY, deadline=TODAY + timedelta(days=31)
    )
    assert forecast == pytest.approx(228.0)
    quiet = [(TODAY - timedelta(days=10 - i), 0.0) for i in range(10)]
    assert goal_forecast.forecast_total(
        quiet, so_far=100.0, today=TODAY, deadline=TODAY + timedelta(days=31)
    ) == pytest.approx(100.0)


@pytest.mark.parametrize(
    ("today", "current", "forecast", "target", "comparison", "total", "share", "status"),
    [
        (date(2026, 1, 1), None, None, 1.0, "ge", False, True, "not_started"),
        (date(2026, 3, 1), None, None, 1.0, "ge", False, True, "not_started"),
        (date(2026, 3, 1), 0.80, 0.97, 0.95, "ge", False, True, "on_track"),
        (date(2026, 3, 1), 0.80, 0.90, 0.95, "ge", False, True, "at_risk"),
        (date(2026, 3, 1), 0.80, 0.70, 0.95, "ge", False, True, "off_track"),
        (date(2026, 3, 1), 0.99, None, 0.95, "ge", False, True, "on_track"),  # no trend yet
        (date(2026, 3, 1), 5400.0, 7000.0, 3600.0, "le", False, False, "off_track"),
        (date(2026, 3, 1), 5400.0, 3900.0, 3600.0, "le", False, False, "at_risk"),
        (date(2026, 3, 1), 40.0, 45.0, 40.0, "ge", True, False, "reached"),  # cannot be lost
        (date(2026, 3, 1), 41.0, 50.0, 40.0, "le", True, False, "off_track"),  # only grows
        (date(2026, 2, 2), 0.0, None, 39.0, "ge", True, False, "not_started"),  # too early
        (date(2026, 3, 1), 10.0, 30.0, 39.0, "ge", True, False, "off_track"),
        (date(2026, 5, 1), 0.96, None, 0.95, "ge", False, True, "reached"),
        (date(2026, 5, 1), 0.94, None, 0.95, "ge", False, True, "missed"),  # late is late
    ],
)
def test_the_status_follows_the_rules_on_the_page(
    today: date,
    current: float | None,
    forecast: float | None,
    target: float,
    comparison: str,
    total: bool,
    share: bool,
    status: str,
) -> None:
    judged = goal_forecast.judge(
        today=today,
        start=date(2026, 2, 1),
        deadline=date(2026, 4, 30),
        current=current,
        forecast=forecast,
        target=target,
        comparison=comparison,
        total=total,
        share=share,
    )
    assert judged.status == status


# ------------------------------------------------------------------ goals on stored conversations
def _ask(account: ChannelAccount, at: datetime, answered_after: timedelta | None, n: int) -> None:
    answered = at + answered_after if answered_after is not None else None
    conversation = Conversation.objects.create(
        channel_account=account,
        first_message_at=at,
        first_message_inbound=True,
        needs_reply=True,
        first_response_at=answered,
        first_response_seconds=int(answered_after.total_seconds()) if answered_after else None,
        waiting_for_us_since=None if answered else at,
        last_message_at=answered or at,
    )
    Message.objects.create(
        conversation=conversation,
        channel_account=account,
        external_id=f"q{n}",
        direction=Direction.INBOUND,
        text="Frage?",
        created_at=at,
        needs_reply=True,
    )


@pytest.fixture
def history(db: None, people: dict[str, User]) -> ChannelAccount:
    """Questions every day from 2026-08-01: before November, one in two answered within a
    day; from November on, three in four, improving over the weeks."""
    account = ChannelAccount.objects.create(network="mastodon", handle="nord", name="Nord")
    n = 0
    day = datetime(2026, 8, 1, 9, 0, tzinfo=UTC)
    while day < NOW - timedelta(hours=30):
        for k in range(4):
            fast = k < 2 or (day.month == 11 and (k < 3 or day.day > 20))
            _ask(account, day + timedelta(minutes=k), timedelta(hours=2 if fast else 40), n)
            n += 1
        day += timedelta(days=1)
    return account


def _goal(people: dict[str, User], **fields: Any) -> Any:
    defaults: dict[str, Any] = {
        "name": "Alle Fragen binnen 24 Stunden",
        "kpi": "first_response_within",
        "params": {"within": "24h"},
        "target": 0.9,
        "start": date(2026, 11, 1),
        "deadline": date(2026, 12, 31),
        "now": NOW,
    }
    defaults.update(fields)
    return goal_create(by=Acting(user=people["manager"]), **defaults)


def test_a_goal_keeps_the_baseline_and_current_value_the_registry_computes(
    history: ChannelAccount, people: dict[str, User]
) -> None:
    goal = _goal(people)
    kpi = kpis.get("first_response_within")
    # Baseline: the same KPI over the same length (61 days) just before the start.
    before = Period(date(2026, 9, 1), date(2026, 11, 1))
    assert goal.baseline == pytest.approx(kpi.value(before, params={"within": "24h"}, now=NOW))
    assert goal.baseline == pytest.approx(0.5)
    # Current: a level, over the last 28 days up to today.
    last = Period.of_days(date(2026, 11, 3), TODAY)
    assert goal.current == pytest.approx(kpi.value(last, params={"within": "24h"}, now=NOW))
    assert 0.75 < goal.current < 1.0
    assert goal.status in {GoalStatus.ON_TRACK, GoalStatus.AT_RISK}
    assert goal.forecast is not None and goal.forecast > goal.current  # it improves
    assert goal.series[0][0] == "2026-11-01"  # weekly buckets from the start (cut to it)
    assert GoalStatusChange.objects.filter(goal=goal).count() == 1  # first status recorded


def test_a_total_counts_from_the_start_and_the_chart_shows_the_running_total(
    history: ChannelAccount, people: dict[str, User]
) -> None:
    goal = _goal(people, name="Anfragen", kpi="inbound_volume", params={}, target=200)
    counted = Message.objects.filter(
        direction=Direction.INBOUND,
        created_at__gte=datetime(2026, 10, 31, 23, tzinfo=UTC),  # Berlin midnight, 1 Nov
    ).count()
    assert goal.current == counted
    assert goal.series[-1][1] == counted  # the running total ends at the current value
    assert counted == 4 * 28  # 1 to 28 November
    # 4 a day for the 32 days from today to 31 December (both included).
    assert goal.forecast == pytest.approx(counted + 4 * 32, abs=4)
    assert goal.status == GoalStatus.ON_TRACK


def test_a_change_of_status_is_told_to_owner_and_managers_each_in_their_language(
    history: ChannelAccount, people: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    people["manager"].language = "de"
    people["manager"].save()
    people["agent"].language = "en"
    people["agent"].save()
    goal = _goal(people, owner=people["agent"], target=0.99)
    assert Notification.objects.filter(kind=Notification.Kind.GOAL).count() == 0
    goal_update(by=Acting(user=people["manager"]), goal=goal, target=0.5, now=NOW)
    goal.refresh_from_db()
    assert goal.status == GoalStatus.ON_TRACK  # changed by hand: nobody is told
    # The worker sees a different status than the one stored (as when new answers arrive).
    GoalStatusChange.objects.all().delete()
    goal.status = GoalStatus.REACHED
    goal.save()
    with django_capture_on_commit_callbacks(execute=True):
        evaluate(goal, now=NOW)
    goal.refresh_from_db()
    change = GoalStatusChange.objects.get(goal=goal)
    assert (change.before, change.after) == (GoalStatus.REACHED, goal.status)
    told = {n.user.email: n.title for n in Notification.objects.filter(kind="goal")}
    assert set(told) == {people["agent"].email, people["manager"].email}
    assert told[people["agent"].email] == ("Goal “Alle Fragen binnen 24 Stunden” is now on track")
    assert told[people["manager"].email] == (
        "Ziel „Alle Fragen binnen 24 Stunden“ ist jetzt auf Kurs"
    )
    assert len(mail.outbox) == 2


def test_wrong_fields_are_named_and_nothing_is_stored(db: None, people: dict[str, User]) -> None:
    with pytest.raises(ValidationError) as error:
        _goal(
            people,
            name="x\x00",
            kpi="first_response_within",
            params={"within": "soon"},
            target=1.5,
            deadline=date(2026, 10, 1),
        )
    assert set(error.value.message_dict) == {"name", "params", "target", "deadline"}
    with pytest.raises(ValidationError) as error:
        _goal(people, kpi="followers_of_mars")
    assert "kpi" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _goal(people, target=float("nan"))
    assert "target" in error.value.message_dict
    assert not goals_for_user(people["manager"]).exists()


def test_a_member_sees_the_organisations_goals_and_their_departments(
    db: None, people: dict[str, User], departments: dict[str, Department]
) -> None:
    whole = _goal(people, name="Alle", kpi="inbound_volume", params={}, target=10)
    theirs = _goal(
        people, name="PD", kpi="feedback_opened", params={}, target=10,
        departments=[departments["Product Development"]],
    )  # fmt: skip
    other = _goal(
        people, name="CS", kpi="feedback_opened", params={}, target=10,
        departments=[departments["Customer Service"]],
    )  # fmt: skip
    assert set(goals_for_user(people["member"])) == {whole, theirs}
    assert set(goals_for_user(people["manager"])) == {whole, theirs, other}
    assert Scope().used() == set()
