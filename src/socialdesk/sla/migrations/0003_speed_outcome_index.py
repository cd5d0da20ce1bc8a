"""An index covering the SLA KPI's read of a period (kind, state, counting time, due)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("sla", "0002_add_sla_outcomes")]

    operations = [
        migrations.AddIndex(
            model_name="slaoutcome",
            index=models.Index(
                fields=["evaluated", "kind", "started_at", "state", "elapsed_seconds", "due_at"],
                name="sla_outcome_kpi_state",
            ),
        ),
    ]
