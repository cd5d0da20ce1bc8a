from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "socialdesk.feedback"
    label = "feedback"
    verbose_name = "Feedback"

    def ready(self) -> None:
        from socialdesk.core import schedule
        from socialdesk.feedback import tasks

        schedule.every(schedule.FREQUENT, tasks.classify_new_messages)
        schedule.every(schedule.REGULAR, tasks.feedback_rounds)
