"""The count of conversations waiting for a reply, kept by triggers (inbox/waiting.py; they
are made, and the count taken, after every migrate)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0032_conversation_figure_log"),
    ]

    operations = [
        migrations.CreateModel(
            name="WaitingCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("account_id", models.BigIntegerField()),
                ("department_id", models.BigIntegerField(default=0)),
                ("assignee_id", models.BigIntegerField(default=0)),
                ("change", models.BigIntegerField()),
            ],
        ),
    ]
