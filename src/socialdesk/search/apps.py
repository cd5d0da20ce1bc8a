from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "socialdesk.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:  # each work package connects its hooks here, one call per module
        from django.core.checks import register

        from socialdesk.search import checks, indexing

        indexing.connect()
        register(checks.check_fts5, "database")
