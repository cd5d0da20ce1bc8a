"""A classification carries its message's conversation's department and assignee (kept by
triggers, `feedback.copies`, installed after the migration): a department member's sentiment
shares read the index `classification_kpi_written`, which now ends with them, instead of
joining the period's inbound messages with every conversation the person may see (10 million
messages, four weeks: 460 ms per period).

The columns are added empty and filled in batches of BATCH classifications (each its own
transaction). On PostgreSQL the index is built CONCURRENTLY under a temporary name and
swapped in.
"""

from django.conf import settings
from django.db import migrations, models

BATCH = 50_000
NAME = "classification_kpi_written"
KEY = "written_at, sentiment"


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    update = (
        "UPDATE feedback_classification AS f SET department_id = c.department_id, "
        "assignee_id = c.assignee_id FROM inbox_message m "
        "JOIN inbox_conversation c ON c.id = m.conversation_id "
        "WHERE m.id = f.message_id AND f.id >= %s AND f.id < %s "
        "AND (c.department_id IS NOT NULL OR c.assignee_id IS NOT NULL)"
    )
    with schema_editor.connection.cursor() as cursor:  # autocommit: one transaction per batch
        cursor.execute("SELECT min(id), max(id) FROM feedback_classification")
        low, high = cursor.fetchone()
        for start in range(low, high + 1, BATCH) if low is not None else ():
            cursor.execute(update, [start, start + BATCH])


# The triggers that keep the copies (installed after every migrate): undone, they go first,
# before their columns.
TRIGGERS = [
    ("feedback_copies_conversation_moved_v1", "inbox_conversation"),
    ("feedback_copies_message_moved_v1", "inbox_message"),
    ("feedback_copies_classified_v1", "feedback_classification"),
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
        run(f"CREATE INDEX {NAME} ON feedback_classification ({key})")
        return
    making = f"{NAME}_new"
    run(f"DROP INDEX CONCURRENTLY IF EXISTS {making}")  # a failed run's
    run(f"CREATE INDEX CONCURRENTLY {making} ON feedback_classification ({key})")
    run(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")
    run(f"ALTER INDEX {making} RENAME TO {NAME}")


def with_copies(apps, schema_editor):  # type: ignore[no-untyped-def]
    _swap(schema_editor, f"{KEY}, department_id, assignee_id")


def without_copies(apps, schema_editor):  # type: ignore[no-untyped-def]
    _swap(schema_editor, KEY)


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
        ("feedback", "0003_classification_written_at"),
    ]
    operations = [
        migrations.AddField(
            model_name="classification", name="department", field=_copy("accounts.department")
        ),
        migrations.AddField(
            model_name="classification", name="assignee", field=_copy(settings.AUTH_USER_MODEL)
        ),
        migrations.RunPython(migrations.RunPython.noop, drop_triggers),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="classification", name=NAME),
                migrations.AddIndex(
                    model_name="classification",
                    index=models.Index(
                        fields=["written_at", "sentiment", "department", "assignee"], name=NAME
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(with_copies, without_copies)],
        ),
    ]
