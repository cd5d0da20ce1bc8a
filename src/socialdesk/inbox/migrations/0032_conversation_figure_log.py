"""PostgreSQL: every change to what the first-response figures read of a conversation is
logged by the hour of its first message, so those figures of a past period can be kept until
one of them changes (`core.figure_cache`)."""

from django.db import migrations

from socialdesk.core import figure_cache

TABLE = "inbox_conversation"
COLUMNS = (
    "first_message_at", "first_message_inbound", "needs_reply", "first_response_seconds",
    "channel_account_id", "department_id", "assignee_id",
)  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_figure_change_log"),
        ("inbox", "0031_department_indexes_carry_account"),
    ]
    operations = [figure_cache.logging_operation(TABLE, "first_message_at", COLUMNS)]
