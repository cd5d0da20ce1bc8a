from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "socialdesk.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:  # each work package connects its hooks here, one call per module
        from django.core.checks import register

        from socialdesk.core import schedule
        from socialdesk.inbox.selectors import match_text_with
        from socialdesk.search import backlog, checks, inbox_box, recent, tasks

        backlog.connect()  # the index follows every change, or catches up after bulk work
        schedule.every(schedule.REGULAR, tasks.prune_recent, when=recent.has_work)
        schedule.every(schedule.REGULAR, tasks.catch_up_search, when=backlog.has_work)
        register(checks.check_fts5, "database")
        match_text_with(inbox_box.match)  # the inbox's search box reads the index
