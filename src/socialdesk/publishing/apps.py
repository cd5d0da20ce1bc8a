from django.apps import AppConfig

from socialdesk.core import schedule


class PublishingConfig(AppConfig):
    name = "socialdesk.publishing"
    label = "publishing"
    verbose_name = "Publishing"

    def ready(self) -> None:  # imports here: the models are loaded only now
        # After publishing: figures read back at fixed ages; replies link to their post.
        from socialdesk.inbox import links
        from socialdesk.publishing import after_selectors, after_tasks

        schedule.every(schedule.REGULAR, after_tasks.read_post_metrics)
        links.register(after_selectors.conversation_links)

        from socialdesk.publishing import engine, tasks

        # Every second, when a post or a retry is due (engine.anything_due: two indexed queries).
        schedule.every(schedule.PROMPT, tasks.publish_posts, when=engine.anything_due)

        from socialdesk.accounts import handover
        from socialdesk.publishing import handover as publishing_handover

        handover.register(publishing_handover.unfinished_posts)
        handover.register(publishing_handover.open_ideas)
