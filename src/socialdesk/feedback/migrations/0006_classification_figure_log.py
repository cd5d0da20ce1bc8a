"""PostgreSQL: every change to the classifications is logged by the hour their customer wrote,
so the sentiment shares of a past period can be kept until one of them changes
(`core.figure_cache`)."""

from django.db import migrations

from socialdesk.core import figure_cache

TABLE = "feedback_classification"
COLUMNS = ("sentiment", "written_at", "department_id", "assignee_id", "message_id")


class Migration(migrations.Migration):
    dependencies = [("core", "0003_figure_change_log"), ("feedback", "0005_pending_message")]
    operations = [figure_cache.logging_operation(TABLE, "written_at", COLUMNS)]
