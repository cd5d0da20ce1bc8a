from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "socialdesk.inbox"
    label = "inbox"
    verbose_name = "Inbox"
