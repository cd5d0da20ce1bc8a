from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "socialdesk.feedback"
    label = "feedback"
    verbose_name = "Feedback"
