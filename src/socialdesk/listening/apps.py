from django.apps import AppConfig


class ListeningConfig(AppConfig):
    name = "socialdesk.listening"
    label = "listening"
    verbose_name = "Listening"

    def ready(self) -> None:
        from socialdesk.core import schedule
        from socialdesk.listening import tasks

        schedule.every(schedule.FREQUENT, tasks.match_monitors)
