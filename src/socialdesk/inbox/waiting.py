# ruff: noqa: S608 - every name in these statements is a constant of this module; no value from outside
"""How many conversations wait for the team's reply, kept by the database (`WaitingCount`).

The backlog KPI ("waiting for a reply now") counted the conversations with
`waiting_for_us_since` set on every view of the KPI page and the dashboards: at 10 million
messages that read 772,000 index entries, 104–144 ms each time. Here triggers on
`inbox_conversation` keep the count per channel account, department and assignee, whatever
writes (a reply, a webhook, an import, a bulk action, a merge, an erasure, a department
deleted):

- a conversation inserted or deleted while it waits adds +1 or −1;
- one that starts or stops waiting, or moves to another account, department or assignee while
  it waits, adds −1 for what it was and +1 for what it is.

The triggers only insert rows, never update one: two workers storing items for one account
never wait for each other here (an upsert on a shared row would make them, and could deadlock
against the message rollup's hour rows taken in the other order). `compact`, on the worker's
regular rhythm, adds the rows up into one per account, department and assignee; a count then
reads those and what came since. A bulk insert (the history import) counts its conversations
in one statement at its end (`added`). On SQLite a migration that rebuilds the table drops the
triggers: `ensure()` after every `migrate` makes them again and recounts (`rebuild`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, Sum

from socialdesk.core import triggers
from socialdesk.core.triggers import Trigger
from socialdesk.inbox.rollup_models import WaitingCount

TABLE = WaitingCount._meta.db_table
KEY = "account_id, department_id, assignee_id"
COLUMNS = f"{KEY}, change"
WAITING = "waiting_for_us_since"


def _add(row: str, sign: str) -> str:
    """SQL adding `sign`1 for the conversation `row` (NEW/OLD) if it waits."""
    return (
        f"INSERT INTO {TABLE} ({COLUMNS}) SELECT {row}.channel_account_id, "
        f"COALESCE({row}.department_id, 0), COALESCE({row}.assignee_id, 0), {sign}1 "
        f"WHERE {row}.{WAITING} IS NOT NULL;"
    )


def added(ids: Sequence[int]) -> int:
    """Count the waiting ones of these conversations just inserted in bulk (ids reserved,
    ascending) in one statement instead of the trigger's row by row (`triggers.bulk_insert`,
    the history import). PostgreSQL: exactly these ids (reserved ids need not be consecutive
    there); SQLite, one writer at a time: their range."""
    values: list[Any] = [ids[0], ids[-1]]
    chosen = "id BETWEEN %s AND %s"
    if connection.vendor == "postgresql":
        chosen, values = f"{chosen} AND id = ANY(%s)", [*values, list(ids)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} ({COLUMNS}) SELECT channel_account_id, "
            "COALESCE(department_id, 0), COALESCE(assignee_id, 0), COUNT(*) "
            f"FROM inbox_conversation WHERE {chosen} AND {WAITING} IS NOT NULL GROUP BY 1, 2, 3",
            values,
        )
        return int(cursor.rowcount)


PREFIX = "inbox_waiting_"
_TRIGGERS = (
    Trigger(
        "inbox_waiting_added_v1", "inbox_conversation", "INSERT", f"NEW.{WAITING} IS NOT NULL",
        lambda: [_add("NEW", "")], bulk=added,
    ),
    Trigger(
        "inbox_waiting_removed_v1", "inbox_conversation", "DELETE", f"OLD.{WAITING} IS NOT NULL",
        lambda: [_add("OLD", "-")],
    ),
    Trigger(
        "inbox_waiting_changed_v1",
        "inbox_conversation",
        f"UPDATE OF {WAITING}, channel_account_id, department_id, assignee_id",
        f"(OLD.{WAITING} IS NOT NULL OR NEW.{WAITING} IS NOT NULL) AND "
        f"((OLD.{WAITING} IS NULL) IS NOT (NEW.{WAITING} IS NULL) "
        "OR OLD.channel_account_id IS NOT NEW.channel_account_id "
        "OR OLD.department_id IS NOT NEW.department_id OR OLD.assignee_id IS NOT NEW.assignee_id)",
        lambda: [_add("OLD", "-"), _add("NEW", "")],
    ),
)  # fmt: skip


def rebuild() -> int:
    """Count again from the conversations; returns the rows written (one per account,
    department and assignee with conversations waiting). On PostgreSQL the table is locked
    first: a writer whose trigger added a row before waits to commit and is in the count, one
    after waits and adds to it."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {TABLE} IN EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(
            f"INSERT INTO {TABLE} ({COLUMNS}) SELECT channel_account_id, "
            "COALESCE(department_id, 0), COALESCE(assignee_id, 0), COUNT(*) "
            f"FROM inbox_conversation WHERE {WAITING} IS NOT NULL GROUP BY 1, 2, 3"
        )
        return int(cursor.rowcount)


def compact() -> int:
    """Add the rows up into one per account, department and assignee (none where they come to
    0); returns the rows left. PostgreSQL: one statement, which removes and adds up only rows
    committed before it began (a writer's row that commits meanwhile stays for the next time).
    SQLite, one writer at a time: the rows up to the highest id, in one transaction."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH gone AS (DELETE FROM {TABLE} RETURNING {COLUMNS}) "
                f"INSERT INTO {TABLE} ({COLUMNS}) SELECT {KEY}, SUM(change) FROM gone "
                "GROUP BY 1, 2, 3 HAVING SUM(change) <> 0"
            )
        else:
            cursor.execute(f"SELECT MAX(id) FROM {TABLE}")
            (highest,) = cursor.fetchone()
            if highest is None:
                return 0
            cursor.execute(
                f"INSERT INTO {TABLE} ({COLUMNS}) SELECT {KEY}, SUM(change) FROM {TABLE} "
                "WHERE id <= %s GROUP BY 1, 2, 3 HAVING SUM(change) <> 0",
                [highest],
            )
            cursor.execute(f"DELETE FROM {TABLE} WHERE id <= %s", [highest])
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")
        return int(cursor.fetchone()[0])


def uncompacted() -> bool:
    """Whether there are more rows than `compact` would leave (the worker's `when`): cheap,
    the table is small between rounds."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {TABLE} GROUP BY {KEY} HAVING COUNT(*) > 1 "
            "OR SUM(change) = 0)"
        )
        return bool(cursor.fetchone()[0])


def count(
    *,
    accounts: list[int] | None = None,
    departments: list[int] | None = None,
    visible: Q | None = None,
) -> int:
    """Conversations waiting for a reply now, narrowed to these accounts and departments and
    to what a person may see (`visible`: `selectors.visibility`, a condition on
    department_id/assignee_id)."""
    rows = WaitingCount.objects.all()
    if accounts is not None:
        rows = rows.filter(account_id__in=accounts)
    if departments is not None:
        rows = rows.filter(department_id__in=departments)
    if visible is not None:
        rows = rows.filter(visible)
    return int(rows.aggregate(n=Sum("change"))["n"] or 0)


# ensure(): the triggers made if any is missing, then the count made again (runs after every
# `migrate`); drop(): the benchmarks' bulk writes.
KEPT = triggers.Kept(
    PREFIX, _TRIGGERS, then=rebuild, needs=(TABLE, frozenset({"change"}))
)  # fmt: skip
TRIGGERS = KEPT.names
installed, ensure, drop = KEPT.installed, KEPT.ensure, KEPT.drop
