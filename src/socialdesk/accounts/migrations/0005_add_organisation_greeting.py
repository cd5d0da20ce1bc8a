from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_encrypt_issue_tracker_addresses"),
    ]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="greeting_form",
            field=models.CharField(
                choices=[("sie", "formal (Sie)"), ("du", "informal (du)")],
                default="sie",
                max_length=3,
                verbose_name="how drafts address customers",
            ),
        ),
        migrations.AddField(
            model_name="organisation",
            name="greet_by_first_name",
            field=models.BooleanField(default=False, verbose_name="drafts greet by first name"),
        ),
    ]
