"""PostgreSQL: the log of changes that tells a kept figure of a past period whether it still
holds (`core.figure_cache`); the tables' owners add the triggers writing it. SQLite keeps no
figures and gets nothing."""

from django.db import migrations

from socialdesk.core import figure_cache


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for statement in figure_cache.table_statements():
            schema_editor.execute(statement)


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TABLE IF EXISTS {figure_cache.LOG}, {figure_cache.HORIZON}")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_running_tasks_index")]
    operations = [migrations.RunPython(create, drop)]
