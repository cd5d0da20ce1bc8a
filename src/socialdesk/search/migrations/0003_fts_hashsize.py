"""SQLite: both FTS5 tables gather 64 MiB of new terms before writing a segment
(`fulltext.gather_more`). PostgreSQL: nothing."""

from django.db import migrations

from socialdesk.search import fulltext


class Migration(migrations.Migration):
    dependencies = [("search", "0002_recent_index")]

    operations = [migrations.RunPython(fulltext.gather_more, fulltext.gather_less)]
