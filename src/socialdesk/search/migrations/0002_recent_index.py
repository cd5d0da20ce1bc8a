"""SQLite: the small FTS5 index over the newest entries that the search ranks in
(`search.recent`); filled from the entries already there. PostgreSQL: nothing."""

from django.db import migrations

from socialdesk.search import recent


class Migration(migrations.Migration):
    dependencies = [("search", "0001_create_search_entry")]

    operations = [migrations.RunPython(recent.create, recent.drop)]
