from django.apps import AppConfig


class ShellConfig(AppConfig):
    """The top of the house: the pages around the apps (overview, navigation, language),
    the middleware that applies a person's preferences and the access table, the demo."""

    name = "socialdesk.shell"
    label = "shell"
    verbose_name = "socialdesk"
