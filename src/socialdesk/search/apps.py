from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "socialdesk.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:  # each work package connects its hooks here, one call per module
        from django.core.checks import register

        from socialdesk.core import schedule
        from socialdesk.search import checks, indexing, recent, tasks

        indexing.connect()
        schedule.every(schedule.REGULAR, tasks.prune_recent, when=recent.has_work)
        register(checks.check_fts5, "database")
