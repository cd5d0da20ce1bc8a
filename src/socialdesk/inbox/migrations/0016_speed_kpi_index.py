"""An index for the inbox KPIs: inbound messages of a period counted from the index alone."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("inbox", "0015_notification_kind_goal")]

    operations = [
        migrations.AddIndex(
            model_name="message",
            index=models.Index(
                fields=["direction", "created_at", "needs_reply"], name="message_kpi_inbound"
            ),
        ),
    ]
