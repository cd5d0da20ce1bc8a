"""Indexes for the KPIs: inbound messages of a period and the first-response figures of a
period are counted from an index alone."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("inbox", "0015_notification_kind_goal")]

    operations = [
        migrations.AddIndex(
            model_name="conversation",
            index=models.Index(
                fields=[
                    "first_message_inbound",
                    "needs_reply",
                    "first_message_at",
                    "first_response_seconds",
                ],
                name="conversation_kpi_response",
            ),
        ),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(
                fields=["direction", "created_at", "needs_reply"], name="message_kpi_inbound"
            ),
        ),
    ]
