from django.apps import AppConfig

from socialdesk.core import schedule


class PrivacyConfig(AppConfig):
    name = "socialdesk.privacy"
    label = "privacy"
    verbose_name = "Privacy"

    def ready(self) -> None:  # imports here: the models are loaded only now
        from socialdesk.privacy import tasks

        schedule.every(schedule.REGULAR, tasks.apply_retention)
