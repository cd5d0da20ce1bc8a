"""Each SLA outcome carries its conversation's channel account (which never changes): the SLA
figures of a channel read the KPI's index alone, which now ends with the account, instead of
every clock's conversation (10 million messages, a channel's week: 400 ms per period).

The column is added empty, filled from the conversations in batches of BATCH outcomes (each
its own transaction: the SLA checker waits for one batch at most), then required. On
PostgreSQL the index is built CONCURRENTLY under a temporary name and swapped in.
"""

from django.db import migrations, models

BATCH = 50_000
NAME = "sla_outcome_kpi_seen"
KEY = "evaluated, kind, started_at, state, elapsed_seconds, due_at, conversation_id"
FIELDS = ["evaluated", "kind", "started_at", "state", "elapsed_seconds", "due_at", "conversation"]


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        update = (
            "UPDATE sla_slaoutcome o SET channel_account_id = c.channel_account_id "
            "FROM inbox_conversation c WHERE c.id = o.conversation_id "
            "AND o.id >= %s AND o.id < %s AND o.channel_account_id IS NULL"
        )
    else:
        update = (
            "UPDATE sla_slaoutcome SET channel_account_id = (SELECT c.channel_account_id "
            "FROM inbox_conversation c WHERE c.id = sla_slaoutcome.conversation_id) "
            "WHERE id >= %s AND id < %s AND channel_account_id IS NULL"
        )
    with connection.cursor() as cursor:  # autocommit: one transaction per batch
        cursor.execute("SELECT min(id), max(id) FROM sla_slaoutcome")
        low, high = cursor.fetchone()
        for start in range(low, high + 1, BATCH) if low is not None else ():
            cursor.execute(update, [start, start + BATCH])


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


def with_account(apps, schema_editor):  # type: ignore[no-untyped-def]
    _swap(schema_editor, f"{KEY}, channel_account_id")


def without_account(apps, schema_editor):  # type: ignore[no-untyped-def]
    _swap(schema_editor, KEY)


class Migration(migrations.Migration):
    atomic = False  # batches of their own; CREATE/DROP INDEX CONCURRENTLY
    dependencies = [
        ("channels", "0001_create_channel_account"),
        ("sla", "0004_outcome_kpi_index_with_conversation"),
    ]
    operations = [
        migrations.AddField(
            model_name="slaoutcome",
            name="channel_account",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=models.DO_NOTHING,
                related_name="+",
                to="channels.channelaccount",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="slaoutcome",
            name="channel_account",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=models.DO_NOTHING,
                related_name="+",
                to="channels.channelaccount",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="slaoutcome", name=NAME),
                migrations.AddIndex(
                    model_name="slaoutcome",
                    index=models.Index(fields=[*FIELDS, "channel_account"], name=NAME),
                ),
            ],
            database_operations=[migrations.RunPython(with_account, without_account)],
        ),
    ]
