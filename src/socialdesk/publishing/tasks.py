"""Background work of publishing: send the posts and parts that are due (publishing/engine.py)."""

from __future__ import annotations

from django.tasks import task

from socialdesk.publishing.engine import publish_due


@task()
def publish_posts() -> int:
    """One pass of the engine; returns how many parts reached the network."""
    return publish_due().sent
