"""Background work of the search: keeping the recent index (`search.recent`) small, and
writing the entries a bulk write left for later (`search.backlog`)."""

from __future__ import annotations

from django.tasks import task

from socialdesk.search import backlog, recent


@task()
def prune_recent() -> int:
    """Move the recent index's floor up once it holds more than it should."""
    return recent.prune()


@task()
def catch_up_search() -> int:
    """Write the entries an import noted but did not write (its process stopped first)."""
    return backlog.catch_up()
