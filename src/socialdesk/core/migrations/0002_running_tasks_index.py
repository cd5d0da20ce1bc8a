"""An index of the running tasks in django-tasks-db's queue, for `/metrics` and `socialdesk
status` ("how many tasks run now, of which kind").

The queue's table keeps every finished task and has an index only of the ready ones, so counting
the running ones would read the whole table at every scrape. This partial index holds only the
running rows (a handful). It is SQL of our own on a table of another app: if a later migration of
django-tasks-db copies the table on SQLite, the index is lost and the count is merely slower.
"""

from django.db import migrations

INDEX = "core_tasks_running"


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON django_tasks_database_dbtaskresult (task_path)"
            " WHERE status = 'RUNNING'",
            f"DROP INDEX IF EXISTS {INDEX}",
        )
    ]
