"""Periodic SLA work for the worker: move clocks on and warn before and at a breach."""

from __future__ import annotations

from django.tasks import task

from socialdesk.sla.warnings import check_and_warn


@task()
def check_slas() -> int:
    """Refresh every open conversation with a target; return how many warnings went out."""
    return check_and_warn()
