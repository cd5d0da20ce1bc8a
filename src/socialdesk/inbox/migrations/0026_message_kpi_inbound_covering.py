"""PostgreSQL: `message_kpi_inbound` also carries each message's id and conversation.

The KPIs and dashboards ask for the inbound messages of a period by id (the sentiment shares
join `feedback_classification` on it; a member's scope narrows by conversation). The index
found them, but every id was read from the table: 28,647 table pages for the 85,000 inbound
messages of 28 days at 2M messages, 230–300 ms per sentiment count. With the two columns
included the same lookups are index-only scans (64–103 ms). SQLite's indexes carry the row id
already; the model's index is the same on both (name and columns), so nothing else changes.
"""

from django.db import migrations

CREATE = "CREATE INDEX message_kpi_inbound ON inbox_message (direction, created_at, needs_reply)"


def covering(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS message_kpi_inbound")
        schema_editor.execute(CREATE + " INCLUDE (id, conversation_id)")


def plain(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS message_kpi_inbound")
        schema_editor.execute(CREATE)


class Migration(migrations.Migration):
    dependencies = [("inbox", "0025_held_messages")]
    operations = [migrations.RunPython(covering, plain)]
