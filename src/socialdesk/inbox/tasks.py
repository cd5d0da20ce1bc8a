"""Background work of the inbox: send the replies that are due (inbox/sending.py), add up the
count of conversations waiting for a reply (inbox/waiting.py)."""

from __future__ import annotations

from django.tasks import task

from socialdesk.inbox.sending import send_due


@task()
def send_replies() -> int:
    return send_due()


@task()
def run_bulk_job(job_id: int) -> int:
    """Apply a bulk action over "all matching" in the background; return how many changed."""
    from socialdesk.inbox.bulk import bulk_run

    return bulk_run(job_id).changed


@task()
def undo_bulk_job(job_id: int) -> int:
    """Undo a large bulk action in the background; return how many were restored."""
    from socialdesk.inbox.bulk import bulk_undo_run

    return bulk_undo_run(job_id).done


@task()
def compact_waiting() -> int:
    """Add up the rows counting the conversations that wait for a reply; return those left."""
    from socialdesk.inbox import waiting

    return waiting.compact()
