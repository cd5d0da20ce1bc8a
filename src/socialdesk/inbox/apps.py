from django.apps import AppConfig

from socialdesk.core import schedule


class InboxConfig(AppConfig):
    name = "socialdesk.inbox"
    label = "inbox"
    verbose_name = "Inbox"

    def ready(self) -> None:  # imports here: the models are loaded only now
        from socialdesk.channels import ingest
        from socialdesk.inbox import tasks
        from socialdesk.inbox.channel_items import SINK

        ingest.register(SINK)  # channels hand their items to the inbox through this
        schedule.every(schedule.FREQUENT, tasks.send_replies)
