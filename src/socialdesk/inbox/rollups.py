# ruff: noqa: S608 - every name in these statements is a constant of this module; no value from outside
"""Upkeep and reading of the message rollup (`rollup_models.MessageRollup`).

The rollup is kept by database triggers, on SQLite and on PostgreSQL alike, so that no write
path can forget it (bulk imports write rows directly, merges and erasures update and delete
many rows at once):

- a message inserted, deleted or changed (direction, time, "needs a reply", conversation)
  adds its +1 or −1 to its hour's row;
- a conversation moved to another department, assignee or channel account moves the counts
  of its inbound messages from the old row to the new one.

Counts are added with an upsert (`INSERT … ON CONFLICT DO UPDATE`), which is atomic on both
databases; concurrent writers of one account's hour wait for each other on that one row.

On SQLite a migration that rebuilds `inbox_message` or `inbox_conversation` (Django copies
the table) drops their triggers. `ensure()` runs after every `migrate`: it installs missing
triggers and then recounts the rollup from the messages, so it never silently stops.
`socialdesk kpi rebuild-rollups` recounts it by hand (`rebuild()`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, Sum
from django.db.transaction import TransactionManagementError

from socialdesk.core import triggers
from socialdesk.core.triggers import Trigger
from socialdesk.inbox.rollup_models import HeldMessages, MessageRollup

TABLE = MessageRollup._meta.db_table
HELD = HeldMessages._meta.db_table
COLUMNS = "hour, account_id, department_id, assignee_id, inbound, needs_reply"
KEY = "hour, account_id, department_id, assignee_id"
UPSERT = (
    f"ON CONFLICT ({KEY}) DO UPDATE SET inbound = {TABLE}.inbound + excluded.inbound, "
    f"needs_reply = {TABLE}.needs_reply + excluded.needs_reply"
)
_HOUR = {
    "sqlite": "strftime('%Y-%m-%d %H:00:00', {0})",
    "postgresql": "(date_trunc('hour', {0} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')",
}
_FLAG = {"sqlite": "{0}", "postgresql": "{0}::int"}


def _hour(column: str) -> str:
    return _HOUR[connection.vendor].format(column)


def _flag(column: str) -> str:
    return _FLAG[connection.vendor].format(column)


def _add(select: str) -> str:
    """SQL adding the rows of `select` (in COLUMNS' order) to the rollup's counts."""
    return f"INSERT INTO {TABLE} ({COLUMNS}) {select} {UPSERT};"


def _bump(row: str, sign: str, *, if_inbound: bool = False) -> str:
    """SQL adding `sign` × the message `row` (NEW/OLD) to its conversation's hour row."""
    inbound = f" AND {row}.direction = 'in'" if if_inbound else ""
    return _add(
        f"SELECT {_hour(row + '.created_at')}, c.channel_account_id, "
        f"COALESCE(c.department_id, 0), COALESCE(c.assignee_id, 0), {sign}1, "
        f"{sign}{_flag(row + '.needs_reply')} "
        f"FROM inbox_conversation c WHERE c.id = {row}.conversation_id{inbound}"
    )


def _move(row: str, sign: str) -> str:
    """SQL adding `sign` × the inbound messages of conversation `row` (OLD/NEW) per hour."""
    return _add(
        f"SELECT {_hour('m.created_at')}, {row}.channel_account_id, "
        f"COALESCE({row}.department_id, 0), COALESCE({row}.assignee_id, 0), "
        f"{sign}COUNT(*), {sign}SUM({_flag('m.needs_reply')}) "
        f"FROM inbox_message m WHERE m.conversation_id = {row}.id AND m.direction = 'in' "
        "GROUP BY 1"
    )


# Names carry a version: a changed definition gets a new name, so `ensure()` installs it.
ADDED = "inbox_rollup_message_added_v2"  # the insert trigger (`counted_together`)
PREFIX = "inbox_rollup_"
# The insert trigger leaves alone a row whose id a bulk insert holds (`counted_together`).
_HELD_ROW = f"SELECT 1 FROM {HELD} h WHERE NEW.id BETWEEN h.low AND h.high"
_TRIGGERS = (
    Trigger(
        ADDED, "inbox_message", "INSERT", "NEW.direction = 'in'", lambda: [_bump("NEW", "")],
        unless=_HELD_ROW,
    ),
    Trigger(
        "inbox_rollup_message_removed_v1", "inbox_message", "DELETE", "OLD.direction = 'in'",
        lambda: [_bump("OLD", "-")],
    ),
    Trigger(
        "inbox_rollup_message_changed_v1",
        "inbox_message",
        "UPDATE OF direction, created_at, needs_reply, conversation_id",
        "(OLD.direction = 'in' OR NEW.direction = 'in') AND "
        "(OLD.direction IS NOT NEW.direction OR OLD.created_at IS NOT NEW.created_at "
        "OR OLD.needs_reply IS NOT NEW.needs_reply "
        "OR OLD.conversation_id IS NOT NEW.conversation_id)",
        lambda: [_bump("OLD", "-", if_inbound=True), _bump("NEW", "", if_inbound=True)],
    ),
    Trigger(
        "inbox_rollup_conversation_moved_v1",
        "inbox_conversation",
        "UPDATE OF department_id, assignee_id, channel_account_id",
        "OLD.department_id IS NOT NEW.department_id OR OLD.assignee_id IS NOT NEW.assignee_id "
        "OR OLD.channel_account_id IS NOT NEW.channel_account_id",
        lambda: [_move("OLD", "-"), _move("NEW", "")],
    ),
)  # fmt: skip


def _statements() -> list[str]:
    """The SQL creating every trigger for the connection's database."""
    return triggers.statements(_TRIGGERS)


@contextmanager
def counted_together(ids: Sequence[int]) -> Iterator[None]:
    """Messages with these ids (reserved by `core.db.reserve_ids`, ascending) inserted in the
    block are counted into the rollup at its end in one statement, not row by row by the
    trigger (which costs a bulk import most of its insert time). Call it inside the inserting
    transaction. PostgreSQL: the trigger skips a held range, deleted again before that
    transaction commits, so no other connection sees it; reserved ids need not be consecutive
    there, so exactly these ids are counted (another writer's message inside the range is its
    own trigger's). SQLite: one writer at a time, so the trigger is dropped for the block and
    made again before the count, in the same transaction (another connection never sees it
    missing; a rollback brings it back): even skipping, it doubled the insert's time."""
    if not ids:
        yield
        return
    if connection.vendor == "postgresql":
        held = HeldMessages.objects.create(low=ids[0], high=ids[-1])
        yield
    else:  # the reserved ids are consecutive
        if not connection.in_atomic_block:
            raise TransactionManagementError("counted_together needs the inserting transaction")
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER IF EXISTS {ADDED}")
        yield
        with connection.cursor() as cursor:
            cursor.execute(triggers.creating(_TRIGGERS[0]))
    with connection.cursor() as cursor:
        cursor.execute(*counting(ids))
    if connection.vendor == "postgresql":
        held.delete()


def inbound_among(ids: Sequence[int]) -> tuple[str, list[Any]]:
    """The condition on `m` (inbox_message) choosing the inbound messages of these ids just
    inserted in bulk (reserved, ascending), and its values.

    Both read the range of the reserved ids through the primary key (PostgreSQL then keeps
    exactly these ids: another writer's message in the range is its own; SQLite's reserved ids
    are consecutive). Given the direction as an indexed condition, a table just filled (no
    statistics yet) was read through the index of every inbound message instead, and the ids
    compared: PostgreSQL 460 ms a chunk at 100,000 messages, SQLite 33 ms a chunk at a
    million, both growing with the table. So the direction is checked on each message read,
    never through an index of its own."""
    if connection.vendor == "postgresql":
        chosen = "m.id BETWEEN %s AND %s AND m.id = ANY(%s) AND (m.direction = 'in') IS TRUE"
        return chosen, [ids[0], ids[-1], list(ids)]
    return "m.id BETWEEN %s AND %s AND +m.direction = 'in'", [ids[0], ids[-1]]


def counting(ids: Sequence[int]) -> tuple[str, list[Any]]:
    """The statement adding the inbound messages of these ids (ascending) to the rollup."""
    chosen, values = inbound_among(ids)
    count = _add(
        f"SELECT {_hour('m.created_at')}, c.channel_account_id, "
        "COALESCE(c.department_id, 0), COALESCE(c.assignee_id, 0), "
        f"COUNT(*), SUM({_flag('m.needs_reply')}) "
        "FROM inbox_message m JOIN inbox_conversation c ON c.id = m.conversation_id "
        "WHERE {chosen} GROUP BY 1, 2, 3, 4"
    ).rstrip(";")
    # strftime's % written %% beside the parameters
    return count.replace("%", "%%").replace("{chosen}", chosen), values


def rebuild() -> int:
    """Recount the whole rollup from the messages; returns the number of hour rows.

    On PostgreSQL the rollup is locked first: writers that counted before wait to commit
    and are in the recount, writers after it wait and add to the recounted rows."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {TABLE} IN EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(
            f"INSERT INTO {TABLE} ({COLUMNS}) "  # a fresh count: nothing to add to
            f"SELECT {_hour('m.created_at')}, c.channel_account_id, "
            "COALESCE(c.department_id, 0), COALESCE(c.assignee_id, 0), "
            f"COUNT(*), SUM({_flag('m.needs_reply')}) "
            "FROM inbox_message m JOIN inbox_conversation c ON c.id = m.conversation_id "
            "WHERE m.direction = 'in' GROUP BY 1, 2, 3, 4"
        )
        return int(cursor.rowcount)


@dataclass(frozen=True)
class Counts:
    inbound: int
    needs_reply: int


def on_the_hour(moment: datetime) -> bool:
    utc = moment.astimezone(UTC)
    return utc.minute == 0 and utc.second == 0 and utc.microsecond == 0


def counts(
    start: datetime,
    end: datetime,
    *,
    accounts: list[int] | None = None,
    departments: list[int] | None = None,
    visible: Q | None = None,
) -> Counts | None:
    """Inbound messages written in `[start, end)` and how many need a reply, from the rollup.

    `visible` is the visibility rule as a condition on department_id/assignee_id
    (`selectors.visibility`). None when the bounds are not whole hours (a time zone with a
    half-hour offset): then the caller counts the messages."""
    if not (on_the_hour(start) and on_the_hour(end)):
        return None
    rows = MessageRollup.objects.filter(hour__gte=start, hour__lt=end)
    if accounts is not None:
        rows = rows.filter(account_id__in=accounts)
    if departments is not None:
        rows = rows.filter(department_id__in=departments)
    if visible is not None:
        rows = rows.filter(visible)
    summed = rows.aggregate(inbound=Sum("inbound"), needs_reply=Sum("needs_reply"))
    return Counts(int(summed["inbound"] or 0), int(summed["needs_reply"] or 0))


# ensure(): the triggers made if any is missing (an earlier version's removed: it would count
# twice), then the rollup recounted; drop(): the benchmarks' baseline.
KEPT = triggers.Kept(PREFIX, _TRIGGERS, then=rebuild)
TRIGGERS = KEPT.names
installed, ensure, drop = KEPT.installed, KEPT.ensure, KEPT.drop
