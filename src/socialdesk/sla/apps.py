from django.apps import AppConfig

from socialdesk.core import schedule
from socialdesk.inbox.signals import conversations_changed


class SlaConfig(AppConfig):
    name = "socialdesk.sla"
    label = "sla"
    verbose_name = "SLA"

    def ready(self) -> None:  # imports here: the models are loaded only now
        from socialdesk.sla import receivers, tasks

        schedule.every(schedule.REGULAR, tasks.check_slas)
        conversations_changed.connect(receivers.refresh_changed, dispatch_uid="sla.refresh")
