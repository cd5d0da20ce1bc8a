"""Two indexes of the messages that no query needs, dropped: every stored message (live items,
webhooks, the history import) wrote them.

- `channel_account_id` alone: the unique key (channel_account_id, external_id) starts with it
  and serves every lookup by channel (and the check before a channel is deleted).
- PostgreSQL's `varchar_pattern_ops` copy of `parent_external_id` (Django adds one for LIKE on
  an indexed text column): replies are found by equality, which the plain index serves.

The database is changed by hand, not by AlterField (which rebuilds the whole table on SQLite);
DROP INDEX CONCURRENTLY on PostgreSQL holds up no writer.
"""

import django.db.models.deletion
from django.db import migrations, models

ACCOUNT = "inbox_message_channel_account_id_a3d73ad4"
LIKE = "inbox_message_parent_external_id_0d8b41b7_like"


def _on_postgresql(schema_editor) -> bool:  # type: ignore[no-untyped-def]
    return bool(schema_editor.connection.vendor == "postgresql")


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    postgresql = _on_postgresql(schema_editor)
    how = "DROP INDEX CONCURRENTLY" if postgresql else "DROP INDEX"
    schema_editor.execute(f"{how} IF EXISTS {ACCOUNT}")
    if postgresql:
        schema_editor.execute(f"{how} IF EXISTS {LIKE}")


def restore(apps, schema_editor):  # type: ignore[no-untyped-def]
    postgresql = _on_postgresql(schema_editor)
    how = "CREATE INDEX CONCURRENTLY" if postgresql else "CREATE INDEX"
    schema_editor.execute(f"{how} IF NOT EXISTS {ACCOUNT} ON inbox_message (channel_account_id)")
    if postgresql:
        schema_editor.execute(
            f"{how} IF NOT EXISTS {LIKE} ON inbox_message (parent_external_id varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    atomic = False  # DROP/CREATE INDEX CONCURRENTLY
    dependencies = [("inbox", "0026_message_kpi_inbound_covering")]
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="message",
                    name="channel_account",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="messages",
                        to="channels.channelaccount",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop, restore)],
        )
    ]
