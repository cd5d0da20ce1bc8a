from django.apps import AppConfig

from socialdesk.core import schedule


class PublishingConfig(AppConfig):
    name = "socialdesk.publishing"
    label = "publishing"
    verbose_name = "Publishing"

    def ready(self) -> None:  # imports here: the models are loaded only now
        from socialdesk.publishing import engine, tasks

        # Every second, when a post or a retry is due (engine.anything_due: two indexed queries).
        schedule.every(schedule.PROMPT, tasks.publish_posts, when=engine.anything_due)
