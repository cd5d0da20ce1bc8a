from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "socialdesk.sla"
    label = "sla"
    verbose_name = "SLA"
