"""The inbound messages waiting to be classified, as a queue kept by triggers
(`feedback.pending`, installed and filled after the migration by `pending.ensure()`): the
worker no longer compares every inbound message with the classifications to find them."""

from django.db import migrations, models

# The triggers that keep the queue (installed after every migrate): undone, they go first,
# before their table.
TRIGGERS = [
    ("feedback_pending_message_added_v1", "inbox_message"),
    ("feedback_pending_message_removed_v1", "inbox_message"),
    ("feedback_pending_classified_v1", "feedback_classification"),
    ("feedback_pending_unclassified_v1", "feedback_classification"),
]


def drop_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    postgresql = schema_editor.connection.vendor == "postgresql"
    for name, table in TRIGGERS:
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgresql else "")
        )
        if postgresql:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0004_classification_department_assignee"),
        ("inbox", "0032_conversation_figure_log"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, drop_triggers),
        migrations.CreateModel(
            name="PendingMessage",
            fields=[
                ("message_id", models.BigIntegerField(primary_key=True, serialize=False)),
            ],
        ),
    ]
