from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate

from socialdesk.core import schedule


class FeedbackConfig(AppConfig):
    name = "socialdesk.feedback"
    label = "feedback"
    verbose_name = "Feedback"

    def ready(self) -> None:  # imports here: the models are loaded only now
        from socialdesk.core import triggers
        from socialdesk.feedback import pending, tasks

        # A history import queues its inbound messages in one statement per chunk.
        triggers.work_in_bulk(*pending.KEPT.triggers)

        schedule.every(schedule.FREQUENT, tasks.classify_new_messages)
        schedule.every(schedule.REGULAR, tasks.feedback_rounds)
        post_migrate.connect(_ensure_copies, sender=self, dispatch_uid="feedback.copies")


def _ensure_copies(using: str = "default", **kwargs: Any) -> None:
    """After every migrate: the triggers that keep the classifications' copies (copies.py)
    and the messages waiting to be classified (pending.py)."""
    from django.db import connections

    from socialdesk.feedback import copies, pending

    if connections[using].vendor in ("sqlite", "postgresql"):
        copies.ensure()
        pending.ensure()
