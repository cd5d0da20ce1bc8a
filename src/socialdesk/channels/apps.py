from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "socialdesk.channels"
    label = "channels"
    verbose_name = "Channels"
