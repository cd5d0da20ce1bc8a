"""Background work of the wiki: the reminders to review pages."""

from __future__ import annotations

from django.tasks import task

from .reminders import send_review_reminders


@task()
def remind_reviews() -> int:
    """Tell the owners of pages whose review date has come, once per page and due date."""
    return send_review_reminders()
