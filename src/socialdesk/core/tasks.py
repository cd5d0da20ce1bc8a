"""Background tasks of the shell: thin wrappers that take plain values and call a service."""

from __future__ import annotations

from django.core.mail import send_mail
from django.tasks import task


@task()
def prune_task_results() -> int:
    """The worker's finished task results older than TASK_RESULTS_KEEP_DAYS; how many went."""
    from socialdesk.core import task_results

    return task_results.prune()


@task()
def compact_figure_log() -> int:
    """The change-log rows no kept figure can need any more (`figure_cache`); how many went."""
    from socialdesk.core import figure_cache

    return figure_cache.compact()


@task()
def send_email(subject: str, body: str, recipients: list[str]) -> int:
    """Send one plain-text e-mail; the worker retries nothing, the log shows failures."""
    return send_mail(subject, body, None, recipients, fail_silently=False)


def send_email_with_attachments(
    subject: str, body: str, recipients: list[str], attachments: list[tuple[str, bytes, str]]
) -> int:
    """Send one plain-text e-mail with files attached (name, content, MIME type)."""
    from django.core.mail import EmailMessage

    message = EmailMessage(subject, body, None, recipients)
    for name, content, mime in attachments:
        message.attach(name, content, mime)
    return message.send(fail_silently=False)
