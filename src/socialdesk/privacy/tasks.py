"""Background work of the privacy app (thin: the service does the work)."""

from __future__ import annotations

from django.tasks import task

from socialdesk.privacy.services import retention_apply


@task()
def apply_retention() -> int:
    """Anonymise conversations older than the organisation's retention setting."""
    return retention_apply().conversations
