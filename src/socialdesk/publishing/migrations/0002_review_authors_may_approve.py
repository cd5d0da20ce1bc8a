from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("publishing", "0001_create_publishing")]

    operations = [
        migrations.AddField(
            model_name="approvalstep",
            name="authors_may_approve",
            field=models.BooleanField(default=False, verbose_name="authors may approve"),
        ),
    ]
