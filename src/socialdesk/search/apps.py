from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "socialdesk.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:  # each work package connects its hooks here, one call per module
        from socialdesk.search import indexing

        indexing.connect()
