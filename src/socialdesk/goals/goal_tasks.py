"""Background work of the goals: keep each open goal's figures and status current."""

from __future__ import annotations

from django.tasks import task

from socialdesk.goals.goal_services import refresh_due


@task()
def refresh_goals() -> int:
    """Evaluate each open goal not evaluated for GOALS_REFRESH_MINUTES."""
    return refresh_due()


@task()
def warm_kept_figures() -> int:
    """The kept figures of the KPI page and the dashboards, for each recent reader."""
    from socialdesk.goals import figure_warming

    return figure_warming.warm()
