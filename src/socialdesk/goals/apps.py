from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "socialdesk.goals"
    label = "goals"
    verbose_name = "Goals"

    def ready(self) -> None:  # imports here: the models are loaded only now
        pass
