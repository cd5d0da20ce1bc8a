"""Background work of the reports: send the scheduled reports that are due, once per period."""

from __future__ import annotations

from django.tasks import task

from socialdesk.goals.report_services import send_due


@task()
def send_reports() -> int:
    """Send each due report schedule (idempotent: one delivery row per schedule and period)."""
    return send_due()
