"""Periodic SLA work for the worker: move clocks on and warn before and at a breach."""

from __future__ import annotations

from django.tasks import task

from socialdesk.sla.warnings import check_and_warn


@task()
def check_slas(every: bool = False) -> int:
    """Refresh the open conversations with a target whose clock runs out now (`every`: all,
    after a change of the policies); return how many warnings went out."""
    return check_and_warn(every=every)
