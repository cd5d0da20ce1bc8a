from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "socialdesk.core"
    label = "core"
    verbose_name = "socialdesk"
