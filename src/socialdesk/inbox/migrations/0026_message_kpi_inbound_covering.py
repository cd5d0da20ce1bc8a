"""PostgreSQL: `message_kpi_inbound` also carries each message's id and conversation.

The KPIs and dashboards ask for the inbound messages of a period by id (the sentiment shares
join `feedback_classification` on it; a member's scope narrows by conversation). The index
found them, but every id was read from the table: 28,647 table pages for the 85,000 inbound
messages of 28 days at 2M messages, 230–300 ms per sentiment count. With the two columns
included the same lookups are index-only scans (64–103 ms). SQLite's indexes carry the row id
already. The model names the index with its key columns only (Django would warn about INCLUDE
on SQLite); code that drops and remakes it reads its definition from the database.

Built CONCURRENTLY beside the old one, which is then dropped and replaced by name, outside a
transaction: on a large table the inbox and new messages are never held up while it builds.
"""

from django.db import migrations

COLUMNS = "ON inbox_message (direction, created_at, needs_reply)"


def _replace(schema_editor, definition: str) -> None:  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    run("DROP INDEX CONCURRENTLY IF EXISTS message_kpi_inbound_next")  # left by a failed run
    run(f"CREATE INDEX CONCURRENTLY message_kpi_inbound_next {COLUMNS}{definition}")
    run("DROP INDEX CONCURRENTLY IF EXISTS message_kpi_inbound")
    run("ALTER INDEX message_kpi_inbound_next RENAME TO message_kpi_inbound")


def covering(apps, schema_editor):  # type: ignore[no-untyped-def]
    _replace(schema_editor, " INCLUDE (id, conversation_id)")


def plain(apps, schema_editor):  # type: ignore[no-untyped-def]
    _replace(schema_editor, "")


class Migration(migrations.Migration):
    atomic = False  # CREATE/DROP INDEX CONCURRENTLY
    dependencies = [("inbox", "0025_held_messages")]
    operations = [migrations.RunPython(covering, plain)]
