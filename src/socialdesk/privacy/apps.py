from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "socialdesk.privacy"
    label = "privacy"
    verbose_name = "Privacy"

    def ready(self) -> None:
        from socialdesk.core import schedule
        from socialdesk.privacy import tasks

        schedule.every(schedule.REGULAR, tasks.apply_retention)
