from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "socialdesk.channels"
    label = "channels"
    verbose_name = "Channels"

    def ready(self) -> None:
        from socialdesk.channels import tasks
        from socialdesk.core import schedule

        schedule.every(schedule.FREQUENT, tasks.poll_channels, tasks.process_webhooks)
