from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate

from socialdesk.core import schedule, triggers


class InboxConfig(AppConfig):
    name = "socialdesk.inbox"
    label = "inbox"
    verbose_name = "Inbox"

    def ready(self) -> None:  # imports here: the models are loaded only now
        from socialdesk.channels import ingest
        from socialdesk.inbox import tasks, waiting
        from socialdesk.inbox.channel_items import SINK

        ingest.register(SINK)  # channels hand their items to the inbox through this
        post_migrate.connect(_ensure_rollup, sender=self)
        schedule.every(schedule.FREQUENT, tasks.send_replies)
        schedule.every(schedule.REGULAR, tasks.compact_waiting, when=waiting.uncompacted)
        triggers.work_in_bulk(*waiting.KEPT.triggers)  # an import's conversations, at once

        from socialdesk.accounts import handover
        from socialdesk.inbox import handover as inbox_handover

        handover.register(inbox_handover.open_conversations)


def _ensure_rollup(using: str = "default", **kwargs: Any) -> None:
    """After every migrate: the triggers of the rollup and of the waiting count are there (see
    inbox/rollups.py and inbox/waiting.py)."""
    from django.db import connections

    from socialdesk.inbox import rollups, waiting

    if connections[using].vendor in ("sqlite", "postgresql"):
        rollups.ensure()
        waiting.ensure()
