"""The count of conversations waiting for a reply (`inbox.waiting`) equals a recount of the
conversations after any sequence of writes, before and after the worker adds its rows up, and
the backlog KPI reads it for everyone, a department member included. On both databases."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, Organisation, Role, User
from socialdesk.channels.models import ChannelAccount
from socialdesk.core import schedule, triggers
from socialdesk.core.db import reserve_ids
from socialdesk.goals import kpis
from socialdesk.goals.kpis import Period, Scope
from socialdesk.inbox import services, tasks, waiting
from socialdesk.inbox.models import Conversation
from socialdesk.inbox.rollup_models import WaitingCount
from socialdesk.inbox.tests.test_import_history import ALL, _import, _write
from socialdesk.privacy.services import retention_apply

START = datetime(2026, 10, 24, 20, 0, tzinfo=UTC)
Key = tuple[int, int, int]


def recount() -> Counter[Key]:
    """Conversations waiting per account, department and assignee, counted in Python."""
    counted: Counter[Key] = Counter()
    for c in Conversation.objects.all():
        if c.waiting_for_us_since is not None:
            counted[(c.channel_account_id, c.department_id or 0, c.assignee_id or 0)] += 1
    return counted


def stored() -> Counter[Key]:
    counted: Counter[Key] = Counter()
    for row in WaitingCount.objects.all():
        counted[(row.account_id, row.department_id, row.assignee_id)] += row.change
    return +counted  # without zeros


operations = st.lists(
    st.one_of(
        st.tuples(st.just("wait"), st.integers(0, 7), st.integers(0, 3000)),
        st.tuples(st.just("answer"), st.integers(0, 7), st.just(0)),
        st.tuples(st.just("route"), st.integers(0, 7), st.integers(0, 3)),
        st.tuples(st.just("assign"), st.integers(0, 7), st.integers(0, 3)),
        st.tuples(st.just("account"), st.integers(0, 7), st.integers(0, 1)),
        st.tuples(st.just("new"), st.integers(0, 1), st.integers(-1, 3000)),
        st.tuples(st.just("delete"), st.integers(0, 7), st.just(0)),
        st.tuples(st.just("all_wait"), st.integers(0, 1), st.integers(0, 3000)),
        st.tuples(st.just("all_answered"), st.integers(0, 1), st.just(0)),
        st.tuples(st.just("drop_department"), st.integers(0, 2), st.just(0)),
        st.tuples(st.just("drop_person"), st.integers(0, 2), st.just(0)),
        st.tuples(st.just("compact"), st.just(0), st.just(0)),
    ),
    max_size=30,
)


class World:
    """Two accounts, three departments, three people and six conversations."""

    def __init__(self) -> None:
        self.accounts = [
            ChannelAccount.objects.create(network="mastodon", handle=f"acct{i}") for i in (0, 1)
        ]
        self.departments = [Department.objects.create(name=f"D{i}") for i in range(3)]
        self.people = [
            User.objects.create_user(email=f"p{i}@example.org", password="x", role=Role.AGENT)
            for i in range(3)
        ]
        for i in range(6):
            self.new(i % 2, i * 60 if i % 3 else -1)

    def new(self, account: int, minutes: int) -> None:
        Conversation.objects.create(
            channel_account=self.accounts[account],
            waiting_for_us_since=None if minutes < 0 else START + timedelta(minutes=minutes),
        )

    def conversation(self, index: int) -> Conversation | None:
        alive = list(Conversation.objects.order_by("pk"))
        return alive[index % len(alive)] if alive else None

    def apply(self, op: tuple[str, int, int]) -> None:
        kind, index, value = op
        every = Conversation.objects.all()
        if kind == "new":
            self.new(index, value)
        elif kind == "all_wait":  # one UPDATE of many rows, as the import's refresh writes
            every.filter(pk__gt=index).update(waiting_for_us_since=START + timedelta(minutes=value))
        elif kind == "all_answered":  # a bulk action answering many at once
            every.filter(pk__gt=index).update(waiting_for_us_since=None)
        elif kind == "drop_department":  # SET_NULL on every conversation of it
            Department.objects.filter(pk=self.departments[index].pk).delete()
        elif kind == "drop_person":
            User.objects.filter(pk=self.people[index].pk).delete()
        elif kind == "compact":
            waiting.compact()
        elif (conversation := self.conversation(index)) is not None:
            self._one(kind, conversation, value)

    def _one(self, kind: str, conversation: Conversation, value: int) -> None:
        if kind == "wait":  # a new customer message: waiting since (or still since before)
            conversation.waiting_for_us_since = START + timedelta(minutes=value)
            conversation.save(update_fields=["waiting_for_us_since"])
        elif kind == "answer":
            conversation.waiting_for_us_since = None
            conversation.save()
        elif kind == "route":
            department = self.departments[value] if value < 3 else None
            every = Conversation.objects.filter(pk=conversation.pk)
            every.update(department_id=department.pk if department and _alive(department) else None)
        elif kind == "assign":
            person = self.people[value] if value < 3 else None
            Conversation.objects.filter(pk=conversation.pk).update(
                assignee_id=person.pk if person and _alive(person) else None
            )
        elif kind == "account":
            conversation.channel_account = self.accounts[value]
            conversation.save(update_fields=["channel_account"])
        elif kind == "delete":
            conversation.delete()


def _alive(row: Department | User) -> bool:
    return type(row).objects.filter(pk=row.pk).exists()


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=operations)
def test_the_count_equals_a_recount_after_any_sequence_of_writes(
    ops: list[tuple[str, int, int]],
) -> None:
    with transaction.atomic():
        world = World()
        for op in ops:
            world.apply(op)
        assert stored() == recount(), ops
        assert waiting.count() == sum(recount().values())
        left = waiting.compact()
        assert stored() == recount(), ops
        # one row per account, department and assignee with conversations waiting
        assert left == len(recount()) == WaitingCount.objects.count()
        assert not waiting.uncompacted()
        waiting.rebuild()
        assert stored() == recount()
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_it_counts_what_each_person_may_see_and_the_narrowed_scopes() -> None:
    """The backlog KPI from the kept count: a department member sees their departments' and
    their own; narrowed to an account or a department; to a tag it counts the conversations."""
    world = World()
    sales, support = world.departments[0], world.departments[1]
    member = User.objects.create_user(email="m@example.org", password="x", role=Role.MEMBER)
    member.departments.add(support)
    waiting_rows = list(Conversation.objects.exclude(waiting_for_us_since=None).order_by("pk"))
    assert len(waiting_rows) >= 4
    Conversation.objects.filter(pk=waiting_rows[0].pk).update(department=support)
    Conversation.objects.filter(pk=waiting_rows[1].pk).update(department=sales, assignee=member)
    Conversation.objects.filter(pk=waiting_rows[2].pk).update(department=sales)
    tagged = waiting_rows[3]
    tagged.tags.create(name="refund")
    backlog = kpis.get("backlog_now")
    period = Period.of_days(START.date(), START.date())

    def value(**scope: Any) -> float | None:
        return backlog.value(period, scope=Scope(**scope), now=START)

    visible = Conversation.objects.exclude(waiting_for_us_since=None)
    assert value() == visible.count() == len(waiting_rows)
    assert value(user=member) == 2  # the department's and the one assigned to them
    assert value(departments=(sales.pk,)) == 2
    account = world.accounts[0]
    assert value(accounts=(account.handle,)) == visible.filter(channel_account=account).count()
    assert value(tags=("refund",)) == 1
    waiting.compact()
    assert value(user=member) == 2 and value() == len(waiting_rows)


def test_the_products_own_write_paths_keep_the_count_in_step(
    db: None, tmp_path: Path, people: dict[str, User], departments: dict[str, Department]
) -> None:
    """History import (conversations inserted and refreshed in batches, a hostile row among
    them), routing, a reply, the worker's compaction and the retention purge: after each the
    count equals a recount and the backlog KPI the conversations waiting."""
    hostile = [("90", "799", "True", ALL[0][3], "@FaehreNord wo? \x00" + "ä" * 20000, "", "")]
    _import(str(_write(tmp_path / "history.csv", ALL + hostile)))
    assert stored() == recount() != Counter()
    backlog = kpis.get("backlog_now")
    today = Period.of_days(START.date(), START.date())

    def now_waiting(**scope: Any) -> float | None:
        return backlog.value(today, scope=Scope(**scope), now=START)

    assert now_waiting() == Conversation.objects.exclude(waiting_for_us_since=None).count()

    by = Acting(user=people["manager"])
    question = Conversation.objects.exclude(waiting_for_us_since=None).order_by("pk")[0]
    services.conversation_assign(
        by=by, conversation=question, assignee=people["member"],
        department=departments["Customer Service"],
    )  # fmt: skip
    assert stored() == recount()
    assert now_waiting(user=people["member"]) == 1
    services.conversation_reply(by=by, conversation=question, text="Im Anhang.")
    question.refresh_from_db()
    assert question.waiting_for_us_since is None
    assert stored() == recount()
    assert now_waiting(user=people["member"]) == 0

    # the worker adds the rows up on its regular rhythm, when there is something to add up
    assert tasks.compact_waiting in schedule.wanted(schedule.REGULAR)
    tasks.compact_waiting.call()
    assert tasks.compact_waiting not in schedule.wanted(schedule.REGULAR)
    assert stored() == recount()

    organisation = Organisation.current()
    organisation.retention_months = 1
    organisation.save()
    retention_apply(now=datetime(2026, 6, 1, tzinfo=UTC))
    assert stored() == recount()
    assert now_waiting() == Conversation.objects.exclude(waiting_for_us_since=None).count()


@pytest.mark.django_db
def test_lost_triggers_are_made_again_and_the_count_taken_again(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A SQLite migration that copies the conversation table drops its triggers: `migrate`
    and `kpi rebuild-rollups` put them back and count what was written meanwhile."""
    world = World()
    waiting.drop()
    assert waiting.installed() == set()
    world.new(0, 5)  # not counted: no trigger
    assert stored() != recount()

    call_command("kpi", "rebuild-rollups")

    assert waiting.installed() == set(waiting.TRIGGERS)
    assert stored() == recount()
    assert f"; {sum(recount().values())} conversations waiting for a reply (their" in (
        capsys.readouterr().out
    )
    world.new(1, 7)  # counted again
    assert stored() == recount()


@pytest.mark.django_db
def test_a_bulk_insert_counts_its_conversations_once_and_keeps_the_trigger() -> None:
    """The history import inserts its conversations with the insert trigger suspended
    (`core.triggers.bulk_insert`) and counts them in one statement: a kept insert counts each
    waiting conversation once, a refused one nothing, and the trigger counts again after."""
    world = World()
    table = Conversation._meta.db_table

    def batch(count: int, *, twice: bool = False) -> list[Conversation]:
        rows = [
            Conversation(
                pk=pk,
                channel_account=world.accounts[n % 2],
                waiting_for_us_since=START if n % 3 else None,
            )
            for n, pk in enumerate(reserve_ids(Conversation, count))
        ]
        if twice:  # the same id twice: the database refuses the insert
            rows[-1].pk = rows[0].pk
        return rows

    kept = batch(7)
    with transaction.atomic(), triggers.bulk_insert(table, [row.pk for row in kept]):
        Conversation.objects.bulk_create(kept)
    assert waiting.installed() == set(waiting.TRIGGERS)
    assert stored() == recount()
    before = stored()

    refused = batch(4, twice=True)
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        triggers.bulk_insert(table, [row.pk for row in refused]),
    ):
        Conversation.objects.bulk_create(refused)
    assert waiting.installed() == set(waiting.TRIGGERS)
    assert stored() == before == recount()
    world.new(1, 9)  # counted by the trigger again
    assert stored() == recount() != before
