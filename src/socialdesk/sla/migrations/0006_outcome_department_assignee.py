"""Each SLA outcome carries its conversation's department and assignee (kept by a trigger,
`sla.copies`, installed after the migration): a department's and a member's SLA figures read
the KPI's index alone, which now ends with them, instead of every clock's conversation (10
million messages, a week: 320-400 ms per period). The index `sla_outcome_kpi`, the start of
the KPI's, goes.

The columns are added empty and filled from the conversations in batches of BATCH outcomes
(each its own transaction: the SLA checker waits for one batch at most). On PostgreSQL the
index is built CONCURRENTLY under a temporary name and swapped in.
"""

from django.conf import settings
from django.db import migrations, models

BATCH = 50_000
NAME = "sla_outcome_kpi_seen"
PREFIX = "sla_outcome_kpi"
KEY = "evaluated, kind, started_at, state, elapsed_seconds, due_at, conversation_id, channel_account_id"
FIELDS = [
    "evaluated", "kind", "started_at", "state", "elapsed_seconds", "due_at", "conversation",
    "channel_account",
]  # fmt: skip


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        update = (
            "UPDATE sla_slaoutcome o SET department_id = c.department_id, "
            "assignee_id = c.assignee_id FROM inbox_conversation c "
            "WHERE c.id = o.conversation_id AND o.id >= %s AND o.id < %s "
            "AND (c.department_id IS NOT NULL OR c.assignee_id IS NOT NULL)"
        )
    else:
        update = (
            "UPDATE sla_slaoutcome AS o SET department_id = c.department_id, "
            "assignee_id = c.assignee_id FROM inbox_conversation c "
            "WHERE c.id = o.conversation_id AND o.id >= %s AND o.id < %s "
            "AND (c.department_id IS NOT NULL OR c.assignee_id IS NOT NULL)"
        )
    with connection.cursor() as cursor:  # autocommit: one transaction per batch
        cursor.execute("SELECT min(id), max(id) FROM sla_slaoutcome")
        low, high = cursor.fetchone()
        for start in range(low, high + 1, BATCH) if low is not None else ():
            cursor.execute(update, [start, start + BATCH])


# The triggers that keep the copies (installed after every migrate): undone, they go first,
# before their columns.
TRIGGERS = [
    ("sla_outcome_copies_moved_v1", "inbox_conversation"),
]


def drop_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    postgresql = schema_editor.connection.vendor == "postgresql"
    for name, table in TRIGGERS:
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgresql else "")
        )
        if postgresql:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")


def _swap(schema_editor, key: str) -> None:  # type: ignore[no-untyped-def]
    run = schema_editor.execute
    if schema_editor.connection.vendor != "postgresql":
        run(f"DROP INDEX IF EXISTS {NAME}")
        run(f"CREATE INDEX {NAME} ON sla_slaoutcome ({key})")
        return
    making = f"{NAME}_new"
    run(f"DROP INDEX CONCURRENTLY IF EXISTS {making}")  # a failed run's
    run(f"CREATE INDEX CONCURRENTLY {making} ON sla_slaoutcome ({key})")
    run(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")
    run(f"ALTER INDEX {making} RENAME TO {NAME}")


def with_copies(apps, schema_editor):  # type: ignore[no-untyped-def]
    _swap(schema_editor, f"{KEY}, department_id, assignee_id")


def without_copies(apps, schema_editor):  # type: ignore[no-untyped-def]
    _swap(schema_editor, KEY)


def drop_prefix(apps, schema_editor):  # type: ignore[no-untyped-def]
    """`sla_outcome_kpi` (evaluated, kind, started_at) is the start of the KPI's index: the
    planner took it for a kind without outcomes, and every insert wrote it for nothing."""
    concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"DROP INDEX{concurrently} IF EXISTS {PREFIX}")


def make_prefix(apps, schema_editor):  # type: ignore[no-untyped-def]
    concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f"CREATE INDEX{concurrently} {PREFIX} ON sla_slaoutcome (evaluated, kind, started_at)"
    )


def _copy(to: str):  # type: ignore[no-untyped-def]
    return models.ForeignKey(
        db_constraint=False,
        db_index=False,
        null=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        to=to,
    )


class Migration(migrations.Migration):
    atomic = False  # batches of their own; CREATE/DROP INDEX CONCURRENTLY
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("accounts", "0001_create_organisation_people_departments_audit"),
        ("sla", "0005_outcome_channel_account"),
    ]
    operations = [
        migrations.AddField(
            model_name="slaoutcome", name="department", field=_copy("accounts.department")
        ),
        migrations.AddField(
            model_name="slaoutcome", name="assignee", field=_copy(settings.AUTH_USER_MODEL)
        ),
        migrations.RunPython(migrations.RunPython.noop, drop_triggers),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="slaoutcome", name=NAME),
                migrations.AddIndex(
                    model_name="slaoutcome",
                    index=models.Index(fields=[*FIELDS, "department", "assignee"], name=NAME),
                ),
            ],
            database_operations=[migrations.RunPython(with_copies, without_copies)],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveIndex(model_name="slaoutcome", name=PREFIX)],
            database_operations=[migrations.RunPython(drop_prefix, make_prefix)],
        ),
    ]
