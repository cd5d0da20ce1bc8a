"""Fewer indexes to write for every conversation and message.

- A conversation's status, SLA state, account and department each had an index of their own
  although a composite index begins with that column (`conversation_status_last`,
  `conversation_sla_queue`, `conversation_acct_sla`, `conversation_dept_sla`); the last
  message's time likewise (`conversation_newest`, made in 0023). PostgreSQL also kept a second
  index of each text column for LIKE patterns that no query uses. Seven of its 32 indexes (five
  of SQLite's 28) are gone: an insert, and every update that changes an indexed column (each
  new message does), wrote all of them.
- A message's author (a reply written here) and the user who set its flag by hand are empty
  on everything that arrives: their indexes now hold only the messages where they are set.

PostgreSQL drops and builds CONCURRENTLY, so no writer waits; a run that failed half-way is
simply run again (IF EXISTS / IF NOT EXISTS; an index left invalid is built anew). SQLite
drops and builds the same indexes in place; Django's own way (rebuilding the table) is not
taken.
"""

from django.conf import settings
from django.db import migrations, models

CONVERSATION = "inbox_conversation"
MESSAGE = "inbox_message"
# Django's names for the single-column indexes (the same on both databases; "_like": the
# PostgreSQL pattern index of a text column).
DROPPED = {
    CONVERSATION: [
        ("inbox_conversation_status_46b82373", "status", True),
        ("inbox_conversation_sla_state_4babd55c", "sla_state", True),
        ("inbox_conversation_channel_account_id_c08e46a6", "channel_account_id", False),
        ("inbox_conversation_department_id_f96a55cd", "department_id", False),
        ("inbox_conversation_last_message_at_7dad2fc1", "last_message_at", False),
    ],
    MESSAGE: [
        ("inbox_message_author_user_id_e6d75caf", "author_user_id", False),
        ("inbox_message_needs_reply_set_by_id_aa14eaa8", "needs_reply_set_by_id", False),
    ],
}
PARTIAL = {
    "message_author_user": "author_user_id",
    "message_needs_reply_set_by": "needs_reply_set_by_id",
}


def _execute(schema_editor, statement: str) -> None:  # type: ignore[no-untyped-def]
    """`statement` with `{c}` as CONCURRENTLY on PostgreSQL (nothing on SQLite)."""
    concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(statement.format(c=concurrently))


def _invalid(schema_editor, name: str) -> bool:  # type: ignore[no-untyped-def]
    """PostgreSQL: an index a failed CREATE INDEX CONCURRENTLY left behind, not usable."""
    if schema_editor.connection.vendor != "postgresql":
        return False
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT NOT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)", [name]
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def _create(schema_editor, name: str, table: str, column: str, where: str = "") -> None:  # type: ignore[no-untyped-def]
    if _invalid(schema_editor, name):
        _execute(schema_editor, f"DROP INDEX{{c}} IF EXISTS {name}")
    _execute(schema_editor, f"CREATE INDEX{{c}} IF NOT EXISTS {name} ON {table} ({column}){where}")


def _dropped(schema_editor):  # type: ignore[no-untyped-def]
    """(name, table, column) of every index dropped, PostgreSQL's LIKE copies included."""
    postgresql = schema_editor.connection.vendor == "postgresql"
    for table, indexes in DROPPED.items():
        for name, column, text in indexes:
            yield name, table, column
            if text and postgresql:
                yield f"{name}_like", table, f"{column} varchar_pattern_ops"


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    for name, column in PARTIAL.items():
        _create(schema_editor, name, MESSAGE, column, f" WHERE {column} IS NOT NULL")
    for name, _table, _column in _dropped(schema_editor):
        _execute(schema_editor, f"DROP INDEX{{c}} IF EXISTS {name}")


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    for name, table, column in _dropped(schema_editor):
        _create(schema_editor, name, table, column)
    for name in PARTIAL:
        _execute(schema_editor, f"DROP INDEX{{c}} IF EXISTS {name}")


def _unindexed_key(to: str, on_delete, **options):  # type: ignore[no-untyped-def]
    return models.ForeignKey(db_index=False, on_delete=on_delete, to=to, **options)


class Migration(migrations.Migration):
    atomic = False  # CREATE/DROP INDEX CONCURRENTLY
    dependencies = [
        ("accounts", "0007_api_token_expiry_read_only_audit_token"),
        ("channels", "0010_follower_snapshot"),
        ("inbox", "0033_waiting_count"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="conversation",
                    name="channel_account",
                    field=_unindexed_key(
                        "channels.channelaccount", models.PROTECT, related_name="conversations"
                    ),
                ),
                migrations.AlterField(
                    model_name="conversation",
                    name="department",
                    field=_unindexed_key(
                        "accounts.department",
                        models.SET_NULL,
                        blank=True,
                        null=True,
                        related_name="conversations",
                    ),
                ),  # fmt: skip
                migrations.AlterField(
                    model_name="conversation",
                    name="last_message_at",
                    field=models.DateTimeField(null=True),
                ),
                migrations.AlterField(
                    model_name="conversation",
                    name="sla_state",
                    field=models.CharField(
                        blank=True,
                        choices=[
                            ("", "No target"),
                            ("on_track", "On track"),
                            ("at_risk", "At risk"),
                            ("breached", "Breached"),
                            ("met", "Met"),
                            ("paused", "Paused"),
                        ],  # fmt: skip
                        default="",
                        max_length=16,
                    ),
                ),
                migrations.AlterField(
                    model_name="conversation",
                    name="status",
                    field=models.CharField(
                        choices=[
                            ("open", "Open"),
                            ("waiting", "Waiting on customer"),
                            ("resolved", "Resolved"),
                        ],  # fmt: skip
                        default="open",
                        max_length=16,
                        verbose_name="status",
                    ),
                ),
                migrations.AlterField(
                    model_name="message",
                    name="author_user",
                    field=_unindexed_key(
                        settings.AUTH_USER_MODEL,
                        models.SET_NULL,
                        blank=True,
                        null=True,
                        related_name="messages",
                    ),
                ),  # fmt: skip
                migrations.AlterField(
                    model_name="message",
                    name="needs_reply_set_by",
                    field=_unindexed_key(
                        settings.AUTH_USER_MODEL,
                        models.SET_NULL,
                        blank=True,
                        null=True,
                        related_name="+",
                    ),
                ),  # fmt: skip
                *(
                    migrations.AddIndex(
                        model_name="message",
                        index=models.Index(
                            condition=models.Q((f"{field}__isnull", False)),
                            fields=[field],
                            name=f"message_{field}",
                        ),
                    )
                    for field in ("author_user", "needs_reply_set_by")
                ),
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        )
    ]
