from django.apps import AppConfig

from socialdesk.core import schedule


class ChannelsConfig(AppConfig):
    name = "socialdesk.channels"
    label = "channels"
    verbose_name = "Channels"

    def ready(self) -> None:  # imports here: the models are loaded only now
        from socialdesk.channels import tasks

        schedule.every(schedule.FREQUENT, tasks.poll_channels, tasks.process_webhooks)
        schedule.every(schedule.REGULAR, tasks.refresh_channel_limits)
        schedule.every(schedule.REGULAR, tasks.take_follower_snapshots)  # issue 13 item 3
