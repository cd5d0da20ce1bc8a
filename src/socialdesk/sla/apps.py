from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "socialdesk.sla"
    label = "sla"
    verbose_name = "SLA"

    def ready(self) -> None:
        from socialdesk.core import schedule
        from socialdesk.inbox.signals import conversations_changed
        from socialdesk.sla import receivers, tasks

        schedule.every(schedule.REGULAR, tasks.check_slas)
        conversations_changed.connect(receivers.refresh_changed, dispatch_uid="sla.refresh")
