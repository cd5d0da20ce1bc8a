from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate

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
        post_migrate.connect(_ensure_copies, sender=self, dispatch_uid="sla.copies")


def _ensure_copies(using: str = "default", **kwargs: Any) -> None:
    """After every migrate: the trigger that moves the outcomes' copies (sla/copies.py)."""
    from django.db import connections

    from socialdesk.sla import copies

    if connections[using].vendor in ("sqlite", "postgresql"):
        copies.ensure()
