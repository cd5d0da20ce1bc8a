"""Posts keep their words without Markdown beside the body (search shows them, not the body)."""

import re

from django.db import migrations, models

from socialdesk.core.markdown import to_plain_text

BATCH = 1_000
BRACKETS = re.compile(r"@\[([^\]\n]{1,100})\]")  # spaces.mentions.BRACKETS when this was written


def plain_words(body: str) -> str:
    return BRACKETS.sub(r"@\1", to_plain_text(body))


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Every existing post gets the plain words of its body (in batches: bounded memory)."""
    post_model = apps.get_model("spaces", "RoomPost")
    batch = []
    for post in post_model.objects.only("pk", "body").order_by("pk").iterator(chunk_size=BATCH):
        post.plain_text = plain_words(post.body)
        batch.append(post)
        if len(batch) == BATCH:
            post_model.objects.bulk_update(batch, ["plain_text"])
            batch = []
    post_model.objects.bulk_update(batch, ["plain_text"])


class Migration(migrations.Migration):
    dependencies = [("spaces", "0001_create_rooms_posts_attachments")]

    operations = [
        migrations.AddField(
            model_name="roompost",
            name="plain_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
