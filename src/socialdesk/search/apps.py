from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "socialdesk.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:  # each work package connects its hooks here, one call per module
        from django.core.checks import register

        from socialdesk.core import schedule
        from socialdesk.search import backlog, checks, recent, tasks

        backlog.connect()  # the index follows every change, or catches up after bulk work
        schedule.every(schedule.REGULAR, tasks.prune_recent, when=recent.has_work)
        schedule.every(schedule.REGULAR, tasks.catch_up_search, when=backlog.has_work)
        register(checks.check_fts5, "database")
