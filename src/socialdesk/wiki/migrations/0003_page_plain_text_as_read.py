"""The kept plain text reads as the page does: `[[links]]` as their labels, no task boxes."""

from django.db import migrations

from socialdesk.wiki.rendering import plain_text

BATCH = 100  # pages of up to 200,000 characters: bodies and texts of at most ~40 MB at once


def refill(apps, schema_editor):  # type: ignore[no-untyped-def]
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
    dependencies = [("wiki", "0002_page_plain_text")]

    operations = [migrations.RunPython(refill, migrations.RunPython.noop)]
