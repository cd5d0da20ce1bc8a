"""Pages keep their words as the page reads, without Markdown, beside the body (search reads
them, not the body): `[[links]]` as their labels, no task boxes."""

from django.db import migrations, models

from socialdesk.wiki.rendering import plain_text

BATCH = 100  # pages of up to 200,000 characters: bodies and texts of at most ~40 MB at once


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Every existing page gets the plain text of its body (in batches: bounded memory)."""
    page_model = apps.get_model("wiki", "WikiPage")
    batch = []
    for page in page_model.objects.only("pk", "body").order_by("pk").iterator(chunk_size=BATCH):
        page.plain_text = plain_text(page.body)
        batch.append(page)
        if len(batch) == BATCH:
            page_model.objects.bulk_update(batch, ["plain_text"])
            batch = []
    page_model.objects.bulk_update(batch, ["plain_text"])


class Migration(migrations.Migration):
    dependencies = [("wiki", "0001_create_wiki")]

    operations = [
        migrations.AddField(
            model_name="wikipage",
            name="plain_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
