from django.apps import AppConfig

from socialdesk.core import schedule


class GoalsConfig(AppConfig):
    name = "socialdesk.goals"
    label = "goals"
    verbose_name = "Goals"

    def ready(self) -> None:  # imports here: the models are loaded only now
        # Guidelines: the one reminder to confirm a version, every minute (idempotent).
        from socialdesk.goals import guideline_tasks

        schedule.every(schedule.REGULAR, guideline_tasks.remind_to_confirm)
