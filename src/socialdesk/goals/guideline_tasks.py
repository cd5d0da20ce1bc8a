"""Background work of the guidelines: the one reminder to confirm."""

from __future__ import annotations

from django.tasks import task

from socialdesk.goals.guideline_services import send_confirmation_reminders


@task()
def remind_to_confirm() -> int:
    """Remind each person who has not confirmed a current version after N days, once."""
    return send_confirmation_reminders()
