from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "socialdesk.core"
    label = "core"
    verbose_name = "socialdesk"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from socialdesk.core import figure_cache, lookups, schedule, task_results, tasks
        from socialdesk.core.db import session_settings

        lookups.register()
        connection_created.connect(session_settings, dispatch_uid="socialdesk.core.session")
        schedule.every(schedule.REGULAR, tasks.prune_task_results, when=task_results.due)
        schedule.every(schedule.REGULAR, tasks.compact_figure_log, when=figure_cache.due)
