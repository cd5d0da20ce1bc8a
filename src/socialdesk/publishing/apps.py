from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "socialdesk.publishing"
    label = "publishing"
    verbose_name = "Publishing"

    def ready(self) -> None:  # imports here: the models are loaded only now
        pass
