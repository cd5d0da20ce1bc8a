"""PostgreSQL: the function that estimates a query's matches (`search.fulltext.MATCHES`).
SQLite: nothing."""

from django.db import migrations

from socialdesk.search import fulltext


class Migration(migrations.Migration):
    dependencies = [("search", "0004_backlog")]

    operations = [migrations.RunPython(fulltext.create_function, fulltext.drop_function)]
