"""A classification carries the time its customer's message was written (`written_at`).

The sentiment share counted a period's judged messages by joining every classification with
the period's inbound messages: at 2 million messages 84 ms per period for the whole team,
growing with all the classifications ever stored. With the time on the classification and the
index `classification_kpi_written` (written_at, sentiment) the count reads the period's
stretch of that index alone. Filled here from the messages (inbound only; our own messages
keep None), in one statement on both databases.
"""

from django.db import migrations, models

FILL = (
    "UPDATE feedback_classification SET written_at = m.created_at FROM inbox_message m "
    "WHERE m.id = feedback_classification.message_id AND m.direction = 'in'"
)


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    schema_editor.execute(FILL)


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0002_add_labels_and_models"),
        ("inbox", "0027_message_fewer_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="classification",
            name="written_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="classification",
            index=models.Index(
                fields=["written_at", "sentiment"], name="classification_kpi_written"
            ),
        ),
    ]
