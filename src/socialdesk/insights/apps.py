from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "socialdesk.insights"
    label = "insights"
    verbose_name = "Insights"
