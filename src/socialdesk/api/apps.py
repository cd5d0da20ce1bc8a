from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "socialdesk.api"
    label = "api"
    verbose_name = "API"
