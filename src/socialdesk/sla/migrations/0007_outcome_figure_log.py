"""PostgreSQL: every change to the SLA outcomes is logged by the hour the clock started, so
the SLA figures of a past period can be kept until one of them changes
(`core.figure_cache`)."""

from django.db import migrations

from socialdesk.core import figure_cache

TABLE = "sla_slaoutcome"
COLUMNS = (
    "kind", "policy_name", "started_at", "due_at", "state", "elapsed_seconds", "evaluated",
    "channel_account_id", "department_id", "assignee_id",
)  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("core", "0003_figure_change_log"), ("sla", "0006_outcome_department_assignee")]
    operations = [figure_cache.logging_operation(TABLE, "started_at", COLUMNS)]
