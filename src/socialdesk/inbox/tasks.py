"""Background work of the inbox: send the replies that are due (inbox/sending.py)."""

from __future__ import annotations

from django.tasks import task

from socialdesk.inbox.sending import send_due


@task()
def send_replies() -> int:
    return send_due()
