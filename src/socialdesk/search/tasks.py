"""Background work of the search: keeping the recent index (`search.recent`) small."""

from __future__ import annotations

from django.tasks import task

from socialdesk.search import recent


@task()
def prune_recent() -> int:
    """Move the recent index's floor up once it holds more than it should."""
    return recent.prune()
