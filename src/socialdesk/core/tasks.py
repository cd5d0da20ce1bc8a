"""Background tasks of the shell: thin wrappers that take plain values and call a service."""

from __future__ import annotations

from django.core.mail import send_mail
from django.tasks import task


@task()
def send_email(subject: str, body: str, recipients: list[str]) -> int:
    """Send one plain-text e-mail; the worker retries nothing, the log shows failures."""
    return send_mail(subject, body, None, recipients, fail_silently=False)
