"""The message rollup equals a recount of the messages after any sequence of writes.

Random sequences of what the product does to messages and conversations (a message arrives,
a reply goes out, "needs a reply" is set or cleared, a conversation is routed to a department,
assigned, merged into another, erased, a batch is inserted at once, a time is corrected) run
against the database; after each sequence every hour row of the rollup equals the count made
in Python from the rows left, and `rebuild()` writes the same rows. On both databases.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, Organisation, Role, User
from socialdesk.channels.models import ChannelAccount
from socialdesk.core.db import insert_rows, reserve_ids
from socialdesk.goals import kpis
from socialdesk.goals.kpis import Period, Scope
from socialdesk.inbox import rollups, services
from socialdesk.inbox.models import Conversation, Direction, Message
from socialdesk.inbox.rollup_models import HeldMessages, MessageRollup
from socialdesk.inbox.tests.test_import_history import ALL, _import, _write
from socialdesk.privacy.services import retention_apply

START = datetime(2026, 10, 24, 20, 0, tzinfo=UTC)
Key = tuple[datetime, int, int, int]


def recount() -> Counter[tuple[Key, str]]:
    """Inbound messages per hour, account, department and assignee, counted in Python."""
    counted: Counter[tuple[Key, str]] = Counter()
    rows = Message.objects.filter(direction=Direction.INBOUND).select_related("conversation")
    for message in rows:
        conversation = message.conversation
        hour = message.created_at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        key = (
            hour,
            conversation.channel_account_id,
            conversation.department_id or 0,
            conversation.assignee_id or 0,
        )
        counted[(key, "inbound")] += 1
        counted[(key, "needs_reply")] += int(message.needs_reply)
    return +counted  # without zeros


def stored() -> Counter[tuple[Key, str]]:
    counted: Counter[tuple[Key, str]] = Counter()
    for row in MessageRollup.objects.all():
        key = (row.hour.astimezone(UTC), row.account_id, row.department_id, row.assignee_id)
        counted[(key, "inbound")] += row.inbound
        counted[(key, "needs_reply")] += row.needs_reply
    return +counted


operations = st.lists(
    st.one_of(
        st.tuples(st.just("arrive"), st.integers(0, 5), st.integers(0, 3000), st.booleans()),
        st.tuples(st.just("reply"), st.integers(0, 5), st.integers(0, 3000), st.booleans()),
        st.tuples(st.just("flag"), st.integers(0, 40), st.booleans(), st.booleans()),
        st.tuples(st.just("route"), st.integers(0, 5), st.integers(0, 2), st.booleans()),
        st.tuples(st.just("assign"), st.integers(0, 5), st.integers(0, 2), st.booleans()),
        st.tuples(st.just("account"), st.integers(0, 5), st.integers(0, 1), st.booleans()),
        st.tuples(st.just("merge"), st.integers(0, 5), st.integers(0, 5), st.booleans()),
        st.tuples(st.just("retime"), st.integers(0, 40), st.integers(-600, 600), st.booleans()),
        st.tuples(st.just("delete"), st.integers(0, 40), st.integers(0, 1), st.booleans()),
        st.tuples(st.just("erase"), st.integers(0, 5), st.integers(0, 1), st.booleans()),
        st.tuples(st.just("batch"), st.integers(0, 5), st.integers(0, 3000), st.booleans()),
        st.tuples(st.just("flag_all"), st.integers(0, 5), st.integers(0, 1), st.booleans()),
    ),
    max_size=30,
)


class World:
    """Two accounts, three departments, two people and six conversations to write into."""

    def __init__(self) -> None:
        self.accounts = [
            ChannelAccount.objects.create(network="mastodon", handle=f"acct{i}") for i in (0, 1)
        ]
        self.departments = [Department.objects.create(name=f"D{i}") for i in range(3)]
        self.people = [
            User.objects.create_user(email=f"p{i}@example.org", password="x", role=Role.AGENT)
            for i in range(3)
        ]
        self.conversations = [
            Conversation.objects.create(channel_account=self.accounts[i % 2]) for i in range(6)
        ]
        self.made = 0

    def conversation(self, index: int) -> Conversation | None:
        alive = list(Conversation.objects.order_by("pk"))
        return alive[index % len(alive)] if alive else None

    def message(self, index: int) -> Message | None:
        rows = list(Message.objects.order_by("pk"))
        return rows[index % len(rows)] if rows else None

    def new_message(self, conversation: Conversation, minutes: int, inbound: bool, flag: bool):
        self.made += 1
        return Message(
            conversation=conversation, channel_account=conversation.channel_account,
            external_id=f"m{self.made}",
            direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
            text="?", created_at=START + timedelta(minutes=minutes, seconds=self.made % 60),
            needs_reply=flag and inbound,
        )  # fmt: skip

    def apply(self, op: tuple[str, int, Any, bool]) -> None:
        kind, index, value, flag = op
        if kind in ("arrive", "reply", "route", "assign", "account", "merge", "erase", "batch"):
            conversation = self.conversation(index)
            if conversation is None:
                return
            if kind == "arrive":
                self.new_message(conversation, value, True, flag).save()
            elif kind == "reply":
                self.new_message(conversation, value, False, flag).save()
            elif kind == "route":
                conversation.department = self.departments[value] if flag else None
                conversation.save()
            elif kind == "assign":
                Conversation.objects.filter(pk=conversation.pk).update(
                    assignee=self.people[value] if flag else None
                )
            elif kind == "account":
                conversation.channel_account = self.accounts[value]
                conversation.save(update_fields=["channel_account"])
            elif kind == "merge":
                into = self.conversation(value)
                if into is not None and into.pk != conversation.pk:
                    Message.objects.filter(conversation=conversation).update(conversation=into)
            elif kind == "erase":
                conversation.delete()  # Django deletes its messages first, as an erasure does
            else:  # a batch written at once, as the history import does
                Message.objects.bulk_create(
                    [self.new_message(conversation, value + i * 37, i % 3 != 0, flag) for i in range(4)]
                )  # fmt: skip
            return
        if kind == "flag_all":
            Message.objects.filter(direction=Direction.INBOUND).update(needs_reply=bool(value))
            return
        message = self.message(index)
        if message is None:
            return
        if kind == "flag":
            Message.objects.filter(pk=message.pk).update(needs_reply=value)
        elif kind == "retime":
            message.created_at += timedelta(minutes=value)
            message.save(update_fields=["created_at"])
        elif kind == "delete":
            message.delete()


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=operations)
def test_the_rollup_equals_a_recount_after_any_sequence_of_writes(
    ops: list[tuple[str, int, Any, bool]],
) -> None:
    with transaction.atomic():
        world = World()
        for op in ops:
            world.apply(op)
        assert stored() == recount(), ops
        before = stored()
        rollups.rebuild()
        assert stored() == before
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_lost_triggers_are_installed_again_and_the_rollup_recounted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A SQLite migration that copies the message table drops its triggers: `migrate` and
    `kpi rebuild-rollups` put them back and recount what was written meanwhile."""
    world = World()
    conversation = world.conversations[0]
    world.new_message(conversation, 5, True, True).save()
    rollups.drop()
    assert rollups.installed() == set()
    world.new_message(conversation, 90, True, False).save()  # not counted: no trigger
    assert stored() != recount()

    call_command("kpi", "rebuild-rollups")

    assert rollups.installed() == set(rollups.TRIGGERS)
    assert stored() == recount()
    assert "2 inbound messages, 1 needing a reply" in capsys.readouterr().out
    world.new_message(conversation, 200, True, False).save()  # counted again
    assert stored() == recount()


@pytest.mark.django_db
def test_hostile_values_keep_the_rollup_in_step() -> None:
    """Messages at the edges of time and text still land in the right hour."""
    world = World()
    conversation = world.conversations[1]
    for moment in (
        datetime(1970, 1, 1, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 59, 59, 999999, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
    ):
        world.made += 1
        Message.objects.create(
            conversation=conversation, channel_account=conversation.channel_account,
            external_id="x" * 255 if world.made == 1 else f"h{world.made}",
            direction=Direction.INBOUND, text="\u00a0" * 5000, created_at=moment,
            needs_reply=True,
        )  # fmt: skip
    assert stored() == recount()
    assert sum(count for (_key, kind), count in stored().items() if kind == "inbound") == 3


def test_the_products_own_write_paths_keep_the_rollup_in_step(
    db: None, tmp_path: Path, people: dict[str, User], departments: dict[str, Department]
) -> None:
    """History import (rows written in batches), routing, a person's "needs a reply"
    correction, a reply and the retention purge: after each the rollup equals a recount, and
    the inbound KPI over the imported days equals the count of the imported questions."""
    hostile = [("90", "799", "True", ALL[0][3], "@FaehreNord \x00" + "ä" * 20000, "", "")]
    _import(str(_write(tmp_path / "history.csv", ALL + hostile)))
    assert stored() == recount()
    inbound = Message.objects.filter(direction=Direction.INBOUND).count()
    assert inbound == sum(1 for row in ALL + hostile if row[2] == "True")
    march = Period.of_days(date(2026, 3, 1), date(2026, 3, 31))
    assert kpis.get("inbound_volume").value(march) == inbound

    by = Acting(user=people["manager"])
    question = Message.objects.get(external_id="30")
    services.conversation_assign(
        by=by, conversation=question.conversation, assignee=people["member"],
        department=departments["Customer Service"],
    )  # fmt: skip
    services.message_set_needs_reply(by=by, message=question, value=False)
    services.conversation_reply(by=by, conversation=question.conversation, text="Im Anhang.")
    assert stored() == recount()
    member = Scope(user=people["member"])
    assert kpis.get("inbound_volume").value(march, scope=member) == 1

    organisation = Organisation.current()
    organisation.retention_months = 1
    organisation.save()
    retention_apply(now=datetime(2026, 6, 1, tzinfo=UTC))
    assert stored() == recount()
    assert kpis.get("inbound_volume").value(march) == inbound  # anonymised, still counted


def test_an_import_counts_its_messages_once_and_leaves_no_held_range(
    db: None, tmp_path: Path
) -> None:
    """The import counts its chunk's inbound messages in one statement (the trigger skips the
    ids it holds): a first import, then a second whose replies join the first's conversations
    and whose questions are new, each equal a recount; no held range is left behind, and a
    message written afterwards by anyone else is counted by the trigger again."""
    _import(str(_write(tmp_path / "first.csv", ALL[: len(ALL) // 2])))
    assert stored() == recount()
    _import(str(_write(tmp_path / "second.csv", ALL[len(ALL) // 2 :])))
    assert stored() == recount()
    assert HeldMessages.objects.count() == 0
    assert sum(n for (_key, kind), n in stored().items() if kind == "inbound") == sum(
        1 for row in ALL if row[2] == "True"
    )
    conversation = Conversation.objects.order_by("pk").first()
    assert conversation is not None
    Message.objects.create(
        conversation=conversation, channel_account=conversation.channel_account,
        external_id="later", direction=Direction.INBOUND, text="Noch da?",
        created_at=datetime(2026, 3, 20, 9, tzinfo=UTC), needs_reply=True,
    )  # fmt: skip
    assert stored() == recount()


@pytest.mark.django_db
def test_an_earlier_version_s_trigger_is_replaced_not_kept_beside_the_new_one() -> None:
    """An upgrade installs the new insert trigger and removes the old one, which would
    otherwise count every message twice."""
    world = World()
    rollups.drop()
    with connection.cursor() as cursor:  # the trigger as an earlier version installed it
        for statement in rollups._statements():
            if "message_added_v2" in statement and "CREATE" in statement:
                cursor.execute(statement.replace("message_added_v2", "message_added_v1"))
    assert rollups.ensure()
    assert rollups.installed() == set(rollups.TRIGGERS)
    world.new_message(world.conversations[0], 5, True, True).save()
    assert stored() == recount()


@pytest.mark.django_db
def test_a_bulk_insert_the_database_refuses_counts_nothing_and_keeps_the_trigger() -> None:
    """`counted_together` (SQLite: the trigger dropped for the block and made again; PostgreSQL:
    a held range): a refused insert counts nothing and leaves the trigger in place, a kept one
    counts each inbound message once, and a message written afterwards is counted again."""
    world = World()
    conversation = world.conversations[0]
    before = stored()

    def batch(count: int, *, twice: bool = False) -> list[Message]:
        rows = [world.new_message(conversation, n, True, True) for n in range(count)]
        for row, pk in zip(rows, reserve_ids(Message, count), strict=True):
            row.pk = pk
        if twice:  # the same id on the same account twice: the database refuses the insert
            rows[-1].external_id = rows[0].external_id
        return rows

    refused = batch(3, twice=True)
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        rollups.counted_together([row.pk for row in refused]),
    ):
        Message.objects.bulk_create(refused)
    assert rollups.installed() == set(rollups.TRIGGERS)
    assert stored() == before == recount()

    kept = batch(3)
    with transaction.atomic(), rollups.counted_together([row.pk for row in kept]):
        Message.objects.bulk_create(kept)
    assert rollups.installed() == set(rollups.TRIGGERS)
    assert stored() == recount() != before
    assert HeldMessages.objects.count() == 0
    world.new_message(conversation, 9, True, True).save()  # counted by the trigger
    assert stored() == recount()


@pytest.mark.django_db
def test_a_bulk_insert_counts_its_messages_by_their_ids_not_through_every_inbound() -> None:
    """The count after an import's chunk reads the chunk's messages by id. With 20,000
    messages just stored and no statistics (as in an import), asked for the direction as an
    indexed condition, both databases read the index of every inbound message instead
    (growing with each chunk)."""
    if connection.vendor == "postgresql":
        # The table as an import meets it: no statistics. An earlier test's rows, rolled back,
        # can have left statistics of an empty table (every plan then reads some whole index);
        # truncating (undone with the test) forgets them.
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE inbox_message CASCADE")
    world = World()
    conversation = world.conversations[0]
    with transaction.atomic():
        ids = reserve_ids(Message, 20_000)
        insert_rows(
            Message,
            ["id", "conversation", "channel_account", "external_id", "direction", "text",
             "author_handle", "parent_external_id", "language", "meta", "created_at",
             "needs_reply", "imported_at"],
            [
                [pk, conversation.pk, conversation.channel_account_id, f"x{pk}",
                 Direction.INBOUND if pk % 2 else Direction.OUTBOUND, "Hallo?", "kim", "", "de",
                 {}, START, False, START]
                for pk in ids
            ],
        )  # fmt: skip
    sql, values = rollups.counting(ids[-5_000:])
    with connection.cursor() as cursor:
        explain = "EXPLAIN" if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN"
        cursor.execute(f"{explain} {sql}", values)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "message_kpi_inbound" not in plan, plan
    assert "Seq Scan on inbox_message" not in plan, plan
