"""A past period's SLA and first-response figures are kept (PostgreSQL, `core.figure_cache`)
and served again only while they hold: whatever changes a clock or a question of the period,
or time turning a pending clock breached, gives the figures a fresh computation gives. Every
test runs twice: November kept day by day (`core.figure_days`, a period of up to a month) and
kept whole (as a longer period is).

Every test compares the served figures with a computation that keeps nothing
(`_fresh`), and tells a served figure from a computed one by the statements it ran."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from socialdesk.accounts.models import Department, Role, User
from socialdesk.channels.models import ChannelAccount
from socialdesk.core import figure_cache, figure_days
from socialdesk.core.tasks import compact_figure_log
from socialdesk.inbox.importing.pipeline import refresh_conversations
from socialdesk.inbox.models import Contact, Conversation, Direction, Message
from socialdesk.sla import kpi
from socialdesk.sla.models import SlaOutcome, SlaPolicy
from socialdesk.sla.outcome_kpi import sla_kpi
from socialdesk.sla.services import refresh_sla

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL keeps figures"),
]

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
NOVEMBER: dict[str, Any] = {"since": date(2026, 11, 1), "until": date(2026, 11, 30)}
LATER = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)  # November is over
HOUR = timedelta(hours=1)


@pytest.fixture(autouse=True, params=["by day", "whole"])
def _nothing_kept_before(request: pytest.FixtureRequest, monkeypatch) -> Iterator[None]:
    if request.param == "whole":
        monkeypatch.setattr(figure_days, "MAX_DAYS", 0)
    caches[figure_cache.STORE].clear()
    yield
    caches[figure_cache.STORE].clear()


def _ask(account: ChannelAccount, n: int, at: datetime, answer_after: timedelta | None, **handed):
    contact = Contact.objects.create(display_name=f"Kim {n}")
    conversation = Conversation.objects.create(channel_account=account, contact=contact, **handed)
    _write(conversation, f"{n}-q", Direction.INBOUND, at)
    if answer_after is not None:
        _write(conversation, f"{n}-a", Direction.OUTBOUND, at + answer_after)
    return conversation


def _write(conversation: Conversation, external_id: str, direction: str, at: datetime) -> None:
    Message.objects.create(
        conversation=conversation, channel_account=conversation.channel_account,
        external_id=external_id, direction=direction, text="?",
        needs_reply=direction == Direction.INBOUND, created_at=at,
    )  # fmt: skip
    refresh_conversations({conversation.pk})


@pytest.fixture
def team() -> dict[str, Any]:
    SlaPolicy.objects.create(name="Hour", first_response_minutes=60)
    account = ChannelAccount.objects.create(network="mastodon", handle="nord")
    service, sales = (
        Department.objects.create(name="Service"),
        Department.objects.create(name="Sales"),
    )
    mia = User.objects.create_user("mia@example.com", "x", role=Role.MEMBER)
    mia.departments.add(service)
    plan = [  # (day of November, answered after, department)
        (2, timedelta(minutes=20), service), (3, timedelta(minutes=90), service),
        (4, None, sales), (5, timedelta(minutes=10), sales), (20, timedelta(hours=30), None),
    ]  # fmt: skip
    made = [
        _ask(account, n, START.replace(day=day), after, department=department)
        for n, (day, after, department) in enumerate(plan)
    ]
    refresh_sla([c.pk for c in made], now=LATER)
    return {"account": account, "service": service, "sales": sales, "mia": mia, "made": made}


def _runs(read: Callable[[], Any], table: str) -> tuple[Any, bool]:
    """The figures and whether reading them read `table` (False: they were kept)."""
    with CaptureQueriesContext(connection) as queries:
        figures = read()
    return figures, any(f'FROM "{table}"' in q["sql"] for q in queries.captured_queries)


def _fresh(read: Callable[[], Any]) -> Any:
    """The figures computed in one pass over the period, nothing kept and nothing served."""
    with (
        mock.patch.object(figure_cache, "found", lambda where: (False, None)),
        mock.patch.object(figure_cache, "keep", lambda *args: None),
        mock.patch.object(figure_days, "MAX_DAYS", 0),  # one pass over the period
    ):
        return read()


def _sla(now: datetime = LATER, **scope: Any) -> Callable[[], Any]:
    return lambda: sla_kpi(now=now, **NOVEMBER, **scope)


def test_a_past_months_sla_figures_are_read_once_then_served_until_a_clock_of_it_changes(team):
    read = _sla()
    first, computed = _runs(read, "sla_slaoutcome")
    assert computed and first.first_response.met == 2 and first.first_response.breached == 3
    again, computed = _runs(read, "sla_slaoutcome")
    assert not computed and again == first
    # a change outside November (a question in December) leaves November's figures kept
    _ask(team["account"], 9, LATER - HOUR, None)
    refresh_sla([Conversation.objects.latest("pk").pk], now=LATER)
    _kept, computed = _runs(read, "sla_slaoutcome")
    assert not computed
    # a clock of November changes (its breach mended by an evaluation, say): read again
    SlaOutcome.objects.filter(conversation=team["made"][1], kind="first_response").update(
        state="met"
    )
    changed, computed = _runs(read, "sla_slaoutcome")
    assert computed and changed == _fresh(read)
    assert (changed.first_response.met, changed.first_response.breached) == (3, 2)


def test_deleting_a_conversation_or_emptying_the_table_is_seen(team):
    read = _sla()
    assert read().first_response.met == 2
    team["made"][0].delete()  # its outcomes go with it
    after, computed = _runs(read, "sla_slaoutcome")
    assert computed and after == _fresh(read) and after.first_response.met == 1
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE sla_slaoutcome")
    emptied, computed = _runs(read, "sla_slaoutcome")
    assert computed and emptied.first_response.met == emptied.first_response.breached == 0


def test_a_conversation_moved_to_a_members_department_changes_her_figures(team):
    mia, sales = team["mia"], team["sales"]
    read = _sla(user=mia)
    before = read()
    assert (before.first_response.met, before.first_response.breached) == (1, 1)  # Service's
    # moved by a bulk update: the trigger moves the outcomes' copies, the log sees them
    Conversation.objects.filter(pk=team["made"][3].pk).update(department=team["service"])
    moved, computed = _runs(read, "sla_slaoutcome")
    assert computed and moved == _fresh(read)
    assert (moved.first_response.met, moved.first_response.breached) == (2, 1)
    # she joins Sales: another rule of what she sees, so other figures (not the kept ones)
    mia.departments.add(sales)
    joined = read()
    assert joined == _fresh(read)
    assert (joined.first_response.met, joined.first_response.breached) == (2, 2)


def _november_ends() -> datetime:
    end = kpi.period_bounds(NOVEMBER["since"], NOVEMBER["until"])[1]
    assert end is not None
    return end


def test_a_pending_clock_is_counted_breached_from_the_moment_its_target_passes(team):
    # a question in November's last half hour, its hour running into December
    end = _november_ends()
    asked = end - timedelta(minutes=30)
    late = _ask(team["account"], 7, asked, None)
    due = asked + HOUR
    refresh_sla([late.pk], now=end)
    figures = _sla(now=end)()
    assert figures.first_response.pending == 1
    kept, computed = _runs(_sla(now=due - timedelta(seconds=1)), "sla_slaoutcome")
    assert not computed and kept.first_response.pending == 1
    turned, computed = _runs(_sla(now=due + timedelta(seconds=1)), "sla_slaoutcome")
    assert computed and turned.first_response.pending == 0
    assert turned.first_response.breached == figures.first_response.breached + 1
    assert turned == _fresh(_sla(now=due + timedelta(seconds=1)))


def test_figures_read_in_a_transaction_that_wrote_are_not_kept(team):
    read = _sla()
    with transaction.atomic():
        SlaOutcome.objects.filter(conversation=team["made"][1]).update(state="met")
        inside = read()
        assert inside.first_response.met == 3
        transaction.set_rollback(True)
    after, computed = _runs(read, "sla_slaoutcome")
    assert computed and after.first_response.met == 2 == _fresh(read).first_response.met


def _first_responses(now: datetime = LATER, **scope: Any) -> Callable[[], Any]:
    periods = [(date(2026, 11, 1), date(2026, 11, 30)), (date(2026, 10, 1), date(2026, 10, 31))]
    return lambda: kpi.first_responses(periods=periods, within=HOUR, now=now, **scope)


def test_first_responses_of_two_past_months_are_kept_and_a_late_answer_is_seen(team):
    read = _first_responses()
    november, october = read()
    assert (november.conversations, november.answered_within, october.conversations) == (5, 2, 0)
    again, computed = _runs(read, "inbox_conversation")
    assert not computed and again == [november, october]
    # the one alone (the KPI of one period) shares the kept figures
    alone, computed = _runs(
        lambda: kpi.first_response(within=HOUR, now=LATER, breakdown=False, **NOVEMBER),
        "inbox_conversation",
    )
    assert not computed and alone.rate_within == november.rate_within
    # the unanswered question of November 4 gets its answer in December
    unanswered = team["made"][2]
    _write(unanswered, "2-a", Direction.OUTBOUND, LATER - HOUR)
    answered, computed = _runs(read, "inbox_conversation")
    assert computed and answered == _fresh(read)
    assert answered[0].answered == november.answered + 1


def test_a_pending_question_turns_missed_when_its_hour_is_over(team):
    end = _november_ends()
    asked = end - timedelta(minutes=30)
    _ask(team["account"], 8, asked, None)
    figures = _first_responses(now=end + timedelta(minutes=10))()
    assert figures[0].pending == 1
    kept, computed = _runs(_first_responses(now=end + timedelta(minutes=20)), "inbox_conversation")
    assert not computed and kept[0].pending == 1
    turned, computed = _runs(_first_responses(now=asked + HOUR + timedelta(seconds=1)),
                             "inbox_conversation")  # fmt: skip
    assert computed and turned[0].pending == 0 and turned[0].missed == figures[0].missed + 1
    assert turned == _fresh(_first_responses(now=asked + HOUR + timedelta(seconds=1)))


def test_the_log_keeps_what_a_kept_figure_may_need_and_no_more(team, monkeypatch):
    read = _sla()
    figures = read()
    horizon = f"UPDATE {figure_cache.HORIZON} SET snapshot = pg_current_snapshot(), taken_at = "
    with connection.cursor() as cursor:
        cursor.execute(horizon + "clock_timestamp()")  # a horizon taken just now
        cursor.execute(f"SELECT count(*) FROM {figure_cache.LOG}")
        logged = cursor.fetchone()[0]
        assert logged > 0
        assert not figure_cache.due()
        assert figure_cache.compact() == 0  # younger than KEEP: nothing goes
        _kept, computed = _runs(read, "sla_slaoutcome")
        assert not computed
        # taken KEEP ago: every row it saw goes (all written so far), and it moves on
        cursor.execute(
            horizon + "clock_timestamp() - make_interval(secs => %s)",
            [(figure_cache.KEEP + figure_cache.MARGIN).total_seconds() + 1],
        )
        assert figure_cache.due()
        assert compact_figure_log.call() == logged  # as the worker runs it
        assert not figure_cache.due() and figure_cache.compact() == 0
    # a figure not confirmed for KEEP is not served: the rows it might need may be gone
    monkeypatch.setattr(figure_cache, "KEEP", timedelta(0))
    again, computed = _runs(read, "sla_slaoutcome")
    assert computed and again == figures


def test_a_figure_read_within_keep_each_time_is_kept_on_while_nothing_changes(team, monkeypatch):
    # KEEP 4 s, read every 2 s: each read may come up to 2 s late on a busy machine (1 s
    # against a KEEP of 2 s was once too little in CI) and still find the figure kept.
    monkeypatch.setattr(figure_cache, "KEEP", timedelta(seconds=4))
    read = _sla()
    read()
    for _ in range(3):  # 6 s after it was computed: each reading confirmed it anew
        time.sleep(2)
        _kept, computed = _runs(read, "sla_slaoutcome")
        assert not computed
    time.sleep(4.4)  # unread for longer than KEEP
    _again, computed = _runs(read, "sla_slaoutcome")
    assert computed


def test_a_change_committed_after_the_figures_were_read_is_seen_though_it_began_before(team):
    """Another writer's transaction is open while the figures are computed (they do not see
    its change) and commits afterwards: the kept figures must not hide it."""
    import psycopg

    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"], user=settings["USER"], password=settings["PASSWORD"],
        host=settings["HOST"], port=settings["PORT"],
    )  # fmt: skip
    read = _sla()
    try:
        with other.cursor() as cursor:  # begins a transaction, not committed yet
            cursor.execute(
                "UPDATE sla_slaoutcome SET state = 'met' WHERE conversation_id = %s",
                [team["made"][1].pk],
            )
        unseen, computed = _runs(read, "sla_slaoutcome")
        assert computed and unseen.first_response.met == 2
        other.commit()
    finally:
        other.close()
    seen, computed = _runs(read, "sla_slaoutcome")
    assert computed and seen.first_response.met == 3 == _fresh(read).first_response.met


def test_a_change_written_in_a_half_hour_time_zone_is_seen_at_the_periods_first_hour(team):
    """The log's hour is the UTC hour whatever the writer's session time zone: a writer in
    India (UTC+5:30) changing a clock 10 minutes into the period is found."""
    start = kpi.period_bounds(NOVEMBER["since"], NOVEMBER["until"])[0]
    assert start is not None
    early = _ask(team["account"], 6, start + timedelta(minutes=10), None)
    refresh_sla([early.pk], now=LATER)
    read = _sla()
    assert read().first_response.breached == 4
    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'Asia/Kolkata'")
        try:
            cursor.execute(
                "UPDATE sla_slaoutcome SET state = 'met' WHERE conversation_id = %s", [early.pk]
            )
        finally:
            cursor.execute("SET TIME ZONE 'UTC'")
    seen, computed = _runs(read, "sla_slaoutcome")
    assert computed and seen.first_response.breached == 3 == _fresh(read).first_response.breached


def test_compaction_makes_a_missing_horizon_and_removes_nothing_then(team):
    """A restored database has the log's tables without rows (backups leave them out)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {figure_cache.HORIZON}")
        assert figure_cache.due()
        assert figure_cache.compact() == 0
        cursor.execute(f"SELECT count(*) FROM {figure_cache.HORIZON}")
        assert cursor.fetchone()[0] == 1
    assert not figure_cache.due()
