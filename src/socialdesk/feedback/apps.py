from django.apps import AppConfig

from socialdesk.core import schedule


class FeedbackConfig(AppConfig):
    name = "socialdesk.feedback"
    label = "feedback"
    verbose_name = "Feedback"

    def ready(self) -> None:  # imports here: the models are loaded only now
        from socialdesk.feedback import tasks

        schedule.every(schedule.FREQUENT, tasks.classify_new_messages)
        schedule.every(schedule.REGULAR, tasks.feedback_rounds)
