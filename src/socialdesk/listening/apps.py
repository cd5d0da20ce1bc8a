from django.apps import AppConfig

from socialdesk.core import schedule


class ListeningConfig(AppConfig):
    name = "socialdesk.listening"
    label = "listening"
    verbose_name = "Listening"

    def ready(self) -> None:  # imports here: the models are loaded only now
        from socialdesk.listening import tasks

        schedule.every(schedule.FREQUENT, tasks.match_monitors)
