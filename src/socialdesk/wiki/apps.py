from django.apps import AppConfig


class WikiConfig(AppConfig):
    name = "socialdesk.wiki"
    label = "wiki"
    verbose_name = "Wiki"

    def ready(self) -> None:  # each work package connects its hooks here, one call per module
        pass
