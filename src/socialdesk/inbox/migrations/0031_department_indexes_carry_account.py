"""A department's SLA-queue and wait indexes carry the channel account (PostgreSQL's INCLUDE):
a department member's figures of one channel count their departments' branch of the
visibility rule (`inbox.selectors.count_visible`) from the index alone instead of reading
every waiting conversation of the department (10 million messages: 252 ms).

PostgreSQL builds each new index CONCURRENTLY under a temporary name, drops the old one and
gives the new one its name, so no writer waits. SQLite has no INCLUDE: its indexes stay.
"""

from django.db import migrations, models

TABLE = "inbox_conversation"
INDEXES = {
    "conversation_dept_sla": ["department", "status", "sla_state"],
    "conversation_dept_wait": ["department", "waiting_for_us_since", "status"],
}


def _swap(schema_editor, include: str) -> None:  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, fields in INDEXES.items():
        key = ", ".join(f"{field}_id" if field == "department" else field for field in fields)
        making = f"{name}_new"
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {making}")  # a failed run's
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY {making} ON {TABLE} ({key}){include}")
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
        schema_editor.execute(f"ALTER INDEX {making} RENAME TO {name}")


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    _swap(schema_editor, " INCLUDE (channel_account_id)")


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    _swap(schema_editor, "")


class Migration(migrations.Migration):
    atomic = False  # CREATE/DROP INDEX CONCURRENTLY
    dependencies = [("inbox", "0030_newest_indexes_carry_visibility")]
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                op
                for name, fields in INDEXES.items()
                for op in (
                    migrations.RemoveIndex(model_name="conversation", name=name),
                    migrations.AddIndex(
                        model_name="conversation",
                        index=models.Index(fields=fields, name=name, include=["channel_account"]),
                    ),
                )
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        )
    ]
