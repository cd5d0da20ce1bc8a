"""Recurring work after publishing: the read-back of public figures (see `metrics.py`)."""

from __future__ import annotations

from django.tasks import task


@task()
def read_post_metrics() -> int:
    from socialdesk.publishing.metrics import read_due

    return read_due()
